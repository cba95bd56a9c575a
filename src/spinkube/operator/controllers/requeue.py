"""One counted reconciliation of a SpinApp, retried by the operator when it can heal.

Every path that reconciles an app goes through `reconcile`: kopf's handlers (create, update,
resume), a child's drift, an executor that appeared, a pending retry and the periodic
resync. A failure that can heal by itself (`RetryLater`, an API error) is retried with
backoff through `AppState.requeue`; a `Rejected` app waits for a change of its spec.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from spinkube.desired import Children
from spinkube.kube import KubeError, NotFound
from spinkube.kube import SpinApp as SpinAppResource
from spinkube.manager.metrics import ERROR, REQUEUE, SUCCESS
from spinkube.operator.context import Context, Logger, Recorder, to_json
from spinkube.operator.controllers.errors import Rejected, RetryLater
from spinkube.operator.controllers.spinapp import key_of_body, reconcile_spinapp
from spinkube.operator.controllers.state import AppKey

SPINAPP_CONTROLLER = "spinapp"
RecorderFactory = Callable[[Mapping[str, Any]], Recorder]


async def reconcile(
    body: Mapping[str, Any], *, ctx: Context, recorder: RecorderFactory, logger: Logger
) -> Children | None:
    """Reconcile the app in `body`; None when it failed and a retry is scheduled.

    Raises `Rejected` (after its Warning event) when only a change of the app can help.
    """
    key = key_of_body(body)
    with ctx.metrics.reconciling(SPINAPP_CONTROLLER):
        try:
            children = await reconcile_spinapp(body, ctx=ctx, record=recorder(body), logger=logger)
        except (RetryLater, KubeError) as error:
            result = REQUEUE if isinstance(error, RetryLater) else ERROR
            ctx.metrics.reconciled(SPINAPP_CONTROLLER, result)
            _retry_later(ctx, key, str(error), recorder=recorder, logger=logger)
            return None
        except Rejected:
            ctx.metrics.reconciled(SPINAPP_CONTROLLER, ERROR)
            ctx.apps.requeue.done(key)
            raise
        finally:
            ctx.metrics.queue_depth.labels(SPINAPP_CONTROLLER).set(len(ctx.apps.waiting))
    ctx.metrics.reconciled(SPINAPP_CONTROLLER, SUCCESS)
    ctx.apps.requeue.done(key)
    return children


def prefix(logger: Logger, key: AppKey) -> str:
    """`[namespace/name] ` for a plain logger; none for kopf's, which prefixes it already."""
    return "" if isinstance(logger, logging.LoggerAdapter) else f"[{key}] "


def _retry_later(
    ctx: Context, key: AppKey, message: str, *, recorder: RecorderFactory, logger: Logger
) -> None:
    ctx.apps.waiting.add(key)
    delay = ctx.apps.requeue.next_delay(key)
    logger.warning("%snot reconciled: %s; retrying in %.0f s", prefix(logger, key), message, delay)

    async def again() -> None:
        await reconcile_key(ctx, key, recorder=recorder, logger=logger)

    ctx.apps.requeue.schedule(key, delay, again)


async def reconcile_key(
    ctx: Context, key: AppKey, *, recorder: RecorderFactory, logger: Logger
) -> None:
    """Reconcile an app known only by name (a child's event, a retry, the resync); a gone
    app is forgotten, one being deleted is left alone."""
    try:
        app = await ctx.kube.aio.get(SpinAppResource, key.name, namespace=key.namespace)
    except NotFound:
        ctx.apps.forget(key)
        return
    except KubeError as error:
        _retry_later(ctx, key, error.message, recorder=recorder, logger=logger)
        return
    body = to_json(app)
    if (body.get("metadata") or {}).get("deletionTimestamp"):
        return
    try:
        await reconcile(body, ctx=ctx, recorder=recorder, logger=logger)
    except Rejected as error:
        logger.warning(
            "%scannot reconcile until the app changes: %s", prefix(logger, key), error.message
        )
