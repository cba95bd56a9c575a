"""The Shim CRD: generated from the models, cluster-scoped, and every sample fits it."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from spinkube.api import format_field_errors
from spinkube.api.crd import SHIM, build_crd
from spinkube.api.errors import field_errors
from spinkube.api.shim import Shim

REPO = Path(__file__).resolve().parents[3]
CRD_FILE = REPO / "config" / "rcm" / "crd" / "runtime.kwasm.sh_shims.yaml"
SAMPLES = sorted((REPO / "config" / "rcm" / "samples").glob("*.yaml"))


def crd() -> dict[str, Any]:
    (doc,) = [d for d in yaml.safe_load_all(CRD_FILE.read_text()) if d]
    return doc


def schema() -> dict[str, Any]:
    out: dict[str, Any] = crd()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return out


def strict(node: Any) -> Any:
    """Unknown fields refused, as `kubectl apply` (fieldValidation=Strict) does."""
    if isinstance(node, dict):
        out = {k: strict(v) for k, v in node.items()}
        if "properties" in out:
            out.setdefault("additionalProperties", False)
        return out
    return [strict(v) for v in node] if isinstance(node, list) else node


def problems(obj: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(strict(schema()))
    return sorted(
        f"{'.'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in validator.iter_errors(obj)
    )


def keywords(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        yield from node
        for value in node.values():
            yield from keywords(value)
    elif isinstance(node, list):
        for value in node:
            yield from keywords(value)


def test_checked_in_crd_is_what_the_models_build() -> None:
    assert build_crd(SHIM) == crd()


def test_shim_is_cluster_scoped_in_upstreams_group_with_a_status_subresource() -> None:
    spec = crd()["spec"]
    (version,) = spec["versions"]
    assert crd()["metadata"]["name"] == "shims.runtime.kwasm.sh"
    assert (spec["group"], spec["scope"], spec["names"]["plural"]) == (
        "runtime.kwasm.sh",
        "Cluster",
        "shims",
    )
    assert version["name"] == "v1alpha1"
    assert version["subresources"] == {"status": {}}
    columns = [(c["name"], c["jsonPath"]) for c in version["additionalPrinterColumns"]]
    assert columns == [
        ("RuntimeClass", ".spec.runtimeClass.name"),
        ("Ready", ".status.nodesReady"),
        ("Nodes", ".status.nodes"),
    ]


def test_required_fields_are_upstreams() -> None:
    spec = schema()["properties"]["spec"]
    assert sorted(spec["required"]) == ["fetchStrategy", "rolloutStrategy", "runtimeClass"]
    rollout = spec["properties"]["rolloutStrategy"]
    assert rollout["properties"]["type"]["enum"] == ["rolling", "recreate"]
    assert schema()["properties"]["status"]["required"] == ["nodes", "nodesReady"]


def test_schema_is_structural_and_the_crd_a_valid_object() -> None:
    assert not {"$ref", "title", "$defs"} & set(keywords(schema()))
    kubernetes_validate.validate(crd(), "1.33.0", strict=True)


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_fits_the_crd_and_the_model(path: Path) -> None:
    (doc,) = [d for d in yaml.safe_load_all(path.read_text()) if d]
    assert problems(doc) == []
    shim = Shim.model_validate(doc)
    assert shim.spec.runtime_class.handler == shim.metadata.name  # the containerd runtime name


def sample() -> dict[str, Any]:
    path = REPO / "config" / "rcm" / "samples" / "spin-shim.yaml"
    (doc,) = [d for d in yaml.safe_load_all(path.read_text()) if d]
    return copy.deepcopy(doc)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        pytest.param(
            ("rolloutStrategy", "type"), "blue-green", "spec.rolloutStrategy.type", id="enum"
        ),
        pytest.param(
            ("fetchStrategy", "anonHttp", "sha256"),
            "XYZ",
            "spec.fetchStrategy.anonHttp.sha256",
            id="sha",
        ),
        pytest.param(
            ("rolloutStrategy", "rolling"),
            {"maxUpdate": 0},
            "spec.rolloutStrategy.rolling.maxUpdate",
            id="max-update",
        ),
        pytest.param(("runtimeClass", "handlr"), "x", "spec.runtimeClass.handlr", id="unknown"),
    ],
)
def test_bad_specs_are_refused_naming_the_field(
    path: tuple[str, ...], value: Any, field: str
) -> None:
    doc = sample()
    node = doc["spec"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert problems(doc), "the CRD schema accepted it"
    with pytest.raises(Exception) as caught:  # noqa: PT011 (pydantic's ValidationError)
        Shim.model_validate(doc)
    assert field in format_field_errors(field_errors(caught.value))  # type: ignore[arg-type]
