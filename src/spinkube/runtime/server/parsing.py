"""HTTP/1.1 requests read from a connection's bytes by llhttp (through ``httptools``).

llhttp refuses what RFC 9112 asks a server to refuse, so that no request can be smuggled: both
``content-length`` and ``transfer-encoding``, a repeated or non-numeric ``content-length``, a
line ended by a bare LF, obsolete line folding, whitespace before a colon, a header name that is
not a token, a control byte in a header value (NUL, a bare CR), a byte outside visible ASCII in
the target (``0xff``), a malformed chunk; all get 400. It is used without its lenient flags.

What llhttp leaves to its user is checked here (:mod:`.heads`): only HTTP/1.0 and 1.1 (a bare
``GET /x`` line is HTTP/0.9 to llhttp: 400; other versions 505), the target's form, chunked as
the only transfer coding (else 501), and the limits: at most ``max_headers`` header lines and
64 KiB of head (431), at most ``max_body`` body bytes (413).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import httptools

from spinkube.runtime.server.heads import BadRequestError, Head, build_head, stand_in_head

MAX_HEAD_BYTES = 64 * 1024
"""Request line plus headers (and, apart, the trailers); larger ones are refused with 431."""
DEFAULT_MAX_HEADERS = 100
"""Header lines a request head may have (hyper's default); more are refused with 431."""
_FIELD_LINE_OVERHEAD = len(": \r\n")


@dataclass(slots=True)
class _Message:
    """A request being read: its head's fields as llhttp reports them, then its body."""

    url: bytes = b""
    fields: list[tuple[bytes, bytes]] = field(default_factory=list)
    """The head's header lines, raw; once the head is complete, its trailers (dropped)."""
    head: Head | None = None
    body: bytearray = field(default_factory=bytearray)
    continued: bool = False
    body_after_upgrade: bytes = b""
    """The stand-in head that frames the body llhttp skipped after an Upgrade request's head."""


class RequestReader:
    """Turns the bytes of one connection into complete requests, in order.

    ``feed`` parses what arrived: complete requests (head and whole body) collect in ``ready``;
    the first request that breaks the rules ends the stream with ``refusal``, after the
    requests before it. The ``on_*`` methods are llhttp's callbacks.
    """

    __slots__ = (
        "_max_body",
        "_max_headers",
        "_message",
        "_parsed",
        "_parser",
        "_progress",
        "_unparsed",
        "ready",
        "refusal",
    )

    def __init__(self, *, max_headers: int = DEFAULT_MAX_HEADERS, max_body: int) -> None:
        self.ready: deque[tuple[Head, bytes]] = deque()
        self.refusal: BadRequestError | None = None
        self._max_headers = max_headers
        self._max_body = max_body
        self._parser = httptools.HttpRequestParser(self)
        self._parsed = 0
        """Requests begun on ``_parser``."""
        self._message: _Message | None = None
        self._progress = False
        self._unparsed = 0
        """Bytes fed since llhttp last reported anything (a line, a piece of body, ...)."""

    @property
    def in_head(self) -> bool:
        """A request head has begun and is not complete."""
        return self._message is not None and self._message.head is None

    @property
    def idle(self) -> bool:
        """Nothing begun, nothing waiting to be answered."""
        return self._message is None and not self.ready and self.refusal is None

    def continue_due(self) -> bool:
        """True once for a request whose head asked for ``100-continue``, once its body is
        awaited with no request ahead of it: the time to send ``100 Continue``."""
        message = self._message
        if message is None or message.head is None or message.continued or self.ready:
            return False
        message.continued = True
        return message.head.expect_continue

    def feed(self, data: bytes) -> None:
        if self.refusal is not None:
            return
        try:
            self._feed(data)
        except BadRequestError as bad:
            self.refusal = bad

    def _feed(self, data: bytes) -> None:
        if self._message is None and self._parsed:
            self._new_parser()
        self._progress = False
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade as upgrade:
            self._after_upgrade(data[upgrade.args[0] :])
            return
        except httptools.HttpParserCallbackError as exc:
            if isinstance(exc.__context__, BadRequestError):  # a callback's own refusal
                raise exc.__context__ from None
            raise
        except httptools.HttpParserError as exc:
            raise BadRequestError(400, f"malformed request: {exc}") from exc
        if self._progress:
            self._unparsed = 0
        else:
            self._check_unparsed(len(data))
        if self._message is not None and self._message.head is None:
            self._check_head(self._message, data)

    def _new_parser(self) -> None:
        """A request that starts a read gets a parser of its own: llhttp keeps the previous
        request's version until the new one's is read, and :meth:`_check_head` needs
        to see none."""
        self._parser = httptools.HttpRequestParser(self)
        self._parsed = 0

    def _after_upgrade(self, rest: bytes) -> None:
        """llhttp stops after an Upgrade request (``Connection: upgrade``); the server does not
        upgrade, so the connection goes on in HTTP/1.1. A body the request declared, which
        llhttp skipped, is read by a new parser after a stand-in head with the same framing
        (read into a message of its own, then dropped)."""
        message = self._message
        if message is not None:
            self._new_parser()
            self._parser.feed_data(message.body_after_upgrade)
            self._message = message
            message.body_after_upgrade = b""
        if rest:
            self._feed(rest)

    def _check_unparsed(self, size: int) -> None:
        """Bounds the bytes that complete nothing: a header line, chunk-size line or trailer
        that never ends is refused once it passes the head limit."""
        self._unparsed += size
        message = self._message
        if message is None or message.head is None:
            if _size(message) + self._unparsed > MAX_HEAD_BYTES:
                raise BadRequestError(431, "request head too large")
        elif self._unparsed > MAX_HEAD_BYTES:
            raise BadRequestError(400, "a chunk line or trailer longer than 64 KiB")

    def _check_head(self, message: _Message, data: bytes) -> None:
        """A head still incomplete after a read: its lines so far are within the limits, and a
        request line without a version (``GET /x``), which llhttp reads as HTTP/0.9 and then
        waits for more, is refused as soon as its line ends."""
        self._check_size(message, "request head")
        if not message.url:
            return
        version = self._parser.get_http_version()
        if version == "0.9" or (version == "0.0" and data[-1:] in (b"\r", b"\n")):
            raise BadRequestError(400, "request line without an HTTP version")

    def _check_size(self, message: _Message, what: str) -> None:
        if _size(message) > MAX_HEAD_BYTES:
            raise BadRequestError(431, f"{what} too large")

    # llhttp's callbacks

    def on_message_begin(self) -> None:
        self._progress = True
        self._message = _Message()
        self._parsed += 1

    def on_url(self, piece: bytes) -> None:
        self._progress = True
        message = self._message
        assert message is not None
        message.url += piece
        if len(message.url) > MAX_HEAD_BYTES:
            raise BadRequestError(431, "request head too large")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._progress = True
        message = self._message
        assert message is not None
        message.fields.append((name, value))
        if len(message.fields) > self._max_headers:
            raise BadRequestError(431, f"more than {self._max_headers} header fields")

    def on_headers_complete(self) -> None:
        self._progress = True
        message = self._message
        assert message is not None
        self._check_size(message, "request head")
        parser = self._parser
        head = build_head(
            parser.get_method(),
            message.url,
            message.fields,
            version=parser.get_http_version(),
            keep_alive=parser.should_keep_alive(),
        )
        if head.content_length > self._max_body:
            raise BadRequestError(413, f"request body larger than {self._max_body} bytes")
        if parser.should_upgrade():
            message.body_after_upgrade = stand_in_head(head)
        message.head, message.fields, message.url = head, [], b""

    def on_body(self, piece: bytes) -> None:
        self._progress = True
        message = self._message
        assert message is not None
        if len(message.body) + len(piece) > self._max_body:
            raise BadRequestError(413, f"request body larger than {self._max_body} bytes")
        message.body += piece

    def on_message_complete(self) -> None:
        self._progress = True
        message = self._message
        assert message is not None
        assert message.head is not None
        if message.fields:
            self._check_size(message, "request trailers")
        if message.body_after_upgrade:
            return  # its body follows the Upgrade (see _after_upgrade)
        self._message = None
        self.ready.append((message.head, bytes(message.body)))

    def on_chunk_header(self) -> None:
        self._progress = True

    def on_chunk_complete(self) -> None:
        self._progress = True


def _size(message: _Message | None) -> int:
    """The bytes of a head (or of trailers) read so far, about as they came on the wire."""
    if message is None:
        return 0
    return len(message.url) + sum(len(n) + len(v) + _FIELD_LINE_OVERHEAD for n, v in message.fields)
