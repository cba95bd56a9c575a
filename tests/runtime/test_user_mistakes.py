"""What a newcomer runs first: a bare `.wasm` file served like `spin up -f app.wasm`, and Ctrl-C
during the first (cold) compile, which must end in one line, not a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from spinkube.testing import free_port

pytestmark = pytest.mark.apps

HELLO = "Hello world from Spin!"


def test_a_wasm_file_is_served_as_one_component_on_every_path(helpers, run_runtime) -> None:
    served = run_runtime(helpers.app_wasm("hello"))
    for path in ("/", "/a/b?c=d"):
        response = httpx.get(served.url(path))
        assert (response.status_code, response.text) == (200, HELLO)
    info = httpx.get(served.url("/.well-known/spin/info")).json()
    assert info["name"] == "app"


def test_precompile_takes_a_wasm_file(helpers, tmp_path: Path) -> None:
    wasm = helpers.app_wasm("hello")
    argv = ["precompile", "-f", str(wasm), "--cache-dir", str(tmp_path / "cache")]
    result = helpers.run_to_exit(argv, cwd=tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, "compiled 1 component(s) of app")
    assert list((tmp_path / "cache" / "wasm").glob("*.cwasm"))


def test_a_binary_that_is_not_wasm_is_one_clear_line(helpers, tmp_path: Path) -> None:
    junk = tmp_path / "app.bin"
    junk.write_bytes(b"\xff\xfe\x00binary")
    result = helpers.run_to_exit(["up", "-f", str(junk)], cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == f"error: {junk}: not a spin.toml (not UTF-8 text)\n"


@pytest.mark.slow
@pytest.mark.parametrize("command", ["up", "precompile"])
def test_ctrl_c_during_the_first_compile_is_one_line(helpers, tmp_path: Path, command: str) -> None:
    wasm = helpers.app_wasm("hello-python")  # a cold compile takes 10-30 s
    argv = [sys.executable, "-m", "spinkube.runtime", command, "-f", str(wasm.parent)]
    argv += ["--cache-dir", str(tmp_path / "cold-cache")]
    if command == "up":
        argv += ["--listen", f"127.0.0.1:{free_port()}", "--state-dir", str(tmp_path / "state")]
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        _wait_for_compile_child(process.pid)
        os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130
    assert "Traceback" not in err
    assert err.splitlines()[-1] == "interrupted"
    assert len([line for line in err.splitlines() if "interrupted" in line]) == 1


def _wait_for_compile_child(pid: int) -> None:
    """The runtime compiles in a forked child: wait until it exists."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if children.read_text().split():
            return
        time.sleep(0.05)
    pytest.fail("the runtime started no compile child within 60 s")
