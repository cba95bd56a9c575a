"""The health, metrics and webhook servers' pieces, served in-process on loopback."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from spinkube.kube import NotFound, Unreachable
from spinkube.manager.http import Readiness, health_app, metrics_app, ssl_context
from spinkube.manager.metrics import SUCCESS, Metrics
from spinkube.operator.config import WebhookServer
from spinkube.operator.webhooks.server import CertReloader, webhook_app
from spinkube.testing.certs import self_signed


class FakeApi:
    """Answers the readiness check's GET with the given error (None: the object)."""

    def __init__(self, error: Exception | None) -> None:
        self.error = error
        self.aio = self

    async def get(self, *_: Any, **__: Any) -> object:
        if self.error is not None:
            raise self.error
        return object()


async def fetch(app: web.Application, method: str, path: str, **kwargs: Any) -> tuple[int, str]:
    async with TestClient(TestServer(app)) as client:
        response = await client.request(method, path, **kwargs)
        return response.status, await response.text()


@pytest.mark.parametrize(
    ("error", "webhooks_listening", "expected"),
    [
        pytest.param(None, True, (200, "ok\n"), id="ready"),
        pytest.param(NotFound("no such namespace"), True, (200, "ok\n"), id="api-answers-404"),
        pytest.param(
            Unreachable("down"), True, (503, "the Kubernetes API is not reachable\n"), id="no-api"
        ),
        pytest.param(
            None, False, (503, "the webhook server is not listening yet\n"), id="no-webhooks"
        ),
    ],
)
def test_readiness(
    error: Exception | None, webhooks_listening: bool, expected: tuple[int, str]
) -> None:
    readiness = Readiness(FakeApi(error), namespace="spin-operator")  # type: ignore[arg-type]
    readiness.webhooks_needed = True
    readiness.webhooks_listening = webhooks_listening

    assert asyncio.run(fetch(health_app(readiness), "GET", "/readyz")) == expected
    assert asyncio.run(fetch(health_app(readiness), "GET", "/healthz")) == (200, "ok\n")


def test_metrics_are_exposed_in_prometheus_text() -> None:
    metrics = Metrics(program="test")
    metrics.reconciled("spinapp", SUCCESS)

    status, text = asyncio.run(fetch(metrics_app(metrics), "GET", "/metrics"))

    assert status == 200
    assert 'controller_runtime_reconcile_total{controller="spinapp",result="success"} 1.0' in text


def test_the_webhook_app_refuses_what_is_not_a_review() -> None:
    app = webhook_app(lookups=None, metrics=Metrics(program="test"))  # type: ignore[arg-type]

    status, text = asyncio.run(
        fetch(app, "POST", "/validate-core-spinoperator-dev-v1alpha1-spinapp", data=b"{")
    )

    assert status == 400
    assert text.startswith("malformed AdmissionReview")


def test_a_renewed_certificate_is_loaded_again(tmp_path: Path) -> None:
    self_signed(tmp_path, common_name="first")
    config = WebhookServer(enabled=True, cert_dir=tmp_path)
    reloader = CertReloader(config, ssl_context(config.cert_file, config.key_file))
    assert reloader.check() is False

    self_signed(tmp_path, common_name="second")
    for path in (config.cert_file, config.key_file):
        os.utime(path, (1, 1))

    assert reloader.check() is True
    assert reloader.check() is False


def test_a_broken_renewal_keeps_the_old_certificate(tmp_path: Path) -> None:
    self_signed(tmp_path, common_name="first")
    config = WebhookServer(enabled=True, cert_dir=tmp_path)
    reloader = CertReloader(config, ssl_context(config.cert_file, config.key_file))

    config.cert_file.write_text("not a certificate")

    assert reloader.check() is False
