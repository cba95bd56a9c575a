"""The RuntimeClass of a Shim, and the controller owner reference its children carry."""

from __future__ import annotations

from typing import Any

from spinkube.api.shim import Shim

MAX_NAME = 63


def owner_reference(shim: Shim) -> dict[str, Any]:
    """A controller reference to the Shim, as controller-runtime's `SetControllerReference`."""
    return {
        "apiVersion": shim.api_version,
        "kind": shim.kind,
        "name": shim.metadata.name,
        "uid": shim.metadata.uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }


def runtime_class_manifest(shim: Shim) -> dict[str, Any]:
    """`RuntimeClass <runtimeClass.name>` with the shim's handler, scheduled onto the nodes the
    Shim selects, labelled `<shim>: "true"` and owned by the Shim (upstream's)."""
    spec = shim.spec
    return {
        "apiVersion": "node.k8s.io/v1",
        "kind": "RuntimeClass",
        "metadata": {
            "name": spec.runtime_class.name[:MAX_NAME],
            "labels": {str(shim.metadata.name): "true"},
            "ownerReferences": [owner_reference(shim)],
        },
        "handler": spec.runtime_class.handler,
        "scheduling": {"nodeSelector": dict(spec.node_selector or {})},
    }
