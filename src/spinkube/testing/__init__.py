"""Test support: a fake Kubernetes API (`fakeapi`) for the API test tier, benchmarks and
developers, a local registry runner (`registry`), and small helpers for tests.

Not part of any shipped component; it sits above `spinkube.kube` and depends on the `dev` extra
(kmock, aiohttp).
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def eventually(check: Callable[[], T], *, timeout: float = 30.0, interval: float = 0.05) -> T:
    """Poll `check` until it returns a truthy value without raising AssertionError, or the
    deadline passes (then the last failure is raised, or the last falsy value returned).

    A real API server applies some changes asynchronously (garbage collection, CRD
    establishment), so tests that must pass on both poll instead of sleeping.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        else:
            if result or time.monotonic() > deadline:
                return result
        time.sleep(interval)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process it forked, directly or not, from ``/proc`` (Linux); a process
    that ends while it is walked is left out."""
    found: list[int] = []
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
        found.append(current)
    return found


def tree_rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MiB (shared pages counted per process)."""
    kib = 0
    for current in process_tree(pid):
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{current}/status").read_text()
            kib += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")
            )
    return kib / 1024


def tree_cpu_s(pid: int) -> float:
    """User plus system CPU time of ``pid`` and its descendants, in seconds."""
    ticks = 0
    for current in process_tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")
