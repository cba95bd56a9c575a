"""The periodic resync, as controller-runtime's `SyncPeriod`: every `--sync-period` seconds
the leader reconciles every SpinApp it watches, so children converge even without a watch
event (a retry that was lost, a change made while a watch reconnected)."""

from __future__ import annotations

import asyncio
import logging

from spinkube.kube import KubeError
from spinkube.kube import SpinApp as SpinAppResource
from spinkube.operator.context import Context, to_json
from spinkube.operator.controllers.errors import Rejected
from spinkube.operator.controllers.requeue import RecorderFactory, reconcile

logger = logging.getLogger(__name__)


async def resync_once(ctx: Context, *, namespace: str | None, recorder: RecorderFactory) -> int:
    """Reconcile every SpinApp in scope once; returns how many were reconciled."""
    count = 0
    for app in await ctx.kube.aio.list(SpinAppResource, namespace=namespace):
        body = to_json(app)
        if (body.get("metadata") or {}).get("deletionTimestamp"):
            continue
        try:
            await reconcile(body, ctx=ctx, recorder=recorder, logger=logger)
        except Rejected:
            continue  # its Warning event and condition are set; it waits for a change
        count += 1
    return count


async def resync_forever(
    ctx: Context, *, period: float, namespace: str | None, recorder: RecorderFactory
) -> None:
    """Sleep `period`, resync, and again, until cancelled."""
    while True:
        await asyncio.sleep(period)
        try:
            count = await resync_once(ctx, namespace=namespace, recorder=recorder)
        except KubeError as error:
            logger.warning("resync failed, trying again in %.0f s: %s", period, error)
            continue
        logger.info("resync: %d SpinApps reconciled", count)
