"""Reading and writing ``wasmtime_component_val_t`` arrays at fixed offsets.

A component value is 32 bytes: the kind (``u8``) at +0 and the payload at +8. Strings and
``list``s are (size at +8, data pointer at +16); a ``result`` is (is_ok at +8, boxed value
pointer at +16); an ``option`` is a boxed value pointer at +8 (null for none); a ``variant`` or
``enum`` is its case name (size +8, data +16) and, for variants, the boxed payload at +24.
Everything written into a result slot is allocated by wasmtime, which frees it after the call.
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Callable
from ctypes import string_at

from spinkube.runtime.wasm import capi

VAL_SIZE = 32

Image = ctypes.Array[ctypes.c_char]
"""A 32-byte value built outside a value array, to be boxed into a result, option or variant."""

BOOL, S8, U8, S16, U16, S32, U32, S64, U64 = 0, 1, 2, 3, 4, 5, 6, 7, 8
STRING, LIST, RECORD, TUPLE, VARIANT, ENUM, OPTION, RESULT, FLAGS, RESOURCE = (
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    19,
    20,
    21,
)

_memmove = ctypes.memmove
_u8_at = ctypes.c_uint8.from_address
_u64_at = ctypes.c_uint64.from_address
_QQ = struct.Struct("<QQ")
_HEAD_U64 = struct.Struct("<B7xQ")
_HEAD_U64_PTR = struct.Struct("<B7xQQ")
_HEAD_PTR3 = struct.Struct("<B7xQQQ")


# -- reading arguments ------------------------------------------------------------------------


def arg(args: int, index: int) -> int:
    """Address of argument ``index``."""
    return args + VAL_SIZE * index


def read_u64(addr: int) -> int:
    return _u64_at(addr + 8).value


def read_bool(addr: int) -> bool:
    return _u8_at(addr + 8).value != 0


def read_ptr(addr: int, offset: int = 8) -> int:
    return _u64_at(addr + offset).value


def read_bytes_str(addr: int) -> bytes:
    """The raw bytes of a ``string`` value."""
    size = _u64_at(addr + 8).value
    return string_at(_u64_at(addr + 16).value, size) if size else b""


def read_str(addr: int) -> str:
    return read_bytes_str(addr).decode("utf-8")


def read_list(addr: int) -> tuple[int, int]:
    """(element count, address of the first element) of a ``list`` value."""
    return _u64_at(addr + 8).value, _u64_at(addr + 16).value


def read_u8_list(addr: int) -> bytes:
    """A ``list<u8>`` as bytes, with one strided copy instead of a loop over 32-byte values."""
    size, data = read_list(addr)
    if not size:
        return b""
    values = memoryview((ctypes.c_char * (VAL_SIZE * size)).from_address(data)).cast("B")
    return bytes(values[8::VAL_SIZE])


def read_case(addr: int) -> str:
    """The case name of a ``variant`` or ``enum`` value."""
    return read_str(addr)


def read_option(addr: int) -> int:
    """Address of the payload of an ``option`` value, or 0 for none."""
    return read_ptr(addr)


def describe_err(addr: int) -> str:
    """The ``err`` payload of a ``result`` for a log line: a variant's case and its string
    (``other("...")``), an enum's case, a string, or ``""`` when there is none."""
    payload = read_ptr(addr, 16)
    if not payload:
        return ""
    kind = _u8_at(payload).value
    if kind == STRING:
        return repr(read_str(payload))
    if kind not in (VARIANT, ENUM):
        return ""
    case = read_case(payload)
    inner = read_ptr(payload, 24) if kind == VARIANT else 0
    if inner and _u8_at(inner).value == STRING:
        return f"{case}({read_str(inner)!r})"
    return case


# -- writing results --------------------------------------------------------------------------


def write_u64(addr: int, kind: int, value: int) -> None:
    _u8_at(addr).value = kind
    _u64_at(addr + 8).value = value


def write_bool(addr: int, value: bool) -> None:
    write_u64(addr, BOOL, 1 if value else 0)


def write_resource(addr: int, any_ptr: int) -> None:
    write_u64(addr, RESOURCE, any_ptr)


def write_bytes_str(addr: int, value: bytes) -> None:
    """A ``string`` holding ``value`` (UTF-8), copied into a wasmtime-owned vector."""
    _memmove(addr, b"\x0c", 1)
    capi.byte_vec_new(addr + 8, len(value), value)


def write_str(addr: int, value: str) -> None:
    write_bytes_str(addr, value.encode("utf-8"))


def write_enum(addr: int, case: str) -> None:
    _memmove(addr, b"\x11", 1)
    name = case.encode()
    capi.byte_vec_new(addr + 8, len(name), name)


def write_variant(addr: int, case: str, payload: Image | None = None) -> None:
    """A ``variant`` case; ``payload`` is a 32-byte value image to box, or None for no payload."""
    name = case.encode()
    boxed = box(payload) if payload is not None else 0
    _memmove(addr, _HEAD_PTR3.pack(VARIANT, 0, 0, boxed), 32)
    capi.byte_vec_new(addr + 8, len(name), name)


def write_result(addr: int, ok: bool, payload: Image | None = None) -> None:
    """A ``result``; ``payload`` is a 32-byte value image to box, or None for no payload."""
    boxed = box(payload) if payload is not None else 0
    _memmove(addr, _HEAD_U64_PTR.pack(RESULT, 1 if ok else 0, boxed), 24)


def write_option(addr: int, payload: Image | None) -> None:
    boxed = box(payload) if payload is not None else 0
    _memmove(addr, _HEAD_U64.pack(OPTION, boxed), 16)


def box(image: Image) -> int:
    """Moves a value image into a wasmtime-owned heap value; returns its pointer."""
    return int(capi.val_new(ctypes.addressof(image)))


def image(write: Callable[..., object], *args: object) -> Image:
    """Builds a value image in a scratch buffer with one of the ``write_*`` functions."""
    buf = ctypes.create_string_buffer(VAL_SIZE)
    write(ctypes.addressof(buf), *args)
    return buf


_U8_TEMPLATE = (b"\x02" + bytes(VAL_SIZE - 1)) * 65536
"""64 Ki ``u8`` values of zero: a ``list<u8>`` is this, copied, then its bytes strided in."""


def write_u8_list(addr: int, data: bytes) -> None:
    """A ``list<u8>``: one wasmtime allocation, one copy of the kinds, one strided copy."""
    n = len(data)
    _memmove(addr, b"\x0d", 1)
    capi.vallist_new_uninit(addr + 8, n)
    if not n:
        return
    template = _U8_TEMPLATE if n <= 65536 else (b"\x02" + bytes(VAL_SIZE - 1)) * n
    dst = read_ptr(addr, 16)
    _memmove(dst, template, VAL_SIZE * n)
    memoryview((ctypes.c_char * (VAL_SIZE * n)).from_address(dst)).cast("B")[8::VAL_SIZE] = data


def write_list(addr: int, count: int) -> int:
    """Starts a ``list`` of ``count`` elements; returns the address of the first one to fill."""
    _memmove(addr, b"\x0d", 1)
    capi.vallist_new_uninit(addr + 8, count)
    return read_ptr(addr, 16)


def write_tuple(addr: int, count: int) -> int:
    """Starts a ``tuple``; returns the address of the first element to fill."""
    _memmove(addr, b"\x0f", 1)
    capi.valtuple_new_uninit(addr + 8, count)
    return read_ptr(addr, 16)


RECORD_ENTRY_SIZE = 48
"""A record entry: the field name (16 bytes) and its value (32 bytes)."""


def write_record(addr: int, fields: list[str]) -> list[int]:
    """Starts a ``record``; returns the address of each field's value, in order, to fill."""
    _memmove(addr, b"\x0e", 1)
    capi.valrecord_new_uninit(addr + 8, len(fields))
    base = read_ptr(addr, 16)
    slots = []
    for i, name in enumerate(fields):
        entry = base + RECORD_ENTRY_SIZE * i
        raw = name.encode()
        capi.byte_vec_new(entry, len(raw), raw)
        slots.append(entry + 16)
    return slots


NAME_SIZE = 16


def read_flags(addr: int) -> set[str]:
    """The names set in a ``flags`` value."""
    size, data = read_list(addr)
    names = set()
    for i in range(size):
        length, ptr = _QQ.unpack(string_at(data + NAME_SIZE * i, 16))
        names.add(string_at(ptr, length).decode())
    return names


def write_flags(addr: int, names: list[str]) -> None:
    _memmove(addr, b"\x14", 1)
    capi.valflags_new_uninit(addr + 8, len(names))
    data = read_ptr(addr, 16)
    for i, name in enumerate(names):
        raw = name.encode()
        capi.byte_vec_new(data + NAME_SIZE * i, len(raw), raw)


def read_ptr_of_image(image: Image) -> int:
    """The data pointer (at +16) inside a value image, e.g. of a tuple built with ``image``."""
    return read_ptr(ctypes.addressof(image), 16)
