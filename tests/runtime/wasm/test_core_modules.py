"""Core Wasm modules (as Rust and TinyGo build Spin apps) load and serve like components: turned
into one at load with the WASI preview1 adapter, once per module per compile cache."""

from __future__ import annotations

import hashlib
import logging
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from spinkube.runtime.wasm.adapter import ENV_VAR, AdapterError
from spinkube.runtime.wasm.api import ComponentContext, GuestRequest
from spinkube.runtime.wasm.binary import sections
from spinkube.runtime.wasm.componentize import ComponentizeError
from spinkube.runtime.wasm.runtime import WasmRuntime

from .conftest import APPS, wasm_tools

pytestmark = pytest.mark.apps

Lines = list[tuple[str, str, str]]


def core_app(name: str) -> Path:
    wasm = APPS / name / "app.wasm"
    if not wasm.is_file():
        pytest.skip(f"apps/{name} is not built (run scripts/build-apps.sh)")
    return wasm


def serve(
    runtime: WasmRuntime,
    wasm: Path,
    request: GuestRequest,
    *,
    variables: dict[str, str] | None = None,
    lines: Lines | None = None,
) -> tuple[int, bytes]:
    context = ComponentContext(component_id="core", get_variable=(variables or {}).get)
    out = lines if lines is not None else []
    host = runtime.load(wasm, context, log_line=lambda *line: out.append(line))
    try:
        response = host.handle(request, deadline_s=10.0)
    finally:
        host.close()
    return response.status, response.body


@pytest.fixture
def fresh_runtime(tmp_path: Path):
    runtime = WasmRuntime(cache_dir=tmp_path / "cache")
    yield runtime
    runtime.ticker.stop()


def test_a_core_module_answers_and_its_preview1_output_reaches_the_log(
    fresh_runtime: WasmRuntime, request_for: Callable[..., GuestRequest]
) -> None:
    lines: Lines = []
    status, body = serve(fresh_runtime, core_app("core-hello"), request_for("/"), lines=lines)
    assert (status, body) == (200, b"Hello from a core module!")
    assert lines == [("core", "stdout", "core-hello: handling a request")]


def test_a_core_module_reads_a_variable(
    fresh_runtime: WasmRuntime, request_for: Callable[..., GuestRequest]
) -> None:
    variables = {"greeting": "hi from the host"}
    wasm = core_app("core-variables")
    assert serve(fresh_runtime, wasm, request_for("/"), variables=variables) == (
        200,
        b"hi from the host",
    )


def test_the_conversion_runs_once_per_module_then_the_cache_serves_it(
    tmp_path: Path,
    request_for: Callable[..., GuestRequest],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    wasm = core_app("core-hello")
    caplog.set_level(logging.INFO, logger="spinkube.runtime.wasm")
    first = WasmRuntime(cache_dir=tmp_path)
    assert serve(first, wasm, request_for("/"))[1] == b"Hello from a core module!"
    assert (first.cache.stats.misses, first.cache.stats.hits) == (1, 0)
    digest = hashlib.sha256(wasm.read_bytes()).hexdigest()
    assert first.cache.entry_path(digest).is_file()  # keyed by the module's own digest

    # Without the adapter, only a cache hit can load it: no second conversion.
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "absent.wasm"))
    second = WasmRuntime(cache_dir=tmp_path)
    assert serve(second, wasm, request_for("/"))[1] == b"Hello from a core module!"
    assert (second.cache.stats.misses, second.cache.stats.hits) == (0, 1)
    converted = [r for r in caplog.records if r.getMessage().startswith("componentized core")]
    assert len(converted) == 1
    first.ticker.stop()
    second.ticker.stop()


def test_a_missing_adapter_fails_the_load_naming_it(
    fresh_runtime: WasmRuntime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "absent.wasm"))
    with pytest.raises(AdapterError) as raised:
        fresh_runtime.compile(core_app("core-hello"))
    assert str(raised.value).startswith(
        "the WASI preview1 adapter wasi_snapshot_preview1.reactor.wasm "
        "(lib/wasi_snapshot_preview1.reactor.wasm of npm @bytecodealliance/jco@1.35.0) "
        f"is not installed at {tmp_path / 'absent.wasm'}"
    )


# -- wit-bindgen producers: what Spin reads to pick the adapter --------------------------------


def leb(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def name_bytes(text: str) -> bytes:
    return leb(len(text.encode())) + text.encode()


def with_bindgen_producer(module: bytes, version: str, work: Path) -> bytes:
    """The module with ``wit-bindgen-rust <version>`` added to its component-type producers,
    as a module built with Rust's wit-bindgen carries."""
    out = bytearray(module[:8])
    for section_id, body in sections(module):
        if section_id == 0 and body[1 : 1 + body[0]].startswith(b"component-type"):
            name_len = 1 + body[0]
            inner = work / "inner.wasm"
            inner.write_bytes(body[name_len:])
            tool = str(wasm_tools())
            args = ["metadata", "add", "--processed-by", f"wit-bindgen-rust={version}"]
            subprocess.run([tool, *args, str(inner), "-o", str(inner)], check=True)
            body = body[:name_len] + inner.read_bytes()
        out += bytes([section_id]) + leb(len(body)) + body
    return bytes(out)


def test_a_module_from_wit_bindgen_0_41_is_adapted(
    fresh_runtime: WasmRuntime, tmp_path: Path, request_for: Callable[..., GuestRequest]
) -> None:
    wasm = tmp_path / "rust.wasm"
    wasm.write_bytes(with_bindgen_producer(core_app("core-hello").read_bytes(), "0.41.0", tmp_path))
    assert serve(fresh_runtime, wasm, request_for("/"))[1] == b"Hello from a core module!"


def test_a_module_from_wit_bindgen_0_4_is_refused_as_spin_refuses_it(
    fresh_runtime: WasmRuntime, tmp_path: Path
) -> None:
    wasm = tmp_path / "old.wasm"
    wasm.write_bytes(with_bindgen_producer(core_app("core-hello").read_bytes(), "0.4.0", tmp_path))
    with pytest.raises(ComponentizeError) as raised:
        fresh_runtime.compile(wasm)
    assert str(raised.value) == "cannot adapt modules created with wit-bindgen version 0.4.0"


SPIN1_MODULE = """
(module
  (import "spin-config" "get-config" (func (param i32 i32 i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "canonical_abi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "canonical_abi_free") (param i32 i32 i32))
  (func (export "handle-http-request")
    (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32) (i32.const 0)))
"""


def test_a_spin_1_module_is_refused_in_one_line_naming_its_abi(
    fresh_runtime: WasmRuntime, tmp_path: Path
) -> None:
    wat, wasm = tmp_path / "spin1.wat", tmp_path / "spin1.wasm"
    wat.write_text(SPIN1_MODULE)
    subprocess.run([str(wasm_tools()), "parse", str(wat), "-o", str(wasm)], check=True)
    with pytest.raises(ComponentizeError) as raised:
        fresh_runtime.compile(wasm)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(
        "a core module in Spin's 1.x ABI (wit-bindgen 0.2; exports handle-http-request; "
        "imports spin-config)"
    )
