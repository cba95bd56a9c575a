"""The value cases of the relational interfaces, as codecs over component values.

A :class:`Codec` reads and writes one WIT type (``s32``, ``string``, ``tuple<...>``,
``option<T>``, ``list<T>``, a record...); each interface version is a table of its
``db-value`` / ``parameter-value`` cases and their payload's codec: v2's ``rdbms-types``
(PostgreSQL and MySQL), ``spin:postgres@3`` (adds dates and times) and ``@4`` (adds uuid, jsonb,
decimal, ranges, arrays, intervals and ``unsupported``'s raw bytes). Python payloads are the ones
:data:`spinkube.runtime.hostapi.rdbms.DbValue` describes.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from spinkube.runtime.hostapi.rdbms import DbValue
from spinkube.runtime.wasm import vals

VAL = vals.VAL_SIZE
RECORD_ENTRY = vals.RECORD_ENTRY_SIZE
F32, F64 = 9, 10
_u8_at = ctypes.c_uint8.from_address


@dataclass(frozen=True, slots=True)
class Codec:
    read: Callable[[int], Any]
    write: Callable[[int, Any], None]

    def image(self, value: Any) -> vals.Image:
        return vals.image(self.write, value)


def number(ctype: type[Any], kind: int) -> Codec:
    def read(addr: int) -> Any:
        return ctype.from_address(addr + 8).value

    def write(addr: int, value: Any) -> None:
        _u8_at(addr).value = kind
        ctype.from_address(addr + 8).value = value

    return Codec(read, write)


def tuple_of(*items: Codec) -> Codec:
    def read(addr: int) -> tuple[Any, ...]:
        _, first = vals.read_list(addr)
        return tuple(item.read(first + VAL * i) for i, item in enumerate(items))

    def write(addr: int, value: tuple[Any, ...]) -> None:
        first = vals.write_tuple(addr, len(items))
        for i, (item, part) in enumerate(zip(items, value, strict=True)):
            item.write(first + VAL * i, part)

    return Codec(read, write)


def record_of(*fields: tuple[str, Codec]) -> Codec:
    """A record, as a tuple of its fields in WIT order."""
    names = [name for name, _ in fields]

    def read(addr: int) -> tuple[Any, ...]:
        _, base = vals.read_list(addr)
        return tuple(c.read(base + RECORD_ENTRY * i + 16) for i, (_, c) in enumerate(fields))

    def write(addr: int, value: tuple[Any, ...]) -> None:
        slots = vals.write_record(addr, names)
        for slot, (_, codec), part in zip(slots, fields, value, strict=True):
            codec.write(slot, part)

    return Codec(read, write)


def option_of(inner: Codec) -> Codec:
    def read(addr: int) -> Any:
        payload = vals.read_option(addr)
        return inner.read(payload) if payload else None

    def write(addr: int, value: Any) -> None:
        vals.write_option(addr, None if value is None else inner.image(value))

    return Codec(read, write)


def list_of(inner: Codec) -> Codec:
    def read(addr: int) -> list[Any]:
        count, first = vals.read_list(addr)
        return [inner.read(first + VAL * i) for i in range(count)]

    def write(addr: int, value: list[Any]) -> None:
        first = vals.write_list(addr, len(value))
        for i, item in enumerate(value):
            inner.write(first + VAL * i, item)

    return Codec(read, write)


BOOL = Codec(vals.read_bool, vals.write_bool)
S8, S16 = number(ctypes.c_int8, vals.S8), number(ctypes.c_int16, vals.S16)
S32, S64 = number(ctypes.c_int32, vals.S32), number(ctypes.c_int64, vals.S64)
U8, U16 = number(ctypes.c_uint8, vals.U8), number(ctypes.c_uint16, vals.U16)
U32, U64 = number(ctypes.c_uint32, vals.U32), number(ctypes.c_uint64, vals.U64)
FLOAT32, FLOAT64 = number(ctypes.c_float, F32), number(ctypes.c_double, F64)
STRING = Codec(vals.read_str, vals.write_str)
BYTES = Codec(vals.read_u8_list, vals.write_u8_list)
ENUM = Codec(vals.read_case, vals.write_enum)


def _range(bound: Codec) -> Codec:
    side = option_of(tuple_of(bound, ENUM))
    return tuple_of(side, side)


Cases = Mapping[str, Codec | None]
"""A version's value cases and their payload's codec (None: no payload)."""

V2: Cases = {
    "boolean": BOOL, "int8": S8, "int16": S16, "int32": S32, "int64": S64,
    "uint8": U8, "uint16": U16, "uint32": U32, "uint64": U64,
    "floating32": FLOAT32, "floating64": FLOAT64, "str": STRING, "binary": BYTES,
    "db-null": None, "unsupported": None,
}  # fmt: skip

V3: Cases = {
    "boolean": BOOL, "int8": S8, "int16": S16, "int32": S32, "int64": S64,
    "floating32": FLOAT32, "floating64": FLOAT64, "str": STRING, "binary": BYTES,
    "date": tuple_of(S32, U8, U8),
    "time": tuple_of(U8, U8, U8, U32),
    "datetime": tuple_of(S32, U8, U8, U8, U8, U8, U32),
    "timestamp": S64,
    "db-null": None, "unsupported": None,
}  # fmt: skip

V4: Cases = {
    **V3,
    "uuid": STRING,
    "jsonb": BYTES,
    "decimal": STRING,
    "range-int32": _range(S32),
    "range-int64": _range(S64),
    "range-decimal": _range(STRING),
    "array-int32": list_of(option_of(S32)),
    "array-int64": list_of(option_of(S64)),
    "array-decimal": list_of(option_of(STRING)),
    "array-str": list_of(option_of(STRING)),
    "interval": record_of(("micros", S64), ("days", S32), ("months", S32)),
    "unsupported": BYTES,
}


def value_codec(cases: Cases) -> Codec:
    """The codec of a ``db-value`` / ``parameter-value`` variant with these cases."""

    def read(addr: int) -> DbValue:
        case = vals.read_case(addr)
        codec = cases.get(case)
        return case, codec.read(vals.read_ptr(addr, 24)) if codec is not None else None

    def write(addr: int, value: DbValue) -> None:
        case, payload = value
        codec = cases[case]
        vals.write_variant(addr, case, codec.image(payload) if codec is not None else None)

    return Codec(read, write)
