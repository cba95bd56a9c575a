"""A worker process: one event loop serving one listener until SIGTERM, then draining.

The loop parses and writes; handlers (guests) run on a pool of ``concurrency`` threads, so a
worker answers that many requests at once and one slow guest does not stall the others.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from spinkube.runtime.parentage import die_with_parent
from spinkube.runtime.server.accesslog import AccessLog
from spinkube.runtime.server.http11 import (
    DEFAULT_HEAD_TIMEOUT_S,
    DEFAULT_MAX_BUFFERED,
    HttpConnection,
    ServerState,
)
from spinkube.runtime.server.messages import Handler, StreamHandler
from spinkube.runtime.server.parsing import DEFAULT_MAX_HEADERS

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    max_body: int
    grace_s: float
    access_log: bool
    default_authority: str
    idle_timeout_s: float = 60.0
    concurrency: int = 8
    """Requests a worker answers at once (threads running handlers)."""
    head_timeout_s: float = DEFAULT_HEAD_TIMEOUT_S
    max_headers: int = DEFAULT_MAX_HEADERS
    max_buffered: int = DEFAULT_MAX_BUFFERED


def run_worker(
    sock: socket.socket,
    handler: Handler,
    settings: WorkerSettings,
    *,
    stream_handler: StreamHandler | None = None,
) -> int:
    """Serve ``sock`` until SIGTERM/SIGINT; return the process exit code.

    ``stream_handler``, when given, answers every request but HEAD (which ``handler`` answers).
    """
    die_with_parent(os.getppid())  # the supervisor
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(_serve(sock, handler, stream_handler, settings))
    finally:
        loop.close()


async def _serve(
    sock: socket.socket,
    handler: Handler,
    stream_handler: StreamHandler | None,
    settings: WorkerSettings,
) -> int:
    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(max_workers=settings.concurrency, thread_name_prefix="guest")
    state = ServerState(
        handler=handler,
        stream_handler=stream_handler,
        default_authority=settings.default_authority,
        max_body=settings.max_body,
        access_log=AccessLog() if settings.access_log else None,
        idle_timeout_s=settings.idle_timeout_s,
        executor=executor,
        head_timeout_s=settings.head_timeout_s,
        max_headers=settings.max_headers,
        max_buffered=settings.max_buffered,
    )
    stop = loop.create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _set_once, stop)
    server = await loop.create_server(lambda: HttpConnection(state), sock=sock)
    sweeper = asyncio.create_task(_sweep(state))
    await stop
    sweeper.cancel()
    server.close()
    state.drain()
    await _wait_drained(state, settings.grace_s)
    executor.shutdown(wait=False, cancel_futures=True)
    return 0


async def _sweep(state: ServerState) -> None:
    """Close silent connections now and then; a timer per connection would cost every request."""
    interval = max(0.1, min(state.idle_timeout_s, state.head_timeout_s) / 4)
    while True:
        await asyncio.sleep(interval)
        state.close_silent(time.monotonic())


def _set_once(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def _wait_drained(state: ServerState, grace_s: float) -> None:
    """Wait for in-flight requests to finish, up to the grace period; then close the rest."""
    deadline = time.monotonic() + grace_s
    while state.connections and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    if state.connections:
        log.warning(
            "closing %d connection(s) still open after the grace period", len(state.connections)
        )
        for conn in list(state.connections):
            conn.close()
        await asyncio.sleep(0)
