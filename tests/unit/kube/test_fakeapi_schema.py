"""The fake API's structural-schema pieces: pruning, defaulting, validation, ratcheting."""

from __future__ import annotations

from typing import Any

import pytest

from spinkube.testing.fakeapi import schema

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["image"],
            "properties": {
                "image": {"type": "string", "minLength": 1},
                "replicas": {"type": "integer", "minimum": 1},
                "mode": {"type": "string", "enum": ["a", "b"], "default": "a"},
                "port": {"x-kubernetes-int-or-string": True},
                "tags": {"type": "array", "maxItems": 1, "items": {"type": "string"}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            },
        }
    },
}


def test_prune_drops_undeclared_fields_and_keeps_open_ones() -> None:
    obj = {
        "apiVersion": "x/v1",
        "kind": "X",
        "metadata": {"name": "a"},
        "extra": 1,
        "spec": {"image": "i", "nope": 1, "labels": {"k": "v"}, "free": {"any": {"thing": 1}}},
    }

    pruned = schema.prune(obj, SCHEMA)

    assert pruned == {
        "apiVersion": "x/v1",
        "kind": "X",
        "metadata": {"name": "a"},
        "spec": {"image": "i", "labels": {"k": "v"}, "free": {"any": {"thing": 1}}},
    }
    assert list(schema.unknown_fields(obj, SCHEMA)) == [".extra", ".spec.nope"]


def test_defaults_fill_absent_fields_only() -> None:
    obj: dict[str, Any] = {"spec": {"image": "i"}}
    schema.apply_defaults(obj, SCHEMA)
    assert obj["spec"]["mode"] == "a"
    kept: dict[str, Any] = {"spec": {"image": "i", "mode": "b"}}
    schema.apply_defaults(kept, SCHEMA)
    assert kept["spec"]["mode"] == "b"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param({}, ["spec.image: Required value"], id="required"),
        pytest.param(
            {"image": "i", "replicas": "x"},
            [
                'spec.replicas: Invalid value: "string": spec.replicas in body must be of type '
                'integer: "string"'
            ],
            id="type",
        ),
        pytest.param(
            {"image": "i", "replicas": 0},
            [
                "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than "
                "or equal to 1"
            ],
            id="minimum",
        ),
        pytest.param(
            {"image": "i", "mode": "c"},
            ['spec.mode: Unsupported value: "c": supported values: "a", "b"'],
            id="enum",
        ),
        pytest.param(
            {"image": "i", "tags": ["a", "b"]},
            ["spec.tags: Too many: 2: must have at most 1 items"],
            id="max-items",
        ),
        pytest.param({"image": "i", "port": 8080}, [], id="int-or-string-int"),
        pytest.param({"image": "i", "port": "http"}, [], id="int-or-string-string"),
        pytest.param(
            {"image": "i", "labels": {"k": 1}},
            [
                'spec.labels.k: Invalid value: "integer": spec.labels.k in body must be of type '
                'string: "integer"'
            ],
            id="map-values",
        ),
    ],
)
def test_validation_messages(spec: dict[str, Any], expected: list[str]) -> None:
    assert [str(e) for e in schema.validate({"spec": spec}, SCHEMA)] == expected


def test_ratcheting_keeps_unchanged_invalid_values() -> None:
    old = {"spec": {"image": "i", "replicas": 0}}
    unchanged = {"spec": {"image": "j", "replicas": 0}}
    changed = {"spec": {"image": "i", "replicas": -1}}

    assert schema.ratcheted(schema.validate(unchanged, SCHEMA), old, unchanged) == []
    assert len(schema.ratcheted(schema.validate(changed, SCHEMA), old, changed)) == 1
