"""Whether a child, as the API server serves it, still has what the operator applied.

The API server adds defaults (a Deployment's `strategy`, a container's
`terminationMessagePath`, a Service's `clusterIP`) and other managers add their own fields
(kube-controller-manager's `deployment.kubernetes.io/revision` annotation): none of that is
drift. Drift is a field the operator applied that now has another value, or is gone. That is
exactly what a forced server-side apply would change back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CHECKED_METADATA = ("labels", "annotations")


def contains(actual: Any, expected: Any) -> bool:
    """Every field of `expected` is in `actual` with the same value; lists match item by item
    (same length: an added or removed container is drift)."""
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(
            key in actual and contains(actual[key], value) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(contains(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return bool(actual == expected)


def conforms(observed: Mapping[str, Any], desired: Mapping[str, Any]) -> bool:
    """`observed` still carries the desired manifest's content and its labels and annotations."""
    meta, wanted_meta = observed.get("metadata") or {}, desired.get("metadata") or {}
    for field in CHECKED_METADATA:
        if not contains(meta.get(field) or {}, wanted_meta.get(field) or {}):
            return False
    content = {k: v for k, v in desired.items() if k not in ("apiVersion", "kind", "metadata")}
    return contains(observed, content)
