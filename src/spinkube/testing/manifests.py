"""SpinApp and SpinAppExecutor manifests as a user writes them, for tests that apply them."""

from __future__ import annotations

from typing import Any

API_VERSION = "core.spinoperator.dev/v1alpha1"
HELLO_IMAGE = "ghcr.io/spinkube/containerd-shim-spin/examples/spin-rust-hello:v0.13.0"
EXECUTOR = "containerd-shim-spin"


def executor_manifest(namespace: str, name: str = EXECUTOR, **spec: Any) -> dict[str, Any]:
    """A SpinAppExecutor; without `spec`, the shim executor of the samples (a Deployment with
    runtime class `wasmtime-spin-v2`)."""
    return {
        "apiVersion": API_VERSION,
        "kind": "SpinAppExecutor",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec
        or {
            "createDeployment": True,
            "deploymentConfig": {"runtimeClassName": "wasmtime-spin-v2"},
        },
    }


def spinapp_manifest(namespace: str, name: str, **spec: Any) -> dict[str, Any]:
    """A SpinApp of one replica of the hello image; `spec` adds to it or replaces."""
    return {
        "apiVersion": API_VERSION,
        "kind": "SpinApp",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"image": HELLO_IMAGE, "replicas": 1, **spec},
    }
