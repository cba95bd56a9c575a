"""Streamed responses over real sockets: `spinkube-runtime up` serving the probe guest, whose
``/stream`` writes three chunks with sleeps between them and ``/wait-trap`` traps mid-body."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import ChunkedBody

pytestmark = pytest.mark.apps

STREAMED = b"first chunk\nsecond chunk\nthird chunk\n"
MANIFEST = """
spin_manifest_version = 2
[application]
name = "streaming"
[[trigger.http]]
route = "/..."
component = "probe"
[component.probe]
source = "{probe}"
"""


@pytest.fixture
def app(tmp_path: Path, probe_wasm: Path) -> Path:
    app = tmp_path / "streaming"
    app.mkdir()
    (app / "spin.toml").write_text(MANIFEST.format(probe=probe_wasm))
    return app


@pytest.fixture
def served(run_runtime, app: Path):
    return run_runtime(app)


class Client:
    """A blocking socket client that reads exactly as far as it is asked to."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""

    def request(self, method: str, path: str, version: str = "1.1") -> None:
        self.sock.sendall(f"{method} {path} HTTP/{version}\r\nHost: test\r\n\r\n".encode())

    def read_until(self, marker: bytes) -> bytes:
        """Everything received so far once it contains ``marker`` (one blocking read at a time)."""
        while marker not in self.buf:
            data = self.sock.recv(1 << 16)
            if not data:
                raise ConnectionError(f"closed before {marker!r}: {self.buf!r}")
            self.buf += data
        return self.buf

    def read_to_close(self) -> bytes:
        try:
            while data := self.sock.recv(1 << 16):
                self.buf += data
        except ConnectionResetError:
            pass
        return self.buf

    def head(self) -> tuple[list[str], bytes]:
        """The head lines of the first response and what followed it (kept in the buffer)."""
        data = self.read_until(b"\r\n\r\n")
        head, _, self.buf = data.partition(b"\r\n\r\n")
        return head.decode("latin-1").lower().split("\r\n"), self.buf

    def chunked_body(self) -> bytes:
        """The decoded body of a chunked response; nothing may follow its last chunk."""
        decoded = ChunkedBody().feed(self.read_until(b"0\r\n\r\n"))
        while not decoded.complete:
            data = self.sock.recv(1 << 16)
            if not data:
                raise ConnectionError(f"closed before the last chunk: {bytes(decoded.data)!r}")
            decoded.feed(data)
        assert not decoded.followed
        self.buf = b""
        return bytes(decoded.data)


@pytest.fixture
def connect() -> Iterator:
    opened: list[Client] = []

    def make(port: int) -> Client:
        opened.append(Client(port))
        return opened[-1]

    yield make
    for client in opened:
        client.sock.close()


def test_the_first_chunk_arrives_while_the_guest_sleeps(served, connect) -> None:
    client = connect(served.port)
    client.request("GET", "/stream")
    lines, _ = client.head()
    assert lines[0] == "http/1.1 200 ok"
    assert "transfer-encoding: chunked" in lines
    assert not any(line.startswith("content-length") for line in lines)
    so_far = client.read_until(b"first chunk\n\r\n")
    # The guest sleeps 1.5 s before its second write: this read returned before it did.
    assert b"second chunk" not in so_far
    assert client.chunked_body() == STREAMED
    # keep-alive: the same connection serves the next request
    client.request("GET", "/")
    lines, _ = client.head()
    assert lines[0] == "http/1.1 200 ok"
    assert client.read_until(b"hello") == b"hello"
    served.terminate()
    assert '"GET /stream HTTP/1.1" 200 37 ' in served.output()


def test_http10_clients_get_a_close_delimited_body(served, connect) -> None:
    client = connect(served.port)
    client.request("GET", "/stream", version="1.0")
    lines, _ = client.head()
    assert "connection: close" in lines
    assert not any(line.startswith(("content-length", "transfer-encoding")) for line in lines)
    assert client.read_to_close() == STREAMED


def test_a_trap_after_the_head_aborts_the_connection_and_the_next_is_served(
    served, connect
) -> None:
    client = connect(served.port)
    client.request("GET", "/wait-trap")
    lines, _ = client.head()
    assert lines[0] == "http/1.1 200 ok"
    received = client.read_to_close()
    assert received.startswith(b"d\r\npartial body\n\r\n")
    assert not received.endswith(b"0\r\n\r\n")
    assert httpx.get(served.url("/")).text == "hello"
    assert "connection aborted" in served.output()


def test_head_sends_no_body(served, connect) -> None:
    client = connect(served.port)
    client.request("HEAD", "/stream")
    lines, rest = client.head()
    assert lines[0] == "http/1.1 200 ok"
    assert f"content-length: {len(STREAMED)}" in lines
    assert rest == b""
    client.request("GET", "/")
    lines, _ = client.head()
    assert lines[0] == "http/1.1 200 ok"  # no body bytes came before this head
    assert client.read_until(b"hello") == b"hello"


def test_an_8_mib_streamed_body_arrives_intact(served) -> None:
    payload = (hashlib.sha256(b"y").hexdigest().encode() * (8 * 1024 * 1024 // 64))[: 8 << 20]
    response = httpx.post(served.url("/big-stream"), content=payload, timeout=120)
    assert response.status_code == 200
    assert response.headers["transfer-encoding"] == "chunked"
    assert hashlib.sha256(response.content).digest() == hashlib.sha256(payload).digest()


def test_a_guest_that_never_waits_is_answered_with_content_length(served) -> None:
    response = httpx.post(served.url("/echo"), content=b"x" * 100_000)
    assert response.headers["content-length"] == "100000"
    assert "transfer-encoding" not in response.headers


def test_the_deadline_interrupts_a_sleeping_guest(run_runtime, app: Path) -> None:
    served = run_runtime(app, "--request-timeout", "0.3")
    with httpx.Client(timeout=30) as client:
        assert client.get(served.url("/zzz")).status_code == 500  # it sleeps 60 s
        assert client.get(served.url("/")).text == "hello"
    assert "exceeded its 0.3 s deadline" in served.output()
