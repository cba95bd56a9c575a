"""Fixtures for the API tests: the checked-in CRDs, the samples, and a CRD-schema validator.

The validator does what the API server does with `kubectl apply` (server-side field
validation `Strict`, kubectl's default): fill in the schema defaults, then reject wrong types,
missing required fields and unknown fields, naming the field.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from spinkube.api import field_path

REPO = Path(__file__).resolve().parents[3]
SAMPLES = REPO / "config" / "samples"
CRD_DIR = REPO / "config" / "crd"
OUR_KINDS = ("SpinApp", "SpinAppExecutor")

Validate = Callable[[dict[str, Any]], list[str]]


def load_documents(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [doc for doc in yaml.safe_load_all(f) if doc]


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*.yaml") if p.name != "kustomization.yaml")


def sample_documents() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{path.stem}:{doc['kind']}/{doc['metadata']['name']}", doc)
        for path in sample_files()
        for doc in load_documents(path)
    ]


THIRD_PARTY_KINDS = {("keda.sh/v1alpha1", "ScaledObject")}


def _is_built_in(doc: dict[str, Any]) -> bool:
    return (
        doc["kind"] not in OUR_KINDS and (doc["apiVersion"], doc["kind"]) not in THIRD_PARTY_KINDS
    )


_SAMPLE_FIXTURES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "sample": lambda doc: True,
    "our_sample": lambda doc: doc["kind"] in OUR_KINDS,
    "built_in_sample": _is_built_in,
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize over sample documents, with ids like `hpa:SpinApp/hpa-spinapp`.

    `sample` is every document, `our_sample` the SpinApps and SpinAppExecutors, and
    `built_in_sample` the Kubernetes built-in kinds.
    """
    for name, wanted in _SAMPLE_FIXTURES.items():
        if name in metafunc.fixturenames:
            docs = [(i, d) for i, d in sample_documents() if wanted(d)]
            metafunc.parametrize(name, [d for _, d in docs], ids=[i for i, _ in docs])


def _strict(schema: Any) -> Any:
    """Refuse unknown fields, as the API server does with fieldValidation=Strict."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if "properties" in out and not out.get("x-kubernetes-preserve-unknown-fields"):
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


def apply_defaults(schema: dict[str, Any], value: Any) -> Any:
    """Prune nulls and fill in `default`s the way the API server does.

    Fields set to null are dropped; defaults apply only inside objects that are present.
    """
    if isinstance(value, dict):
        for name in [
            k for k, v in value.items() if v is None and k in schema.get("properties", {})
        ]:
            del value[name]
        for name, sub in schema.get("properties", {}).items():
            if name not in value and "default" in sub:
                value[name] = copy.deepcopy(sub["default"])
            if name in value:
                apply_defaults(sub, value[name])
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for item in value.values():
                apply_defaults(extra, item)
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            apply_defaults(schema["items"], item)
    return value


def _error_path(error: jsonschema.ValidationError) -> str:
    path = field_path(list(error.absolute_path))
    if error.validator == "required":
        missing = str(error.message).split("'")[1]
        return f"{path}.{missing}" if path else missing
    if error.validator == "additionalProperties":
        unknown = str(error.message).split("'")[1]
        return f"{path}.{unknown}" if path else unknown
    return path


def _open_api_schema(crd: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


@pytest.fixture(scope="session")
def crds() -> dict[str, dict[str, Any]]:
    """The checked-in CRDs by kind."""
    found = {}
    for path in sorted(CRD_DIR.glob("*.yaml")):
        for doc in load_documents(path):
            found[doc["spec"]["names"]["kind"]] = doc
    return found


@pytest.fixture(scope="session")
def crd_validate(crds: dict[str, dict[str, Any]]) -> Callable[[dict[str, Any]], list[str]]:
    """Validate an object of our kinds against its CRD; returns `path: message` lines."""
    validators = {
        kind: jsonschema.Draft202012Validator(_strict(_open_api_schema(crd)))
        for kind, crd in crds.items()
    }

    def validate(obj: dict[str, Any]) -> list[str]:
        schema = _open_api_schema(crds[obj["kind"]])
        defaulted = apply_defaults(schema, copy.deepcopy(obj))
        errors = validators[obj["kind"]].iter_errors(defaulted)
        return sorted(f"{_error_path(e)}: {e.message}" for e in errors)

    return validate


@pytest.fixture(scope="session")
def crd_defaults(crds: dict[str, dict[str, Any]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The object as the API server stores it: with the CRD defaults filled in."""

    def default(obj: dict[str, Any]) -> dict[str, Any]:
        schema = _open_api_schema(crds[obj["kind"]])
        result: dict[str, Any] = apply_defaults(schema, copy.deepcopy(obj))
        return result

    return default
