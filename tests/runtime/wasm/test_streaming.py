"""Streamed responses and real timers in the Wasm host, with a recording sink."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from spinkube.runtime.wasm.api import GuestError, GuestRequest, GuestTimeoutError, Headers
from spinkube.runtime.wasm.host import WasmComponentHost

STREAMED = b"first chunk\nsecond chunk\nthird chunk\n"
Event = tuple[str, object]


class RecordingSink:
    """Keeps every call, in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def start(self, status: int, headers: Headers) -> None:
        self.events.append(("start", status))

    def write(self, chunk: bytes) -> None:
        self.events.append(("write", chunk))

    def flush(self) -> None:
        self.events.append(("flush", None))

    def finish(self) -> None:
        self.events.append(("finish", None))

    def body(self) -> bytes:
        return b"".join(e[1] for e in self.events if e[0] == "write")  # type: ignore[misc]


def test_chunks_reach_the_sink_with_a_flush_before_each_wait(
    probe: WasmComponentHost, request_for: Callable[..., GuestRequest]
) -> None:
    sink = RecordingSink()
    response = probe.handle(request_for("/stream"), sink=sink)
    assert (response.status, response.body) == (200, b"")
    assert sink.events[:4] == [
        ("start", 200),
        ("write", b"first chunk\n"),
        ("flush", None),
        ("write", b"second chunk\n"),
    ]
    assert sink.events[-1] == ("finish", None)
    assert sink.body() == STREAMED


def test_without_a_sink_the_streamed_body_is_collected_after_real_sleeps(
    probe: WasmComponentHost, request_for: Callable[..., GuestRequest]
) -> None:
    started = time.monotonic()
    response = probe.handle(request_for("/stream"))
    assert (response.status, response.body) == (200, STREAMED)
    assert time.monotonic() - started >= 1.5  # the guest's sleep really waited


def test_a_guest_that_never_waits_leaves_the_sink_alone(
    probe: WasmComponentHost, request_for: Callable[..., GuestRequest]
) -> None:
    sink = RecordingSink()
    response = probe.handle(request_for("/echo", b"abc", "POST"), sink=sink)
    assert (response.status, response.body, sink.events) == (200, b"abc", [])


def test_writes_after_the_first_wait_go_straight_to_the_sink(
    probe: WasmComponentHost, request_for: Callable[..., GuestRequest]
) -> None:
    sink = RecordingSink()
    payload = bytes(range(256)) * 1024
    response = probe.handle(request_for("/big-stream", payload, "POST"), sink=sink)
    assert response.body == b""
    assert sink.events[:2] == [("start", 200), ("flush", None)]
    assert [e[0] for e in sink.events[2:]] == ["write"] * 4 + ["finish"]
    assert sink.body() == payload


def test_a_trap_after_the_head_raises_without_finishing(
    probe: WasmComponentHost, request_for: Callable[..., GuestRequest]
) -> None:
    sink = RecordingSink()
    with pytest.raises(GuestError, match="unreachable"):
        probe.handle(request_for("/wait-trap"), sink=sink)
    assert sink.events == [("start", 200), ("write", b"partial body\n"), ("flush", None)]
    assert probe.handle(request_for("/")).body == b"hello"


def test_the_deadline_stops_a_sleeping_guest(
    probe: WasmComponentHost, request_for: Callable[..., GuestRequest]
) -> None:
    with pytest.raises(GuestTimeoutError, match=r"exceeded its 0\.3 s deadline in component probe"):
        probe.handle(request_for("/zzz"), deadline_s=0.3)
    assert probe.handle(request_for("/"), deadline_s=0.3).body == b"hello"
