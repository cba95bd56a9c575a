"""Field errors and denial messages printed exactly like Kubernetes' (apimachinery `field`,
`errors.NewInvalid`, the webhook denial in upstream `internal/webhook/admission_test.go`)."""

from __future__ import annotations

import pytest

from spinkube.admission import (
    SPINAPP_WEBHOOK,
    FieldError,
    aggregate,
    denial_message,
    go_quote,
    go_value,
)
from spinkube.api import FieldError as SchemaFieldError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("foo", '"foo"', id="string"),
        pytest.param("", '""', id="empty-string"),
        pytest.param(None, '"null"', id="nil-pointer"),
        pytest.param(0, "0", id="int"),
        pytest.param(-1, "-1", id="negative"),
        pytest.param(True, "true", id="bool"),
        pytest.param({"key": "asdf"}, 'map[string]string{"key":"asdf"}', id="map"),
        pytest.param({"b": "2", "a": "1"}, 'map[string]string{"a":"1", "b":"2"}', id="map-sorted"),
        pytest.param(["a", "b"], '[]string{"a", "b"}', id="slice"),
    ],
)
def test_go_value(value: object, expected: str) -> None:
    assert go_value(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('say "hi"', '"say \\"hi\\""', id="quotes"),
        pytest.param("a\\b", '"a\\\\b"', id="backslash"),
        pytest.param("tab\tnl\n", '"tab\\tnl\\n"', id="escapes"),
        pytest.param("\x01", '"\\x01"', id="control"),
        pytest.param("héllo", '"héllo"', id="printable-unicode"),
        pytest.param("\u200b", '"\\u200b"', id="non-printable-unicode"),
    ],
)
def test_go_quote(text: str, expected: str) -> None:
    assert go_quote(text) == expected


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        pytest.param(
            FieldError("spec.replicas", 0, "replicas must be > 0"),
            "spec.replicas: Invalid value: 0: replicas must be > 0",
            id="invalid-int",
        ),
        pytest.param(
            FieldError("spec.executor", "", "executor must be set"),
            'spec.executor: Invalid value: "": executor must be set',
            id="invalid-string",
        ),
        pytest.param(
            FieldError.required("spec.image", "image must be set"),
            "spec.image: Required value: image must be set",
            id="required",
        ),
        pytest.param(
            FieldError.required("spec.image"), "spec.image: Required value", id="required-bare"
        ),
        pytest.param(
            FieldError.duplicate("spec.variables[1].name", "a"),
            'spec.variables[1].name: Duplicate value: "a"',
            id="duplicate",
        ),
    ],
)
def test_field_error_rendering(error: FieldError, expected: str) -> None:
    assert str(error) == expected


def test_aggregate_one_and_many() -> None:
    one = FieldError("a", 1, "x")
    two = FieldError("b", 2, "y")
    assert aggregate([one]) == "a: Invalid value: 1: x"
    assert aggregate([one, two]) == "[a: Invalid value: 1: x, b: Invalid value: 2: y]"
    assert aggregate([one, one]) == "a: Invalid value: 1: x"


def test_aggregate_takes_schema_errors_too() -> None:
    error = SchemaFieldError("spec.replicas", 'Invalid value: "1": not an integer')
    assert aggregate([error]) == 'spec.replicas: Invalid value: "1": not an integer'


def test_no_executor_denial_message() -> None:
    """TestCreateSpinAppWithNoExecutor: the exact client-visible message."""
    error = FieldError(
        "spec.executor",
        "",
        "executor must be set, likely no default executor was set because you have no "
        "executors installed",
    )
    assert denial_message(SPINAPP_WEBHOOK, "SpinApp", "spinapp", [error]) == (
        'admission webhook "vspinapp.kb.io" denied the request: SpinApp.core.spinoperator.dev '
        '"spinapp" is invalid: spec.executor: Invalid value: "": executor must be set, likely '
        "no default executor was set because you have no executors installed"
    )
