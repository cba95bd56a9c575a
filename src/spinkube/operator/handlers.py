"""The kopf handlers: thin wrappers that call the reconcilers in `controllers` and map their
outcome to kopf's retries, metrics and events.

SpinApps are reconciled on create, update and resume (every restart: level-based). Owned
Deployments and Services are watched (server-side label selector on the app-name label):
their events update the app's status, and a deleted or hand-edited child makes the app
reconcile again. There is no periodic resync; see docs/operator.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

import kopf

from spinkube.api import APP_NAME_LABEL, EXECUTOR_PLURAL, GROUP, SPINAPP_PLURAL, VERSION
from spinkube.desired import Children
from spinkube.kube import KubeError
from spinkube.manager.metrics import ERROR, REQUEUE, SUCCESS
from spinkube.operator.context import NORMAL, Context, Logger, Recorder, context_of
from spinkube.operator.controllers.children import DEPLOYMENT, SERVICE, on_child_event
from spinkube.operator.controllers.errors import Rejected, RetryLater, backoff
from spinkube.operator.controllers.executor import apps_using, check_deletion
from spinkube.operator.controllers.spinapp import reconcile_spinapp
from spinkube.operator.controllers.state import AppKey

SPINAPPS = (GROUP, VERSION, SPINAPP_PLURAL)
EXECUTORS = (GROUP, VERSION, EXECUTOR_PLURAL)
DEPLOYMENTS = ("apps", "v1", "deployments")
SERVICES = ("v1", "services")
SPINAPP_CONTROLLER = "spinapp"
EXECUTOR_CONTROLLER = "spinappexecutor"
EXECUTOR_RETRY_CAP = 5.0
"""A blocked executor deletion is retried at least this often, so it is released soon
after its last SpinApp goes."""


def kopf_recorder(body: Mapping[str, Any]) -> Recorder:
    """Events about `body`, posted by kopf's background poster."""

    def record(type_: str, reason: str, message: str) -> None:
        kopf.event(cast(kopf.Body, body), type=type_, reason=reason, message=message)

    return record


async def _counted(
    ctx: Context,
    controller: str,
    retry: int,
    step: Callable[[], Awaitable[Any]],
    *,
    cap: float = 30.0,
) -> None:
    """Run one reconciliation: metrics, and kopf's retry for what can heal by itself."""
    with ctx.metrics.reconciling(controller):
        try:
            await step()
        except RetryLater as error:
            ctx.metrics.reconciled(controller, REQUEUE)
            raise kopf.TemporaryError(error.message, delay=backoff(retry, cap=cap)) from error
        except Rejected as error:
            ctx.metrics.reconciled(controller, ERROR)
            raise kopf.PermanentError(error.message) from error
        except KubeError as error:
            ctx.metrics.reconciled(controller, ERROR)
            raise kopf.TemporaryError(error.message, delay=backoff(retry, cap=cap)) from error
        finally:
            ctx.metrics.queue_depth.labels(controller).set(len(ctx.apps.waiting))
    ctx.metrics.reconciled(controller, SUCCESS)


def applied_message(children: Children) -> str:
    """`Applied Deployment x, Service x and Secret x-1a2b3c4d` (what the Normal event says)."""
    parts = [f"Service {children.service['metadata']['name']}"]
    if children.deployment is not None:
        parts.insert(0, f"Deployment {children.deployment['metadata']['name']}")
    if children.runtime_config_secret is not None:
        parts.append(f"Secret {children.runtime_config_secret['metadata']['name']}")
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return f"Applied {listed}"


async def reconcile_app(
    body: kopf.Body,
    memo: Any,
    logger: Logger,
    retry: int,
    reason: str,
    **_: Any,
) -> None:
    ctx = context_of(memo)
    record = kopf_recorder(body)

    async def step() -> None:
        children = await reconcile_spinapp(body, ctx=ctx, record=record, logger=logger)
        if reason != kopf.Reason.RESUME:  # a restart re-applies everything: no event each
            record(NORMAL, "Reconciled", applied_message(children))

    await _counted(ctx, SPINAPP_CONTROLLER, retry, step)


def was_deleted(event: kopf.RawEvent, **_: Any) -> bool:
    return event.get("type") == "DELETED"


async def forget_app(name: str, namespace: str | None, memo: Any, **_: Any) -> None:
    context_of(memo).apps.forget(AppKey(namespace or "default", name))


async def on_deployment_event(
    event: kopf.RawEvent, body: kopf.Body, memo: Any, logger: Logger, **_: Any
) -> None:
    ctx = context_of(memo)
    await on_child_event(
        DEPLOYMENT, event.get("type"), body, ctx=ctx, recorder=kopf_recorder, logger=logger
    )


async def on_service_event(
    event: kopf.RawEvent, body: kopf.Body, memo: Any, logger: Logger, **_: Any
) -> None:
    ctx = context_of(memo)
    await on_child_event(
        SERVICE, event.get("type"), body, ctx=ctx, recorder=kopf_recorder, logger=logger
    )


async def reconcile_dependents(
    name: str, namespace: str | None, memo: Any, logger: Logger, **_: Any
) -> None:
    """An executor appeared or changed: reconcile the apps that name it at once, instead of
    waiting for their retry."""
    ctx = context_of(memo)
    for app in await apps_using(ctx.kube, namespace or "default", name):
        try:
            await reconcile_spinapp(app, ctx=ctx, record=kopf_recorder(app), logger=logger)
        except (RetryLater, Rejected) as error:
            logger.info("SpinApp %s is not reconciled yet: %s", app["metadata"]["name"], error)


async def guard_executor_deletion(body: kopf.Body, memo: Any, retry: int, **_: Any) -> None:
    ctx = context_of(memo)

    async def step() -> None:
        await check_deletion(body, kube=ctx.kube, record=kopf_recorder(body))

    await _counted(ctx, EXECUTOR_CONTROLLER, retry, step, cap=EXECUTOR_RETRY_CAP)


def register(registry: kopf.OperatorRegistry) -> kopf.OperatorRegistry:
    """Register every handler of the manager in `registry`."""
    for decorator in (kopf.on.resume, kopf.on.create, kopf.on.update):
        decorator(*SPINAPPS, registry=registry, id="reconcile")(reconcile_app)
    kopf.on.event(*SPINAPPS, registry=registry, when=was_deleted, id="forget")(forget_app)
    owned = {APP_NAME_LABEL: kopf.PRESENT}
    kopf.on.event(*DEPLOYMENTS, registry=registry, labels=owned, id="deployment")(
        on_deployment_event
    )
    kopf.on.event(*SERVICES, registry=registry, labels=owned, id="service")(on_service_event)
    kopf.on.create(*EXECUTORS, registry=registry, id="dependents")(reconcile_dependents)
    kopf.on.update(*EXECUTORS, registry=registry, field="spec", id="dependents")(
        reconcile_dependents
    )
    kopf.on.delete(*EXECUTORS, registry=registry, id="guard")(guard_executor_deletion)
    return registry
