"""The server's request reader (llhttp through httptools, plus the server's own checks and
limits): the requests it hands on, the refusals it answers with, arbitrary packet splits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinkube.runtime.server.heads import Head
from spinkube.runtime.server.parsing import MAX_HEAD_BYTES, RequestReader


def read(*pieces: bytes, max_headers: int = 100, max_body: int = 1 << 20) -> RequestReader:
    reader = RequestReader(max_headers=max_headers, max_body=max_body)
    for piece in pieces:
        reader.feed(piece)
    return reader


def only_request(*pieces: bytes) -> tuple[Head, bytes]:
    reader = read(*pieces)
    assert reader.refusal is None, reader.refusal
    assert len(reader.ready) == 1
    return reader.ready[0]


def refusal(*pieces: bytes, **limits: int) -> tuple[int, str]:
    reader = read(*pieces, **limits)
    assert not reader.ready
    assert reader.refusal is not None
    return reader.refusal.status, reader.refusal.reason


def test_head_fields() -> None:
    head, body = only_request(
        b"POST /a?b=c HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\n"
        b"X-Multi: 1\r\nx-multi: 2 \t\r\n\r\nhello"
    )
    assert (head.method, head.target, head.version, body) == ("POST", "/a?b=c", "1.1", b"hello")
    assert (head.authority, head.content_length, head.keep_alive) == ("example.test", 5, True)
    assert [v for n, v in head.headers if n == "x-multi"] == [b"1", b"2"]


def test_a_url_in_the_query_is_not_an_absolute_form_target() -> None:
    head, _ = only_request(
        b"GET /fetch?url=http://example.test/x HTTP/1.1\r\nHost: app.test\r\n\r\n"
    )
    assert (head.target, head.authority) == ("/fetch?url=http://example.test/x", "app.test")


@pytest.mark.parametrize(
    ("target", "origin_form", "authority"),
    [
        (b"http://other.test:8080/a/b?c=d", "/a/b?c=d", "other.test:8080"),
        (b"http://other.test?c=d", "/?c=d", "other.test"),
        (b"http://other.test", "/", "other.test"),
    ],
)
def test_absolute_form_target_becomes_origin_form(
    target: bytes, origin_form: str, authority: str
) -> None:
    head, _ = only_request(b"GET %s HTTP/1.1\r\nHost: ignored\r\n\r\n" % target)
    assert (head.target, head.authority) == (origin_form, authority)


@pytest.mark.parametrize(
    ("raw", "keep_alive"),
    [
        (b"GET / HTTP/1.1\r\n\r\n", True),
        (b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", False),
        (b"GET / HTTP/1.0\r\n\r\n", False),
        (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", True),
    ],
)
def test_keep_alive_rules(raw: bytes, keep_alive: bool) -> None:
    assert only_request(raw)[0].keep_alive is keep_alive


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        pytest.param(b"GARBAGE\r\n\r\n", 400, id="garbage"),
        pytest.param(b"get / HTTP/1.1\r\n\r\n", 400, id="lower-case-method"),
        pytest.param(b"GET nopath HTTP/1.1\r\n\r\n", 400, id="no-slash"),
        pytest.param(b"CONNECT example.test:443 HTTP/1.1\r\n\r\n", 400, id="authority-form"),
        pytest.param(b"GET /ok HTTP/2.0\r\n\r\n", 505, id="http2"),
        pytest.param(b"GET /ok HTTP/1.1\nHost: x\n\n", 400, id="lf-only-head"),
        pytest.param(b"GET /ok HTTP/1.1\r\nHost: x\n\r\n", 400, id="one-bare-lf"),
        pytest.param(b"GET /ok\r\n", 400, id="bare-request-line"),
        pytest.param(b"GET /ok\r", 400, id="bare-request-line-cut-at-cr"),
        pytest.param(b"GET /ok\r\nHost: x\r\n\r\n", 400, id="http09-with-headers"),
        pytest.param(b"GET /\xff HTTP/1.1\r\n\r\n", 400, id="0xff-in-target"),
        pytest.param(b"GET /ok HTTP/1.1\r\nX-Value: a\x00b\r\n\r\n", 400, id="nul-in-value"),
        pytest.param(b"GET /ok HTTP/1.1\r\nX-Value: a\rb\r\n\r\n", 400, id="bare-cr-in-value"),
        pytest.param(b"GET /ok HTTP/1.1\r\nBad Header : x\r\n\r\n", 400, id="space-before-colon"),
        pytest.param(b"GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", 400, id="obs-fold"),
        pytest.param(
            b"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            400,
            id="cl-te",
        ),
        pytest.param(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
            400,
            id="te-cl",
        ),
        pytest.param(
            b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
            400,
            id="two-lengths",
        ),
        pytest.param(b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, id="negative"),
        pytest.param(b"POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", 400, id="hex-length"),
        pytest.param(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501, id="gzip"),
        pytest.param(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            501,
            id="gzip-then-chunked",
        ),
        pytest.param(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
            400,
            id="chunked-twice",
        ),
        pytest.param(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, id="chunk-size"
        ),
        pytest.param(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcdeXX",
            400,
            id="chunk-overrun",
        ),
        pytest.param(b"GET / HTTP/1.1\r\n" + b"a:b\r\n" * 101 + b"\r\n", 431, id="101-headers"),
        pytest.param(
            b"GET / HTTP/1.1\r\nX-Big: " + b"a" * MAX_HEAD_BYTES + b"\r\n\r\n", 431, id="huge-head"
        ),
        pytest.param(b"GET /" + b"a" * MAX_HEAD_BYTES + b" HTTP/1.1\r\n\r\n", 431, id="huge-url"),
        pytest.param(b"POST / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n", 413, id="too-long"),
    ],
)
def test_refused_requests(raw: bytes, status: int) -> None:
    assert refusal(raw)[0] == status


def test_the_header_count_limit_is_the_one_given() -> None:
    wire = b"GET / HTTP/1.1\r\n" + b"a:b\r\n" * 3 + b"\r\n"
    assert only_request(wire)[0].headers == [("a", b"b")] * 3
    assert refusal(wire, max_headers=2) == (431, "more than 2 header fields")


def test_a_head_that_grows_without_end_is_refused_before_it_ends() -> None:
    pieces = [b"GET / HTTP/1.1\r\nX-Big: "] + [b"a" * 4096] * 17
    assert refusal(*pieces)[0] == 431


def test_a_chunked_body_over_the_limit_is_refused_as_it_grows() -> None:
    head = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert refusal(head, b"400\r\n" + b"z" * 1024 + b"\r\n", b"1\r\nz", max_body=1024)[0] == 413


def test_an_endless_chunk_extension_or_trailer_is_refused() -> None:
    head = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert refusal(head, b"1;", *[b"e" * 4096] * 17)[0] == 400
    assert refusal(head, b"0\r\nX-T: ", *[b"t" * 4096] * 17)[0] == 400


def test_trailers_are_read_and_dropped() -> None:
    head, body = only_request(
        b"POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n",
    )
    assert body == b"hello, world"
    assert "x-trailer" not in dict(head.headers)


def test_pipelined_requests_come_out_in_order_with_their_bodies() -> None:
    reader = read(
        b"GET /1 HTTP/1.1\r\n\r\nPOST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
        b"GET /3 HTTP/1.1\r\n\r\nGET /4 HTTP/1.1\r\n"
    )
    assert [(h.target, body) for h, body in reader.ready] == [
        ("/1", b""),
        ("/2", b"abc"),
        ("/3", b""),
    ]
    assert reader.in_head
    assert not reader.idle


def test_a_refusal_comes_after_the_requests_before_it() -> None:
    reader = read(b"GET /1 HTTP/1.1\r\n\r\nGET /\xff HTTP/1.1\r\n\r\n")
    assert [h.target for h, _ in reader.ready] == ["/1"]
    assert reader.refusal is not None
    assert reader.refusal.status == 400
    reader.feed(b"GET /3 HTTP/1.1\r\n\r\n")
    assert len(reader.ready) == 1  # nothing is read after a refusal


def test_a_bare_request_line_on_a_kept_connection_is_refused_when_its_line_ends() -> None:
    reader = read(b"GET /1 HTTP/1.1\r\n\r\n")
    reader.ready.clear()
    reader.feed(b"GET /2")
    assert reader.refusal is None
    reader.feed(b"\r\n")
    assert reader.refusal is not None
    assert reader.refusal.reason == "request line without an HTTP version"


def test_continue_is_due_once_while_a_declared_body_is_awaited() -> None:
    reader = read(b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
    assert (reader.continue_due(), reader.continue_due()) == (True, False)
    reader.feed(b"data")
    assert reader.ready[0][1] == b"data"
    without_body = read(b"GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n")
    assert not without_body.ready[0][0].expect_continue
    assert not without_body.continue_due()


@pytest.mark.parametrize(
    ("framing", "body"),
    [
        (b"", b""),
        (b"Content-Length: 5\r\n", b"hello"),
        (b"Transfer-Encoding: chunked\r\n", b"5\r\nhello\r\n0\r\n\r\n"),
    ],
    ids=["no-body", "content-length", "chunked"],
)
def test_an_upgrade_request_is_served_as_http11_with_its_body(framing: bytes, body: bytes) -> None:
    reader = read(
        b"POST /u HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n" + framing + b"\r\n" + body,
        b"GET /next HTTP/1.1\r\n\r\n",
    )
    assert reader.refusal is None
    assert [(h.target, b) for h, b in reader.ready] == [
        ("/u", b"hello" if body else b""),
        ("/next", b""),
    ]


def encode_chunked(pieces: list[bytes]) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces if p) + b"0\r\n\r\n"


@given(
    st.lists(st.binary(min_size=1, max_size=300), max_size=8),
    st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=40),
)
def test_chunked_bodies_and_pipelined_requests_survive_any_packet_split(
    pieces: list[bytes], cuts: list[int]
) -> None:
    wire = (
        b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        + encode_chunked(pieces)
        + b"POST /b HTTP/1.1\r\nContent-Length: 4\r\n\r\nNEXTGET /c HTTP/1.1\r\n\r\n"
    )
    reader, offset, sizes = read(), 0, iter(cuts * (len(wire) // len(cuts) + 2))
    while offset < len(wire):
        step = next(sizes)
        reader.feed(wire[offset : offset + step])
        offset += step
    assert reader.refusal is None
    assert [(h.target, body) for h, body in reader.ready] == [
        ("/a", b"".join(pieces)),
        ("/b", b"NEXT"),
        ("/c", b""),
    ]
    assert reader.idle is False
    reader.ready.clear()
    assert reader.idle
