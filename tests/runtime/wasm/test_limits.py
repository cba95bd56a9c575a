"""Traps, deadlines, memory limits and missing responses become GuestErrors, and the host
keeps serving afterwards."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from spinkube.runtime.wasm.api import (
    ComponentContext,
    GuestError,
    GuestRequest,
    GuestTimeoutError,
)
from spinkube.runtime.wasm.host import WasmComponentHost
from spinkube.runtime.wasm.runtime import WasmRuntime

FAILURES = [
    ("/trap", None, "guest trapped: wasm `unreachable` instruction executed in component probe"),
    ("/loop", 0.2, "guest exceeded its 0.2 s deadline in component probe"),
    ("/grow", None, "guest trapped: wasm `unreachable` instruction executed in component probe"),
    ("/none", None, "component probe returned without setting a response"),
    (
        "/unprovided",
        None,
        "guest trapped: the host does not provide "
        "wasi:sockets/instance-network@0.2.0#instance-network in component probe",
    ),
]


@pytest.mark.parametrize(
    ("path", "deadline", "message"), FAILURES, ids=[p.strip("/") for p, _, _ in FAILURES]
)
def test_failure_is_a_guest_error_and_the_host_keeps_serving(
    probe: WasmComponentHost,
    request_for: Callable[..., GuestRequest],
    path: str,
    deadline: float | None,
    message: str,
) -> None:
    with pytest.raises(GuestError) as raised:
        probe.handle(request_for(path), deadline_s=deadline)
    assert str(raised.value) == message
    assert isinstance(raised.value, GuestTimeoutError) == (deadline is not None)
    assert probe.handle(request_for("/")).body == b"hello"


def test_deadline_does_not_cut_a_quick_request(
    probe: WasmComponentHost, request_for: Callable[..., GuestRequest]
) -> None:
    assert probe.handle(request_for("/"), deadline_s=2.0).body == b"hello"


def test_repeated_deadlines_keep_the_host_serving(
    probe: WasmComponentHost, request_for: Callable[..., GuestRequest]
) -> None:
    for _ in range(3):
        with pytest.raises(GuestTimeoutError, match="deadline"):
            probe.handle(request_for("/loop"), deadline_s=0.05)
        assert probe.handle(request_for("/echo", b"still here", "POST")).body == b"still here"


def test_unprovided_interfaces_are_listed_at_load(probe: WasmComponentHost) -> None:
    assert probe.unprovided_imports == [
        "wasi:sockets/network@0.2.0",
        "wasi:sockets/instance-network@0.2.0",
    ]


def test_an_instance_bigger_than_the_limit_does_not_start(
    tmp_path: Path, probe_wasm: Path, request_for: Callable[..., GuestRequest]
) -> None:
    runtime = WasmRuntime(cache_dir=tmp_path, max_instance_memory=64 << 10)
    host = runtime.load(probe_wasm, ComponentContext(component_id="small"))
    with pytest.raises(GuestError, match=r"^cannot instantiate component small: memory minimum"):
        host.handle(request_for("/"))
