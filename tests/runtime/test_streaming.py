"""The framing of streamed responses (``server.streaming.ResponseStream``) on a fake transport."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinkube.runtime.server.framing import write_response
from spinkube.runtime.server.messages import Response
from spinkube.runtime.server.streaming import FLUSH_AT, ResponseStream

from .conftest import ChunkedBody

HEADERS = [("content-type", b"text/plain")]


class FakeTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def abort(self) -> None:
        self.aborted = True

    def data(self) -> bytes:
        return b"".join(self.writes)


def stream(
    *, keep_alive: bool = True, http10: bool = False
) -> tuple[ResponseStream, FakeTransport]:
    transport = FakeTransport()
    return ResponseStream(transport, keep_alive=keep_alive, http10=http10), transport  # type: ignore[arg-type]


def split_head(data: bytes) -> tuple[list[str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode().split("\r\n"), body


def dechunk(body: bytes) -> tuple[bytes, bool]:
    """The decoded body and whether the last chunk was read; nothing may follow it."""
    decoded = ChunkedBody().feed(body)
    assert not decoded.followed
    return bytes(decoded.data), decoded.complete


def test_a_response_never_flushed_goes_out_whole_with_content_length() -> None:
    out, transport = stream()
    out.start(200, HEADERS)
    out.write(b"hello ")
    out.write(b"world")
    out.finish()
    expected = FakeTransport()
    write_response(
        expected, Response(200, HEADERS, b"hello world"), keep_alive=True, head_only=False
    )  # type: ignore[arg-type]
    assert transport.writes == expected.writes
    assert (out.status, out.sent, out.keep_alive) == (200, 11, True)


def test_a_flushed_response_is_chunked_and_ends_with_the_last_chunk() -> None:
    out, transport = stream()
    out.start(201, [*HEADERS, ("transfer-encoding", b"gzip")])
    out.write(b"one")
    out.flush()
    assert len(transport.writes) == 1
    lines, body = split_head(transport.data())
    assert lines[0] == "HTTP/1.1 201 Created"
    assert lines[1:] == ["content-type: text/plain", "transfer-encoding: chunked"]
    assert body == b"3\r\none\r\n"
    out.write(b"two")
    out.flush()
    out.flush()
    out.write(b"three")
    out.finish()
    _lines, body = split_head(transport.data())
    assert dechunk(body) == (b"onetwothree", True)
    assert (out.sent, out.keep_alive) == (11, True)


def test_http10_is_close_delimited() -> None:
    out, transport = stream(keep_alive=False, http10=True)
    out.start(200, HEADERS)
    out.write(b"one")
    out.flush()
    out.write(b"two")
    out.finish()
    lines, body = split_head(transport.data())
    assert "connection: close" in lines
    assert not any(line.startswith(("content-length", "transfer-encoding")) for line in lines)
    assert body == b"onetwo"
    assert out.keep_alive is False


def test_a_guest_content_length_is_kept_and_the_body_sent_raw() -> None:
    out, transport = stream()
    out.start(200, [*HEADERS, ("content-length", b"6")])
    out.write(b"one")
    out.flush()
    out.write(b"two")
    out.finish()
    lines, body = split_head(transport.data())
    assert "content-length: 6" in lines
    assert "transfer-encoding: chunked" not in lines
    assert (body, out.keep_alive) == (b"onetwo", True)


def test_a_body_not_matching_its_content_length_closes_the_connection() -> None:
    out, _transport = stream()
    out.start(200, [("content-length", b"100")])
    out.write(b"short")
    out.flush()
    out.finish()
    assert out.keep_alive is False


@pytest.mark.parametrize("status", [204, 304])
def test_statuses_without_a_body_drop_writes(status: int) -> None:
    out, transport = stream()
    out.start(status, [])
    out.flush()
    out.write(b"ignored")
    out.finish()
    lines, body = split_head(transport.data())
    assert body == b""
    assert not any(line.startswith(("content-length", "transfer-encoding")) for line in lines)
    assert out.sent == 0


def test_pending_bytes_past_the_threshold_go_out_without_a_flush() -> None:
    out, transport = stream()
    out.start(200, [])
    out.write(b"x" * (FLUSH_AT - 1))
    assert transport.writes == []
    out.write(b"x")
    assert len(transport.writes) == 1


def test_abort_before_the_head_sends_nothing() -> None:
    out, transport = stream()
    out.start(200, [])
    out.write(b"never sent")
    assert out.abort() is False
    assert (transport.writes, transport.aborted) == ([], False)


def test_abort_after_the_head_cuts_the_connection_without_a_last_chunk() -> None:
    out, transport = stream()
    out.start(200, [])
    out.write(b"partial")
    out.flush()
    out.write(b"lost")
    assert out.abort() is True
    assert transport.aborted
    assert out.keep_alive is False
    _lines, body = split_head(transport.data())
    assert dechunk(body) == (b"partial", False)


@given(pieces=st.lists(st.tuples(st.binary(max_size=300), st.booleans()), min_size=1, max_size=30))
def test_any_writes_and_flushes_decode_to_the_same_body(pieces: list[tuple[bytes, bool]]) -> None:
    out, transport = stream()
    out.start(200, HEADERS)
    for data, flush in pieces:
        out.write(data)
        if flush:
            out.flush()
    out.finish()
    lines, body = split_head(transport.data())
    expected = b"".join(data for data, _ in pieces)
    if "transfer-encoding: chunked" in lines:
        assert dechunk(body) == (expected, True)
    else:
        assert f"content-length: {len(expected)}" in lines
        assert body == expected
    assert out.sent == len(expected)
