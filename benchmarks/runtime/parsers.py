"""The server's request reader (llhttp through httptools, plus its own checks and limits)
beside bare httptools and h11.

Usage: python benchmarks/runtime/parsers.py [--heads 100000]

Prints, per parser, the CPU time to parse one typical request head (wrk's, plus a query), and
what each one does with the heads issue 17 names (LF-only, a bare request line, a ``0xff`` target,
NUL or a bare CR in a value, ...). httptools comes with the runtime extra, h11 with httpx. (The
server's hand-written parser, measured here before the server moved to llhttp, is gone: see
results.md.)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from spinkube.runtime.server.parsing import RequestReader

HEAD = (
    b"GET /hello?x=1 HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nUser-Agent: wrk\r\n"
    b"Accept: */*\r\nAccept-Encoding: gzip\r\nConnection: keep-alive\r\n\r\n"
)
CASES = {
    "LF-only head": b"GET /x HTTP/1.1\nHost: a\n\n",
    "bare request line": b"GET /x\r\n\r\n",
    "0xff in the target": b"GET /\xff HTTP/1.1\r\nHost: a\r\n\r\n",
    "NUL in a value": b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n",
    "bare CR in a value": b"GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",
    "content-length and chunked": (
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
    ),
    "obsolete line folding": b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
    "1,000 header lines": b"GET / HTTP/1.1\r\nHost: a\r\n" + b"a:b\r\n" * 1000 + b"\r\n",
}


def server_reader(wire: bytes) -> str:
    reader = RequestReader(max_body=1 << 20)
    reader.feed(wire)
    if reader.refusal is not None:
        return f"refused ({reader.refusal.status} {reader.refusal.reason[:50]})"
    return "accepted" if reader.ready else "waits for more"


def httptools_parser() -> Callable[[bytes], str] | None:
    try:
        import httptools
    except ImportError:
        return None

    class Callbacks:
        """Collects what a server needs, as the hand-written parser does."""

        def __init__(self) -> None:
            self.done = False
            self.url = b""
            self.headers: list[tuple[str, bytes]] = []

        def on_url(self, url: bytes) -> None:
            self.url += url

        def on_header(self, name: bytes, value: bytes) -> None:
            self.headers.append((name.decode("latin-1").lower(), value))

        def on_headers_complete(self) -> None:
            self.done = True

    def parse(wire: bytes) -> str:
        callbacks = Callbacks()
        httptools.HttpRequestParser(callbacks).feed_data(wire)
        return "accepted" if callbacks.done else "waits for more"

    return parse


def h11_parser() -> Callable[[bytes], str] | None:
    try:
        import h11
    except ImportError:
        return None

    def parse(wire: bytes) -> str:
        conn = h11.Connection(h11.SERVER)
        conn.receive_data(wire)
        event = conn.next_event()
        return "waits for more" if event is h11.NEED_DATA else "accepted"

    return parse


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heads", type=int, default=100_000)
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} {platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
        f"load {os.getloadavg()[0]:.1f}; python {platform.python_version()}"
    )
    parsers = {
        "server (RequestReader)": server_reader,
        "httptools": httptools_parser(),
        "h11": h11_parser(),
    }
    for name, parse in parsers.items():
        if parse is None:
            print(f"{name}: not installed")
            continue
        print(f"{name}: {_time_us(parse, args.heads):.2f} µs per head (CPU)")
        for case, wire in CASES.items():
            print(f"  {case:28} {_outcome(parse, wire)}")
    return 0


def _time_us(parse: Callable[[bytes], str], count: int) -> float:
    for _ in range(1000):
        parse(HEAD)
    started = time.process_time()
    for _ in range(count):
        parse(HEAD)
    return (time.process_time() - started) / count * 1e6


def _outcome(parse: Callable[[bytes], str], wire: bytes) -> str:
    with contextlib.suppress(Exception):
        return parse(wire)
    try:
        parse(wire)
    except Exception as exc:
        return f"refused ({type(exc).__name__}: {str(exc)[:50]})"
    return "?"


if __name__ == "__main__":
    sys.exit(main())
