"""Seconds from `scripts/quickstart.sh` on a fresh clone to the first `Hello world from Spin!`.

Usage: python benchmarks/quickstart/fresh_clone.py [--repo PATH] [--keep]

Clones the repository (its committed HEAD) into a temporary directory, so there is no `.venv`,
no `.cache/build-venv` and no built app; points `XDG_CACHE_HOME` at an empty directory (pip's
cache, the compile cache); runs the quickstart on a free loopback port and polls `GET /` until
hello answers. Prints the time to the "Serving" banner and to the first 200, the machine and its
load, and the target (90 s). Debian packages are whatever the machine has: the quickstart
installs none.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import IO

TARGET_S = 90.0
HELLO = b"Hello world from Spin!"
DEADLINE_S = 900.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, load {load}"


def answered(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200 and response.read() == HELLO)
    except OSError:
        return False


class LineClock:
    """The quickstart's stdout lines, each with the seconds since the start when it was read."""

    def __init__(self, stream: IO[bytes], started: float) -> None:
        os.set_blocking(stream.fileno(), False)
        self._fd = stream.fileno()
        self._started = started
        self._partial = b""
        self.seen: list[tuple[float, str]] = []
        self.banner: float | None = None

    def poll(self) -> None:
        try:
            chunk = os.read(self._fd, 65536)
        except BlockingIOError:
            return
        *complete, self._partial = (self._partial + chunk).split(b"\n")
        at = time.monotonic() - self._started
        for raw in complete:
            line = raw.decode(errors="replace").strip()
            if line and not line.startswith("WARNING: Location"):
                self.seen.append((at, line))
            if self.banner is None and line.startswith("Serving"):
                self.banner = at


def run(repo: Path, work: Path) -> tuple[float | None, float]:
    clone = work / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    listen = f"127.0.0.1:{free_port()}"
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "xdg-cache"), "LISTEN": listen}
    env.pop("VIRTUAL_ENV", None)
    log = (work / "quickstart.log").open("wb")
    started = time.monotonic()
    process = subprocess.Popen(
        [str(clone / "scripts" / "quickstart.sh")],
        stdout=subprocess.PIPE,
        stderr=log,
        env=env,
        start_new_session=True,
    )
    assert process.stdout is not None
    lines = LineClock(process.stdout, started)
    hello: float | None = None
    try:
        while time.monotonic() - started < DEADLINE_S:
            lines.poll()
            if hello is None and answered(f"http://{listen}/"):
                hello = time.monotonic() - started
            waited = time.monotonic() - started - (hello or 0.0)
            if hello is not None and (lines.banner is not None or waited > 10):
                return lines.banner, hello
            if process.poll() is not None:
                raise SystemExit(f"quickstart exited with {process.returncode}; see {log.name}")
            time.sleep(0.1)
        raise SystemExit(f"no hello within {DEADLINE_S} s; see {log.name}")
    finally:
        for at, line in lines.seen:
            print(f"  {at:6.1f} s  {line}")
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[2])
    parser.add_argument("--keep", action="store_true", help="keep the clone and its log")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="quickstart-bench-"))
    print(f"machine: {machine()}")
    try:
        banner, hello = run(args.repo, work)
    finally:
        print(f"machine after: {machine()}")
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    shown = f"{banner:.1f} s" if banner is not None else "not seen"
    print(f"'Serving' banner after {shown}; first hello after {hello:.1f} s")
    print(f"target {TARGET_S:.0f} s: ratio {hello / TARGET_S:.2f}")
    sys.exit(0 if hello <= TARGET_S else 1)


if __name__ == "__main__":
    main()
