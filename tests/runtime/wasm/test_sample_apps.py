"""The sample apps (Python and JavaScript guests) served through the host; marker `apps`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from spinkube.runtime.wasm.api import ComponentContext, GuestRequest
from spinkube.runtime.wasm.host import WasmComponentHost as Host
from spinkube.runtime.wasm.runtime import WasmRuntime

APPS = Path(__file__).parents[3] / "apps"
pytestmark = pytest.mark.apps


def app_wasm(name: str) -> Path:
    wasm = APPS / name / "app.wasm"
    if not wasm.is_file():
        pytest.skip(f"{wasm} is not built (run scripts/build-apps.sh)")
    return wasm


def load(runtime: WasmRuntime, name: str, files: dict[str, Path] | None = None) -> Host:
    return runtime.load(app_wasm(name), ComponentContext(component_id=name, files=files or {}))


def test_python_hello_answers(
    apps_runtime: WasmRuntime, request_for: Callable[..., GuestRequest]
) -> None:
    response = load(apps_runtime, "hello-python").handle(request_for("/"))
    assert (response.status, response.body) == (200, b"Hello from Python!")
    assert ("content-type", b"text/plain") in response.headers


def test_python_hello_sees_the_request(
    apps_runtime: WasmRuntime, request_for: Callable[..., GuestRequest]
) -> None:
    request = request_for("/echo/x?a=1", b"12345", "POST")
    request.headers.append(("spin-path-info", b"/echo/x"))
    described = json.loads(load(apps_runtime, "hello-python").handle(request).body)
    assert described == {
        "method": "POST",
        "path": "/echo/x",
        "query": "a=1",
        "headers": {"spin-path-info": "/echo/x"},
        "body_length": 5,
    }


def test_python_guest_unprovided_imports_are_listed(apps_runtime: WasmRuntime) -> None:
    unprovided = load(apps_runtime, "hello-python").unprovided_imports
    assert "wasi:sockets/tcp@0.2.0" in unprovided
    assert not any(name.startswith(("fermyon:spin/llm", "wasi:http/")) for name in unprovided)
    assert not any(name.startswith(("wasi:io/", "wasi:cli/")) for name in unprovided)


def test_js_hello_answers(
    apps_runtime: WasmRuntime, request_for: Callable[..., GuestRequest]
) -> None:
    response = load(apps_runtime, "hello-js").handle(request_for("/"))
    assert (response.status, response.body) == (200, b"Hello from JavaScript!")


@pytest.mark.parametrize(
    ("path", "status", "start"),
    [("/static/", 200, b"<!DOCTYPE html>"), ("/static/missing.txt", 404, b"Not Found")],
)
def test_static_files_serve_from_the_mount(
    apps_runtime: WasmRuntime,
    request_for: Callable[..., GuestRequest],
    path: str,
    status: int,
    start: bytes,
) -> None:
    host = load(apps_runtime, "static-files", files={"/": APPS / "static-files" / "static"})
    response = host.handle(request_for(path))
    assert response.status == status
    assert response.body.startswith(start)


def test_variable_explorer_reads_variables_and_prints(
    apps_runtime: WasmRuntime, request_for: Callable[..., GuestRequest]
) -> None:
    variables = {"log_level": "INFO", "platform_name": "Kubernetes", "db_password": "secret"}
    lines: list[tuple[str, str, str]] = []
    host = apps_runtime.load(
        app_wasm("variable-explorer"),
        ComponentContext(component_id="vars", get_variable=variables.get),
        log_line=lambda *line: lines.append(line),
    )
    assert host.handle(request_for("/")).body == b"Hello from Kubernetes"
    assert ("vars", "stdout", "# Platform Name: Kubernetes") in lines
