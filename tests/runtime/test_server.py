"""The HTTP/1.1 server and its pre-fork supervisor, with a Python handler (echo_server.py)."""

from __future__ import annotations

import contextlib
import hashlib
import time

import httpx
import pytest

MAX_BODY = 9 * 1024 * 1024


@pytest.fixture
def server(echo_server):
    return echo_server(max_body=MAX_BODY)


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode()


def test_keep_alive_serves_many_requests_on_one_connection(server, raw) -> None:
    conn = raw(server.port)
    for _ in range(3):
        conn.send(get("/ok"))
        status, headers, body = conn.read_response()
        assert (status, body) == (200, b"ok")
        assert "connection" not in headers


def test_pipelined_requests_are_answered_in_order(server, raw) -> None:
    conn = raw(server.port)
    conn.send(get("/ok") + b"POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc" + get("/ok"))
    answers = [conn.read_response() for _ in range(3)]
    assert [(s, b) for s, _h, b in answers] == [(200, b"ok"), (200, b"abc"), (200, b"ok")]


def test_connection_close_is_honoured(server, raw) -> None:
    conn = raw(server.port)
    conn.send(b"GET /ok HTTP/1.1\r\nConnection: close\r\n\r\n")
    status, headers, _ = conn.read_response()
    assert (status, headers["connection"]) == (200, "close")
    assert conn.is_closed_by_peer()


def test_http10_closes_after_the_response(server, raw) -> None:
    conn = raw(server.port)
    conn.send(b"GET /ok HTTP/1.0\r\n\r\n")
    assert conn.read_response()[0] == 200
    assert conn.is_closed_by_peer()


def test_http10_keep_alive_is_confirmed_and_kept(server, raw) -> None:
    conn = raw(server.port)
    for _ in range(2):
        conn.send(b"GET /ok HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        status, headers, body = conn.read_response()
        assert (status, headers["connection"], body) == (200, "keep-alive", b"ok")


def test_chunked_request_body_arriving_in_pieces(server, raw) -> None:
    conn = raw(server.port)
    conn.send(b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")
    conn.send(b"lo\r\n7;ext=1\r\n, world\r\n")
    conn.send(b"0\r\nx-trailer: yes\r\n\r\n")
    status, headers, body = conn.read_response()
    assert (status, body, headers["x-body-length"]) == (200, b"hello, world", "12")


@pytest.mark.parametrize("size", [0, 1, 65_536, 1024 * 1024, 8 * 1024 * 1024], ids=str)
def test_bodies_round_trip(server, size: int) -> None:
    payload = hashlib.sha256(b"seed").digest() * (size // 32) + b"x" * (size % 32)
    response = httpx.post(server.url("/echo"), content=payload, timeout=60)
    assert response.status_code == 200
    assert hashlib.sha256(response.content).digest() == hashlib.sha256(payload).digest()


def test_streamed_chunked_upload_from_a_client(server) -> None:
    pieces = [b"a" * 10_000, b"b" * 20_000, b"c"]
    response = httpx.post(server.url("/echo"), content=iter(pieces), timeout=30)
    assert response.status_code == 200
    assert response.content == b"".join(pieces)


def test_body_over_the_limit_is_413(server) -> None:
    response = httpx.post(server.url("/echo"), content=b"x" * (MAX_BODY + 1), timeout=30)
    assert response.status_code == 413


def test_chunked_body_over_the_limit_is_413(server, raw) -> None:
    conn = raw(server.port)
    conn.send(b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (1024 * 1024, b"z" * 1024 * 1024)
    with contextlib.suppress(OSError):  # the server may stop reading once it has refused
        for _ in range(10):
            conn.send(chunk)
    status, _headers, _body = conn.read_response()
    assert status == 413


def test_expect_continue_gets_100_before_the_body(server, raw) -> None:
    conn = raw(server.port)
    conn.send(b"POST /echo HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
    assert conn.read_head()[0] == 100
    conn.send(b"data")
    assert conn.read_response()[::2] == (200, b"data")


def test_head_has_length_but_no_body(server, raw) -> None:
    conn = raw(server.port)
    conn.send(b"HEAD /ok HTTP/1.1\r\n\r\n" + get("/pid"))
    status, headers = conn.read_head()
    assert (status, headers["content-length"]) == (200, "2")
    status, _headers, body = conn.read_response()
    assert status == 200
    assert body.isdigit()


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /ok HTTP/2.0\r\n\r\n", 505),
        (b"GET /ok HTTP/1.1\r\nBad Header : x\r\n\r\n", 400),
        (b"POST /echo HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        (b"POST /echo HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        (b"POST /echo HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        (b"POST /echo HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        (b"GET /ok HTTP/1.1\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431),
        (b"GET /ok HTTP/1.1\r\n" + b"a:b\r\n" * 10_000 + b"\r\n", 431),
        (b"GET /ok HTTP/1.1\nHost: x\n\n", 400),
        (b"GET /ok\r\n", 400),
        (b"GET /\xff HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET /ok HTTP/1.1\r\nX-Value: a\x00b\r\n\r\n", 400),
        (b"GET /ok HTTP/1.1\r\nX-Value: a\rb\r\n\r\n", 400),
    ],
    ids=[
        "garbage",
        "http2",
        "space-before-colon",
        "cl-and-te",
        "two-lengths",
        "negative",
        "gzip",
        "huge-head",
        "too-many-headers",
        "lf-only-head",
        "bare-request-line",
        "0xff-in-target",
        "nul-in-value",
        "bare-cr-in-value",
    ],
)
def test_malformed_requests_are_refused(server, raw, request_bytes: bytes, status: int) -> None:
    conn = raw(server.port)
    conn.send(request_bytes)
    assert conn.read_response()[0] == status
    assert conn.is_closed_by_peer()


def test_a_bare_request_line_on_a_kept_connection_gets_400_when_its_line_ends(server, raw) -> None:
    conn = raw(server.port)
    conn.send(get("/ok"))
    assert conn.read_response()[::2] == (200, b"ok")
    conn.send(b"GET /ok\r\n")
    assert conn.read_response()[0] == 400
    assert conn.is_closed_by_peer()


def test_an_h2c_upgrade_with_a_body_is_answered_in_http11_and_the_connection_kept(
    server, raw
) -> None:
    conn = raw(server.port)
    conn.send(
        b"POST /echo HTTP/1.1\r\nHost: test\r\nConnection: Upgrade, HTTP2-Settings\r\n"
        b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nContent-Length: 11\r\n\r\n"
        b"hello=world" + get("/ok")
    )
    status, headers, body = conn.read_response()
    assert (status, body) == (200, b"hello=world")
    assert "upgrade" not in headers
    assert conn.read_response()[::2] == (200, b"ok")


def test_a_failing_handler_gives_500_and_the_worker_keeps_serving(server, raw) -> None:
    conn = raw(server.port)
    conn.send(get("/raise"))
    assert conn.read_response()[0] == 500
    conn.send(get("/ok"))
    assert conn.read_response()[::2] == (200, b"ok")


@pytest.mark.parametrize("path", ["/split", "/lie"])
def test_a_response_the_grammar_forbids_is_never_written(server, raw, path: str) -> None:
    conn = raw(server.port)
    conn.send(get(path) + get("/ok"))
    status, _, body = conn.read_response()
    assert (status, conn.read_response()[2]) == (500, b"ok")
    assert b"forged" not in body
    assert b"0123456789" not in body


def test_a_dead_worker_is_restarted(server) -> None:
    first = httpx.get(server.url("/pid")).text
    with pytest.raises(httpx.TransportError):
        httpx.get(server.url("/exit"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            second = httpx.get(server.url("/pid"), timeout=5).text
            break
        except httpx.TransportError:
            time.sleep(0.05)
    assert second.isdigit()
    assert second != first
    assert "died (exit code 3)" in server.output()


def test_sigterm_finishes_the_request_in_flight_then_exits_0(server, raw) -> None:
    conn = raw(server.port)
    conn.send(b"POST /echo HTTP/1.1\r\nContent-Length: 8\r\nExpect: 100-continue\r\n\r\n")
    assert conn.read_head()[0] == 100  # the server holds a request in flight
    server.process.send_signal(15)
    conn.send(b"finished")
    status, _headers, body = conn.read_response()
    assert (status, body) == (200, b"finished")
    assert server.terminate() == 0
    assert conn.is_closed_by_peer()
    with pytest.raises(httpx.TransportError):
        httpx.get(server.url("/ok"))


def test_idle_keep_alive_connections_are_closed_on_sigterm(server, raw) -> None:
    conn = raw(server.port)
    conn.send(get("/ok"))
    assert conn.read_response()[0] == 200
    assert server.terminate() == 0
    assert conn.is_closed_by_peer()


def test_two_workers_serve_from_separate_processes(echo_server) -> None:
    served = echo_server(workers=2)
    pids = set()
    deadline = time.monotonic() + 30
    while len(pids) < 2 and time.monotonic() < deadline:
        with httpx.Client() as client:  # a new connection each time: SO_REUSEPORT spreads them
            pids.add(client.get(served.url("/pid")).text)
    assert len(pids) == 2


def test_silent_connections_are_closed_after_the_idle_timeout(echo_server, raw) -> None:
    served = echo_server(idle_timeout_s=1.0)
    idle, stalled = raw(served.port), raw(served.port)
    idle.send(get("/ok"))
    assert idle.read_response()[0] == 200
    stalled.send(b"GET /ok HTTP/1.1\r\n")  # a head that never ends
    assert idle.is_closed_by_peer()  # blocks until the server closes it (30 s socket timeout)
    assert stalled.is_closed_by_peer()


def test_a_head_trickling_in_past_its_deadline_gets_408_and_is_closed(echo_server, raw) -> None:
    served = echo_server(head_timeout_s=1.0)  # the idle timeout stays at 60 s
    conn = raw(served.port)
    conn.send(b"GET /ok HTTP/1.1\r\n")
    conn.sock.settimeout(0.2)
    received = b""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            conn.send(b"x")  # one byte of a header name at a time, never a whole line
        try:
            data = conn.sock.recv(1 << 16)
        except TimeoutError:
            continue
        except ConnectionResetError:
            break
        if not data:
            break
        received += data
    assert received.startswith(b"HTTP/1.1 408 ")
