"""The Shim controller: a short recipe over the pure builders.

    read the Shim -> list its nodes -> apply its RuntimeClass -> read its Jobs
    -> start the installs the rollout plan allows -> write the status (when it changed)

Level-based: every run looks at everything again, so it runs on the Shim's events, on node
label changes, on its Jobs' events and every `RESYNC` seconds, with the same outcome.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, cast

from lightkube import operators
from lightkube.resources.batch_v1 import Job
from lightkube.resources.core_v1 import Node
from pydantic import ValidationError

from spinkube.api import format_field_errors
from spinkube.api.constants import SHIM_NAME_LABEL
from spinkube.api.errors import field_errors
from spinkube.api.shim import Shim
from spinkube.kube import NotFound, load_manifest
from spinkube.kube import Shim as ShimResource
from spinkube.rcm.controller.context import Context, Logger
from spinkube.rcm.controller.jobs import start_job
from spinkube.rcm.desired import (
    INSTALL,
    UNINSTALL,
    JobState,
    NodeView,
    job_state,
    plan_install,
    runtime_class_manifest,
)
from spinkube.rcm.desired.status import invalid_status, shim_status


class InvalidShimError(Exception):
    """The Shim's spec cannot be acted on; the message names the field."""


def to_json(obj: Any) -> dict[str, Any]:
    """A lightkube object as plain Kubernetes JSON."""
    return cast(dict[str, Any], obj.to_dict())


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_shim(body: Mapping[str, Any]) -> Shim:
    """The Shim model of a Shim's JSON; raises `InvalidShimError` naming the bad fields."""
    try:
        shim = Shim.model_validate(
            {k: v for k, v in body.items() if k in ("apiVersion", "kind", "metadata", "spec")}
        )
    except ValidationError as error:
        raise InvalidShimError(format_field_errors(field_errors(error))) from error
    if shim.spec.fetch_strategy.anon_http is None:
        raise InvalidShimError(
            "spec.fetchStrategy.anonHttp: Required value: where to download from"
        )
    return shim


async def matching_nodes(ctx: Context, selector: Mapping[str, str] | None) -> list[NodeView]:
    nodes = await ctx.kube.aio.list(Node, labels=dict(selector or {}) or None)
    return [_view(n) for n in nodes if n.metadata]


def _view(node: Node) -> NodeView:
    meta = node.metadata
    assert meta is not None
    return NodeView(str(meta.name), dict(meta.labels or {}), dict(meta.annotations or {}))


async def shim_jobs(ctx: Context, shim: str) -> dict[str, JobState]:
    jobs = await ctx.kube.aio.list(
        Job, namespace=ctx.jobs.namespace, labels={SHIM_NAME_LABEL: shim}
    )
    return {str(j.metadata.name): job_state(to_json(j)) for j in jobs if j.metadata}


async def _write_status(
    ctx: Context, name: str, body: Mapping[str, Any], status: dict[str, Any]
) -> None:
    if dict(body.get("status") or {}) != status:
        await ctx.kube.aio.patch_status(ShimResource, name, status)


async def reconcile_shim(ctx: Context, name: str, *, logger: Logger) -> None:
    """Bring one Shim's nodes, Jobs, RuntimeClass and status in line with its spec."""
    async with ctx.locks[name]:
        try:
            body = to_json(await ctx.kube.aio.get(ShimResource, name))
        except NotFound:
            return
        meta = body.get("metadata") or {}
        if meta.get("deletionTimestamp"):
            return
        generation = meta.get("generation")
        try:
            shim = parse_shim(body)
        except InvalidShimError as error:
            logger.error("invalid Shim: %s", error)
            status = invalid_status(
                str(error), previous=body.get("status"), now=_now(), generation=generation
            )
            await _write_status(ctx, name, body, status)
            return
        await _converge(ctx, shim, body, logger=logger)


async def _converge(ctx: Context, shim: Shim, body: Mapping[str, Any], *, logger: Logger) -> None:
    name = str(shim.metadata.name)
    nodes = await matching_nodes(ctx, shim.spec.node_selector)
    await ctx.kube.aio.apply(load_manifest(runtime_class_manifest(shim)))
    plan = plan_install(shim, nodes, await shim_jobs(ctx, name))
    if plan.waiting:
        logger.info("rolling: %s wait for %s", ", ".join(plan.waiting), ", ".join(plan.in_flight))
    for node in plan.install:
        await start_job(ctx, node, shim, INSTALL, logger=logger)
    if plan.install:
        nodes = await matching_nodes(ctx, shim.spec.node_selector)
    generation = (body.get("metadata") or {}).get("generation")
    status = shim_status(
        name, nodes, previous=body.get("status"), now=_now(), generation=generation
    )
    await _write_status(ctx, name, body, status)


MINIMAL_SPEC: dict[str, Any] = {
    "fetchStrategy": {"type": "anonymousHttp"},
    "runtimeClass": {"name": "unknown", "handler": "unknown"},
    "rolloutStrategy": {"type": "recreate"},
}
"""Stands in for a spec the models refuse, so that its nodes still get cleaned."""


def shim_for_uninstall(body: Mapping[str, Any]) -> Shim:
    """What uninstall needs of a Shim: its name and runtime options."""
    meta = body.get("metadata") or {}
    try:
        return Shim.model_validate({"metadata": meta, "spec": body.get("spec") or {}})
    except ValidationError:
        return Shim.model_validate({"metadata": {"name": meta.get("name")}, "spec": MINIMAL_SPEC})


async def uninstall_shim(ctx: Context, body: Mapping[str, Any], *, logger: Logger) -> int:
    """The Shim is being deleted: start an uninstall Job on every node labelled with its name
    (whatever the value), and return without waiting for them (upstream's)."""
    shim = shim_for_uninstall(body)
    name = str(shim.metadata.name)
    async with ctx.locks[name]:
        nodes = await ctx.kube.aio.list(Node, labels={name: operators.exists()})
        names = [n.metadata.name for n in nodes if n.metadata and n.metadata.name]
        for node in names:
            await start_job(ctx, node, shim, UNINSTALL, logger=logger)
        return len(names)
