"""The built components: what they export and import, read with `wasm-tools component wit`."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from spinkube.runtime.wasm.binary import module_info

pytestmark = pytest.mark.apps

WitOf = Callable[[Path], str]
WasmOf = Callable[[str], Path]


def interfaces(wit: str, direction: str) -> set[str]:
    return set(re.findall(rf"^  {direction} ([\w:/.@-]+);$", wit, flags=re.MULTILINE))


def test_component_exports_the_wasi_http_0_2_incoming_handler(
    app: str, wasm_of: WasmOf, component_wit: WitOf
) -> None:
    exports = interfaces(component_wit(wasm_of(app)), "export")
    handlers = {e for e in exports if e.startswith("wasi:http/")}
    assert len(handlers) == 1
    assert re.fullmatch(r"wasi:http/incoming-handler@0\.2\.\d+", handlers.pop())


def test_hello_imports_only_the_interfaces_it_calls(wasm_of: WasmOf, component_wit: WitOf) -> None:
    imports = interfaces(component_wit(wasm_of("hello")), "import")
    assert imports == {"wasi:io/error@0.2.0", "wasi:io/streams@0.2.0", "wasi:http/types@0.2.0"}


def test_python_app_is_built_for_the_spin_sdk_3_world(
    python_app: str, wasm_of: WasmOf, component_wit: WitOf
) -> None:
    wit = component_wit(wasm_of(python_app))
    imports = interfaces(wit, "import")
    assert {"fermyon:spin/variables@2.0.0", "fermyon:spin/key-value@2.0.0"} <= imports
    assert "wasi:http/incoming-handler@0.2.0" in interfaces(wit, "export")
    assert not any("@0.3" in name for name in imports)


def test_hello_js_imports_only_wasi(wasm_of: WasmOf, component_wit: WitOf) -> None:
    imports = interfaces(component_wit(wasm_of("hello-js")), "import")
    assert "wasi:http/types@0.2.3" in imports
    assert all(name.startswith("wasi:") for name in imports)


CORE_APPS = {
    "core-hello": set(),
    "core-variables": {"fermyon:spin/variables@2.0.0"},
    "core-kv": {"fermyon:spin/key-value@2.0.0"},
}


@pytest.mark.parametrize("core_app", list(CORE_APPS))
def test_core_app_is_a_preview1_core_module_with_its_world_embedded(
    core_app: str, wasm_of: WasmOf, component_wit: WitOf
) -> None:
    """As Rust's spin-sdk and TinyGo build them: the runtime componentizes it at load."""
    data = wasm_of(core_app).read_bytes()
    assert data[:8] == b"\0asm\x01\x00\x00\x00"
    assert "wasi_snapshot_preview1" in module_info(data).import_modules
    wit = component_wit(wasm_of(core_app))  # the world of its component-type section
    assert interfaces(wit, "export") == {"wasi:http/incoming-handler@0.2.0"}
    spin = {name for name in interfaces(wit, "import") if name.startswith("fermyon:")}
    assert spin == CORE_APPS[core_app]
