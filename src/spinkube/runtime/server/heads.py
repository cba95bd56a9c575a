"""A request head as the server uses it, built from what llhttp read, with the checks llhttp
leaves to its user: the HTTP version, the target's form and the transfer coding."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spinkube.runtime.server.messages import Headers

_READ_HERE = frozenset(("content-length", "transfer-encoding", "host", "expect"))


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
    """The client waits for ``100 Continue`` before it sends the body it declared."""
    authority: str
    version: str


def build_head(
    method: bytes,
    url: bytes,
    fields: list[tuple[bytes, bytes]],
    *,
    version: str,
    keep_alive: bool,
) -> Head:
    """The head of a request llhttp accepted, from its header lines as llhttp read them."""
    _check_version(version)
    target = url.decode("latin-1")
    headers: Headers = []
    head = Head(method.decode("ascii"), target, headers, 0, False, keep_alive, False, "", version)
    expect = False
    for raw_name, raw_value in fields:
        name, value = raw_name.decode("latin-1").lower(), raw_value.rstrip(b" \t")
        headers.append((name, value))
        if name not in _READ_HERE:
            continue
        if name == "content-length":
            head.content_length = int(value)  # llhttp allows one, of digits only
        elif name == "transfer-encoding":
            head.chunked = _chunked(value)
        elif name == "host":
            head.authority = value.decode("latin-1")
        else:
            expect = value.lower() == b"100-continue"
    head.expect_continue = expect and (head.chunked or head.content_length > 0)
    if not target.startswith("/") and target != "*":
        head.target, head.authority = _origin_form(target)
    return head


def stand_in_head(head: Head) -> bytes:
    """A head with nothing but ``head``'s framing (none when it declares no body)."""
    if head.chunked:
        return b"POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n"
    if head.content_length:
        return b"POST / HTTP/1.1\r\ncontent-length: %d\r\n\r\n" % head.content_length
    return b""


def _check_version(version: str) -> None:
    if version == "0.9":
        raise BadRequestError(400, "request line without an HTTP version")
    if version not in ("1.1", "1.0"):
        raise BadRequestError(505, "only HTTP/1.0 and HTTP/1.1 are supported")


def _chunked(value: bytes) -> bool:
    codings = [c.strip().lower() for c in value.split(b",") if c.strip()]
    if codings != [b"chunked"]:
        raise BadRequestError(501, "only the chunked transfer coding is supported")
    return True


def _origin_form(target: str) -> tuple[str, str]:
    """``http://host/p?q`` (absolute form, RFC 9112 §3.2.2) as ``/p?q`` and ``host``: the
    target's authority wins over ``Host``. Any other form (``host:443``) is refused."""
    scheme, sep, rest = target.partition("://")
    authority = re.split("[/?]", rest, maxsplit=1)[0]
    if not sep or not scheme or not authority:
        raise BadRequestError(400, "malformed request target")
    path = rest[len(authority) :]
    return (path if path.startswith("/") else "/" + path), authority
