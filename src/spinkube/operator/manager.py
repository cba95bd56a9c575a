"""The manager: health, metrics and webhook servers on every replica; the controllers only on
the leader.

    servers up  ->  (leader election: wait for the Lease)  ->  kopf runs the controllers
                                                               while the Lease is renewed
    SIGTERM: stop kopf, release the Lease, exit 0.   Lease lost: exit 1 (Kubernetes restarts
    the pod, which becomes a candidate again), as controller-runtime does.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
from pathlib import Path
from typing import Any

from spinkube.api import FIELD_MANAGER
from spinkube.kube import Kube, load_kubeconfig
from spinkube.manager.http import (
    Readiness,
    metrics_app,
    serve_health,
    serve_plain_metrics,
    ssl_context,
    start_site,
)
from spinkube.manager.leader import LeaderElector
from spinkube.manager.lifecycle import lead_and_run, stop_on_signals
from spinkube.manager.metrics import SPIN_OPERATOR, Metrics
from spinkube.manager.metrics_auth import MetricsAuthorizer
from spinkube.operator.config import SYSTEM_CA_BUNDLE, ManagerConfig
from spinkube.operator.context import Context
from spinkube.operator.events import EventPoster
from spinkube.operator.resync import resync_forever
from spinkube.operator.runner import REPORTING_COMPONENT, run_controllers
from spinkube.operator.webhooks.server import start_webhook_server

logger = logging.getLogger(__name__)


def read_ca_bundle(path: Path | None) -> str | None:
    """The CA bundle for `installDefaultCACerts`: the given file, the system's, or certifi's."""
    if path is not None:
        return path.read_text()
    if SYSTEM_CA_BUNDLE.is_file():
        return SYSTEM_CA_BUNDLE.read_text()
    try:
        import certifi
    except ImportError:
        logger.warning("no CA bundle found: executors with installDefaultCACerts get none")
        return None
    return Path(certifi.where()).read_text()


async def run(config: ManagerConfig) -> int:
    """Run the manager until a signal (0), the loss of leadership or a crash (1)."""
    metrics = Metrics(program=SPIN_OPERATOR)
    kube = Kube(
        load_kubeconfig(config.kubeconfig),
        field_manager=FIELD_MANAGER,
        observer=metrics.api_request,
    )
    ctx = Context(
        kube=kube,
        metrics=metrics,
        ca_bundle=read_ca_bundle(config.ca_bundle),
        namespace=config.namespace,
    )
    stop = asyncio.Event()
    stop_on_signals(stop)
    namespace = config.leader_election.namespace or kube.default_namespace
    readiness = Readiness(kube, namespace=namespace)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(kube.aclose)
        await _start_servers(config, ctx, readiness, stack)
        return await _lead_and_run(config, ctx, stop, namespace=namespace)
    return 0  # pragma: no cover (the block always returns)


async def _start_servers(
    config: ManagerConfig, ctx: Context, readiness: Readiness, stack: contextlib.AsyncExitStack
) -> None:
    await serve_health(readiness, config.health_address, stack)
    if config.metrics_address.enabled:
        await _start_metrics(config, ctx, stack)
    readiness.webhooks_needed = config.webhooks.enabled
    if config.webhooks.enabled:
        runner, reloader = await start_webhook_server(config.webhooks, ctx.kube, ctx.metrics)
        stack.push_async_callback(runner.cleanup)
        task = asyncio.create_task(reloader.run())
        stack.callback(task.cancel)
        readiness.webhooks_listening = True


async def _start_metrics(
    config: ManagerConfig, ctx: Context, stack: contextlib.AsyncExitStack
) -> None:
    if not config.metrics_secure:
        await serve_plain_metrics(ctx.metrics, config.metrics_address, stack)
        return
    context = ssl_context(*_metrics_cert(config))
    app = metrics_app(ctx.metrics, authorizer=MetricsAuthorizer(ctx.kube))
    runner = await start_site(app, config.metrics_address, ssl_context=context)
    logger.info("serving metrics on https://%s/metrics (authorised)", config.metrics_address)
    stack.push_async_callback(runner.cleanup)


def _metrics_cert(config: ManagerConfig) -> tuple[Path | None, Path | None]:
    """The metrics certificate: `--metrics-cert-dir`, else the webhook's when its files are
    there, else none (a self-signed one is made, as controller-runtime does)."""
    if config.metrics_cert_dir is not None:
        return config.metrics_cert_dir / "tls.crt", config.metrics_cert_dir / "tls.key"
    webhook = config.webhooks
    if webhook.cert_file.is_file() and webhook.key_file.is_file():
        return webhook.cert_file, webhook.key_file
    logger.info("no metrics certificate in %s: using a self-signed one", webhook.cert_dir)
    return None, None


async def _lead_and_run(
    config: ManagerConfig, ctx: Context, stop: asyncio.Event, *, namespace: str
) -> int:
    elector: LeaderElector | None = None
    if config.leader_election.enabled:
        elector = LeaderElector(
            ctx.kube, config.leader_election, namespace=namespace, metrics=ctx.metrics
        )

    async def controllers(kopf_stop: asyncio.Event, kopf_ready: asyncio.Event) -> None:
        started = datetime.datetime.now(datetime.UTC)
        poster = EventPoster(ctx.kube, component=REPORTING_COMPONENT)
        ctx.events = poster.recorder
        # Created before kopf starts: kopf waits for "hung" tasks created while it ran.
        resyncing = _start_resync(config, ctx, poster)
        try:
            await run_controllers(config, ctx, stop=kopf_stop, ready=kopf_ready, started=started)
        finally:
            resyncing.cancel()
            await ctx.apps.requeue.close()
            await poster.close()

    return await lead_and_run(controllers, stop=stop, elector=elector)


def _start_resync(config: ManagerConfig, ctx: Context, poster: EventPoster) -> asyncio.Future[Any]:
    """The periodic resync beside kopf, or a future that never ends when it is off."""
    if not config.sync_period:
        return asyncio.Future()
    return asyncio.ensure_future(
        resync_forever(
            ctx, period=config.sync_period, namespace=config.namespace, recorder=poster.recorder
        )
    )
