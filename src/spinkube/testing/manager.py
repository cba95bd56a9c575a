"""The controller-manager programs (`spin-operator`, `runtime-class-manager`) as processes for
the API tier: started against the kubeconfig the tier runs on (the fake API or a real
cluster), on free loopback ports, and stopped by pid.

```python
with start_manager(SPIN_OPERATOR, "--namespace=ns", kubeconfig=kubeconfig, log=log) as m:
    m.metrics()          # the /metrics text (plain HTTP unless the test asks for TLS)
```
"""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from spinkube.testing import eventually, free_port

START_TIMEOUT = 30.0
STARTED = "controllers started"
"""What the manager logs once its controllers run (after winning leader election, if any)."""


@dataclass(frozen=True)
class Program:
    """A manager program: its console script, or `python -m module` where the venv has none."""

    script: str
    module: str

    def command(self) -> list[str]:
        script = Path(sys.executable).with_name(self.script)
        return [str(script)] if script.exists() else [sys.executable, "-m", self.module]


SPIN_OPERATOR = Program("spin-operator", "spinkube.operator")
RUNTIME_CLASS_MANAGER = Program("runtime-class-manager", "spinkube.rcm.controller")


def http_get(
    url: str, *, headers: Mapping[str, str] | None = None, context: ssl.SSLContext | None = None
) -> tuple[int, str]:
    """The status and body of a GET, (0, "") when nothing answers."""
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


@dataclass
class ManagerProcess:
    """One manager process and where it logs and serves."""

    process: subprocess.Popen[bytes]
    log: Path
    health_port: int
    metrics_port: int

    def logs(self) -> str:
        return self.log.read_text(errors="replace")

    def metrics(self) -> str:
        return http_get(f"http://127.0.0.1:{self.metrics_port}/metrics")[1]

    def secure_metrics(self, context: ssl.SSLContext, token: str | None) -> tuple[int, str]:
        """The status and body of `/metrics` over HTTPS, with `token` as the bearer token."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        url = f"https://127.0.0.1:{self.metrics_port}/metrics"
        return http_get(url, headers=headers, context=context)

    def api_requests(self, metric: str) -> dict[tuple[str, str], int]:
        """The program's own API requests so far by (verb, resource), from the counter
        `metric` (its client counts them: the same on the fake API and on a real cluster)."""
        counts: dict[tuple[str, str], int] = {}
        for line in self.metrics().splitlines():
            if line.startswith(metric + "{"):
                labels, value = line[len(metric) + 1 :].rsplit("} ", 1)
                fields = dict(part.split("=", 1) for part in labels.split(","))
                key = (fields["verb"].strip('"'), fields["resource"].strip('"'))
                counts[key] = int(float(value))
        return counts

    def ready(self) -> bool:
        return http_get(f"http://127.0.0.1:{self.health_port}/readyz")[0] == 200

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Signal the process (SIGTERM: a graceful shutdown), kill it if it outlives 15 s, and
        return its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return int(self.process.returncode)

    def __enter__(self) -> ManagerProcess:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def start_manager(
    program: Program,
    *args: str,
    kubeconfig: Path,
    log: Path,
    env: Mapping[str, str] | None = None,
    wait_controllers: bool = True,
    timeout: float = START_TIMEOUT,
) -> ManagerProcess:
    """Start `program` with `args` on free health and metrics ports and wait until it is
    ready (`/readyz`) and, with `wait_controllers`, until its controllers run. A manager that
    exits or never gets there is stopped and the assertion carries its log. As a context
    manager it is stopped on exit."""
    health, metrics = free_port(), free_port()
    command = [
        *program.command(),
        f"--kubeconfig={kubeconfig}",
        f"--health-probe-bind-address=127.0.0.1:{health}",
        f"--metrics-bind-address=127.0.0.1:{metrics}",
        *args,
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    manager = ManagerProcess(process, log, health, metrics)
    try:
        _wait_started(manager, wait_controllers=wait_controllers, timeout=timeout)
    except BaseException:
        manager.stop()
        raise
    return manager


def _wait_started(manager: ManagerProcess, *, wait_controllers: bool, timeout: float) -> None:
    def exited() -> bool:
        return manager.process.poll() is not None

    assert eventually(lambda: exited() or manager.ready(), timeout=timeout), manager.logs()
    assert not exited(), manager.logs()
    if wait_controllers:
        assert eventually(lambda: exited() or STARTED in manager.logs(), timeout=timeout), (
            manager.logs()
        )
        assert not exited(), manager.logs()
