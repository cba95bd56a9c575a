"""The sample guests answer through ComponentHost.handle."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from spinkube.runtime.wasm.api import ComponentContext, ComponentHost, GuestRequest
from spinkube.runtime.wasm.runtime import WasmRuntime

APPS = Path(__file__).parents[3] / "apps"


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


def app_wasm(name: str) -> Path:
    wasm = APPS / name / "app.wasm"
    if not wasm.is_file():
        pytest.skip(f"{wasm} is not built (run scripts/build-apps.sh)")
    return wasm


@pytest.mark.apps
def test_python_hello_answers(
    apps_runtime: WasmRuntime, request_for: Callable[..., GuestRequest]
) -> None:
    host = apps_runtime.load(app_wasm("hello-python"), ComponentContext(component_id="py"))
    response = host.handle(request_for("/"))
    assert (response.status, response.body) == (200, b"Hello from Python!")
    assert ("content-type", b"text/plain") in response.headers


@pytest.mark.apps
def test_python_hello_sees_the_request(
    apps_runtime: WasmRuntime, request_for: Callable[..., GuestRequest]
) -> None:
    host = apps_runtime.load(app_wasm("hello-python"), ComponentContext(component_id="py"))
    request = request_for("/echo/x?a=1", b"12345", "POST")
    request.headers.append(("spin-path-info", b"/echo/x"))
    described = json.loads(host.handle(request).body)
    assert described == {
        "method": "POST",
        "path": "/echo/x",
        "query": "a=1",
        "headers": {"spin-path-info": "/echo/x"},
        "body_length": 5,
    }


@pytest.mark.apps
def test_python_guest_unprovided_imports_are_listed(apps_runtime: WasmRuntime) -> None:
    host = apps_runtime.load(app_wasm("hello-python"), ComponentContext(component_id="py"))
    assert "fermyon:spin/llm@2.0.0" in host.unprovided_imports
    assert "wasi:http/outgoing-handler@0.2.0" in host.unprovided_imports
    assert not any(name.startswith("wasi:io/") for name in host.unprovided_imports)
