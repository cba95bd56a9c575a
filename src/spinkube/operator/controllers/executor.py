"""The SpinAppExecutor controller: an executor in use by SpinApps cannot go away.

The finalizer `core.spinoperator.dev/finalizer` is put on every executor (by kopf, whose
finalizer name the manager sets to ours); deleting one waits while SpinApps in its namespace
name it, and is released once none do. Upstream (v0.4.0) counted SpinApps of every
namespace; this counts only the executor's own, as upstream's later fix does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spinkube.kube import Kube
from spinkube.kube import SpinApp as SpinAppResource
from spinkube.operator.context import WARNING, Recorder, to_json
from spinkube.operator.controllers.errors import RetryLater

DELETION_BLOCKED = "DeletionBlocked"
BLOCKED_EVENT = "Cannot delete SpinAppExecutor with dependent SpinApps"
BLOCKED_ERROR = "cannot delete SpinAppExecutor with dependent SpinApps"


async def apps_using(kube: Kube, namespace: str, executor: str) -> list[dict[str, Any]]:
    """The SpinApps in `namespace` whose `spec.executor` is `executor`, as plain JSON."""
    apps = await kube.aio.list(SpinAppResource, namespace=namespace)
    bodies = [to_json(app) for app in apps]
    return [b for b in bodies if (b.get("spec") or {}).get("executor") == executor]


async def check_deletion(body: Mapping[str, Any], *, kube: Kube, record: Recorder) -> None:
    """Let the executor in `body` go, or raise `RetryLater` while SpinApps still use it."""
    meta = body.get("metadata") or {}
    namespace, name = str(meta.get("namespace") or "default"), str(meta.get("name"))
    dependents = await apps_using(kube, namespace, name)
    if dependents:
        record(WARNING, DELETION_BLOCKED, BLOCKED_EVENT)
        names = ", ".join(sorted(str(d["metadata"]["name"]) for d in dependents))
        raise RetryLater(f"{BLOCKED_ERROR}: {names}", reason=DELETION_BLOCKED)
