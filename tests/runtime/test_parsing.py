"""Request heads and chunked bodies (the server's parser), including arbitrary packet splits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinkube.runtime.server.parsing import BadRequestError, ChunkedReader, parse_head


def test_head_fields() -> None:
    head = parse_head(
        b"POST /a?b=c HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\n"
        b"X-Multi: 1\r\nx-multi: 2\r\nExpect: 100-continue"
    )
    assert (head.method, head.target, head.version) == ("POST", "/a?b=c", "1.1")
    assert (head.authority, head.content_length, head.expect_continue) == ("example.test", 5, True)
    assert head.keep_alive
    assert [v for n, v in head.headers if n == "x-multi"] == [b"1", b"2"]


def test_a_url_in_the_query_is_not_an_absolute_form_target() -> None:
    head = parse_head(b"GET /fetch?url=http://example.test/x HTTP/1.1\r\nHost: app.test")
    assert (head.target, head.authority) == ("/fetch?url=http://example.test/x", "app.test")


def test_absolute_form_target_becomes_origin_form() -> None:
    head = parse_head(b"GET http://other.test:8080/a/b?c=d HTTP/1.1\r\nHost: ignored")
    assert (head.target, head.authority) == ("/a/b?c=d", "other.test:8080")


@pytest.mark.parametrize(
    ("raw", "keep_alive"),
    [
        (b"GET / HTTP/1.1", True),
        (b"GET / HTTP/1.1\r\nConnection: close", False),
        (b"GET / HTTP/1.0", False),
        (b"GET / HTTP/1.0\r\nConnection: keep-alive", True),
    ],
)
def test_keep_alive_rules(raw: bytes, keep_alive: bool) -> None:
    assert parse_head(raw).keep_alive is keep_alive


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"GET /", 400),
        (b"get / HTTP/1.1", 400),
        (b"GET nopath HTTP/1.1", 400),
        (b"GET / HTTP/3", 505),
        (b"GET / HTTP/1.1\r\n folded", 400),
        (b"GET / HTTP/1.1\r\nContent-Length: 0x10", 400),
        (b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked", 501),
    ],
)
def test_refused_heads(raw: bytes, status: int) -> None:
    with pytest.raises(BadRequestError) as refused:
        parse_head(raw)
    assert refused.value.status == status


def encode_chunked(pieces: list[bytes]) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces if p) + b"0\r\n\r\n"


@given(
    st.lists(st.binary(min_size=1, max_size=300), max_size=8),
    st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=40),
)
def test_chunked_body_survives_any_packet_split(pieces: list[bytes], cuts: list[int]) -> None:
    wire = encode_chunked(pieces) + b"NEXT"
    reader, buf, body, done, offset = ChunkedReader(), bytearray(), bytearray(), False, 0
    sizes = iter(cuts * (len(wire) // len(cuts) + 2))
    while not done and offset < len(wire):
        step = next(sizes)
        buf += wire[offset : offset + step]
        offset += step
        done = reader.feed(buf, body)
    assert done
    assert bytes(body) == b"".join(pieces)
    assert bytes(buf) + wire[offset:] == b"NEXT"  # the next request is left untouched


@pytest.mark.parametrize("wire", [b"zz\r\n", b"-1\r\n", b"5\r\nabcdeXX", b"+5\r\n"])
def test_malformed_chunks(wire: bytes) -> None:
    with pytest.raises(BadRequestError):
        ChunkedReader().feed(bytearray(wire), bytearray())
