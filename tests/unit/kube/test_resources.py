"""Resource classes for the CRDs and for manifests given as dicts."""

from __future__ import annotations

import pytest
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.core_v1 import ConfigMap

from spinkube.api.constants import API_VERSION
from spinkube.kube import (
    NotFound,
    SpinApp,
    SpinAppExecutor,
    load_manifest,
    qualified_name,
    register_custom_resource,
    resource_of,
)


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (ConfigMap, "configmaps"),
        (Deployment, "deployments.apps"),
        (SpinApp, "spinapps.core.spinoperator.dev"),
        (SpinApp.Status, "spinapps.core.spinoperator.dev"),
        (SpinAppExecutor, "spinappexecutors.core.spinoperator.dev"),
    ],
    ids=["core", "apps", "spinapp", "spinapp-status", "executor"],
)
def test_qualified_names_match_the_api_servers(resource: type, expected: str) -> None:
    assert qualified_name(resource) == expected


def test_spinapp_manifests_load_as_spinapps() -> None:
    manifest = {
        "apiVersion": API_VERSION,
        "kind": "SpinApp",
        "metadata": {"name": "hello"},
        "spec": {"image": "ghcr.io/example/hello:v1", "replicas": 2},
    }
    app = load_manifest(manifest)
    assert isinstance(app, SpinApp)
    assert app["spec"]["replicas"] == 2
    assert resource_of(API_VERSION, "SpinAppExecutor") is SpinAppExecutor


def test_unknown_kinds_name_the_kind() -> None:
    with pytest.raises(NotFound, match=r"unknown kind example\.com/v1/Gadget"):
        load_manifest({"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {}})


def test_registered_custom_resources_load() -> None:
    register_custom_resource(group="example.com", version="v1", kind="Gizmo", plural="gizmos")
    gizmo = load_manifest({"apiVersion": "example.com/v1", "kind": "Gizmo", "metadata": {}})
    assert qualified_name(type(gizmo)) == "gizmos.example.com"
