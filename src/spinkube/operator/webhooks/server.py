"""The webhook HTTPS server: aiohttp on the certificate cert-manager mounts (`tls.crt`,
`tls.key`), reloaded when the files change so a renewed certificate needs no restart.

Served by every replica, leader or not: the API server calls whichever pod the webhook
Service picks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from spinkube.kube import Kube
from spinkube.manager.http import ssl_context, start_site
from spinkube.manager.metrics import Metrics
from spinkube.operator.config import WebhookServer
from spinkube.operator.webhooks.admit import WEBHOOKS, Admit
from spinkube.operator.webhooks.lookups import ApiLookups, Lookups
from spinkube.operator.webhooks.review import MalformedReviewError, parse_review

logger = logging.getLogger(__name__)

CERT_CHECK_SECONDS = 30.0


def _handler(
    name: str, admit: Admit, lookups: Lookups, metrics: Metrics
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        start = time.perf_counter()
        metrics.webhook_in_flight.labels(request.path).inc()
        try:
            response = await _answer(request, admit, lookups, name)
        finally:
            metrics.webhook_in_flight.labels(request.path).dec()
            metrics.webhook_latency.labels(request.path).observe(time.perf_counter() - start)
        metrics.webhook_requests.labels(request.path, str(response.status)).inc()
        return response

    return handle


async def _answer(request: web.Request, admit: Admit, lookups: Lookups, name: str) -> web.Response:
    try:
        review = parse_review(json.loads(await request.read()))
    except (ValueError, MalformedReviewError) as error:
        return web.Response(status=400, text=f"malformed AdmissionReview: {error}\n")
    answer = await admit(review, lookups)
    if not answer["response"]["allowed"]:
        logger.info(
            "[%s/%s] %s denied: %s",
            review.namespace,
            review.name,
            name,
            answer["response"]["status"]["message"],
        )
    return web.json_response(answer)


def webhook_app(lookups: Lookups, metrics: Metrics) -> web.Application:
    app = web.Application()
    for path, (name, admit) in WEBHOOKS.items():
        app.router.add_post(path, _handler(name, admit, lookups, metrics))
    return app


class CertReloader:
    """Loads the certificate again into the live SSL context when its files change."""

    def __init__(self, config: WebhookServer, context: ssl.SSLContext) -> None:
        self._config = config
        self._context = context
        self._stamp = self._mtimes()

    def _mtimes(self) -> tuple[float, float]:
        return (self._config.cert_file.stat().st_mtime, self._config.key_file.stat().st_mtime)

    def check(self) -> bool:
        """Reload if the files changed; True when it did."""
        try:
            stamp = self._mtimes()
            if stamp == self._stamp:
                return False
            self._context.load_cert_chain(self._config.cert_file, self._config.key_file)
        except (OSError, ssl.SSLError) as error:
            logger.warning("cannot reload the webhook certificate: %s", error)
            return False
        self._stamp = stamp
        logger.info("reloaded the webhook certificate from %s", self._config.cert_dir)
        return True

    async def run(self, interval: float = CERT_CHECK_SECONDS) -> None:
        while True:
            await asyncio.sleep(interval)
            self.check()


async def start_webhook_server(
    config: WebhookServer, kube: Kube, metrics: Metrics
) -> tuple[web.AppRunner, CertReloader]:
    """Listen on `config.address` with the mounted certificate; stop with `runner.cleanup()`."""
    context = ssl_context(config.cert_file, config.key_file)
    app = webhook_app(ApiLookups(kube), metrics)
    runner = await start_site(app, config.address, ssl_context=context)
    logger.info("serving admission webhooks on https://%s", config.address)
    return runner, CertReloader(config, context)
