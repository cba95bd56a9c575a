"""One HTTP/1.1 connection: keep-alive, pipelining, ``content-length`` and chunked request bodies.

The handler runs synchronously inside ``data_received``: a worker serves one request at a time,
which is what a single-threaded Wasm host needs, and it keeps the hot path free of tasks and
futures. A plain handler's responses carry ``content-length``; a stream handler writes through a
:class:`~spinkube.runtime.server.streaming.ResponseStream` as it runs (chunked, or
close-delimited for HTTP/1.0, once it has to send before it is done). HEAD requests always go
to the plain handler.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from spinkube.runtime.server.accesslog import AccessLog
from spinkube.runtime.server.framing import checked, write_response
from spinkube.runtime.server.messages import Handler, Request, Response, StreamHandler, plain
from spinkube.runtime.server.parsing import (
    MAX_HEAD_BYTES,
    BadRequestError,
    ChunkedReader,
    Head,
    parse_head,
)
from spinkube.runtime.server.streaming import ResponseStream

log = logging.getLogger(__name__)

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_LINGER_S = 2.0


@dataclass(slots=True)
class ServerState:
    """What the connections of one worker share."""

    handler: Handler
    default_authority: str
    max_body: int
    access_log: AccessLog | None = None
    idle_timeout_s: float = 60.0
    """A connection silent this long is closed (idle keep-alive, or a stalled request)."""
    connections: set[HttpConnection] = field(default_factory=set)
    draining: bool = False
    stream_handler: StreamHandler | None = None
    """When set, it answers every request but HEAD (and ``handler`` only those)."""

    def close_silent(self, now: float) -> None:
        """Close the connections that sent nothing for ``idle_timeout_s``."""
        limit = now - self.idle_timeout_s
        for conn in [c for c in self.connections if c.last_seen < limit]:
            conn.close()

    def drain(self) -> None:
        """Stop keep-alive: idle connections close now, busy ones after their response."""
        self.draining = True
        for conn in list(self.connections):
            conn.close_if_idle()


class HttpConnection(asyncio.Protocol):
    __slots__ = (
        "_body",
        "_buf",
        "_chunks",
        "_client",
        "_closing",
        "_head",
        "_state",
        "_transport",
        "last_seen",
    )

    def __init__(self, state: ServerState) -> None:
        self._state = state
        self._transport: asyncio.Transport | None = None
        self._buf = bytearray()
        self._head: Head | None = None
        self._body = bytearray()
        self._chunks: ChunkedReader | None = None
        self._client = ""
        self._closing = False
        self.last_seen = time.monotonic()

    # asyncio callbacks

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        peer = transport.get_extra_info("peername")
        self._client = f"{peer[0]}:{peer[1]}" if peer else "unknown"
        self._state.connections.add(self)
        if self._state.draining:
            self._close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._state.connections.discard(self)
        self._closing = True
        self._transport = None

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return  # lingering after a refusal: discard what the client still sends
        self.last_seen = time.monotonic()
        self._buf += data
        try:
            self._process()
        except BadRequestError as bad:
            self._refuse(bad.status, bad.reason)

    def pause_writing(self) -> None:
        if self._transport is not None:
            self._transport.pause_reading()

    def resume_writing(self) -> None:
        if self._transport is not None and not self._closing:
            self._transport.resume_reading()

    # draining

    def close_if_idle(self) -> None:
        if self._head is None and not self._buf:
            self._close()

    def close(self) -> None:
        """Close now, whatever the connection is doing (the grace period is over)."""
        self._close()

    # request assembly

    def _process(self) -> None:
        while not self._closing:
            if self._head is None and not self._start_request():
                return
            if not self._read_body():
                return
            self._dispatch()

    def _start_request(self) -> bool:
        buf = self._buf
        while buf[:2] == b"\r\n":
            del buf[:2]
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            if len(buf) > MAX_HEAD_BYTES:
                raise BadRequestError(431, "request head too large")
            return False
        if end > MAX_HEAD_BYTES:
            raise BadRequestError(431, "request head too large")
        head = parse_head(bytes(buf[:end]))
        del buf[: end + 4]
        self._head = head
        if head.content_length > self._state.max_body:
            raise BadRequestError(413, f"request body larger than {self._state.max_body} bytes")
        if head.chunked:
            self._chunks = ChunkedReader()
        if head.expect_continue and (head.chunked or head.content_length) and self._transport:
            self._transport.write(_CONTINUE)
        return True

    def _read_body(self) -> bool:
        head = self._head
        assert head is not None
        if self._chunks is not None:
            done = self._chunks.feed(self._buf, self._body)
            if len(self._body) > self._state.max_body:
                raise BadRequestError(413, f"request body larger than {self._state.max_body} bytes")
            return done
        missing = head.content_length - len(self._body)
        if missing <= 0:
            return True
        take = min(missing, len(self._buf))
        self._body += self._buf[:take]
        del self._buf[:take]
        return take == missing

    # responding

    def _dispatch(self) -> None:
        head = self._head
        assert head is not None
        body = b""
        if self._body:
            body, self._body = bytes(self._body), bytearray()
        self._head, self._chunks = None, None
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
        status, sent, keep_alive = self._respond(request, head, keep_alive)
        if state.access_log is not None:
            state.access_log.record(request, head.version, status, sent, started)
        if not keep_alive:
            self._close()
        self.last_seen = time.monotonic()

    def _respond(self, request: Request, head: Head, keep_alive: bool) -> tuple[int, int, bool]:
        """Runs the handler and writes its answer: (status, body bytes sent, keep-alive)."""
        stream_handler = self._state.stream_handler
        head_only = head.method == "HEAD"
        if stream_handler is not None and not head_only and self._transport is not None:
            http10 = head.version == "1.0"
            out = ResponseStream(self._transport, keep_alive=keep_alive, http10=http10)
            response = self._call_stream_handler(stream_handler, request, out)
            if response is None:
                return out.status, out.sent, out.keep_alive
        else:
            response = self._call_handler(request)
        what = f"response to {request.method} {request.target}"
        response = checked(response, head_only=head_only, what=what)
        return response.status, self._write(response, keep_alive, head_only), keep_alive

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

    def _write(self, response: Response, keep_alive: bool, head_only: bool) -> int:
        if self._transport is None:
            return 0
        return write_response(self._transport, response, keep_alive=keep_alive, head_only=head_only)

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
        self._head = None
        self._buf.clear()
        if transport.can_write_eof():
            transport.write_eof()
            asyncio.get_running_loop().call_later(_LINGER_S, transport.close)
        else:
            transport.close()

    def _close(self) -> None:
        self._closing = True
        self._head = None
        self._buf.clear()
        if self._transport is not None:
            self._transport.close()
