"""Writing to a connection from the thread a handler runs on, with backpressure.

A handler runs on a thread of the worker's pool, while the connection belongs to the event loop.
:class:`ThreadWriter` hands every write to the loop and waits until it was made and the
connection holds at most its bound of unsent bytes (the transport's high-water mark), so a
client that does not read slows the guest down instead of growing the worker's memory. A
client that reads nothing for the stall limit has its connection aborted; the handler's later
writes are dropped.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Protocol


class Writable(Protocol):
    """The loop side (an ``HttpConnection``): runs on the event loop thread only."""

    def write_then_signal(self, data: bytes, ready: threading.Event) -> None:
        """Write ``data``; set ``ready`` once the unsent bytes are within the bound."""

    def abort(self) -> None:
        """Cut the connection at once."""


class ThreadWriter:
    """What a :class:`~spinkube.runtime.server.streaming.ResponseStream` writes through when
    its handler runs off the loop: ``write`` blocks while the client is behind."""

    __slots__ = ("_conn", "_cut", "_loop", "_stall_s")

    def __init__(self, loop: asyncio.AbstractEventLoop, conn: Writable, *, stall_s: float) -> None:
        self._loop = loop
        self._conn = conn
        self._stall_s = stall_s
        self._cut = False

    def write(self, data: bytes) -> None:
        if self._cut:
            return
        ready = threading.Event()
        self._loop.call_soon_threadsafe(self._conn.write_then_signal, data, ready)
        if not ready.wait(self._stall_s):
            self.abort()

    def abort(self) -> None:
        if not self._cut:
            self._cut = True
            self._loop.call_soon_threadsafe(self._conn.abort)
