"""What the server hands to a request handler and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from spinkube.runtime.server.streaming import ResponseStream

Headers = list[tuple[str, bytes]]
"""Header name (lower-case) and raw value, in order; names may repeat."""


@dataclass(slots=True)
class Request:
    method: str
    target: str
    """The request target as sent: path and query (``/a/b?c=d``)."""
    headers: Headers
    body: bytes
    authority: str
    """The ``Host`` header, or the listen address when the client sent none."""
    client: str
    """The peer as ``ip:port``."""


@dataclass(slots=True)
class Response:
    status: int
    headers: Headers
    body: bytes


class Handler(Protocol):
    """Turns a complete request into a complete response; never raises for a guest failure."""

    def __call__(self, request: Request) -> Response: ...


class StreamHandler(Protocol):
    """Answers a request through ``out`` (a ``server.streaming.ResponseStream``) while it runs.

    Returns None when it answered through ``out`` (finished, or aborted after the head went
    out), or a complete :class:`Response` when it did not stream (a 404, a 500 before any
    byte was sent).
    """

    def __call__(self, request: Request, out: ResponseStream) -> Response | None: ...


def status_line(status: int) -> bytes:
    """``HTTP/1.1 <status> <reason>\\r\\n``, cached for the common codes."""
    line = _STATUS_LINES.get(status)
    if line is None:
        line = _make_status_line(status)
    return line


def _make_status_line(status: int) -> bytes:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    return f"HTTP/1.1 {status} {reason}\r\n".encode("latin-1")


_STATUS_LINES = {s.value: _make_status_line(s.value) for s in HTTPStatus}


def plain(status: int, text: str = "") -> Response:
    """A short text response the server or trigger produces itself (errors, health)."""
    body = (text or HTTPStatus(status).phrase).encode() + b"\n"
    return Response(status, [("content-type", b"text/plain; charset=utf-8")], body)
