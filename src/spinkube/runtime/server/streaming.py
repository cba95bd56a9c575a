"""A response streamed to one connection while the handler still runs.

Writes are held until the handler flushes (a guest flushes before it waits: a timer, a poll),
until :data:`FLUSH_AT` bytes are pending, or until ``finish``. A guest that answers without
waiting is therefore sent exactly as a collected response (one write, ``content-length``); one
that waits has its head and the bytes so far sent at once, framed as:

* the guest's own ``content-length`` when it set one (the connection closes afterwards when
  the body did not match it),
* chunked for HTTP/1.1 clients,
* close-delimited for HTTP/1.0 clients.
"""

from __future__ import annotations

import asyncio
import enum
import logging

from spinkube.runtime.server.framing import (
    LAST_CHUNK,
    chunk,
    declared_length,
    end_of_head,
    has_body,
    head_lines,
    write_response,
)
from spinkube.runtime.server.messages import Headers, Response

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
        "_framing",
        "_head_sent",
        "_http10",
        "_pending",
        "_pending_len",
        "_transport",
        "headers",
        "keep_alive",
        "sent",
        "started",
        "status",
    )

    def __init__(
        self, transport: asyncio.WriteTransport, *, keep_alive: bool, http10: bool
    ) -> None:
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

    def start(self, status: int, headers: Headers) -> None:
        self.status, self.headers, self.started = status, headers, True

    def write(self, data: bytes) -> None:
        if data:
            self._pending.append(data)
            self._pending_len += len(data)
            if self._pending_len >= FLUSH_AT:
                self.flush()

    def flush(self) -> None:
        """Sends the head (the first time) and the pending body bytes."""
        if not self.started:
            return
        head = b"" if self._head_sent else self._head()
        self._transport.write(head + self._framed_pending())

    def finish(self) -> None:
        """The body is complete: sends the rest, or the whole response if nothing went out."""
        if not self._head_sent:
            body = b"".join(self._pending)
            self._pending.clear()
            response = Response(self.status, self.headers, body)
            self.sent = write_response(
                self._transport, response, keep_alive=self.keep_alive, head_only=False
            )
            return
        end = LAST_CHUNK if self._framing is Framing.CHUNKED else b""
        self._transport.write(self._framed_pending() + end)
        if self._framing is Framing.LENGTH and self.sent != self._declared:
            log.warning(
                "response body of %d bytes does not match its content-length %s; closing",
                self.sent,
                self._declared,
            )
            self.keep_alive = False

    def abort(self) -> bool:
        """The handler failed. True when the head had gone out and the connection was cut;
        False when nothing was sent (the caller can still answer, e.g. with a 500)."""
        self._pending.clear()
        if not self._head_sent:
            return False
        self.keep_alive = False
        self._transport.abort()
        return True

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
        parts.append(end_of_head(keep_alive=self.keep_alive))
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
        self.sent += len(data)
        return chunk(data) if self._framing is Framing.CHUNKED else data
