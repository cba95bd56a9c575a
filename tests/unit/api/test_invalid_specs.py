"""Invalid objects are refused by both the CRD schema and the models, naming the field."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from spinkube.api import SpinApp, SpinAppExecutor, SpinAppSpec, field_errors

REPO = Path(__file__).resolve().parents[3]
DELETE = object()

_CONDITION = {
    "type": "Available",
    "status": "Maybe",
    "lastTransitionTime": "2024-03-11T16:33:28Z",
    "reason": "MinimumReplicasAvailable",
    "message": "",
}


def _base(sample: str, kind: str) -> dict[str, Any]:
    text = (REPO / "config" / "samples" / sample).read_text(encoding="utf-8")
    (doc,) = [d for d in yaml.safe_load_all(text) if d and d["kind"] == kind]
    assert isinstance(doc, dict)
    return doc


def _with(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    parent = out
    for key in path[:-1]:
        parent = parent.setdefault(key, {})
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return out


APP = ("simple.yaml", "SpinApp")
EXECUTOR = ("spin-shim-executor.yaml", "SpinAppExecutor")

# (base, field to change, new value, path the error must name, the models check it too)
CASES = {
    "replicas-as-string": (APP, ("spec", "replicas"), "1", "spec.replicas", True),
    "replicas-as-float": (APP, ("spec", "replicas"), 1.5, "spec.replicas", True),
    "image-missing": (APP, ("spec", "image"), DELETE, "spec.image", True),
    "image-not-a-string": (APP, ("spec", "image"), 42, "spec.image", True),
    "autoscaling-as-string": (
        APP,
        ("spec", "enableAutoscaling"),
        "yes",
        "spec.enableAutoscaling",
        True,
    ),
    "bad-quantity": (
        APP,
        ("spec", "resources"),
        {"limits": {"cpu": "500 millicores"}},
        "spec.resources.limits.cpu",
        True,
    ),
    "quantity-as-bool": (
        APP,
        ("spec", "resources"),
        {"requests": {"memory": True}},
        "spec.resources.requests.memory",
        True,
    ),
    "unknown-field": (APP, ("spec", "replica"), 1, "spec.replica", True),
    "variable-without-name": (
        APP,
        ("spec", "variables"),
        [{"value": "x"}],
        "spec.variables[0].name",
        True,
    ),
    "variable-field-ref-without-path": (
        APP,
        ("spec", "variables"),
        [{"name": "pod", "valueFrom": {"fieldRef": {}}}],
        "spec.variables[0].valueFrom.fieldRef.fieldPath",
        True,
    ),
    "option-value-from-field-ref": (
        APP,
        ("spec", "runtimeConfig"),
        {
            "keyValueStores": [
                {
                    "name": "default",
                    "type": "redis",
                    "options": [{"name": "url", "valueFrom": {"fieldRef": {"fieldPath": "x"}}}],
                }
            ]
        },
        "spec.runtimeConfig.keyValueStores[0].options[0].valueFrom.fieldRef",
        True,
    ),
    "kv-store-without-type": (
        APP,
        ("spec", "runtimeConfig"),
        {"keyValueStores": [{"name": "default"}]},
        "spec.runtimeConfig.keyValueStores[0].type",
        True,
    ),
    "probe-threshold-as-string": (
        APP,
        ("spec", "checks"),
        {"liveness": {"failureThreshold": "3"}},
        "spec.checks.liveness.failureThreshold",
        True,
    ),
    "probe-header-without-value": (
        APP,
        ("spec", "checks"),
        {"readiness": {"httpGet": {"path": "/", "httpHeaders": [{"name": "x"}]}}},
        "spec.checks.readiness.httpGet.httpHeaders[0].value",
        True,
    ),
    "empty-components": (APP, ("spec", "components"), [], "spec.components", True),
    "annotation-not-a-string": (
        APP,
        ("spec", "podAnnotations"),
        {"replicas": 3},
        "spec.podAnnotations.replicas",
        True,
    ),
    "volume-mount-without-path": (
        APP,
        ("spec", "volumeMounts"),
        [{"name": "data"}],
        "spec.volumeMounts[0].mountPath",
        True,
    ),
    "volume-without-name": (
        APP,
        ("spec", "volumes"),
        [{"emptyDir": {}}],
        "spec.volumes[0].name",
        True,
    ),
    # The models keep Kubernetes volume sources as given; the CRD checks them in full.
    "volume-source-wrong-type": (
        APP,
        ("spec", "volumes"),
        [{"name": "data", "emptyDir": {"sizeLimit": ["1Gi"]}}],
        "spec.volumes[0].emptyDir.sizeLimit",
        False,
    ),
    "status-without-ready-replicas": (APP, ("status",), {}, "status.readyReplicas", True),
    "condition-status-not-in-enum": (
        APP,
        ("status",),
        {"readyReplicas": 0, "conditions": [_CONDITION]},
        "status.conditions[0].status",
        True,
    ),
    "executor-without-create-deployment": (
        EXECUTOR,
        ("spec", "createDeployment"),
        DELETE,
        "spec.createDeployment",
        True,
    ),
    "executor-runtime-class-not-a-string": (
        EXECUTOR,
        ("spec", "deploymentConfig", "runtimeClassName"),
        1,
        "spec.deploymentConfig.runtimeClassName",
        True,
    ),
    "executor-otel-camel-case": (
        EXECUTOR,
        ("spec", "deploymentConfig", "otel"),
        {"exporterOtlpEndpoint": "http://collector:4318"},
        "spec.deploymentConfig.otel.exporterOtlpEndpoint",
        True,
    ),
}

MODELS: dict[str, type[BaseModel]] = {"SpinApp": SpinApp, "SpinAppExecutor": SpinAppExecutor}


def _case(case_id: str) -> tuple[dict[str, Any], str, bool]:
    (sample, kind), path, value, expected, models_check = CASES[case_id]
    return _with(_base(sample, kind), path, value), expected, models_check


@pytest.mark.parametrize("case_id", list(CASES))
def test_the_crd_schema_rejects_it_naming_the_field(
    case_id: str, crd_validate: Callable[[dict[str, Any]], list[str]]
) -> None:
    obj, expected, _ = _case(case_id)
    errors = crd_validate(obj)
    assert [e for e in errors if e.startswith(f"{expected}: ")], errors


@pytest.mark.parametrize("case_id", [c for c, v in CASES.items() if v[4]])
def test_the_models_reject_it_naming_the_field(case_id: str) -> None:
    obj, expected, _ = _case(case_id)
    with pytest.raises(ValidationError) as info:
        MODELS[obj["kind"]].model_validate(obj)
    lines = [str(e) for e in field_errors(info.value)]
    assert [line for line in lines if line.startswith(f"{expected}: ")], lines


def test_the_models_keep_kubernetes_volume_sources_for_the_crd_to_check() -> None:
    obj, _, _ = _case("volume-source-wrong-type")
    app = SpinApp.model_validate(obj)
    assert app.spec.volumes is not None
    assert app.spec.volumes[0].source == {"emptyDir": {"sizeLimit": ["1Gi"]}}


def test_field_errors_read_like_the_api_server() -> None:
    obj, _, _ = _case("replicas-as-string")
    obj = _with(obj, ("spec", "image"), DELETE)
    with pytest.raises(ValidationError) as info:
        SpinApp.model_validate(obj)
    assert [str(e) for e in field_errors(info.value)] == [
        "spec.image: Required value",
        'spec.replicas: Invalid value: "1": Input should be a valid integer',
    ]


def test_field_errors_take_a_prefix_for_nested_validation() -> None:
    with pytest.raises(ValidationError) as info:
        SpinAppSpec.model_validate({"image": "x", "replicas": "2"})
    assert [str(e) for e in field_errors(info.value, prefix="spec")] == [
        'spec.replicas: Invalid value: "2": Input should be a valid integer'
    ]
