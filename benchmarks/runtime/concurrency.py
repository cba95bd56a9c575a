"""Guests that wait, and the Python guest under load: what concurrency per worker buys.

Usage: python benchmarks/runtime/concurrency.py [--workers 2] [--concurrency N] [--sleepers 0,2,4,8]
                                          [--parts sleepers,outbound,python10k,noread,cpu]

* ``sleepers``: the probe guest (tests/runtime/wasm/guests/probe.wat, built with wasm-tools):
  N requests to ``/yawn`` (a guest sleeping 1 s) in flight, then 10 fresh ``/`` (hello) requests
  on new connections; prints their median and worst latency.
* ``outbound``: ``apps/outbound-http`` fetching from a loopback server that answers after 50 ms;
  ``wrk -t2 -c16 -d5s``; prints req/s (one guest at a time per worker caps it at
  ``workers / 0.05 s``).
* ``python10k``: ``apps/hello-python``, ``ab -n 10000 -c 64`` (10,000 requests, 64 at a time);
  prints req/s and the median / p99 latency.
* ``noread``: 40 clients ask the probe guest for ``/all`` (16 MiB, written at once) and never
  read; prints the server's RSS (all its processes) before and at its peak (once it has not
  grown for 15 s).
* ``cpu``: the server's CPU time (all its processes) per request for ``apps/hello`` (``ab -n
  20000 -c 16``) and ``apps/hello-python`` (2,000 requests): steadier than req/s on a busy
  machine, since it counts only the server's own work.

``--concurrency`` is passed to ``spinkube-runtime up`` when given (leave it out to measure a
build without the flag). The machine is printed first; the figures are for comparing runs made
one after the other on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from spinkube.testing import free_port, tree_cpu_s, tree_rss_mib

REPO = Path(__file__).resolve().parents[2]
VENV = Path(sys.executable).parent.parent
RUNTIME = VENV / "bin" / "spinkube-runtime"
BUILD_VENV = REPO / ".cache" / "build-venv"
PROBE = REPO / "tests" / "runtime" / "wasm" / "guests"
DELAY_S = 0.05


def main() -> int:
    args = _arguments()
    print(_machine(args))
    with tempfile.TemporaryDirectory(prefix="bench-concurrency-") as scratch:
        work = Path(scratch)
        parts = args.parts.split(",")
        if "sleepers" in parts:
            _sleepers(args, work)
        if "outbound" in parts:
            _outbound(args, work)
        if "python10k" in parts:
            _python_10k(args, work)
        if "noread" in parts:
            _no_read(args, work)
        if "cpu" in parts:
            _cpu_per_request(args, work)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, help="passed to `up` when given")
    parser.add_argument("--sleepers", default="0,2,4,8")
    parser.add_argument("--parts", default="sleepers,outbound,python10k,noread,cpu")
    return parser.parse_args()


# -- the three measurements -------------------------------------------------------------------


def _sleepers(args: argparse.Namespace, work: Path) -> None:
    app = _probe_app(work)
    with _runtime(args, app, work) as port:
        for count in (int(n) for n in args.sleepers.split(",")):
            sleepers = [_Background(port, "/yawn") for _ in range(count)]
            time.sleep(0.2)  # let the sleepers reach their guests
            latencies = [_timed_get(port, "/") for _ in range(10)]
            for sleeper in sleepers:
                sleeper.join()
            median = statistics.median(latencies)
            print(
                f"  hello while {count} guests sleep 1 s: median {median:.1f} ms, "
                f"worst {max(latencies):.1f} ms"
            )


def _outbound(args: argparse.Namespace, work: Path) -> None:
    with _delayed_server() as target:
        env = {
            "SPIN_VARIABLE_TARGET_URL": f"http://127.0.0.1:{target}/",
            "SPIN_VARIABLE_ALLOWED_HOST": f"http://127.0.0.1:{target}",
        }
        with _runtime(args, REPO / "apps" / "outbound-http", work, env=env) as port:
            _wrk(port, 2)
            rps = float(_search(r"Requests/sec:\s+([\d.]+)", _wrk(port, 5)))
            ceiling = args.workers / DELAY_S
            print(
                f"  guest making a {DELAY_S * 1000:.0f} ms outbound call: {rps:.0f} req/s "
                f"(one guest at a time per worker: at most {ceiling:.0f})"
            )


def _python_10k(args: argparse.Namespace, work: Path) -> None:
    with _runtime(args, REPO / "apps" / "hello-python", work) as port:
        _ab(port, 1000)
        out = _ab(port, 10000)
        rps = float(_search(r"Requests per second:\s+([\d.]+)", out))
        p50 = _search(r"^\s+50%\s+(\d+)", out)
        p99 = _search(r"^\s+99%\s+(\d+)", out)
        failed = _search(r"Failed requests:\s+(\d+)", out)
        print(
            f"  hello-python, 10,000 requests 64 at a time: {rps:.0f} req/s, "
            f"p50 {p50} ms, p99 {p99} ms, {failed} failed"
        )


def _no_read(args: argparse.Namespace, work: Path) -> None:
    app = _probe_app(work)
    with _runtime(args, app, work) as port, contextlib.ExitStack() as stack:
        pid = _server_pid(port)
        before = peak = tree_rss_mib(pid)
        for _ in range(40):
            client = stack.enter_context(socket.create_connection(("127.0.0.1", port)))
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
            client.sendall(b"GET /all HTTP/1.1\r\nHost: bench\r\n\r\n")
        grew_at = time.monotonic()
        while time.monotonic() - grew_at < 15 and time.monotonic() - grew_at < 120:
            rss = tree_rss_mib(pid)
            if rss > peak + 1:
                peak, grew_at = rss, time.monotonic()
            time.sleep(0.25)
        print(
            f"  40 clients that never read a 16 MiB answer: server RSS {before:.0f} MiB before, "
            f"{peak:.0f} MiB at the peak"
        )


def _cpu_per_request(args: argparse.Namespace, work: Path) -> None:
    for guest, requests in (("hello", 20000), ("hello-python", 2000)):
        with _runtime(args, REPO / "apps" / guest, work) as port:
            pid = _server_pid(port)
            _ab(port, requests // 10)
            before = tree_cpu_s(pid)
            _ab(port, requests)
            used_us = (tree_cpu_s(pid) - before) / requests * 1e6
            print(f"  {guest}: {used_us:.0f} µs of server CPU per request ({requests} requests)")


# -- servers and clients ----------------------------------------------------------------------


@contextlib.contextmanager
def _runtime(
    args: argparse.Namespace, app: Path, work: Path, env: dict[str, str] | None = None
) -> Iterator[int]:
    port = free_port()
    cmd = [str(RUNTIME), "up", "-f", str(app), "--listen", f"127.0.0.1:{port}",
           "--workers", str(args.workers), "--no-access-log",
           "--state-dir", str(work / f"state-{port}")]  # fmt: skip
    if args.concurrency:
        cmd += ["--concurrency", str(args.concurrency)]
    process = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})}
    )
    _PIDS[port] = process.pid
    try:
        _wait_ready(port, process)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args!r} exited with {process.returncode}")
        with contextlib.suppress(OSError):
            if _get(port, "/.well-known/spin/health", 5).startswith(b"HTTP/1.1 200"):
                return
        time.sleep(0.05)
    raise SystemExit(f"port {port} not ready after {timeout} s")


def _get(port: int, path: str, timeout: float = 60) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode())
        received = b""
        while data := sock.recv(1 << 16):
            received += data
        return received


def _timed_get(port: int, path: str) -> float:
    started = time.perf_counter()
    _get(port, path)
    return (time.perf_counter() - started) * 1000


class _Background(threading.Thread):
    def __init__(self, port: int, path: str) -> None:
        super().__init__(daemon=True)
        self._port, self._path = port, path
        self.start()

    def run(self) -> None:
        _get(self._port, self._path)


@contextlib.contextmanager
def _delayed_server() -> Iterator[int]:
    """A loopback HTTP/1.1 server answering every request after ``DELAY_S``."""
    port = free_port()
    ready = threading.Event()
    loop = asyncio.new_event_loop()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while (await reader.readuntil(b"\r\n\r\n")) is not None:
                await asyncio.sleep(DELAY_S)
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                await writer.drain()
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(answer, "127.0.0.1", port)
        ready.set()
        async with server:
            await server.serve_forever()

    thread = threading.Thread(target=lambda: _run_until_stopped(loop, serve()), daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield port
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def _run_until_stopped(loop: asyncio.AbstractEventLoop, main: object) -> None:
    with contextlib.suppress(RuntimeError, asyncio.IncompleteReadError):
        loop.run_until_complete(main)  # type: ignore[arg-type]


def _wrk(port: int, seconds: int) -> str:
    return subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def _ab(port: int, requests: int) -> str:
    return subprocess.run(
        ["ab", "-q", "-n", str(requests), "-c", "64", f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def _search(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.MULTILINE)
    if match is None:
        raise SystemExit(f"no {pattern!r} in:\n{text}")
    return match.group(1)


_PIDS: dict[int, int] = {}


def _server_pid(port: int) -> int:
    return _PIDS[port]


# -- the probe guest and the machine ----------------------------------------------------------


def _probe_app(work: Path) -> Path:
    tools = BUILD_VENV / "bin" / "wasm-tools"
    sdk_wit = next(BUILD_VENV.glob("lib/python*/site-packages/spin_sdk/wit"), None)
    if not tools.exists() or sdk_wit is None:
        raise SystemExit(
            "wasm-tools and spin_sdk from .cache/build-venv are needed: scripts/setup.sh"
        )
    wit = work / "wit"
    shutil.copytree(sdk_wit / "deps", wit / "deps")
    (wit / "deps" / "spin").mkdir()
    for file in sdk_wit.glob("*.wit"):
        shutil.copy(file, wit / "deps" / "spin" / file.name)
    shutil.copy(PROBE / "probe.wit", wit / "probe.wit")
    core, embedded, component = work / "core.wasm", work / "embed.wasm", work / "probe.wasm"
    for step in (
        ["parse", str(PROBE / "probe.wat"), "-o", str(core)],
        ["component", "embed", str(wit), "--world", "probe", str(core), "-o", str(embedded)],
        ["component", "new", str(embedded), "-o", str(component)],
    ):
        subprocess.run([str(tools), *step], check=True, capture_output=True)
    app = work / "probe-app"
    app.mkdir()
    (app / "spin.toml").write_text(
        'spin_manifest_version = 2\n[application]\nname = "probe"\n'
        '[[trigger.http]]\nroute = "/..."\ncomponent = "probe"\n'
        f'[component.probe]\nsource = "{component}"\n'
    )
    return app


def _machine(args: argparse.Namespace) -> str:
    cpu = "unknown cpu"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"machine: {platform.node()} {platform.machine()}, {cpu}, "
        f"{len(os.sched_getaffinity(0))} cores, load {os.getloadavg()[0]:.1f}; "
        f"python {platform.python_version()}; workers {args.workers}, "
        f"concurrency {args.concurrency or 'the build default'}"
    )


if __name__ == "__main__":
    sys.exit(main())
