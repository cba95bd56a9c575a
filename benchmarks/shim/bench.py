"""containerd-shim-spin-v2 beside runc, on a private Debian containerd, same run, same machine.

Usage (root): python benchmarks/shim/bench.py [--only start,memory,throughput] [--rounds 5]
                                             [--apps 1,10,50] [--duration 10]

- start: ``ctr run -d`` to the first HTTP 200, each task in its own network namespace: a Spin app
  (apps/hello, warm compile cache) through the shim, and busybox ``httpd`` through runc.
  Target: shim <= 2x runc.
- memory: unique (USS) and proportional (PSS) memory of every process of each running Spin app
  (its shim and the app's processes), from /proc/<pid>/smaps_rollup, at 1, 10 and 50 apps; the
  figure is the growth per additional app. Target: <= 30 MiB per additional app.
- throughput: wrk against apps/hello through the shim (inside the task's netns), and against
  ``spinkube-runtime up --workers 1`` serving the same app on loopback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from spinkube.testing import eventually, free_port
from spinkube.testing.containerd import (
    Containerd,
    busybox_files,
    image_tar,
    netns_path,
    network_namespace,
    running_containerd,
)

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
HELLO = REPO / "apps" / "hello"
SPIN_REF = "docker.io/local/hello:1"
HTTPD_REF = "docker.io/local/httpd:1"
RUNTIME = "io.containerd.spin.v2"
POLLER = """
import socket, sys, time
deadline = time.time() + 120
while time.time() < deadline:
    try:
        with socket.create_connection(("127.0.0.1", 80), timeout=1) as s:
            s.sendall(b"GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n")
            if s.recv(12).startswith(b"HTTP/1.1 200"):
                print(time.time()); sys.exit(0)
    except OSError:
        time.sleep(0.002)
sys.exit(1)
"""


def main() -> int:
    args = _arguments()
    print(_machine())
    cache = Path(tempfile.mkdtemp(prefix="shim-bench-cache-"))
    with running_containerd(path=[VENV_BIN], env={"SPINKUBE_SHIM_CACHE_DIR": str(cache)}) as c:
        _import_images(c)
        _warm(c)
        if "start" in args.only:
            _bench_start(c, args.rounds)
        if "throughput" in args.only:
            _bench_throughput(c, args.duration)
        if "memory" in args.only:
            _bench_memory(c, args.apps)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="start,memory,throughput")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--apps", default="1,10,50")
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    args.apps = [int(n) for n in args.apps.split(",")]
    return args


def _import_images(c: Containerd) -> None:
    spin = {"spin.toml": HELLO / "spin.toml", "app.wasm": HELLO / "app.wasm"}
    c.import_image(image_tar(c.dir / "spin.tar", SPIN_REF, spin))
    httpd = {**busybox_files(), "www/index.html": b"Hello from busybox httpd\n"}
    cmd = ["/bin/httpd", "-f", "-p", "80", "-h", "/www"]
    c.import_image(image_tar(c.dir / "httpd.tar", HTTPD_REF, httpd, cmd=cmd))


def _run(c: Containerd, name: str, netns: str, *, spin: bool) -> None:
    runtime = ["--runtime", RUNTIME] if spin else []
    tail = [SPIN_REF, name, "/"] if spin else [HTTPD_REF, name]
    c.ctr("run", "-d", *runtime, "--with-ns", f"network:{netns_path(netns)}", *tail)


def _remove(c: Containerd, name: str) -> None:
    c.ctr("task", "kill", "-s", "SIGKILL", name, check=False)
    eventually(lambda: "RUNNING" not in _task_line(c, name), timeout=60)
    c.ctr("task", "rm", "-f", name, check=False)
    c.ctr("container", "rm", name, check=False)


def _task_line(c: Containerd, name: str) -> str:
    return next((ln for ln in c.ctr("task", "ls").stdout.splitlines() if ln.startswith(name)), "")


def _warm(c: Containerd) -> None:
    """One run of the app fills the node's compile cache."""
    with network_namespace("bench") as netns:
        _timed_start(c, "warm", netns, spin=True)
        _remove(c, "warm")


def _timed_start(c: Containerd, name: str, netns: str, *, spin: bool) -> float:
    poller = subprocess.Popen(
        ["ip", "netns", "exec", netns, sys.executable, "-c", POLLER],
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(0.2)  # the poller is up before the clock starts
    started = time.time()
    _run(c, name, netns, spin=spin)
    out, _err = poller.communicate(timeout=180)
    if poller.returncode != 0:
        raise RuntimeError(f"{name}: no HTTP 200 within 120 s")
    return (float(out.strip()) - started) * 1000


def _bench_start(c: Containerd, rounds: int) -> None:
    times: dict[str, list[float]] = {"shim (Spin app)": [], "runc (busybox httpd)": []}
    for i in range(rounds):
        for label, spin in (("shim (Spin app)", True), ("runc (busybox httpd)", False)):
            with network_namespace("bench") as netns:
                name = f"start-{'spin' if spin else 'runc'}-{i}"
                times[label].append(_timed_start(c, name, netns, spin=spin))
                _remove(c, name)
    print(f"\nstart: ctr run -d -> first HTTP 200 ({rounds} rounds, ms)")
    for label, values in times.items():
        print(f"  {label:22} median {statistics.median(values):7.0f}  min {min(values):7.0f}")
    ratio = statistics.median(times["shim (Spin app)"]) / statistics.median(
        times["runc (busybox httpd)"]
    )
    print(f"  ratio shim/runc (median) {ratio:.2f}  (target <= 2.0)")


def _bench_memory(c: Containerd, counts: list[int]) -> None:
    print("\nmemory per running Spin app (shim + app processes), MiB")
    running: list[tuple[str, str]] = []
    totals: dict[int, tuple[float, float]] = {}
    with contextlib.ExitStack() as stack:
        for count in counts:
            while len(running) < count:
                netns = stack.enter_context(network_namespace("bench"))
                name = f"mem-{len(running)}"
                _timed_start(c, name, netns, spin=True)
                running.append((name, netns))
            time.sleep(2)  # let the first requests' garbage settle
            uss, pss = _apps_memory(c, [name for name, _ in running])
            totals[count] = (uss, pss)
            print(f"  {count:3} app(s): USS {uss:8.1f}  PSS {pss:8.1f}  "
                  f"(per app USS {uss / count:.1f}, PSS {pss / count:.1f})")  # fmt: skip
        first = counts[0]
        for count in counts[1:]:
            d_uss = (totals[count][0] - totals[first][0]) / (count - first)
            d_pss = (totals[count][1] - totals[first][1]) / (count - first)
            print(f"  each additional app ({first}->{count}): USS {d_uss:.1f}  PSS {d_pss:.1f}"
                  "  (target <= 30)")  # fmt: skip
        for name, _netns in running:
            _remove(c, name)
    runc = _runc_reference(c)
    print(f"  reference: busybox httpd through runc: USS {runc[0]:.1f}  PSS {runc[1]:.1f} "
          "(containerd-shim-runc-v2 + httpd)")  # fmt: skip


def _runc_reference(c: Containerd) -> tuple[float, float]:
    with network_namespace("bench") as netns:
        _timed_start(c, "mem-runc", netns, spin=False)
        pid = int(_task_line(c, "mem-runc").split()[1])
        shim = _parent(pid)
        uss, pss = _tree_memory([shim])
        _remove(c, "mem-runc")
    return uss, pss


def _apps_memory(c: Containerd, names: list[str]) -> tuple[float, float]:
    roots = []
    for name in names:
        address = (c.bundle(name) / "address").read_text()
        roots += [p for p in c.shim_pids() if _serves(p, address)]
    return _tree_memory(sorted(set(roots)))


def _serves(pid: int, address: str) -> bool:
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    return b"serve" in argv and address.removeprefix("unix://").encode() in argv


def _tree_memory(roots: list[int]) -> tuple[float, float]:
    uss = pss = 0
    for pid in _with_descendants(roots):
        with contextlib.suppress(OSError):
            fields = _rollup(pid)
            uss += fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
            pss += fields.get("Pss", 0)
    return uss / 1024, pss / 1024


def _rollup(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, _sep, rest = line.partition(":")
        with contextlib.suppress(ValueError, IndexError):
            values[key] = int(rest.split()[0])
    return values


def _with_descendants(roots: list[int]) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                parents[int(entry.name)] = _parent(int(entry.name))
    found, frontier = set(roots), set(roots)
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - found
        found |= frontier
    return found


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _bench_throughput(c: Containerd, duration: int) -> None:
    print(f"\nthroughput: wrk -t2 -c16 -d{duration}s on apps/hello (req/s, p99 ms)")
    with network_namespace("bench") as netns:
        _timed_start(c, "tput", netns, spin=True)
        shim = _wrk(["ip", "netns", "exec", netns], "http://127.0.0.1:80/", duration)
        _remove(c, "tput")
    port = free_port()
    with _runtime_up(port):
        up = _wrk([], f"http://127.0.0.1:{port}/", duration)
    print(f"  shim (1 worker)                    {shim[0]:9.0f} req/s  p99 {shim[1]:6.2f}")
    print(f"  spinkube-runtime up --workers 1    {up[0]:9.0f} req/s  p99 {up[1]:6.2f}")
    print(f"  ratio shim/up {shim[0] / up[0]:.2f}")


@contextlib.contextmanager
def _runtime_up(port: int) -> Iterator[None]:
    process = subprocess.Popen(
        [str(VENV_BIN / "spinkube-runtime"), "up", "-f", str(HELLO / "spin.toml"),
         "--listen", f"127.0.0.1:{port}", "--workers", "1", "--no-access-log"],
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        eventually(lambda: _answers(port), timeout=120)
        yield
    finally:
        process.terminate()
        process.wait(30)


def _answers(port: int) -> bool:
    import socket

    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
        return True
    return False


def _wrk(prefix: list[str], url: str, duration: int) -> tuple[float, float]:
    command = [*prefix, "wrk", "-t2", "-c16", f"-d{duration}s", "--latency", url]
    subprocess.run([*prefix, "wrk", "-t2", "-c16", "-d2s", url], capture_output=True, check=True)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    assert p99 is not None
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return rps, float(p99.group(1)) * scale


def _machine() -> str:
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
         if ln.startswith("model name")), "?",
    )  # fmt: skip
    version = subprocess.run(["containerd", "--version"], capture_output=True, text=True).stdout
    return (
        f"machine: {platform.node()} {os.cpu_count()} cores ({cpu}), "
        f"{platform.release()}, python {platform.python_version()}; {version.strip()}"
    )


if __name__ == "__main__":
    sys.exit(main())
