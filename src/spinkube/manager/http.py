"""The manager's small HTTP servers: health probes and Prometheus metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from pathlib import Path

from aiohttp import web
from lightkube.resources.core_v1 import Namespace

from spinkube.kube import Kube, KubeError, NotFound
from spinkube.manager.config import BindAddress
from spinkube.manager.metrics import CONTENT_TYPE, Metrics
from spinkube.manager.metrics_auth import MetricsAuthorizer, protected
from spinkube.manager.selfsigned import load_self_signed

logger = logging.getLogger(__name__)

API_CHECK_TTL = 5.0


async def start_site(
    app: web.Application, address: BindAddress, *, ssl_context: ssl.SSLContext | None = None
) -> web.AppRunner:
    """Serve `app` on `address`; stop it with `runner.cleanup()`."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, address.host, address.port, ssl_context=ssl_context)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner


def ssl_context(cert_file: Path | None, key_file: Path | None) -> ssl.SSLContext:
    """TLS 1.2+ with HTTP/1.1 only (upstream disables HTTP/2 on its servers); without files,
    a self-signed certificate made now."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    if cert_file is None or key_file is None:
        load_self_signed(context)
    else:
        context.load_cert_chain(cert_file, key_file)
    return context


class Readiness:
    """Ready once the webhook server listens (when enabled) and the API answers.

    The API check is a cheap GET, cached for a few seconds so probes do not load the API.
    """

    def __init__(self, kube: Kube, *, namespace: str) -> None:
        self._kube = kube
        self._namespace = namespace
        self.webhooks_needed = False
        self.webhooks_listening = False
        self._checked_at = -API_CHECK_TTL
        self._api_ok = False
        self._lock = asyncio.Lock()

    async def api_reachable(self) -> bool:
        async with self._lock:
            if time.monotonic() - self._checked_at < API_CHECK_TTL:
                return self._api_ok
            try:
                await self._kube.aio.get(Namespace, self._namespace)
                self._api_ok = True
            except NotFound:
                self._api_ok = True  # the API answered
            except KubeError:
                self._api_ok = False
            self._checked_at = time.monotonic()
            return self._api_ok

    async def problems(self) -> list[str]:
        found = []
        if self.webhooks_needed and not self.webhooks_listening:
            found.append("the webhook server is not listening yet")
        if not await self.api_reachable():
            found.append("the Kubernetes API is not reachable")
        return found


def health_app(readiness: Readiness) -> web.Application:
    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(_: web.Request) -> web.Response:
        problems = await readiness.problems()
        if problems:
            return web.Response(status=503, text="\n".join(problems) + "\n")
        return web.Response(text="ok\n")

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


def metrics_app(
    metrics: Metrics, *, authorizer: MetricsAuthorizer | None = None
) -> web.Application:
    """`/metrics`; with an authorizer, only for callers allowed to `get /metrics`."""

    async def scrape(_: web.Request) -> web.StreamResponse:
        response = web.Response(body=metrics.exposition())
        response.headers["Content-Type"] = CONTENT_TYPE
        return response

    app = web.Application()
    app.router.add_get("/metrics", protected(scrape, authorizer) if authorizer else scrape)
    return app


async def serve_health(
    readiness: Readiness, address: BindAddress, stack: contextlib.AsyncExitStack
) -> None:
    """`/healthz` and `/readyz` on `address` until `stack` closes (port 0: not at all)."""
    await _serve(health_app(readiness), address, stack, what="health probes", path="")


async def serve_plain_metrics(
    metrics: Metrics, address: BindAddress, stack: contextlib.AsyncExitStack
) -> None:
    """`/metrics` over plain HTTP on `address` until `stack` closes (port 0: not at all)."""
    await _serve(metrics_app(metrics), address, stack, what="metrics", path="/metrics")


async def _serve(
    app: web.Application,
    address: BindAddress,
    stack: contextlib.AsyncExitStack,
    *,
    what: str,
    path: str,
) -> None:
    if address.enabled:
        stack.push_async_callback((await start_site(app, address)).cleanup)
        logger.info("serving %s on http://%s%s", what, address, path)
