"""The kopf handlers: thin wrappers over `shims` and the label rules of `spinkube.rcm.desired`.

- Shims: reconciled on create, update, resume and every `RESYNC` seconds; on deletion the
  uninstall Jobs are started and the finalizer goes at once (deletion is not blocked).
- Jobs labelled `kwasm.sh/shimName` (in the controller's namespace): a finished one sets its
  node's label (`provisioned`, removed, `failed`); a deleted one re-runs its Shim (a failed
  node whose Job is gone is tried again).
- Nodes: a node that appears, goes, or whose labels change re-runs every Shim (a node added
  later gets installed; a rolling rollout moves on when a node is provisioned).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import kopf

from spinkube.api.constants import SHIM_GROUP, SHIM_NAME_LABEL, SHIM_PLURAL, SHIM_VERSION
from spinkube.kube import KubeError
from spinkube.kube import Shim as ShimResource
from spinkube.manager.metrics import ERROR, SUCCESS
from spinkube.rcm.controller.context import Context, Logger, context_of
from spinkube.rcm.controller.jobs import apply_label_change
from spinkube.rcm.controller.shims import reconcile_shim, uninstall_shim
from spinkube.rcm.desired import label_change_for_job

SHIMS = (SHIM_GROUP, SHIM_VERSION, SHIM_PLURAL)
JOBS = ("batch", "v1", "jobs")
NODES = ("v1", "nodes")
SHIM_CONTROLLER = "shim"
JOB_CONTROLLER = "job"
RESYNC = 30.0
"""Seconds between periodic reconciliations of each Shim (a safety net for missed events)."""
MAX_BACKOFF = 30.0


async def _counted(
    ctx: Context, controller: str, retry: int, step: Callable[[], Awaitable[Any]]
) -> None:
    with ctx.metrics.reconciling(controller):
        try:
            await step()
        except KubeError as error:
            ctx.metrics.reconciled(controller, ERROR)
            delay = min(MAX_BACKOFF, 2.0**retry)
            raise kopf.TemporaryError(error.message, delay=delay) from error
    ctx.metrics.reconciled(controller, SUCCESS)


async def on_shim(name: str, memo: Any, logger: Logger, retry: int, **_: Any) -> None:
    ctx = context_of(memo)
    await _counted(ctx, SHIM_CONTROLLER, retry, lambda: reconcile_shim(ctx, name, logger=logger))


async def on_shim_timer(name: str, memo: Any, logger: Logger, **_: Any) -> None:
    ctx = context_of(memo)
    try:
        await _counted(ctx, SHIM_CONTROLLER, 0, lambda: reconcile_shim(ctx, name, logger=logger))
    except kopf.TemporaryError as error:
        logger.warning("periodic reconciliation failed: %s", error)


async def on_shim_deleted(body: kopf.Body, memo: Any, logger: Logger, retry: int, **_: Any) -> None:
    ctx = context_of(memo)

    async def step() -> None:
        count = await uninstall_shim(ctx, body, logger=logger)
        logger.info("started uninstall Jobs on %d node(s)", count)

    await _counted(ctx, SHIM_CONTROLLER, retry, step)


async def _reconcile_counted(ctx: Context, name: str, logger: Logger) -> None:
    """A reconciliation started by a Node or Job event: counted, not retried (the next
    event or the periodic resync runs it again)."""
    with ctx.metrics.reconciling(SHIM_CONTROLLER):
        try:
            await reconcile_shim(ctx, name, logger=logger)
        except KubeError:
            ctx.metrics.reconciled(SHIM_CONTROLLER, ERROR)
            raise
    ctx.metrics.reconciled(SHIM_CONTROLLER, SUCCESS)


async def _reconcile_all(ctx: Context, logger: Logger) -> None:
    for shim in await ctx.kube.aio.list(ShimResource):
        name = shim.metadata.name if shim.metadata else None
        if name:
            await _reconcile_counted(ctx, name, logger)


async def on_job_event(
    event: kopf.RawEvent, body: kopf.Body, memo: Any, logger: Logger, **_: Any
) -> None:
    ctx = context_of(memo)
    job = dict(body)
    shim = ((job.get("metadata") or {}).get("labels") or {}).get(SHIM_NAME_LABEL)
    try:
        if event.get("type") == "DELETED":
            if shim:
                await _reconcile_counted(ctx, shim, logger)
            return
        change = label_change_for_job(job)
        if change is not None:
            await apply_label_change(ctx, change)
            logger.info("node %s: %s=%s", change.node, change.key, change.value or "(removed)")
    except KubeError as error:
        ctx.metrics.reconciled(JOB_CONTROLLER, ERROR)
        logger.warning("cannot act on Job event: %s", error)


async def on_node_event(
    event: kopf.RawEvent, name: str, body: kopf.Body, memo: Any, logger: Logger, **_: Any
) -> None:
    ctx = context_of(memo)
    labels = dict((body.get("metadata") or {}).get("labels") or {})
    if event.get("type") == "DELETED":
        ctx.node_labels.pop(name, None)
    elif ctx.node_labels.get(name) == labels:
        return
    else:
        ctx.node_labels[name] = labels
    try:
        await _reconcile_all(ctx, logger)
    except KubeError as error:
        logger.warning("cannot reconcile Shims after a node change: %s", error)


def register(registry: kopf.OperatorRegistry) -> kopf.OperatorRegistry:
    for decorator in (kopf.on.resume, kopf.on.create, kopf.on.update):
        decorator(*SHIMS, registry=registry, id="reconcile")(on_shim)
    kopf.timer(*SHIMS, registry=registry, interval=RESYNC, id="resync")(on_shim_timer)
    kopf.on.delete(*SHIMS, registry=registry, id="uninstall")(on_shim_deleted)
    ours = {SHIM_NAME_LABEL: kopf.PRESENT}
    kopf.on.event(*JOBS, registry=registry, labels=ours, id="job")(on_job_event)
    kopf.on.event(*NODES, registry=registry, id="node")(on_node_event)
    return registry
