"""The scale subresource of custom resources (`kubectl scale`, HorizontalPodAutoscalers):
an `autoscaling/v1` Scale read from, and written to, the paths the CRD names."""

from __future__ import annotations

import copy
from typing import Any

Obj = dict[str, Any]


def _path(dotted: str) -> list[str]:
    return [part for part in dotted.split(".") if part]


def _read(obj: Obj, dotted: str | None) -> Any:
    current: Any = obj
    for part in _path(dotted or ""):
        if not isinstance(current, dict) or part not in current:
            return None
        current = current[part]
    return current


def scale_view(obj: Obj, paths: dict[str, str]) -> Obj:
    """The Scale of a custom resource."""
    meta = obj.get("metadata") or {}
    status: Obj = {"replicas": int(_read(obj, paths.get("statusReplicasPath")) or 0)}
    selector = _read(obj, paths.get("labelSelectorPath"))
    if selector:
        status["selector"] = selector
    kept = ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
    return {
        "apiVersion": "autoscaling/v1",
        "kind": "Scale",
        "metadata": {k: meta[k] for k in kept if k in meta},
        "spec": {"replicas": int(_read(obj, paths["specReplicasPath"]) or 0)},
        "status": status,
    }


def with_replicas(obj: Obj, paths: dict[str, str], replicas: Any) -> Obj:
    """A copy of the custom resource with the Scale's `spec.replicas` written back."""
    new = copy.deepcopy(obj)
    parts = _path(paths["specReplicasPath"])
    target = new
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = replicas
    return new
