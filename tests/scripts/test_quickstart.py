"""`scripts/quickstart.sh`: the banner comes only once the app answers, and a start that fails
prints no banner. Run in the repository (its setup is a no-op after `scripts/setup.sh`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from spinkube.testing import free_port

REPO = Path(__file__).resolve().parents[2]
DEADLINE_S = 300.0

pytestmark = [pytest.mark.slow, pytest.mark.apps]


def start(listen: str, tmp_path: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "SPIN_HTTP_LISTEN_ADDR"}
    env["LISTEN"] = listen
    with (tmp_path / "stderr").open("w") as stderr:
        return subprocess.Popen(
            [str(REPO / "scripts" / "quickstart.sh")],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=env,
            start_new_session=True,
        )


def read_until_banner(process: subprocess.Popen[str]) -> list[str]:
    """Stdout lines up to the banner (or to the end, when the quickstart exits first)."""
    assert process.stdout is not None
    lines = []
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            return lines
        lines.append(line.rstrip("\n"))
        if line.startswith("Serving"):
            return lines
    pytest.fail(f"no banner after {DEADLINE_S} s: {lines}")


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert process.stdout is not None
    process.stdout.close()


def test_the_banner_comes_once_hello_answers_and_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    listen = f"127.0.0.1:{free_port()}"
    process = start(listen, tmp_path)
    try:
        lines = read_until_banner(process)
        assert lines[-1].startswith(f"Serving apps/hello on http://{listen}")
        response = httpx.get(f"http://{listen}/", timeout=5)  # answers at once: it was ready
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal
        process.wait(60)
    finally:
        stop(process)
    assert (response.status_code, response.text) == (200, "Hello world from Spin!")
    assert process.returncode == 0
    assert "Traceback" not in (tmp_path / "stderr").read_text()


def test_a_taken_port_gives_its_error_and_no_banner(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        listen = f"127.0.0.1:{taken.getsockname()[1]}"
        process = start(listen, tmp_path)
        try:
            lines = read_until_banner(process)
            process.wait(60)
        finally:
            stop(process)
    assert process.returncode == 3
    assert not any(line.startswith("Serving") for line in lines)
    assert f"error: cannot listen on {listen}" in (tmp_path / "stderr").read_text()
