"""The WAT hello answers through ComponentHost.handle."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from spinkube.runtime.wasm.api import ComponentContext, ComponentHost, GuestRequest
from spinkube.runtime.wasm.runtime import WasmRuntime


def test_wat_hello_answers(
    runtime: WasmRuntime, hello_wasm: Path, request_for: Callable[..., GuestRequest]
) -> None:
    host: ComponentHost = runtime.load(hello_wasm, ComponentContext(component_id="hello"))
    response = host.handle(request_for("/"))
    assert response.status == 200
    assert response.headers == [("content-type", b"text/plain")]
    assert response.body == b"Hello world from Spin!"


def test_each_request_gets_a_fresh_instance(
    runtime: WasmRuntime, hello_wasm: Path, request_for: Callable[..., GuestRequest]
) -> None:
    host = runtime.load(hello_wasm, ComponentContext(component_id="hello"))
    bodies = {host.handle(request_for(f"/{i}")).body for i in range(20)}
    assert bodies == {b"Hello world from Spin!"}
