"""Reacting to changes of a SpinApp's children: status from its Deployment, and drift.

Every watch event of an owned Deployment updates the app's status (only when it changed).
A deleted child, or one edited by someone else, makes the app reconcile again, which applies
the children back. Status-only changes (the Deployment controller's) never re-apply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from spinkube.api import API_VERSION, APP_NAME_LABEL, SPINAPP_KIND
from spinkube.kube import NotFound
from spinkube.kube import SpinApp as SpinAppResource
from spinkube.operator.context import Context, Logger, Recorder, to_json
from spinkube.operator.controllers.errors import ReconcileError
from spinkube.operator.controllers.spinapp import reconcile_spinapp, write_status
from spinkube.operator.controllers.state import AppKey, Applied

DEPLOYMENT = "Deployment"
SERVICE = "Service"

RecorderFactory = Callable[[Mapping[str, Any]], Recorder]


def owner_app(body: Mapping[str, Any]) -> AppKey | None:
    """The SpinApp that controls this child: its controller owner reference, else its label."""
    meta = body.get("metadata") or {}
    namespace = str(meta.get("namespace") or "default")
    for ref in meta.get("ownerReferences") or []:
        if ref.get("kind") == SPINAPP_KIND and ref.get("apiVersion") == API_VERSION:
            return AppKey(namespace, str(ref.get("name")))
    name = (meta.get("labels") or {}).get(APP_NAME_LABEL)
    return AppKey(namespace, str(name)) if name else None


def drifted(kind: str, body: Mapping[str, Any], applied: Applied | None) -> bool:
    """Whether someone other than the operator changed the child since the last apply.

    Unknown (no apply since the start) counts as not drifted: the resume handler applies.
    """
    meta = body.get("metadata") or {}
    if applied is None:
        return False
    if kind == DEPLOYMENT:
        generation = meta.get("generation")
        known = applied.deployment_generation
        return known is not None and generation is not None and int(generation) > known
    version = meta.get("resourceVersion")
    known_version = applied.service_version
    return known_version is not None and version is not None and version != known_version


async def reconcile_by_key(
    ctx: Context, key: AppKey, *, recorder: RecorderFactory, logger: Logger
) -> None:
    """Reconcile an app known only by name (from a child's event); a gone app is forgotten."""
    try:
        app = await ctx.kube.aio.get(SpinAppResource, key.name, namespace=key.namespace)
    except NotFound:
        ctx.apps.forget(key)
        return
    body = to_json(app)
    if (body.get("metadata") or {}).get("deletionTimestamp"):
        return
    try:
        await reconcile_spinapp(body, ctx=ctx, record=recorder(body), logger=logger)
    except ReconcileError as error:
        logger.warning("[%s] cannot restore the children: %s", key, error.message)


async def on_child_event(
    kind: str,
    event_type: str | None,
    body: Mapping[str, Any],
    *,
    ctx: Context,
    recorder: RecorderFactory,
    logger: Logger,
) -> None:
    """One watch event of a Deployment or Service labelled with the app name."""
    key = owner_app(body)
    if key is None:
        return
    if event_type == "DELETED" or drifted(kind, body, ctx.apps.applied.get(key)):
        if event_type != "DELETED":
            logger.info(
                "[%s] %s %s changed by someone else: applying it again", key, kind, key.name
            )
        await reconcile_by_key(ctx, key, recorder=recorder, logger=logger)
        return
    if kind == DEPLOYMENT:
        await update_status_from(ctx, key, body)


async def update_status_from(ctx: Context, key: AppKey, deployment: Mapping[str, Any]) -> None:
    """Copy the Deployment's state into the app's status (once the app was reconciled)."""
    async with ctx.apps.lock(key):
        executor = (ctx.apps.status.get(key) or {}).get("activeScheduler")
        if not executor:
            return  # not reconciled yet (or no operator Deployments): it writes the status
        try:
            await write_status(ctx, key, executor=str(executor), deployment=deployment)
        except NotFound:
            ctx.apps.forget(key)
