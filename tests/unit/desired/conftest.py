"""Fixtures for the builder tests: apps and executors as the API server would hand them over."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import kubernetes_validate
import pytest
from kubernetes_validate.utils import latest_version

from spinkube.api import SpinApp, SpinAppExecutor

APP_UID = "6f1c2d3e-0000-4000-8000-000000000001"


def spinapp(name: str = "my-app", namespace: str = "default", **spec: Any) -> SpinApp:
    """A SpinApp as read from the cluster (namespace and uid set); `spec` in wire names."""
    spec.setdefault(
        "image", "ghcr.io/spinkube/containerd-shim-spin/examples/spin-rust-hello:v0.13.0"
    )
    spec.setdefault("executor", "containerd-shim-spin")
    return SpinApp.model_validate(
        {"metadata": {"name": name, "namespace": namespace, "uid": APP_UID}, "spec": spec}
    )


def executor(name: str = "containerd-shim-spin", **spec: Any) -> SpinAppExecutor:
    """A SpinAppExecutor; by default the shim executor of the samples (runtime class only)."""
    spec.setdefault("createDeployment", True)
    if spec["createDeployment"] and "deploymentConfig" not in spec:
        spec["deploymentConfig"] = {"runtimeClassName": "wasmtime-spin-v2"}
    return SpinAppExecutor.model_validate(
        {"metadata": {"name": name, "namespace": "default"}, "spec": spec}
    )


def check_schema(manifest: dict[str, Any]) -> None:
    """Fail unless `manifest` is valid against the Kubernetes JSON schema of its kind."""
    try:
        kubernetes_validate.validate(manifest, latest_version(), strict=True)
    except kubernetes_validate.ValidationError as e:
        pytest.fail(f"{manifest['kind']} is not schema-valid: {e.message} at {list(e.path)}")


@pytest.fixture
def make_app() -> Callable[..., SpinApp]:
    return spinapp


@pytest.fixture
def make_executor() -> Callable[..., SpinAppExecutor]:
    return executor


@pytest.fixture
def schema_valid() -> Callable[[dict[str, Any]], None]:
    return check_schema
