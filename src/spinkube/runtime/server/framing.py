"""Response heads and bodies on the wire: whole responses and the framing of streamed ones.

Nothing a handler returns reaches the wire unchecked: a header name that is not an RFC 9110
token, or a value with a control character (CR, LF, NUL, ...), makes the response invalid, as
does a ``content-length`` that does not match the body. An invalid response is replaced by a
500 before anything is sent (see :func:`checked`), so a guest can neither add headers nor
split or desynchronise the connection.
"""

from __future__ import annotations

import logging
from typing import Protocol

from spinkube.runtime.fieldsyntax import is_field_value, is_token
from spinkube.runtime.server.messages import Headers, Response, plain, status_line

log = logging.getLogger(__name__)

HOP_BY_HOP = frozenset(
    ("connection", "content-length", "keep-alive", "transfer-encoding", "upgrade", "trailer")
)
"""Headers of a handler's response the server drops: it frames the response itself."""
LAST_CHUNK = b"0\r\n\r\n"
_SMALL_BODY = 64 * 1024
"""Bodies up to this size are joined with the head into one write."""


class Writer(Protocol):
    """Where response bytes go: a transport, or a thread's handle on one (``handoff``)."""

    def write(self, data: bytes) -> None: ...

    def abort(self) -> None: ...


class InvalidResponseError(Exception):
    """A handler's response cannot be written as it is; the message says why."""


def has_body(status: int, *, head_only: bool) -> bool:
    return not head_only and status >= 200 and status not in (204, 304)


def head_lines(status: int, headers: Headers) -> list[bytes]:
    """The status line and the end-to-end headers, without framing or the blank line.

    Raises :class:`InvalidResponseError` for a header the HTTP grammar does not allow.
    """
    parts = [status_line(status)]
    for name, value in headers:
        if not is_token(name) or not is_field_value(value):
            raise InvalidResponseError(f"invalid header {name!r}: {value[:64]!r}")
        if name not in HOP_BY_HOP:
            parts.append(b"%s: %s\r\n" % (name.encode("latin-1"), value))
    return parts


def end_of_head(*, keep_alive: bool, http10: bool = False) -> bytes:
    """The blank line, after ``connection: close`` when the connection ends, or after
    ``connection: keep-alive`` for an HTTP/1.0 client whose connection is kept."""
    if not keep_alive:
        return b"connection: close\r\n\r\n"
    return b"connection: keep-alive\r\n\r\n" if http10 else b"\r\n"


def checked(response: Response, *, head_only: bool, what: str) -> Response:
    """``response``, or a 500 when it could not be written as it is (logged with ``what``)."""
    try:
        head_lines(response.status, response.headers)
        _check_length(response, head_only=head_only)
    except InvalidResponseError as exc:
        log.error("%s: %s; answering 500 instead", what, exc)
        return plain(500)
    return response


def _check_length(response: Response, *, head_only: bool) -> None:
    values = [value for name, value in response.headers if name == "content-length"]
    if not values:
        return
    declared = declared_length(response.headers)
    if declared is None:
        raise InvalidResponseError(f"invalid content-length {b', '.join(values)!r}")
    if not has_body(response.status, head_only=head_only):
        return
    if declared != len(response.body):
        raise InvalidResponseError(
            f"response body of {len(response.body)} bytes does not match its "
            f"content-length {declared}"
        )


def write_response(
    transport: Writer,
    response: Response,
    *,
    keep_alive: bool,
    head_only: bool,
    http10: bool = False,
) -> int:
    """Writes a complete, :func:`checked` response with ``content-length``; returns the body
    bytes sent. A HEAD answer without a body keeps the length the handler declared."""
    status = response.status
    body = response.body
    parts = head_lines(status, response.headers)
    if status not in (204, 304) and status >= 200:
        length = len(body)
        if head_only and not body:
            length = declared_length(response.headers) or 0
        parts.append(b"content-length: %d\r\n" % length)
    parts.append(end_of_head(keep_alive=keep_alive, http10=http10))
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
    """The handler's own ``content-length``: None unless every value is the same number."""
    values = {value.strip() for name, value in headers if name == "content-length"}
    if len(values) != 1:
        return None
    (value,) = values
    if not value.isdigit() or len(value) > 18:
        return None
    return int(value)
