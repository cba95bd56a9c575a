"""The Shim's status: node counts and the `Ready` condition."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from spinkube.api.constants import NODE_FAILED, NODE_PROVISIONED
from spinkube.rcm.desired.plan import NodeView

READY = "Ready"


def _ready_condition(shim: str, nodes: Sequence[NodeView]) -> tuple[str, str, str]:
    failed = sorted(n.name for n in nodes if n.labels.get(shim) == NODE_FAILED)
    ready = sum(1 for n in nodes if n.labels.get(shim) == NODE_PROVISIONED)
    if not nodes:
        return "False", "NoMatchingNodes", "no node matches the node selector"
    if failed:
        return "False", "NodesFailed", "install failed on " + ", ".join(failed)
    if ready < len(nodes):
        return "False", "Provisioning", f"{ready} of {len(nodes)} nodes provisioned"
    return "True", "AllNodesProvisioned", f"{ready} of {len(nodes)} nodes provisioned"


def condition(
    type_: str,
    status: str,
    reason: str,
    message: str,
    *,
    previous: Sequence[Mapping[str, Any]],
    now: str,
    generation: int | None,
) -> dict[str, Any]:
    """A condition whose `lastTransitionTime` moves only when its status changes."""
    old = next((c for c in previous if c.get("type") == type_), None)
    since = old["lastTransitionTime"] if old and old.get("status") == status else now
    out: dict[str, Any] = {
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": since,
    }
    if generation is not None:
        out["observedGeneration"] = generation
    return out


def shim_status(
    shim: str,
    nodes: Sequence[NodeView],
    *,
    previous: Mapping[str, Any] | None,
    now: str,
    generation: int | None = None,
) -> dict[str, Any]:
    """`nodes` (matching), `nodesReady` (labelled provisioned) and the `Ready` condition."""
    status, reason, message = _ready_condition(shim, nodes)
    conditions = (previous or {}).get("conditions") or []
    return {
        "nodes": len(nodes),
        "nodesReady": sum(1 for n in nodes if n.labels.get(shim) == NODE_PROVISIONED),
        "conditions": [
            condition(
                READY,
                status,
                reason,
                message,
                previous=conditions,
                now=now,
                generation=generation,
            )
        ],
    }


def invalid_status(
    message: str, *, previous: Mapping[str, Any] | None, now: str, generation: int | None
) -> dict[str, Any]:
    """The status of a Shim whose spec cannot be acted on (say, no `anonHttp`)."""
    conditions = (previous or {}).get("conditions") or []
    return {
        "nodes": int((previous or {}).get("nodes") or 0),
        "nodesReady": int((previous or {}).get("nodesReady") or 0),
        "conditions": [
            condition(
                READY,
                "False",
                "InvalidSpec",
                message,
                previous=conditions,
                now=now,
                generation=generation,
            )
        ],
    }
