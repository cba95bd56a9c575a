"""One HTTP/1.1 connection: keep-alive, pipelining, ``content-length`` and chunked request bodies.

Requests are read by a :class:`~spinkube.runtime.server.parsing.RequestReader` (llhttp), and
parsing and writing run on the worker's event loop; the handler runs on a thread of the worker's
pool (``ServerState.executor``, as many threads as the worker's concurrency), so one slow guest
never stalls the other connections of its worker. While its request is answered, a connection
reads no further (requests pipelined in the same read wait, parsed, in order). A plain
handler's responses carry ``content-length``; a stream handler writes through a
:class:`~spinkube.runtime.server.streaming.ResponseStream` as it runs (chunked, or
close-delimited for HTTP/1.0, once it has to send before it is done), with backpressure
(:mod:`.handoff`). HEAD requests always go to the plain handler.

Limits: a request head must arrive whole within ``head_timeout_s`` of its first byte (else 408
and close); the reader's limits (header lines, head size, body size) answer 431 and 413.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial

from spinkube.runtime.server.accesslog import AccessLog
from spinkube.runtime.server.framing import checked, write_response
from spinkube.runtime.server.handoff import ThreadWriter
from spinkube.runtime.server.heads import Head
from spinkube.runtime.server.messages import Handler, Request, Response, StreamHandler, plain
from spinkube.runtime.server.parsing import DEFAULT_MAX_HEADERS, RequestReader
from spinkube.runtime.server.streaming import ResponseStream

log = logging.getLogger(__name__)

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_LINGER_S = 2.0
DEFAULT_HEAD_TIMEOUT_S = 10.0
DEFAULT_MAX_BUFFERED = 1 << 20


@dataclass(slots=True)
class ServerState:
    """What the connections of one worker share."""

    handler: Handler
    default_authority: str
    max_body: int
    access_log: AccessLog | None = None
    idle_timeout_s: float = 60.0
    """A connection silent this long is closed (idle keep-alive, or a stalled request); a
    client that reads none of its response for this long has its connection aborted."""
    connections: set[HttpConnection] = field(default_factory=set)
    draining: bool = False
    stream_handler: StreamHandler | None = None
    """When set, it answers every request but HEAD (and ``handler`` only those)."""
    executor: Executor | None = None
    """Where handlers run (the worker's thread pool); None: the loop's default executor."""
    head_timeout_s: float = DEFAULT_HEAD_TIMEOUT_S
    """A request head must be complete this long after its first byte, else 408."""
    max_headers: int = DEFAULT_MAX_HEADERS
    """More header lines in a request head are refused with 431."""
    max_buffered: int = DEFAULT_MAX_BUFFERED
    """Unsent response bytes per connection past which a streaming handler waits."""

    def close_silent(self, now: float) -> None:
        """Close the connections that sent nothing for ``idle_timeout_s`` while no handler
        was answering them, and those whose request head is overdue (with a 408)."""
        limit = now - self.idle_timeout_s
        head_limit = now - self.head_timeout_s
        for conn in list(self.connections):
            if conn.head_overdue(head_limit):
                conn.refuse(408, "request head not received in time")
            elif not conn.busy and conn.last_seen < limit:
                conn.close()

    def drain(self) -> None:
        """Stop keep-alive: idle connections close now, busy ones after their response."""
        self.draining = True
        for conn in list(self.connections):
            conn.close_if_idle()


class HttpConnection(asyncio.Protocol):
    __slots__ = (
        "_client",
        "_closing",
        "_head_started",
        "_loop",
        "_reader",
        "_state",
        "_transport",
        "_waiters",
        "busy",
        "last_seen",
    )

    def __init__(self, state: ServerState) -> None:
        self._state = state
        self._transport: asyncio.Transport | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reader = RequestReader(max_headers=state.max_headers, max_body=state.max_body)
        self._head_started: float | None = None
        """When the request head being read began (None: no head is being read)."""
        self._client = ""
        self._closing = False
        self._waiters: list[threading.Event] = []
        self.busy = False
        """A handler is answering this connection's request (on a pool thread)."""
        self.last_seen = time.monotonic()

    # asyncio callbacks

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._loop = asyncio.get_running_loop()
        transport.set_write_buffer_limits(high=self._state.max_buffered)
        peer = transport.get_extra_info("peername")
        self._client = f"{peer[0]}:{peer[1]}" if peer else "unknown"
        self._state.connections.add(self)
        if self._state.draining:
            self._close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._state.connections.discard(self)
        self._closing = True
        self._transport = None
        self._release_waiters()

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return  # lingering after a refusal: discard what the client still sends
        self.last_seen = time.monotonic()
        self._reader.feed(data)
        if not self._reader.in_head:
            self._head_started = None
        elif self._head_started is None:
            self._head_started = self.last_seen
        self._process()

    def pause_writing(self) -> None:
        if self._transport is not None:
            self._transport.pause_reading()

    def resume_writing(self) -> None:
        self._release_waiters()
        if self._transport is not None and not self._closing and not self.busy:
            self._transport.resume_reading()

    # the handler's thread writes through these (see ``handoff``)

    def write_then_signal(self, data: bytes, ready: threading.Event) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            ready.set()
            return
        transport.write(data)
        if transport.get_write_buffer_size() <= self._state.max_buffered:
            ready.set()
        else:
            self._waiters.append(ready)

    def abort(self) -> None:
        self._closing = True
        if self._transport is not None:
            self._transport.abort()

    def _release_waiters(self) -> None:
        waiters, self._waiters = self._waiters, []
        for ready in waiters:
            ready.set()

    # limits and draining

    def head_overdue(self, limit: float) -> bool:
        started = self._head_started
        return started is not None and started < limit and not self._closing and not self.busy

    def refuse(self, status: int, reason: str) -> None:
        self._refuse(status, reason)

    def close_if_idle(self) -> None:
        if self._reader.idle and not self.busy:
            self._close()

    def close(self) -> None:
        """Close now, whatever the connection is doing (the grace period is over)."""
        self._close()

    # requests in order

    def _process(self) -> None:
        """Answers the next request read, or the refusal that ends the connection, unless a
        handler is still answering; sends ``100 Continue`` when a body is awaited."""
        reader = self._reader
        if self._closing or self.busy:
            return
        if reader.ready:
            self._dispatch(*reader.ready.popleft())
        elif reader.refusal is not None:
            self._refuse(reader.refusal.status, reader.refusal.reason)
        elif reader.continue_due() and self._transport is not None:
            self._transport.write(_CONTINUE)

    # responding

    def _dispatch(self, head: Head, body: bytes) -> None:
        """Hands the request to a pool thread; ``_answered`` writes the answer on the loop."""
        assert self._transport is not None
        assert self._loop is not None
        state = self._state
        request = Request(
            head.method,
            head.target,
            head.headers,
            body,
            head.authority or state.default_authority,
            self._client,
        )
        started = time.perf_counter() if state.access_log else 0.0
        keep_alive = head.keep_alive and not state.draining
        self.busy = True
        self._transport.pause_reading()
        out = self._stream_for(head, keep_alive)
        future = self._loop.run_in_executor(state.executor, self._answer, request, out)
        future.add_done_callback(partial(self._answered, request, head, keep_alive, out, started))

    def _stream_for(self, head: Head, keep_alive: bool) -> ResponseStream | None:
        """The sink a stream handler answers through (None: the plain handler answers)."""
        if self._state.stream_handler is None or head.method == "HEAD" or self._loop is None:
            return None
        writer = ThreadWriter(self._loop, self, stall_s=self._state.idle_timeout_s)
        return ResponseStream(writer, keep_alive=keep_alive, http10=head.version == "1.0")

    def _answer(self, request: Request, out: ResponseStream | None) -> Response | None:
        """Runs on a pool thread: the handler's complete response, or None when it streamed."""
        stream_handler = self._state.stream_handler
        if out is not None and stream_handler is not None:
            return self._call_stream_handler(stream_handler, request, out)
        return self._call_handler(request)

    def _answered(
        self,
        request: Request,
        head: Head,
        keep_alive: bool,
        out: ResponseStream | None,
        started: float,
        future: asyncio.Future[Response | None],
    ) -> None:
        """Back on the loop: writes a complete response, then serves what is pipelined."""
        try:
            response = future.result()
        except Exception:  # the handlers' own failures are answered in ``_answer``
            log.exception("answering %s %s failed", request.method, request.target)
            self.busy = False
            self.abort()
            return
        if response is None:
            assert out is not None
            status, sent, keep_alive = out.status, out.sent, out.keep_alive
        else:
            head_only = head.method == "HEAD"
            what = f"response to {request.method} {request.target}"
            response = checked(response, head_only=head_only, what=what)
            http10 = head.version == "1.0"
            sent = self._write(response, keep_alive, head_only, http10=http10)
            status = response.status
        state = self._state
        if state.access_log is not None:
            state.access_log.record(request, head.version, status, sent, started)
        self.busy = False
        self.last_seen = time.monotonic()
        if not keep_alive or state.draining or self._transport is None:
            self._close()
            return
        self._transport.resume_reading()
        if self._reader.in_head:
            self._head_started = self.last_seen
        self._process()

    def _call_handler(self, request: Request) -> Response:
        try:
            return self._state.handler(request)
        except Exception:
            log.exception("request handler failed for %s %s", request.method, request.target)
            return plain(500)

    @staticmethod
    def _call_stream_handler(
        handler: StreamHandler, request: Request, out: ResponseStream
    ) -> Response | None:
        try:
            return handler(request, out)
        except Exception:
            log.exception("request handler failed for %s %s", request.method, request.target)
            return None if out.abort() else plain(500)

    def _write(
        self, response: Response, keep_alive: bool, head_only: bool, *, http10: bool = False
    ) -> int:
        if self._transport is None:
            return 0
        return write_response(
            self._transport, response, keep_alive=keep_alive, head_only=head_only, http10=http10
        )

    def _refuse(self, status: int, reason: str) -> None:
        """Answer a request the server will not pass on, then close the connection.

        The close lingers: the write side shuts down at once, but what the client is still sending
        (the rest of a too-large body) is read and dropped for a moment, so that the kernel does
        not reset the connection before the client has read the answer.
        """
        transport = self._transport
        if transport is None or self._closing:
            return
        self._write(plain(status, reason), False, False)
        self._closing = True
        if transport.can_write_eof():
            transport.write_eof()
            asyncio.get_running_loop().call_later(_LINGER_S, transport.close)
        else:
            transport.close()

    def _close(self) -> None:
        self._closing = True
        if self._transport is not None:
            self._transport.close()
