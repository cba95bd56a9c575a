"""Response heads and bodies on the wire: whole responses and the framing of streamed ones."""

from __future__ import annotations

import asyncio

from spinkube.runtime.server.messages import Headers, Response, status_line

HOP_BY_HOP = frozenset(
    ("connection", "content-length", "keep-alive", "transfer-encoding", "upgrade", "trailer")
)
"""Headers of a handler's response the server drops: it frames the response itself."""
LAST_CHUNK = b"0\r\n\r\n"
_SMALL_BODY = 64 * 1024
"""Bodies up to this size are joined with the head into one write."""


def has_body(status: int, *, head_only: bool) -> bool:
    return not head_only and status >= 200 and status not in (204, 304)


def head_lines(status: int, headers: Headers) -> list[bytes]:
    """The status line and the end-to-end headers, without framing or the blank line."""
    parts = [status_line(status)]
    for name, value in headers:
        if name not in HOP_BY_HOP:
            parts.append(b"%s: %s\r\n" % (name.encode("latin-1"), value))
    return parts


def end_of_head(*, keep_alive: bool) -> bytes:
    return b"\r\n" if keep_alive else b"connection: close\r\n\r\n"


def write_response(
    transport: asyncio.WriteTransport, response: Response, *, keep_alive: bool, head_only: bool
) -> int:
    """Writes a complete response with ``content-length``; returns the body bytes sent."""
    status = response.status
    body = response.body
    parts = head_lines(status, response.headers)
    if status not in (204, 304) and status >= 200:
        parts.append(b"content-length: %d\r\n" % len(body))
    parts.append(end_of_head(keep_alive=keep_alive))
    if not body or not has_body(status, head_only=head_only):
        transport.write(b"".join(parts))
        return 0
    if len(body) <= _SMALL_BODY:
        parts.append(body)
        transport.write(b"".join(parts))
    else:
        transport.write(b"".join(parts))
        transport.write(body)
    return len(body)


def chunk(data: bytes) -> bytes:
    """One chunk of a chunked body (``data`` must not be empty: that ends the body)."""
    return b"%x\r\n%s\r\n" % (len(data), data)


def declared_length(headers: Headers) -> int | None:
    """The guest's own ``content-length``, when it set exactly one valid value."""
    values = [value for name, value in headers if name == "content-length"]
    if len(values) != 1 or not values[0].strip().isdigit():
        return None
    return int(values[0])
