"""HTTP/1.1 request heads and chunked bodies, parsed strictly enough to rule out smuggling.

A head with both ``content-length`` and ``transfer-encoding``, a repeated or non-numeric
``content-length``, an unknown transfer coding, obsolete line folding or whitespace before a
colon is refused with 400 (or 501 for the coding), as RFC 9112 asks of a server. So is a line
ended by a bare LF, a request line without an HTTP version (``GET /x``), a target with a byte
outside visible ASCII (``0xff``), a header name that is not a token and a header value holding
a control character (NUL, a bare CR); more than ``max_headers`` header lines get 431.
"""

from __future__ import annotations

from dataclasses import dataclass

from spinkube.runtime.fieldsyntax import is_field_value, is_token, is_visible_ascii
from spinkube.runtime.server.messages import Headers

MAX_HEAD_BYTES = 64 * 1024
"""Request line plus headers; larger heads are refused with 431."""
DEFAULT_MAX_HEADERS = 100
"""Header lines a request head may have (hyper's default); more are refused with 431."""


class BadRequestError(Exception):
    """The client sent something the server must refuse; ``status`` is the code to answer with."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(slots=True)
class Head:
    method: str
    target: str
    headers: Headers
    content_length: int
    chunked: bool
    keep_alive: bool
    expect_continue: bool
    authority: str
    version: str


def parse_head(raw: bytes, *, max_headers: int = DEFAULT_MAX_HEADERS) -> Head:
    """Parse the bytes before the blank line that ends a request head."""
    lines = raw.split(b"\r\n")
    if len(lines) - 1 > max_headers:
        raise BadRequestError(431, f"more than {max_headers} header fields")
    method, target, version = request_line(lines[0])
    head = Head(method, target, [], 0, False, version == "1.1", False, "", version)
    length: bytes | None = None
    for line in lines[1:]:
        name, value = _header(line)
        head.headers.append((name, value))
        if name == "content-length":
            if length is not None and value != length:
                raise BadRequestError(400, "conflicting content-length headers")
            length = value
        elif name == "transfer-encoding":
            head.chunked = _chunked(value, head.chunked)
        elif name == "connection":
            head.keep_alive = _keep_alive(value, head.keep_alive)
        elif name == "host":
            head.authority = value.decode("latin-1")
        elif name == "expect":
            head.expect_continue = value.lower() == b"100-continue"
    if not target.startswith("/") and "://" in target:  # absolute-form (RFC 9112 §3.2.2)
        head.target, head.authority = _origin_form(target)
    if length is not None:
        if head.chunked:
            raise BadRequestError(400, "both content-length and transfer-encoding")
        head.content_length = _content_length(length)
    return head


def check_partial_head(buf: bytes | bytearray) -> None:
    """Refuses what is wrong in a head before it is complete: a bare LF (an LF-only head
    would otherwise wait for a CRLF CRLF that never comes), and a bad first line."""
    if buf.count(b"\n") != buf.count(b"\r\n"):
        raise BadRequestError(400, "a line of the request head ends without CR LF")
    end = buf.find(b"\r\n")
    if end >= 0:
        request_line(bytes(buf[:end]))


def request_line(line: bytes) -> tuple[str, str, str]:
    """``METHOD target HTTP/1.x`` as (method, target, ``1.0``/``1.1``)."""
    parts = line.split(b" ")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise BadRequestError(400, "malformed request line")
    method, target, version = parts
    if version == b"HTTP/1.1":
        proto = "1.1"
    elif version == b"HTTP/1.0":
        proto = "1.0"
    elif version.startswith(b"HTTP/"):
        raise BadRequestError(505, "only HTTP/1.0 and HTTP/1.1 are supported")
    else:
        raise BadRequestError(400, "malformed request line")
    if not method.isalpha() or not method.isupper():
        raise BadRequestError(400, "malformed method")
    if not (target.startswith(b"/") or target == b"*" or b"://" in target):
        raise BadRequestError(400, "malformed request target")
    if not is_visible_ascii(target):
        raise BadRequestError(400, "request target holds a byte outside visible ASCII")
    return method.decode("ascii"), target.decode("latin-1"), proto


def _origin_form(target: str) -> tuple[str, str]:
    """``http://host/p?q`` as ``/p?q`` and ``host``: the target's authority wins over ``Host``."""
    authority, _, rest = target.partition("://")[2].partition("/")
    if not authority:
        raise BadRequestError(400, "malformed request target")
    path, _, query = rest.partition("?")
    return "/" + path + ("?" + query if query else ""), authority


def _header(line: bytes) -> tuple[str, bytes]:
    name, sep, value = line.partition(b":")
    if not sep or not is_token(name):
        raise BadRequestError(400, "malformed header line")
    text = name.decode("latin-1")
    value = value.strip(b" \t")
    if not is_field_value(value):
        raise BadRequestError(400, f"invalid character in the value of header {text!r}")
    return text.lower(), value


def _content_length(value: bytes) -> int:
    if not value.isdigit() or len(value) > 18:
        raise BadRequestError(400, "invalid content-length")
    return int(value)


def _chunked(value: bytes, already: bool) -> bool:
    codings = [c.strip().lower() for c in value.split(b",") if c.strip()]
    if already or codings != [b"chunked"]:
        raise BadRequestError(501, "only the chunked transfer coding is supported")
    return True


def _keep_alive(value: bytes, default: bool) -> bool:
    tokens = {t.strip().lower() for t in value.split(b",")}
    if b"close" in tokens:
        return False
    if b"keep-alive" in tokens:
        return True
    return default


class ChunkedReader:
    """Decodes a chunked body incrementally from a connection's buffer.

    ``feed`` consumes what it can from ``buf`` (deleting it) and appends data to ``body``; it
    returns True once the last chunk and the trailers have been read. Trailers are discarded.
    """

    __slots__ = ("_remaining", "_state")

    def __init__(self) -> None:
        self._state = "size"
        self._remaining = 0

    def feed(self, buf: bytearray, body: bytearray) -> bool:
        while True:
            if self._state == "data":
                if not self._data(buf, body):
                    return False
            elif self._state == "size":
                if not self._size(buf):
                    return False
            elif self._state == "data-end":
                if len(buf) < 2:
                    return False
                if buf[:2] != b"\r\n":
                    raise BadRequestError(400, "malformed chunk")
                del buf[:2]
                self._state = "size"
            else:
                return self._trailers(buf)

    def _size(self, buf: bytearray) -> bool:
        end = buf.find(b"\r\n")
        if end < 0:
            if len(buf) > 1024:
                raise BadRequestError(400, "chunk size line too long")
            return False
        size_text = bytes(buf[:end]).split(b";", 1)[0].strip()
        del buf[: end + 2]
        if not size_text or size_text.strip(b"0123456789abcdefABCDEF") or len(size_text) > 15:
            raise BadRequestError(400, "malformed chunk size")
        size = int(size_text, 16)
        self._remaining = size
        self._state = "data" if size else "trailers"
        return True

    def _data(self, buf: bytearray, body: bytearray) -> bool:
        take = min(self._remaining, len(buf))
        if take:
            body += buf[:take]
            del buf[:take]
            self._remaining -= take
        if self._remaining:
            return False
        self._state = "data-end"
        return True

    def _trailers(self, buf: bytearray) -> bool:
        while True:
            end = buf.find(b"\r\n")
            if end < 0:
                if len(buf) > MAX_HEAD_BYTES:
                    raise BadRequestError(431, "trailers too large")
                return False
            del buf[: end + 2]
            if end == 0:
                return True
