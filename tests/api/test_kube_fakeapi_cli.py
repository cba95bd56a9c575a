"""`python -m spinkube.testing.fakeapi`: the fake API as a standalone process (benchmarks and
developers use it). Runs against the fake API only, whatever the tier's target."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from spinkube.testing import free_port

pytestmark = pytest.mark.api

STOP_DEADLINE_SECONDS = 20


@pytest.fixture
def fakeapi(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path, str]]:
    port = free_port()
    kubeconfig = tmp_path / "kubeconfig"
    command = [sys.executable, "-m", "spinkube.testing.fakeapi", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--kubeconfig-out", str(kubeconfig)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()  # written once the server listens
        yield process, kubeconfig, first_line
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(STOP_DEADLINE_SECONDS)
        if process.stdout is not None:
            process.stdout.close()


def test_serves_writes_a_kubeconfig_and_stops_on_sigterm_with_a_watch_open(
    fakeapi: tuple[subprocess.Popen[str], Path, str],
) -> None:
    process, kubeconfig, first_line = fakeapi
    server = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
    assert first_line.strip() == f"fake Kubernetes API serving on {server}"

    with httpx.Client(base_url=server, timeout=10) as client:
        assert client.get("/version/").json()["major"] == "1"
        with client.stream("GET", "/api/v1/namespaces", params={"watch": "true"}) as watch:
            first_event = json.loads(next(watch.iter_lines()))
            assert first_event["type"] == "ADDED"
            process.send_signal(signal.SIGTERM)
            assert process.wait(STOP_DEADLINE_SECONDS) == 0
