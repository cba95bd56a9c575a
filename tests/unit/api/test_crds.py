"""The CRDs: generated from the models, structural, and useful to `kubectl get` and `explain`."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import kubernetes_validate
import pytest
import yaml

from spinkube.api.crd import build_crds

REPO = Path(__file__).resolve().parents[3]
REGENERATE = ".venv/bin/python scripts/gen-crds.py"

# What the API server accepts in a structural schema (apiextensions.k8s.io/v1).
ALLOWED_KEYWORDS = {
    "description",
    "type",
    "format",
    "properties",
    "items",
    "additionalProperties",
    "required",
    "enum",
    "default",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "anyOf",
    "x-kubernetes-map-type",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-int-or-string",
}


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_crds", REPO / "scripts" / "gen-crds.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _schema(crd: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


def _version(crd: dict[str, Any]) -> dict[str, Any]:
    (version,) = crd["spec"]["versions"]
    assert isinstance(version, dict)
    return version


def walk_properties(schema: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property with its `kubectl explain` path (arrays and maps stepped through)."""
    for name, sub in schema.get("properties", {}).items():
        sub_path = f"{path}.{name}" if path else name
        yield sub_path, sub
        inner = sub.get("items", sub) if sub.get("type") == "array" else sub
        yield from walk_properties(inner, sub_path)


def structural_problems(schema: dict[str, Any], path: str = "") -> Iterator[str]:
    """What would make the API server refuse this schema as non-structural or invalid."""
    for key in set(schema) - ALLOWED_KEYWORDS:
        yield f"{path}: keyword {key} not allowed"
    int_or_string = schema.get("x-kubernetes-int-or-string") is True
    if "anyOf" in schema and not int_or_string:
        yield f"{path}: anyOf without x-kubernetes-int-or-string"
    if "type" not in schema and not int_or_string:
        yield f"{path}: no type"
    if "properties" in schema and "additionalProperties" in schema:
        yield f"{path}: both properties and additionalProperties"
    if not isinstance(schema.get("additionalProperties", {}), dict):
        yield f"{path}: additionalProperties must be a schema"
    yield from _list_type_problems(schema, path)
    for name, sub in schema.get("properties", {}).items():
        yield from structural_problems(sub, f"{path}.{name}")
    if isinstance(schema.get("items"), dict):
        yield from structural_problems(schema["items"], f"{path}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from structural_problems(schema["additionalProperties"], f"{path}{{}}")


def _list_type_problems(schema: dict[str, Any], path: str) -> Iterator[str]:
    list_type = schema.get("x-kubernetes-list-type")
    items = schema.get("items", {})
    if list_type == "map":
        for key in schema.get("x-kubernetes-list-map-keys", []):
            if key not in items.get("required", []) and "default" not in items["properties"][key]:
                yield f"{path}: list map key {key} neither required nor defaulted"
    if list_type == "set" and items.get("type") in ("object", "array"):
        yield f"{path}: set of non-scalars"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return _load_generator()


def test_checked_in_files_are_what_the_models_generate(generator: ModuleType) -> None:
    stale = generator.stale_files()
    assert stale == [], (
        f"{', '.join(stale)} differ from what src/spinkube/api generates; "
        f"regenerate with `{REGENERATE}` and commit the result"
    )


def test_the_packaged_crds_are_the_checked_in_ones(crds: dict[str, dict[str, Any]]) -> None:
    """`build_crds()` without arguments uses the vendored Kubernetes types, as the operator does."""
    assert build_crds() == [crds["SpinApp"], crds["SpinAppExecutor"]]


def test_generation_is_deterministic(generator: ModuleType) -> None:
    assert generator.render() == generator.render()


def test_release_file_holds_both_crds(crds: dict[str, dict[str, Any]]) -> None:
    text = (REPO / "spin-operator.crds.yaml").read_text(encoding="utf-8")
    docs = [d for d in yaml.safe_load_all(text) if d]
    assert docs == [crds["SpinApp"], crds["SpinAppExecutor"]]


@pytest.mark.parametrize(
    ("kind", "name", "plural"),
    [
        ("SpinApp", "spinapps.core.spinoperator.dev", "spinapps"),
        ("SpinAppExecutor", "spinappexecutors.core.spinoperator.dev", "spinappexecutors"),
    ],
)
def test_crd_names_the_kind_in_our_group(
    crds: dict[str, dict[str, Any]], kind: str, name: str, plural: str
) -> None:
    crd = crds[kind]
    assert crd["metadata"]["name"] == name
    assert crd["spec"]["group"] == "core.spinoperator.dev"
    assert crd["spec"]["scope"] == "Namespaced"
    assert crd["spec"]["names"]["plural"] == plural
    assert crd["spec"]["names"]["listKind"] == f"{kind}List"
    assert "shortNames" not in crd["spec"]["names"]  # upstream has none
    assert _version(crd)["name"] == "v1alpha1"
    assert _version(crd)["served"] is _version(crd)["storage"] is True


def test_executors_have_only_the_status_subresource(crds: dict[str, dict[str, Any]]) -> None:
    assert _version(crds["SpinAppExecutor"])["subresources"] == {"status": {}}


def test_spinapps_can_be_scaled(crds: dict[str, dict[str, Any]]) -> None:
    """A scale subresource (upstream has none; its users asked, spin-operator#24), so that
    `kubectl scale spinapp`, an HPA or a KEDA ScaledObject can target the SpinApp."""
    assert _version(crds["SpinApp"])["subresources"] == {
        "status": {},
        "scale": {
            "specReplicasPath": ".spec.replicas",
            "statusReplicasPath": ".status.readyReplicas",
            "labelSelectorPath": ".status.selector",
        },
    }


def test_spinapp_printer_columns_match_upstream(crds: dict[str, dict[str, Any]]) -> None:
    columns = _version(crds["SpinApp"])["additionalPrinterColumns"]
    assert [(c["name"], c["jsonPath"], c["type"]) for c in columns] == [
        ("Ready", ".status.readyReplicas", "integer"),
        ("Desired", ".spec.replicas", "integer"),
        ("Executor", ".spec.executor", "string"),
    ]


def test_executor_printer_columns_point_at_real_fields(crds: dict[str, dict[str, Any]]) -> None:
    crd = crds["SpinAppExecutor"]
    paths = {f".{p}" for p, _ in walk_properties(_schema(crd))}
    columns = _version(crd)["additionalPrinterColumns"]
    assert {c["name"] for c in columns} >= {"Create-Deployment", "Runtime-Class", "Age"}
    for column in columns:
        assert column["jsonPath"] in paths or column["jsonPath"].startswith(".metadata.")


@pytest.mark.parametrize("kind", ["SpinApp", "SpinAppExecutor"])
def test_schema_is_structural(crds: dict[str, dict[str, Any]], kind: str) -> None:
    assert list(structural_problems(_schema(crds[kind]))) == []


def test_structural_check_finds_problems() -> None:
    bad = {
        "type": "object",
        "properties": {
            "a": {"$ref": "#/x"},
            "b": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "c": {"type": "object", "additionalProperties": False},
        },
    }
    assert len(list(structural_problems(bad))) == 5


@pytest.mark.parametrize("kind", ["SpinApp", "SpinAppExecutor"])
def test_crd_is_a_valid_kubernetes_object(crds: dict[str, dict[str, Any]], kind: str) -> None:
    assert kubernetes_validate.validate(crds[kind], "1.33", strict=True)


@pytest.mark.parametrize(
    ("field", "default"),
    [
        ("spec.enableAutoscaling", False),
        ("spec.checks.liveness.failureThreshold", 3),
        ("spec.checks.liveness.initialDelaySeconds", 10),
        ("spec.checks.liveness.periodSeconds", 10),
        ("spec.checks.liveness.successThreshold", 1),
        ("spec.checks.liveness.timeoutSeconds", 1),
        ("spec.checks.readiness.failureThreshold", 3),
        ("spec.checks.readiness.initialDelaySeconds", 10),
        ("spec.checks.readiness.periodSeconds", 10),
        ("spec.checks.readiness.successThreshold", 1),
        ("spec.checks.readiness.timeoutSeconds", 1),
    ],
)
def test_documented_defaults_are_crd_defaults(
    crds: dict[str, dict[str, Any]], field: str, default: object
) -> None:
    fields = dict(walk_properties(_schema(crds["SpinApp"])))
    assert fields[field]["default"] == default


def test_only_documented_fields_have_defaults(crds: dict[str, dict[str, Any]]) -> None:
    defaulted = {p for p, s in walk_properties(_schema(crds["SpinApp"])) if "default" in s}
    assert defaulted == {
        "spec.enableAutoscaling",
        *(
            f"spec.checks.{probe}.{field}"
            for probe in ("liveness", "readiness")
            for field in (
                "failureThreshold",
                "initialDelaySeconds",
                "periodSeconds",
                "successThreshold",
                "timeoutSeconds",
            )
        ),
    }


@pytest.mark.parametrize(
    ("kind", "required_at", "required"),
    [
        ("SpinApp", "spec", ["executor", "image"]),
        ("SpinApp", "status", ["readyReplicas"]),
        ("SpinApp", "spec.variables", ["name"]),
        ("SpinApp", "spec.checks.liveness.httpGet", ["path"]),
        ("SpinApp", "spec.runtimeConfig.keyValueStores", ["name", "type"]),
        ("SpinApp", "spec.runtimeConfig.llmCompute", ["type"]),
        ("SpinAppExecutor", "spec", ["createDeployment"]),
    ],
)
def test_required_fields(
    crds: dict[str, dict[str, Any]], kind: str, required_at: str, required: list[str]
) -> None:
    fields = dict(walk_properties(_schema(crds[kind])))
    node = fields[required_at]
    node = node.get("items", node)
    assert sorted(node["required"]) == required


# `kubectl explain <path>` prints the description of the field; each must say something.
EXPLAIN = [
    ("spinapp", "spec", "desired state of SpinApp"),
    ("spinapp", "spec.executor", "alphabetical order"),
    ("spinapp", "spec.image", "source for this app"),
    ("spinapp", "spec.checks", "health checks"),
    ("spinapp", "spec.checks.liveness", "liveness probe"),
    ("spinapp", "spec.checks.liveness.httpGet.path", "/healthz"),
    ("spinapp", "spec.checks.readiness.httpGet.httpHeaders", "headers"),
    ("spinapp", "spec.components", "components"),
    ("spinapp", "spec.deploymentAnnotations", "deployment"),
    ("spinapp", "spec.enableAutoscaling", "HPA/KEDA"),
    ("spinapp", "spec.imagePullSecrets", "pulling the image"),
    ("spinapp", "spec.imagePullSecrets.name", "Name of the referent"),
    ("spinapp", "spec.podAnnotations", "pods"),
    ("spinapp", "spec.podLabels", "pods"),
    ("spinapp", "spec.replicas", "replicas"),
    ("spinapp", "spec.resources.limits", "maximum amount"),
    ("spinapp", "spec.resources.requests", "minimum amount"),
    ("spinapp", "spec.runtimeConfig", "runtime"),
    ("spinapp", "spec.runtimeConfig.loadFromSecret", "runtime-config.toml"),
    ("spinapp", "spec.runtimeConfig.keyValueStores", "key-value"),
    ("spinapp", "spec.runtimeConfig.keyValueStores.options.valueFrom.secretKeyRef", "secret"),
    ("spinapp", "spec.runtimeConfig.sqliteDatabases", "SQLite"),
    ("spinapp", "spec.runtimeConfig.llmCompute", "LLM"),
    ("spinapp", "spec.serviceAnnotations", "service"),
    ("spinapp", "spec.variables", "Spin App Variables"),
    ("spinapp", "spec.variables.name", "variable"),
    ("spinapp", "spec.variables.valueFrom", "dynamically bind"),
    ("spinapp", "spec.variables.valueFrom.configMapKeyRef", "ConfigMap"),
    ("spinapp", "spec.variables.valueFrom.secretKeyRef", "secret"),
    ("spinapp", "spec.variables.valueFrom.fieldRef", "field of the pod"),
    ("spinapp", "spec.variables.valueFrom.resourceFieldRef", "resource of the container"),
    ("spinapp", "spec.volumeMounts", "mounted"),
    ("spinapp", "spec.volumeMounts.mountPath", "Path within the container"),
    ("spinapp", "spec.volumes", "volumes"),
    ("spinapp", "spec.volumes.persistentVolumeClaim.claimName", "PersistentVolumeClaim"),
    ("spinapp", "status.readyReplicas", "replicas"),
    ("spinapp", "status.activeScheduler", "scheduler"),
    ("spinapp", "status.conditions", "Available"),
    ("spinapp", "status.conditions.status", "True, False, Unknown"),
    ("spinappexecutor", "spec.createDeployment", "deployment"),
    ("spinappexecutor", "spec.deploymentConfig.runtimeClassName", "runtime class"),
    ("spinappexecutor", "spec.deploymentConfig.spinImage", "Spin"),
    ("spinappexecutor", "spec.deploymentConfig.installDefaultCACerts", "CA"),
    ("spinappexecutor", "spec.deploymentConfig.caCertSecret", "CA"),
    ("spinappexecutor", "spec.deploymentConfig.otel.exporter_otlp_endpoint", "otlp"),
]


@pytest.mark.parametrize(
    ("resource", "path", "says"), EXPLAIN, ids=[f"{r}.{p}" for r, p, _ in EXPLAIN]
)
def test_kubectl_explain_describes_the_field(
    crds: dict[str, dict[str, Any]], resource: str, path: str, says: str
) -> None:
    kind = {"spinapp": "SpinApp", "spinappexecutor": "SpinAppExecutor"}[resource]
    fields = dict(walk_properties(_schema(crds[kind])))
    assert says.lower() in fields[path]["description"].lower()


@pytest.mark.parametrize("kind", ["SpinApp", "SpinAppExecutor"])
def test_every_spec_and_status_field_has_a_description(
    crds: dict[str, dict[str, Any]], kind: str
) -> None:
    undocumented = [
        path for path, sub in walk_properties(_schema(crds[kind])) if not sub.get("description")
    ]
    assert undocumented == ["metadata"]
