"""Reacting to changes of a SpinApp's children: status from its Deployment, and drift.

Every watch event of an owned Deployment updates the app's status (only when it changed).
A deleted child (Deployment, Service, current runtime-config Secret), or one whose applied
fields someone else changed, makes the app reconcile again, which applies the children back.
Status-only changes and fields other managers add (the Deployment controller's revision
annotation) never re-apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spinkube.api import API_VERSION, APP_NAME_LABEL, SPINAPP_KIND
from spinkube.kube import NotFound
from spinkube.operator.context import Context, Logger
from spinkube.operator.controllers.drift import conforms
from spinkube.operator.controllers.requeue import RecorderFactory, reconcile_key
from spinkube.operator.controllers.spinapp import write_status
from spinkube.operator.controllers.state import AppKey, Applied

DEPLOYMENT = "Deployment"
SERVICE = "Service"
SECRET = "Secret"


def owner_app(body: Mapping[str, Any]) -> AppKey | None:
    """The SpinApp that controls this child: its controller owner reference, else its label."""
    meta = body.get("metadata") or {}
    namespace = str(meta.get("namespace") or "default")
    for ref in meta.get("ownerReferences") or []:
        if ref.get("kind") == SPINAPP_KIND and ref.get("apiVersion") == API_VERSION:
            return AppKey(namespace, str(ref.get("name")))
    name = (meta.get("labels") or {}).get(APP_NAME_LABEL)
    return AppKey(namespace, str(name)) if name else None


def _desired(kind: str, applied: Applied) -> dict[str, Any] | None:
    return {DEPLOYMENT: applied.deployment, SERVICE: applied.service, SECRET: applied.secret}[kind]


def _marker_moved(kind: str, meta: Mapping[str, Any], applied: Applied) -> bool:
    if kind == DEPLOYMENT:
        generation, known = meta.get("generation"), applied.deployment_generation
        return known is None or generation is None or int(generation) > known
    version = meta.get("resourceVersion")
    known_version = applied.service_version if kind == SERVICE else applied.secret_version
    return known_version is None or version != known_version


def drifted(kind: str, body: Mapping[str, Any], applied: Applied | None) -> bool:
    """Whether someone other than the operator changed what the operator applied to the child.

    Unknown (no apply since the start) counts as not drifted: the resume handler applies.
    Fields added by others (defaults, kube-controller-manager's revision annotation) are not
    drift; changed or removed ones are.
    """
    desired = _desired(kind, applied) if applied is not None else None
    if applied is None or desired is None:
        return False
    if not _marker_moved(kind, body.get("metadata") or {}, applied):
        return False
    return not conforms(body, desired)


def is_current(kind: str, body: Mapping[str, Any], applied: Applied | None) -> bool:
    """Whether the child is the one the app uses now: runtime-config Secrets of earlier
    configurations stay (as upstream) but are not watched for drift."""
    if kind != SECRET:
        return True
    desired = applied.secret if applied is not None else None
    name = (body.get("metadata") or {}).get("name")
    return desired is not None and desired["metadata"]["name"] == name


async def on_child_event(
    kind: str,
    event_type: str | None,
    body: Mapping[str, Any],
    *,
    ctx: Context,
    recorder: RecorderFactory,
    logger: Logger,
) -> None:
    """One watch event of a Deployment, Service or Secret labelled with the app name.

    Decided under the app's lock: a reconciliation that is applying this very child records
    the apply's answer first, so the event of the operator's own apply (which may come before
    the answer) is never taken for someone else's change.
    """
    deleted = event_type == "DELETED"
    ctx.cache.seen(kind, body, deleted=deleted)
    key = owner_app(body)
    if key is None:
        return
    async with ctx.apps.lock(key):
        applied = ctx.apps.applied.get(key)
        if not is_current(kind, body, applied):
            return
        again = deleted or drifted(kind, body, applied)
        if not again and kind == DEPLOYMENT:
            await _status_from(ctx, key, body)
    if again:
        if not deleted:  # kopf's logger already says which object: `[namespace/name]`
            logger.info("%s %s changed by someone else: applying it again", kind, key.name)
        await reconcile_key(ctx, key, recorder=recorder, logger=logger)


async def _status_from(ctx: Context, key: AppKey, deployment: Mapping[str, Any]) -> None:
    """Copy the Deployment's state into the app's status (once the app was reconciled);
    the caller holds the app's lock."""
    executor = (ctx.apps.status.get(key) or {}).get("activeScheduler")
    if not executor:
        return  # not reconciled yet (or no operator Deployments): it writes the status
    try:
        await write_status(ctx, key, executor=str(executor), deployment=deployment)
    except NotFound:
        ctx.apps.forget(key)
