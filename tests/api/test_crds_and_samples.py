"""Apply the CRDs in config/crd/ and every sample in config/samples/ through the API, then
read each object back."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml
from lightkube.core.resource import NamespacedResource
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition

from spinkube.kube import (
    Invalid,
    Kube,
    KubeError,
    NotFound,
    SpinApp,
    load_manifest,
    register_crd,
    resource_of,
)
from spinkube.testing.crds import apply_crds, established

pytestmark = pytest.mark.api

ROOT = Path(__file__).resolve().parents[2]
CRD_DIR = ROOT / "config" / "crd"
SAMPLES_DIR = ROOT / "config" / "samples"
NOT_MANIFESTS = {"Kustomization"}
"""Kinds in config/samples/ that are tool configuration, not API objects."""

# KEDA's ScaledObject is applied by the keda sample; a cluster without KEDA gets this
# schemaless stand-in so that the sample can still go through the API.
KEDA_STAND_IN_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "scaledobjects.keda.sh"},
    "spec": {
        "group": "keda.sh",
        "names": {"kind": "ScaledObject", "plural": "scaledobjects", "singular": "scaledobject"},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1alpha1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "x-kubernetes-preserve-unknown-fields": True,
                    }
                },
                "subresources": {"status": {}},
            }
        ],
    },
}


def documents(directory: Path) -> list[tuple[str, dict[str, Any]]]:
    """(file name, manifest) for every YAML document in a directory."""
    return [
        (path.name, document)
        for path in sorted(directory.glob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text())
        if document
    ]


def ensure_keda(kube: Kube) -> None:
    try:
        kube.get(CustomResourceDefinition, KEDA_STAND_IN_CRD["metadata"]["name"])
        register_crd(KEDA_STAND_IN_CRD)
    except NotFound:
        apply_crds(kube, [KEDA_STAND_IN_CRD])


def contains(actual: Any, expected: Any) -> bool:
    """`expected` is a subset of `actual`: the API may add defaults, never drop or change."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            contains(actual.get(key), value) for key, value in expected.items()
        )
    return bool(actual == expected)


@pytest.fixture(scope="module")
def crds(kube_api: Any) -> list[tuple[str, dict[str, Any]]]:
    found = documents(CRD_DIR)
    assert found, f"no CRDs in {CRD_DIR}: generate them first"
    apply_crds(kube_api.kube, [crd for _, crd in found])
    ensure_keda(kube_api.kube)
    return found


def test_the_crds_are_served(kube: Kube, crds: list[tuple[str, dict[str, Any]]]) -> None:
    served = {crd["metadata"]["name"] for _, crd in crds}
    assert {"spinapps.core.spinoperator.dev", "spinappexecutors.core.spinoperator.dev"} <= served
    for name in served:
        assert established(kube, name)


def sample_ids() -> list[str]:
    return [f"{name}:{doc.get('kind')}/{doc['metadata']['name']}" for name, doc in samples()]


def samples() -> list[tuple[str, dict[str, Any]]]:
    return [(name, doc) for name, doc in documents(SAMPLES_DIR) if doc["kind"] not in NOT_MANIFESTS]


def test_there_are_samples() -> None:
    assert len(samples()) >= 10, f"expected the tutorial samples in {SAMPLES_DIR}"


@pytest.mark.parametrize(("file_name", "manifest"), samples(), ids=sample_ids())
def test_sample_applies_and_reads_back(
    kube: Kube,
    namespace: str,
    crds: list[tuple[str, dict[str, Any]]],
    file_name: str,
    manifest: dict[str, Any],
) -> None:
    res = resource_of(manifest["apiVersion"], manifest["kind"])
    target_ns = namespace if issubclass(res, NamespacedResource) else None
    kube.apply_manifest(manifest, namespace=target_ns)

    stored = kube.get(res, manifest["metadata"]["name"], namespace=target_ns).to_dict()
    if target_ns is not None:
        assert stored["metadata"]["namespace"] == namespace

    for section in ("spec", "data", "handler"):
        if section in manifest:
            assert contains(stored.get(section), manifest[section]), f"{file_name}: {section}"
    if "stringData" in manifest:
        decoded = {k: base64.b64decode(v).decode() for k, v in stored["data"].items()}
        assert contains(decoded, manifest["stringData"])


def test_every_sample_kind_is_loadable(crds: list[tuple[str, dict[str, Any]]]) -> None:
    for _, manifest in samples():
        assert load_manifest(manifest).kind == manifest["kind"]


def spinapp(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "core.spinoperator.dev/v1alpha1",
        "kind": "SpinApp",
        "metadata": {"name": name},
        "spec": {"image": "ghcr.io/example/app:v1", "executor": "", **spec},
    }


def test_spinapps_are_defaulted_and_pruned_on_create(
    kube: Kube, namespace: str, crds: list[tuple[str, dict[str, Any]]]
) -> None:
    """Defaults and pruning come from the CRD's structural schema, applied by the API server."""
    probe = {"readiness": {"httpGet": {"path": "/healthz"}}}
    manifest = spinapp("defaulted", replicas=1, notAField=True, checks=probe)
    kube.create(load_manifest(manifest), namespace=namespace)

    stored = kube.get(SpinApp, "defaulted", namespace=namespace)
    assert stored["spec"]["enableAutoscaling"] is False
    assert "notAField" not in stored["spec"]
    readiness = stored["spec"]["checks"]["readiness"]
    assert (readiness["initialDelaySeconds"], readiness["failureThreshold"]) == (10, 3)


def test_server_side_apply_refuses_undeclared_fields(
    kube: Kube, namespace: str, crds: list[tuple[str, dict[str, Any]]]
) -> None:
    """An apply is converted to the schema's type before it merges: an undeclared field is an
    error there, not pruned (kube-apiserver answers 500, kubernetes#139253)."""
    with pytest.raises(KubeError) as caught:
        kube.apply_manifest(spinapp("unknown", notAField=True), namespace=namespace)
    assert ".spec.notAField: field not declared in schema" in caught.value.message
    with pytest.raises(NotFound):
        kube.get(SpinApp, "unknown", namespace=namespace)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        pytest.param(
            {"replicas": "two"},
            'spec.replicas: Invalid value: "string": spec.replicas in body must be of type '
            'integer: "string"',
            id="type",
        ),
        pytest.param(
            {"components": []},
            "spec.components: Invalid value: 0: spec.components in body should have at least 1 "
            "items",
            id="min-items",
        ),
        pytest.param(
            {"variables": [{"value": "x"}]}, "spec.variables[0].name: Required value", id="required"
        ),
    ],
)
def test_schema_errors_read_like_the_api_servers(
    kube: Kube,
    namespace: str,
    crds: list[tuple[str, dict[str, Any]]],
    spec: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(Invalid) as caught:
        kube.create(load_manifest(spinapp("bad", **spec)), namespace=namespace)
    assert caught.value.message == f'SpinApp.core.spinoperator.dev "bad" is invalid: {message}'


def test_a_missing_required_field_is_refused(
    kube: Kube, namespace: str, crds: list[tuple[str, dict[str, Any]]]
) -> None:
    manifest = spinapp("no-executor")
    del manifest["spec"]["executor"]
    with pytest.raises(Invalid) as caught:
        kube.create(load_manifest(manifest), namespace=namespace)
    assert "spec.executor: Required value" in caught.value.message


def scale_path(namespace: str, name: str) -> str:
    return f"/apis/core.spinoperator.dev/v1alpha1/namespaces/{namespace}/spinapps/{name}/scale"


def test_a_spinapp_scales_through_its_scale_subresource(
    kube: Kube, namespace: str, crds: list[tuple[str, dict[str, Any]]]
) -> None:
    """`kubectl scale spinapp` and HPAs read and write `/scale`: replicas go to
    `spec.replicas`, the ready count and the pod selector come from the status."""
    kube.create(load_manifest(spinapp("scaled", replicas=1)), namespace=namespace)
    selector = "core.spinoperator.dev/app-name=scaled"
    kube.patch_status(
        SpinApp, "scaled", {"readyReplicas": 1, "selector": selector}, namespace=namespace
    )

    patched = kube.http.patch(
        scale_path(namespace, "scaled"),
        content='{"spec": {"replicas": 3}}',
        headers={"Content-Type": "application/merge-patch+json"},
        timeout=10,
    )
    assert patched.status_code == 200, patched.text

    assert kube.get(SpinApp, "scaled", namespace=namespace)["spec"]["replicas"] == 3
    read = kube.http.get(scale_path(namespace, "scaled"), timeout=10).json()
    assert read["kind"] == "Scale"
    assert read["spec"] == {"replicas": 3}
    assert read["status"] == {"replicas": 1, "selector": selector}
