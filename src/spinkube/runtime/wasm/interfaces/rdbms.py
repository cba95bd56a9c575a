"""Lowering the v2 ``rdbms-types`` (PostgreSQL, MySQL): parameters in, row sets and errors out."""

from __future__ import annotations

import ctypes
from typing import Any

from spinkube.runtime.hostapi.rdbms import DbValue, RowSet
from spinkube.runtime.wasm import vals
from spinkube.runtime.wasm.interfaces._hostapi import VAL, ErrorVariant

ERRORS = ErrorVariant(
    plain=frozenset(),
    strings=frozenset(
        {"connection-failed", "bad-parameter", "query-failed", "value-conversion-failed", "other"}
    ),
    fallback="other",
)
F32, F64 = 9, 10

# The payload of each numeric case, at +8 of its value, and its kind.
_NUMBERS: dict[str, tuple[type[Any], int]] = {
    "boolean": (ctypes.c_uint8, vals.BOOL),
    "int8": (ctypes.c_int8, vals.S8),
    "int16": (ctypes.c_int16, vals.S16),
    "int32": (ctypes.c_int32, vals.S32),
    "int64": (ctypes.c_int64, vals.S64),
    "uint8": (ctypes.c_uint8, vals.U8),
    "uint16": (ctypes.c_uint16, vals.U16),
    "uint32": (ctypes.c_uint32, vals.U32),
    "uint64": (ctypes.c_uint64, vals.U64),
    "floating32": (ctypes.c_float, F32),
    "floating64": (ctypes.c_double, F64),
}


def read_parameter(addr: int) -> DbValue:
    case = vals.read_case(addr)
    payload = vals.read_ptr(addr, 24)
    number = _NUMBERS.get(case)
    if number is not None:
        value = number[0].from_address(payload + 8).value
        return case, bool(value) if case == "boolean" else value
    if case == "str":
        return case, vals.read_str(payload)
    if case == "binary":
        return case, vals.read_u8_list(payload)
    return case, None


def read_parameters(addr: int) -> list[DbValue]:
    count, first = vals.read_list(addr)
    return [read_parameter(first + VAL * i) for i in range(count)]


def _number_image(case: str, value: float | int) -> vals.Image:
    ctype, kind = _NUMBERS[case]

    def write(addr: int) -> None:
        ctypes.c_uint8.from_address(addr).value = kind
        ctype.from_address(addr + 8).value = value

    return vals.image(write)


def write_db_value(addr: int, value: DbValue) -> None:
    case, payload = value
    if case in _NUMBERS:
        vals.write_variant(addr, case, _number_image(case, payload))
    elif case == "str":
        vals.write_variant(addr, case, vals.image(vals.write_str, payload))
    elif case == "binary":
        vals.write_variant(addr, case, vals.image(vals.write_u8_list, payload))
    else:  # db-null, unsupported
        vals.write_variant(addr, case)


def write_row_set(addr: int, rows: RowSet) -> None:
    columns, row_list = vals.write_record(addr, ["columns", "rows"])
    first = vals.write_list(columns, len(rows.columns))
    for i, column in enumerate(rows.columns):
        name, data_type = vals.write_record(first + VAL * i, ["name", "data-type"])
        vals.write_str(name, column.name)
        vals.write_enum(data_type, column.data_type)
    first = vals.write_list(row_list, len(rows.rows))
    for i, row in enumerate(rows.rows):
        cell = vals.write_list(first + VAL * i, len(row))
        for j, value in enumerate(row):
            write_db_value(cell + VAL * j, value)
