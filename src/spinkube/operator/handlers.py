"""The kopf handlers: thin wrappers that call the reconcilers in `controllers`.

SpinApps are reconciled on create, update and resume (every restart: level-based); failures
that can heal are retried by the controllers themselves (`controllers.requeue`), not by
kopf, whose retries need bookkeeping written on the object. Owned Deployments, Services and
runtime-config Secrets are watched (server-side label selector on the app-name label): their
events update the app's status, and a deleted or hand-edited child makes the app reconcile
again. The periodic resync (`--sync-period`) runs beside kopf (`operator.resync`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

import kopf

from spinkube.api import APP_NAME_LABEL, EXECUTOR_PLURAL, GROUP, SPINAPP_PLURAL, VERSION
from spinkube.kube import KubeError
from spinkube.manager.metrics import REQUEUE, SUCCESS
from spinkube.operator.context import Context, Logger, Recorder, RecorderFactory, context_of
from spinkube.operator.controllers.cache import EXECUTOR
from spinkube.operator.controllers.children import DEPLOYMENT, SECRET, SERVICE, on_child_event
from spinkube.operator.controllers.errors import Rejected, RetryLater
from spinkube.operator.controllers.executor import apps_using, check_deletion
from spinkube.operator.controllers.requeue import reconcile
from spinkube.operator.controllers.state import AppKey

SPINAPPS = (GROUP, VERSION, SPINAPP_PLURAL)
EXECUTORS = (GROUP, VERSION, EXECUTOR_PLURAL)
DEPLOYMENTS = ("apps", "v1", "deployments")
SERVICES = ("v1", "services")
SECRETS = ("v1", "secrets")
EXECUTOR_CONTROLLER = "spinappexecutor"
EXECUTOR_RETRY_SECONDS = 5.0
"""A blocked executor deletion is checked again this often, so it is released soon after
its last SpinApp goes."""
STORAGE_KEY = "kopf-storage"
"""Where the memo holds kopf's in-memory bookkeeping (`operator.storage.MemoryStorage`)."""


def kopf_recorder(body: Mapping[str, Any]) -> Recorder:
    """Events about `body`, posted by kopf's background poster."""

    def record(type_: str, reason: str, message: str) -> None:
        kopf.event(cast(kopf.Body, body), type=type_, reason=reason, message=message)

    return record


def recorder_of(ctx: Context) -> RecorderFactory:
    """The manager's Event poster (its requests are counted with the operator's), else kopf's."""
    return ctx.events or kopf_recorder


async def reconcile_app(
    body: kopf.Body,
    memo: Any,
    logger: Logger,
    **_: Any,
) -> None:
    """No Event for a reconciliation that went through (as upstream): Events are for what a
    user acts on (a missing executor or reference, an invalid app)."""
    ctx = context_of(memo)
    try:
        await reconcile(body, ctx=ctx, recorder=recorder_of(ctx), logger=logger)
    except Rejected as error:
        raise kopf.PermanentError(error.message) from error


def was_deleted(event: kopf.RawEvent, **_: Any) -> bool:
    return event.get("type") == "DELETED"


async def forget_app(
    name: str, namespace: str | None, uid: str | None, memo: Any, **_: Any
) -> None:
    context_of(memo).apps.forget(AppKey(namespace or "default", name))
    forget_object(memo, uid)


async def forget_executor(uid: str | None, memo: Any, **_: Any) -> None:
    forget_object(memo, uid)


async def on_executor_event(event: kopf.RawEvent, body: kopf.Body, memo: Any, **_: Any) -> None:
    """Keep the executor cache fresh (reconciliations read executors from it)."""
    context_of(memo).cache.seen(EXECUTOR, body, deleted=event.get("type") == "DELETED")


def forget_object(memo: Any, uid: str | None) -> None:
    """Drop kopf's in-memory bookkeeping of an object that is gone."""
    storage = memo.get(STORAGE_KEY)
    if storage is not None and uid:
        storage.forget(uid)


def child_event_handler(kind: str) -> Callable[..., Awaitable[None]]:
    """The handler of the watch events of one kind of owned child (`DEPLOYMENT`, `SERVICE`,
    `SECRET`)."""

    async def on_event(
        event: kopf.RawEvent, body: kopf.Body, memo: Any, logger: Logger, **_: Any
    ) -> None:
        ctx = context_of(memo)
        await on_child_event(
            kind, event.get("type"), body, ctx=ctx, recorder=recorder_of(ctx), logger=logger
        )

    return on_event


async def reconcile_dependents(
    name: str, namespace: str | None, body: kopf.Body, memo: Any, logger: Logger, **_: Any
) -> None:
    """An executor appeared or changed: reconcile the apps that name it at once, instead of
    waiting for their retry."""
    ctx = context_of(memo)
    ctx.cache.seen(EXECUTOR, body)  # before the apps read it (the watch may not have told)
    for app in await apps_using(ctx.kube, namespace or "default", name):
        try:
            await reconcile(app, ctx=ctx, recorder=recorder_of(ctx), logger=logger)
        except Rejected as error:
            logger.info("SpinApp %s is not reconciled yet: %s", app["metadata"]["name"], error)


async def guard_executor_deletion(body: kopf.Body, memo: Any, logger: Logger, **_: Any) -> None:
    """Hold the executor's finalizer while apps use it, checking again every few seconds
    (in the handler: kopf's own retry would need a touch patch on the executor)."""
    ctx = context_of(memo)
    while True:
        with ctx.metrics.reconciling(EXECUTOR_CONTROLLER):
            try:
                await check_deletion(body, kube=ctx.kube, record=recorder_of(ctx)(body))
            except (RetryLater, KubeError) as error:
                ctx.metrics.reconciled(EXECUTOR_CONTROLLER, REQUEUE)
                logger.info("deletion waits: %s", error)
            else:
                ctx.metrics.reconciled(EXECUTOR_CONTROLLER, SUCCESS)
                return
        await asyncio.sleep(EXECUTOR_RETRY_SECONDS)


def register(registry: kopf.OperatorRegistry) -> kopf.OperatorRegistry:
    """Register every handler of the manager in `registry`."""
    for decorator in (kopf.on.resume, kopf.on.create, kopf.on.update):
        decorator(*SPINAPPS, registry=registry, id="reconcile")(reconcile_app)
    kopf.on.event(*SPINAPPS, registry=registry, when=was_deleted, id="forget")(forget_app)
    kopf.on.event(*EXECUTORS, registry=registry, when=was_deleted, id="forget")(forget_executor)
    kopf.on.event(*EXECUTORS, registry=registry, id="cache")(on_executor_event)
    owned = {APP_NAME_LABEL: kopf.PRESENT}
    for resource, kind in ((DEPLOYMENTS, DEPLOYMENT), (SERVICES, SERVICE), (SECRETS, SECRET)):
        handler = child_event_handler(kind)
        kopf.on.event(*resource, registry=registry, labels=owned, id=kind.lower())(handler)
    kopf.on.create(*EXECUTORS, registry=registry, id="dependents")(reconcile_dependents)
    kopf.on.update(*EXECUTORS, registry=registry, field="spec", id="dependents")(
        reconcile_dependents
    )
    kopf.on.delete(*EXECUTORS, registry=registry, id="guard")(guard_executor_deletion)
    return registry
