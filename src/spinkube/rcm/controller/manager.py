"""The runtime-class-manager process: health and metrics servers on every replica, the
controllers only on the leader (`spinkube.manager.lifecycle`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from spinkube.api.constants import RCM_FIELD_MANAGER
from spinkube.kube import Kube, load_kubeconfig
from spinkube.manager.http import Readiness, serve_health, serve_plain_metrics
from spinkube.manager.leader import LeaderElector
from spinkube.manager.lifecycle import lead_and_run, stop_on_signals
from spinkube.manager.metrics import RUNTIME_CLASS_MANAGER, Metrics
from spinkube.rcm.controller.config import RcmConfig
from spinkube.rcm.controller.context import Context
from spinkube.rcm.controller.runner import run_controllers

logger = logging.getLogger(__name__)


async def run(config: RcmConfig) -> int:
    """Run until a signal (0), the loss of leadership or a crash (1)."""
    metrics = Metrics(program=RUNTIME_CLASS_MANAGER)
    kube = Kube(
        load_kubeconfig(config.kubeconfig),
        field_manager=RCM_FIELD_MANAGER,
        observer=metrics.api_request,
    )
    ctx = Context(kube=kube, jobs=config.jobs, metrics=metrics)
    stop = asyncio.Event()
    stop_on_signals(stop)
    namespace = config.leader_election.namespace or config.jobs.namespace
    elector = None
    if config.leader_election.enabled:
        elector = LeaderElector(
            kube, config.leader_election, namespace=namespace, metrics=ctx.metrics
        )

    async def controllers(kopf_stop: asyncio.Event, kopf_ready: asyncio.Event) -> None:
        await run_controllers(config, ctx, stop=kopf_stop, ready=kopf_ready)

    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(kube.aclose)
        await serve_health(Readiness(kube, namespace=namespace), config.health_address, stack)
        await serve_plain_metrics(ctx.metrics, config.metrics_address, stack)
        logger.info("install Jobs run in namespace %s", config.jobs.namespace)
        return await lead_and_run(controllers, stop=stop, elector=elector)
    return 0  # pragma: no cover (the block always returns)
