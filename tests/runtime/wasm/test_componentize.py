"""How a core module becomes a component: Spin's decision, read from the module's sections."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from spinkube.runtime.wasm.adapter import PREVIEW1_REACTOR, AdapterError, load_adapter
from spinkube.runtime.wasm.binary import ModuleInfo, WasmFormatError, encoding, module_info
from spinkube.runtime.wasm.componentize import ComponentizeError, decide

from .conftest import ROOT, wasm_tools

PREVIEW1_IMPORT = ("wasi_snapshot_preview1", "fd_write")
WORLD = ("component-type",)


@pytest.mark.parametrize(
    ("module", "adapt"),
    [
        pytest.param(
            ModuleInfo(
                imports=(PREVIEW1_IMPORT,),
                component_types=WORLD,
                processed_by={"wit-bindgen-rust": "0.41.0"},
            ),
            True,
            id="rust-spin-sdk-wit-bindgen-0.41",
        ),
        pytest.param(
            ModuleInfo(
                imports=(PREVIEW1_IMPORT,),
                component_types=WORLD,
                processed_by={"wit-component": "0.2", "wit-bindgen-c": "0.5"},
            ),
            True,
            id="tinygo-wit-bindgen-c-0.5",
        ),
        pytest.param(
            ModuleInfo(component_types=WORLD, processed_by={"wit-component": "0.262.0"}),
            False,
            id="embedded-world-no-preview1",
        ),
        pytest.param(
            ModuleInfo(imports=(PREVIEW1_IMPORT,), component_types=WORLD, func_exports=("_start",)),
            True,
            id="start-export-but-a-world",
        ),
    ],
)
def test_modules_spin_adapts_get_the_preview1_reactor_when_they_import_preview1(
    module: ModuleInfo, adapt: bool
) -> None:
    assert decide(module).adapt_preview1 is adapt


@pytest.mark.parametrize(
    ("module", "message"),
    [
        pytest.param(
            ModuleInfo(component_types=WORLD, processed_by={"wit-bindgen-rust": "0.4.0"}),
            "cannot adapt modules created with wit-bindgen version 0.4.0",
            id="wit-bindgen-too-old",
        ),
        pytest.param(
            ModuleInfo(component_types=WORLD, processed_by={"wit-bindgen-rust": "1.0.0"}),
            "cannot adapt modules created with wit-bindgen version 1.0.0",
            id="wit-bindgen-1",
        ),
        pytest.param(
            ModuleInfo(component_types=WORLD, processed_by={"wit-bindgen-rust": "0.41.0.1"}),
            "cannot adapt modules created with wit-bindgen version 0.41.0.1",
            id="wit-bindgen-four-parts",
        ),
        pytest.param(
            ModuleInfo(
                imports=(
                    ("spin-config", "get-config"),
                    ("wasi-outbound-http", "request"),
                    PREVIEW1_IMPORT,
                ),
                func_exports=("canonical_abi_realloc", "handle-http-request"),
            ),
            "a core module in Spin's 1.x ABI (wit-bindgen 0.2; exports "
            "handle-http-request; imports spin-config, wasi-outbound-http): it needs Spin's own "
            "1.x adapter, which spinkube-runtime does not have; rebuild it with a Spin 2 or "
            "later SDK",
            id="spin-1-tinygo",
        ),
        pytest.param(
            ModuleInfo(imports=(PREVIEW1_IMPORT,), func_exports=("_start", "memory")),
            "a WASI preview1 command module (exports _start, no wit-bindgen world): "
            "Spin runs those only with its WAGI executor, which spinkube-runtime does not serve",
            id="wasi-command",
        ),
        pytest.param(
            ModuleInfo(
                imports=(("key-value", "open"), ("env", "abort")),
                func_exports=("canonical_abi_realloc",),
            ),
            "a core module in Spin's 1.x ABI (wit-bindgen 0.2; exports canonical_abi_realloc; "
            "imports key-value): it needs Spin's own 1.x adapter, which spinkube-runtime does not "
            "have; rebuild it with a Spin 2 or later SDK",
            id="spin-1-no-handler",
        ),
        pytest.param(
            ModuleInfo(imports=(("env", "abort"),), func_exports=("add",)),
            "a core module with no component-type section (no WIT world) and no Spin "
            "handler export: not a Spin component",
            id="plain-module",
        ),
    ],
)
def test_modules_that_cannot_run_get_one_line_naming_what_was_found(
    module: ModuleInfo, message: str
) -> None:
    with pytest.raises(ComponentizeError) as raised:
        decide(module)
    assert str(raised.value) == message


def parse_wat(text: str, tmp_path: Path) -> bytes:
    wat, out = tmp_path / "m.wat", tmp_path / "m.wasm"
    wat.write_text(text)
    subprocess.run([str(wasm_tools()), "parse", str(wat), "-o", str(out)], check=True)
    return out.read_bytes()


def test_module_info_reads_imports_exports_and_the_embedded_world(tmp_path: Path) -> None:
    core_hello = ROOT / "apps" / "core-hello" / "app.wasm"
    if not core_hello.is_file():
        pytest.skip("apps/core-hello is not built (run scripts/build-apps.sh)")
    parsed = module_info(core_hello.read_bytes())
    assert PREVIEW1_IMPORT in parsed.imports
    assert ("wasi:http/types@0.2.0", "[constructor]outgoing-response") in parsed.imports
    assert "wasi:http/incoming-handler@0.2.0#handle" in parsed.func_exports
    assert parsed.realloc_export == "cabi_realloc"
    assert parsed.component_types == ("component-type",)
    assert set(parsed.processed_by) == {"wit-component"}
    assert parsed.wit_bindgen_version is None


def test_module_info_reads_every_import_kind(tmp_path: Path) -> None:
    data = parse_wat(
        """(module
          (import "a" "f" (func))
          (import "b" "t" (table 1 2 funcref))
          (import "c" "m" (memory 1 3))
          (import "d" "g" (global (mut i32)))
          (import "e" "f2" (func (param i32)))
          (func (export "_start")) (memory (export "mem") 1))""",
        tmp_path,
    )
    parsed = module_info(data)
    assert parsed.import_modules == ("a", "b", "c", "d", "e")
    assert parsed.func_exports == ("_start",)
    assert parsed.has_start_export


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"\0asm\x01\x00\x00\x00\x02\x10", "a section runs past the end"),
        (b"\0asm\x0d\x00\x01\x00", "a component, not a core module"),
        (b"(module)", "not a WebAssembly binary"),
        (b"\0asm\x02\x00\x00\x00", "unknown WebAssembly binary version 02000000"),
    ],
)
def test_module_info_refuses_what_is_not_a_core_module(data: bytes, error: str) -> None:
    with pytest.raises(WasmFormatError, match=error):
        module_info(data)


def test_encoding_tells_modules_from_components() -> None:
    assert encoding(b"\0asm\x01\x00\x00\x00") == "module"
    assert encoding(b"\0asm\x0d\x00\x01\x00") == "component"


# -- the adapter ------------------------------------------------------------------------------


def test_adapter_pins_agree_with_the_fetch_script_and_the_js_lockfile() -> None:
    script = (ROOT / "scripts" / "fetch-adapter.sh").read_text()
    pins = dict(re.findall(r"^([A-Z0-9]+)=(\S+)$", script, flags=re.MULTILINE))
    assert pins["PACKAGE"] == PREVIEW1_REACTOR.package
    assert pins["VERSION"] == PREVIEW1_REACTOR.version
    assert pins["MEMBER"] == PREVIEW1_REACTOR.member
    assert pins["SHA256"] == PREVIEW1_REACTOR.sha256
    lock = json.loads((ROOT / "apps" / "hello-js" / "package-lock.json").read_text())
    jco = lock["packages"][f"node_modules/{PREVIEW1_REACTOR.package}"]
    assert jco["version"] == PREVIEW1_REACTOR.version


def test_the_installed_adapter_is_the_pinned_one() -> None:
    """scripts/setup.sh installs it into the venv, where the runtime looks by default."""
    path = load_adapter()
    assert path.name == "wasi_snapshot_preview1.reactor.wasm"


def test_a_missing_adapter_is_named_with_where_it_comes_from(tmp_path: Path) -> None:
    with pytest.raises(AdapterError) as raised:
        load_adapter(path=tmp_path / "nothing.wasm")
    assert str(raised.value) == (
        "the WASI preview1 adapter wasi_snapshot_preview1.reactor.wasm "
        "(lib/wasi_snapshot_preview1.reactor.wasm of npm @bytecodealliance/jco@1.35.0) is not "
        f"installed at {tmp_path / 'nothing.wasm'}: run scripts/fetch-adapter.sh "
        "(scripts/setup.sh does) or set SPINKUBE_WASI_ADAPTER"
    )


def test_an_adapter_with_another_digest_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "wasi_snapshot_preview1.reactor.wasm"
    fake.write_bytes(b"\0asm\x01\x00\x00\x00")
    with pytest.raises(AdapterError, match=f"not the pinned {PREVIEW1_REACTOR.sha256}"):
        load_adapter(path=fake)
