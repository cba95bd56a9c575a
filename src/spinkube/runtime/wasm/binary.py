"""What a Wasm binary is, read from its sections: a component, or a core module and its parts.

Only what the componentize decision needs (see ``componentize.py``): the import and export names,
the ``component-type`` custom sections that wit-bindgen (or ``wasm-tools component embed``)
writes, and the ``producers`` entries inside them. Pure: bytes in, data out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

MAGIC = b"\0asm"
MODULE_VERSION = b"\x01\x00\x00\x00"
COMPONENT_VERSION = b"\x0d\x00\x01\x00"

_CUSTOM, _IMPORT, _EXPORT = 0, 2, 7
_FUNC_KIND = 0
REALLOC_EXPORTS = ("cabi_realloc", "canonical_abi_realloc")
"""Canonical-ABI allocators: wit-bindgen has exported both names over time."""


class WasmFormatError(ValueError):
    """The bytes are not a Wasm binary this reader understands."""


@dataclass(frozen=True, slots=True)
class ModuleInfo:
    imports: tuple[tuple[str, str], ...] = ()
    """(module, name) of every import, in order."""
    func_exports: tuple[str, ...] = ()
    component_types: tuple[str, ...] = ()
    """Names of the ``component-type*`` custom sections (the embedded WIT world)."""
    processed_by: dict[str, str] = field(default_factory=dict)
    """``producers`` ``processed-by`` entries found inside the component-type sections."""

    @property
    def import_modules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(module for module, _ in self.imports))

    @property
    def has_start_export(self) -> bool:
        return "_start" in self.func_exports

    @property
    def realloc_export(self) -> str | None:
        return next((name for name in self.func_exports if name in REALLOC_EXPORTS), None)

    @property
    def wit_bindgen_version(self) -> str | None:
        """The version of the first ``wit-bindgen*`` processor, as Spin reads it."""
        return next((v for k, v in self.processed_by.items() if k.startswith("wit-bindgen")), None)


def encoding(data: bytes) -> str:
    """``"module"`` or ``"component"``, from the preamble."""
    if data[:4] != MAGIC:
        raise WasmFormatError("not a WebAssembly binary (no \\0asm magic)")
    if data[4:8] == MODULE_VERSION:
        return "module"
    if data[4:8] == COMPONENT_VERSION:
        return "component"
    raise WasmFormatError(f"unknown WebAssembly binary version {data[4:8].hex()}")


def module_info(data: bytes) -> ModuleInfo:
    """The parts of a core module that decide how it becomes a component."""
    if encoding(data) != "module":
        raise WasmFormatError("a component, not a core module")
    imports: list[tuple[str, str]] = []
    exports: list[str] = []
    types: list[str] = []
    processed_by: dict[str, str] = {}
    for section_id, body in sections(data):
        if section_id == _IMPORT:
            imports.extend(_imports(body))
        elif section_id == _EXPORT:
            exports.extend(_func_exports(body))
        elif section_id == _CUSTOM:
            name, payload = _custom(body)
            if name.startswith("component-type"):
                types.append(name)
                processed_by.update(_inner_processed_by(payload))
    return ModuleInfo(tuple(imports), tuple(exports), tuple(types), processed_by)


def sections(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(id, body) of each top-level section of a module or component."""
    reader = _Reader(data, 8)
    while not reader.done:
        section_id = reader.byte()
        yield section_id, reader.take(reader.u32())


def _imports(body: bytes) -> Iterator[tuple[str, str]]:
    reader = _Reader(body)
    for _ in range(reader.u32()):
        module, name = reader.name(), reader.name()
        _skip_import_type(reader)
        yield module, name


def _skip_import_type(reader: _Reader) -> None:
    kind = reader.byte()
    if kind == 0:  # func: type index
        reader.u32()
    elif kind == 1:  # table: reftype (one byte, or 0x63/0x64 + heap type), limits
        if reader.byte() in (0x63, 0x64):
            reader.s33()
        _skip_limits(reader)
    elif kind == 2:  # memory: limits
        _skip_limits(reader)
    elif kind == 3:  # global: valtype, mutability
        if reader.byte() in (0x63, 0x64):
            reader.s33()
        reader.byte()
    elif kind == 4:  # tag: attribute, type index
        reader.byte()
        reader.u32()
    else:
        raise WasmFormatError(f"unknown import kind {kind:#x}")


def _skip_limits(reader: _Reader) -> None:
    flags = reader.byte()
    reader.u64()
    if flags & 1:
        reader.u64()
    if flags & 8:  # custom page size
        reader.u32()


def _func_exports(body: bytes) -> Iterator[str]:
    reader = _Reader(body)
    for _ in range(reader.u32()):
        name, kind = reader.name(), reader.byte()
        reader.u32()
        if kind == _FUNC_KIND:
            yield name


def _custom(body: bytes) -> tuple[str, bytes]:
    reader = _Reader(body)
    name = reader.name()
    return name, body[reader.pos :]


def _inner_processed_by(payload: bytes) -> dict[str, str]:
    """The ``processed-by`` field of the producers section inside a component-type payload
    (an encoded WIT package: a component binary)."""
    try:
        for section_id, body in sections(payload):
            if section_id == _CUSTOM:
                name, producers = _custom(body)
                if name == "producers":
                    return _processed_by(producers)
    except (IndexError, UnicodeDecodeError, WasmFormatError):
        return {}
    return {}


def _processed_by(body: bytes) -> dict[str, str]:
    reader = _Reader(body)
    for _ in range(reader.u32()):
        field_name = reader.name()
        values = {reader.name(): reader.name() for _ in range(reader.u32())}
        if field_name == "processed-by":
            return values
    return {}


class _Reader:
    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    @property
    def done(self) -> bool:
        return self.pos >= len(self.data)

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise WasmFormatError("unexpected end of the WebAssembly binary")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def u32(self) -> int:
        return self.u64()

    def u64(self) -> int:
        result = shift = 0
        while True:
            byte = self.byte()
            result |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return result

    def s33(self) -> None:
        self.u64()  # skipped: only its length matters

    def take(self, size: int) -> bytes:
        end = self.pos + size
        if end > len(self.data):
            raise WasmFormatError("a section runs past the end of the WebAssembly binary")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def name(self) -> str:
        return self.take(self.u32()).decode("utf-8")
