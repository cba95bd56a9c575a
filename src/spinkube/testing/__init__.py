"""Test support: a fake Kubernetes API (`fakeapi`) for the API test tier, benchmarks and
developers, a local registry runner (`registry`), and small helpers for tests.

Not part of any shipped component; it sits above `spinkube.kube` and depends on the `dev` extra
(kmock, aiohttp).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
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
