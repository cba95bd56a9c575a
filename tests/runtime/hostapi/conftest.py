"""Real parts for the host-API tests: a loopback HTTP server on a free port. The Redis server
(``redis_server``) is in ``tests/runtime/conftest.py``, shared with the end-to-end tests."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

STARTUP_DEADLINE_S = 20.0


@dataclass
class HttpServer:
    port: int
    release: threading.Event
    """Set to let ``/hang`` answer (the server never waits longer than the test)."""
    seen: list[dict[str, str]]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        self.server.seen.append({k.lower(): v for k, v in self.headers.items()})
        if self.path == "/hang":
            self.server.release.wait(timeout=STARTUP_DEADLINE_S)
        if self.path == "/teapot":
            self._reply(418, b"short and stout", [("X-Pot", "yes")])
        else:
            self._reply(200, f"{self.command} {self.path} ".encode() + body, [])

    def _reply(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    release: threading.Event
    seen: list[dict[str, str]]

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away is what the timeout and size-limit tests do (the answer to
        ``/hang`` then meets a closed socket): not an error worth a traceback on stderr."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.release = threading.Event()
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield HttpServer(server.server_address[1], server.release, server.seen)
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join()
