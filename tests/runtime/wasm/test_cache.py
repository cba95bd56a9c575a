"""The compile cache: warm loads deserialize, bad entries are recompiled, keys are exact."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from spinkube.runtime.wasm.api import ComponentContext, GuestRequest
from spinkube.runtime.wasm.cache import default_cache_dir
from spinkube.runtime.wasm.engine import EngineSettings
from spinkube.runtime.wasm.runtime import WasmRuntime, precompile


def serve_hello(runtime: WasmRuntime, wasm: Path, request: GuestRequest) -> bytes:
    return runtime.load(wasm, ComponentContext(component_id="hello")).handle(request).body


def test_second_load_deserializes_the_cached_entry(
    tmp_path: Path, hello_wasm: Path, request_for: Callable[..., GuestRequest]
) -> None:
    first = WasmRuntime(cache_dir=tmp_path)
    assert serve_hello(first, hello_wasm, request_for("/")) == b"Hello world from Spin!"
    assert (first.cache.stats.misses, first.cache.stats.hits) == (1, 0)

    second = WasmRuntime(cache_dir=tmp_path)
    assert serve_hello(second, hello_wasm, request_for("/")) == b"Hello world from Spin!"
    assert (second.cache.stats.misses, second.cache.stats.hits) == (0, 1)


@pytest.mark.parametrize("damage", ["flip-a-byte", "truncate", "wrong-key", "no-sidecar"])
def test_a_bad_entry_is_recompiled(
    tmp_path: Path, hello_wasm: Path, request_for: Callable[..., GuestRequest], damage: str
) -> None:
    entry = precompile(hello_wasm, cache_dir=tmp_path)
    sidecar = entry.with_suffix(".json")
    blob = bytearray(entry.read_bytes())
    if damage == "flip-a-byte":
        blob[len(blob) // 2] ^= 0xFF
        entry.write_bytes(bytes(blob))
    elif damage == "truncate":
        entry.write_bytes(bytes(blob[: len(blob) // 2]))
    elif damage == "wrong-key":
        meta = json.loads(sidecar.read_text())
        sidecar.write_text(json.dumps({**meta, "key": "0" * 64}))
    else:
        sidecar.unlink()

    runtime = WasmRuntime(cache_dir=tmp_path)
    assert serve_hello(runtime, hello_wasm, request_for("/")) == b"Hello world from Spin!"
    assert runtime.cache.stats.misses == 1
    assert runtime.cache.stats.hits == 0
    again = WasmRuntime(cache_dir=tmp_path)
    again.compile(hello_wasm)
    assert (again.cache.stats.hits, again.cache.stats.misses) == (1, 0)


def test_entries_are_keyed_by_digest_and_engine_settings(tmp_path: Path, hello_wasm: Path) -> None:
    pooled = precompile(hello_wasm, cache_dir=tmp_path)
    plain = precompile(hello_wasm, cache_dir=tmp_path, settings=EngineSettings(pooling=False))
    assert pooled != plain
    assert pooled.parent == tmp_path
    assert pooled.name.split("-")[0] == plain.name.split("-")[0]
    assert len(pooled.name.split("-")[0]) == 64
    assert not list(tmp_path.glob(".tmp-*"))


def test_precompile_then_serve_loads_without_compiling(
    tmp_path: Path, hello_wasm: Path, request_for: Callable[..., GuestRequest]
) -> None:
    precompile(hello_wasm, cache_dir=tmp_path)
    runtime = WasmRuntime(cache_dir=tmp_path)
    assert serve_hello(runtime, hello_wasm, request_for("/")) == b"Hello world from Spin!"
    assert (runtime.cache.stats.hits, runtime.cache.stats.misses) == (1, 0)


def test_default_cache_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "spinkube" / "wasm"


@pytest.mark.parametrize("damage", ["none", "flip-a-byte", "wrong-key", "no-sidecar"])
def test_verify_accepts_only_a_good_entry(tmp_path: Path, hello_wasm: Path, damage: str) -> None:
    entry = precompile(hello_wasm, cache_dir=tmp_path)
    sidecar = entry.with_suffix(".json")
    if damage == "flip-a-byte":
        blob = bytearray(entry.read_bytes())
        blob[len(blob) // 2] ^= 0xFF
        entry.write_bytes(bytes(blob))
    elif damage == "wrong-key":
        sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), "key": "0" * 64}))
    elif damage == "no-sidecar":
        sidecar.unlink()
    digest = hashlib.sha256(hello_wasm.read_bytes()).hexdigest()

    assert WasmRuntime(cache_dir=tmp_path).cache.verify(digest) is (damage == "none")


def test_a_verified_digest_loads_the_entry_without_reading_the_wasm(
    tmp_path: Path, hello_wasm: Path, request_for: Callable[..., GuestRequest]
) -> None:
    """What forked workers do after the parent verified the entry: no second hashing."""
    copy = tmp_path / "hello.wasm"
    copy.write_bytes(hello_wasm.read_bytes())
    precompile(copy, cache_dir=tmp_path / "cache")
    digest = hashlib.sha256(copy.read_bytes()).hexdigest()
    copy.unlink()  # a load that read the wasm would fail now

    runtime = WasmRuntime(cache_dir=tmp_path / "cache")
    host = runtime.load(copy, ComponentContext(component_id="hello"), verified_digest=digest)
    assert host.handle(request_for("/")).body == b"Hello world from Spin!"
    assert (runtime.cache.stats.hits, runtime.cache.stats.misses) == (1, 0)
