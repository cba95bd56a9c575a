"""A response streamed to one connection while the handler still runs.

Writes are held until the handler flushes (a guest flushes before it waits: a timer, a poll),
until :data:`FLUSH_AT` bytes are pending, or until ``finish``. A guest that answers without
waiting is therefore sent exactly as a collected response (one write, ``content-length``); one
that waits has its head and the bytes so far sent at once, framed as:

* the guest's own ``content-length`` when it set one: bytes past it are never sent (the
  connection closes after the declared length), and a body that ends short of it aborts the
  connection, as hyper does;
* chunked for HTTP/1.1 clients,
* close-delimited for HTTP/1.0 clients.
"""

from __future__ import annotations

import enum
import logging

from spinkube.runtime.server.framing import (
    LAST_CHUNK,
    InvalidResponseError,
    Writer,
    checked,
    chunk,
    declared_length,
    end_of_head,
    has_body,
    head_lines,
    write_response,
)
from spinkube.runtime.server.messages import Headers, Response, plain

log = logging.getLogger(__name__)

FLUSH_AT = 64 * 1024
"""Pending body bytes that go out even without a flush."""


class Framing(enum.Enum):
    NONE = "none"
    """No body allowed (204, 304): writes are dropped."""
    LENGTH = "length"
    CHUNKED = "chunked"
    CLOSE = "close"


class ResponseStream:
    """The sink of one streamed response: ``start``, ``write``/``flush``, then ``finish`` or
    ``abort``. ``status``, ``sent`` (body bytes) and ``keep_alive`` are read afterwards."""

    __slots__ = (
        "_declared",
        "_failed",
        "_framing",
        "_head_sent",
        "_http10",
        "_overflow",
        "_pending",
        "_pending_len",
        "_transport",
        "headers",
        "keep_alive",
        "sent",
        "started",
        "status",
    )

    def __init__(self, transport: Writer, *, keep_alive: bool, http10: bool) -> None:
        self._transport = transport
        self.keep_alive = keep_alive
        self._http10 = http10
        self.status = 0
        self.headers: Headers = []
        self.started = False
        self.sent = 0
        self._pending: list[bytes] = []
        self._pending_len = 0
        self._head_sent = False
        self._framing = Framing.NONE
        self._declared: int | None = None
        self._failed = False
        self._overflow = 0

    def start(self, status: int, headers: Headers) -> None:
        self.status, self.headers, self.started = status, headers, True

    def write(self, data: bytes) -> None:
        if data and not self._failed:
            self._pending.append(data)
            self._pending_len += len(data)
            if self._pending_len >= FLUSH_AT:
                self.flush()

    def flush(self) -> None:
        """Sends the head (the first time) and the pending body bytes."""
        if not self.started or self._failed:
            return
        if self._head_sent:
            self._transport.write(self._framed_pending())
            return
        try:
            head = self._head()
        except InvalidResponseError as exc:
            self._fail_head(exc)
            return
        self._transport.write(head + self._framed_pending())

    def finish(self) -> None:
        """The body is complete: sends the rest, or the whole response if nothing went out."""
        if self._failed:
            return
        if not self._head_sent:
            body = b"".join(self._pending)
            self._pending.clear()
            response = checked(
                Response(self.status, self.headers, body), head_only=False, what="response"
            )
            self.status = response.status
            self.sent = write_response(
                self._transport,
                response,
                keep_alive=self.keep_alive,
                head_only=False,
                http10=self._http10,
            )
            return
        end = LAST_CHUNK if self._framing is Framing.CHUNKED else b""
        self._transport.write(self._framed_pending() + end)
        if self._framing is Framing.LENGTH and (self.sent != self._declared or self._overflow):
            self._length_mismatch()

    def abort(self) -> bool:
        """The handler failed. True when the head had gone out and the connection was cut;
        False when nothing was sent (the caller can still answer, e.g. with a 500)."""
        self._pending.clear()
        if not self._head_sent:
            return False
        self.keep_alive = False
        self._transport.abort()
        return True

    def _fail_head(self, exc: InvalidResponseError) -> None:
        """The head cannot be written: a 500 goes out instead, the rest of the body is dropped."""
        log.error("streamed response: %s; answering 500 instead", exc)
        self._failed, self._head_sent, self.keep_alive, self.status = True, True, False, 500
        self._pending.clear()
        write_response(self._transport, plain(500), keep_alive=False, head_only=False)

    def _length_mismatch(self) -> None:
        """The body did not match its declared length: nothing more goes out on this
        connection; a short body is cut (the client must not wait for the rest)."""
        log.warning(
            "response body of %d bytes does not match its content-length %s; closing",
            self.sent + self._overflow,
            self._declared,
        )
        self.keep_alive = False
        if self.sent < (self._declared or 0):
            self._transport.abort()

    def _head(self) -> bytes:
        self._head_sent = True
        self._framing = self._choose_framing()
        parts = head_lines(self.status, self.headers)
        if self._framing is Framing.LENGTH:
            parts.append(b"content-length: %d\r\n" % (self._declared or 0))
        elif self._framing is Framing.CHUNKED:
            parts.append(b"transfer-encoding: chunked\r\n")
        elif self._framing is Framing.CLOSE:
            self.keep_alive = False
        parts.append(end_of_head(keep_alive=self.keep_alive, http10=self._http10))
        return b"".join(parts)

    def _choose_framing(self) -> Framing:
        if not has_body(self.status, head_only=False):
            return Framing.NONE
        self._declared = declared_length(self.headers)
        if self._declared is not None:
            return Framing.LENGTH
        return Framing.CLOSE if self._http10 else Framing.CHUNKED

    def _framed_pending(self) -> bytes:
        if not self._pending:
            return b""
        data = b"".join(self._pending)
        self._pending.clear()
        self._pending_len = 0
        if self._framing is Framing.NONE:
            return b""
        if self._framing is Framing.LENGTH:
            room = (self._declared or 0) - self.sent
            if len(data) > room:
                self._overflow += len(data) - room
                data = data[:room]
        self.sent += len(data)
        return chunk(data) if self._framing is Framing.CHUNKED else data
