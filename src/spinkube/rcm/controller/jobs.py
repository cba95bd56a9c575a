"""Starting an install or uninstall Job on a node: label the node, then create the Job.

A Job of the same name that has finished is deleted first (a Job's pod template cannot be
changed, and its outcome is already on the node's label); one still running is left alone.
If the Job cannot be created, the node is labelled `failed` (upstream's).
"""

from __future__ import annotations

from typing import Any

from lightkube.resources.batch_v1 import Job
from lightkube.resources.core_v1 import Node
from lightkube.types import CascadeType

from spinkube.api.constants import NODE_FAILED, NODE_PENDING, NODE_UNINSTALL
from spinkube.api.shim import Shim
from spinkube.kube import KubeError, NotFound, load_manifest
from spinkube.rcm.controller.context import Context, Logger
from spinkube.rcm.desired import (
    INSTALL,
    JobState,
    LabelChange,
    Operation,
    job_manifest,
    job_state,
    node_change_patch,
    node_label_patch,
)


async def _patch_node(ctx: Context, node: str, patch: dict[str, Any]) -> None:
    """A node that is gone is left alone."""
    try:
        await ctx.kube.aio.patch(Node, node, patch)
    except NotFound:
        return


async def set_node_label(ctx: Context, node: str, key: str, value: str | None) -> None:
    """Set (or with None remove) one label of a node."""
    await _patch_node(ctx, node, node_label_patch(key, value))


async def apply_label_change(ctx: Context, change: LabelChange) -> None:
    """A finished Job's outcome on its node: the label and the installed fingerprint."""
    await _patch_node(ctx, change.node, node_change_patch(change))


async def _existing_state(ctx: Context, name: str) -> JobState | None:
    try:
        job = await ctx.kube.aio.get(Job, name, namespace=ctx.jobs.namespace)
    except NotFound:
        return None
    return job_state(job.to_dict())


async def _replace_finished(ctx: Context, manifest: dict[str, Any]) -> bool:
    """False when a Job of that name is still running (nothing to do)."""
    name = manifest["metadata"]["name"]
    state = await _existing_state(ctx, name)
    if state is JobState.ACTIVE:
        return False
    if state is not None:
        await ctx.kube.aio.delete(
            Job, name, namespace=ctx.jobs.namespace, cascade=CascadeType.BACKGROUND
        )
    return True


async def start_job(
    ctx: Context, node: str, shim: Shim, operation: Operation, *, logger: Logger
) -> None:
    """Label `node` pending (install) or uninstall, and create its Job."""
    shim_name = str(shim.metadata.name)
    manifest = job_manifest(node, shim, operation, ctx.jobs)
    if not await _replace_finished(ctx, manifest):
        return
    await set_node_label(
        ctx, node, shim_name, NODE_PENDING if operation == INSTALL else NODE_UNINSTALL
    )
    try:
        await ctx.kube.aio.apply(load_manifest(manifest))
    except KubeError as error:
        logger.error("cannot create Job %s: %s", manifest["metadata"]["name"], error)
        await set_node_label(ctx, node, shim_name, NODE_FAILED)
        raise
    logger.info("started %s Job %s on node %s", operation, manifest["metadata"]["name"], node)
