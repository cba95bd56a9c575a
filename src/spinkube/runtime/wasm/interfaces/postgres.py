"""Outbound PostgreSQL: ``fermyon:spin/postgres@2.0.0`` (the ``connection`` resource, the v2
``rdbms-types``) over the component's :class:`~spinkube.runtime.hostapi.postgres.OutboundPostgres`.

Without host APIs in the context every address is ``connection-failed``. A dropped connection
goes back to the per-address pool.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Mapping
from typing import Any

from spinkube.runtime.hostapi.postgres import (
    ConnectionFailedError,
    DbValue,
    PostgresConnection,
    RowSet,
)
from spinkube.runtime.wasm import resources, vals
from spinkube.runtime.wasm.interfaces._common import ok, u64_image
from spinkube.runtime.wasm.interfaces._hostapi import VAL, ErrorVariant, apis_of, fallible
from spinkube.runtime.wasm.resources import own_image, rep_of
from spinkube.runtime.wasm.session import HostFn, Session

IFACE = "fermyon:spin/postgres"
CONNECTION = resources.type_id(IFACE, "connection")
ERRORS = ErrorVariant(
    plain=frozenset(),
    strings=frozenset(
        {"connection-failed", "bad-parameter", "query-failed", "value-conversion-failed", "other"}
    ),
    fallback="other",
)
F32, F64 = 9, 10
arg = vals.arg

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


def open_connection(session: Session, address: str) -> PostgresConnection:
    apis = apis_of(session)
    if apis is None:
        raise ConnectionFailedError("outbound PostgreSQL is not available to this component")
    return apis.postgres.open(address)


def spin_postgres(session: Session) -> Mapping[str, HostFn]:
    def conn(ctx: int, args: int) -> PostgresConnection:
        found: PostgresConnection = session.current.table.get(rep_of(ctx, args))
        return found

    def statement(args: int) -> tuple[str, list[DbValue]]:
        return vals.read_str(arg(args, 1)), read_parameters(arg(args, 2))

    @fallible(ERRORS)
    def open_(ctx: int, args: int, results: int) -> None:
        opened = open_connection(session, vals.read_str(args))
        ok(results, own_image(ctx, session.current.table.add(opened), CONNECTION))

    @fallible(ERRORS)
    def query(ctx: int, args: int, results: int) -> None:
        rows = conn(ctx, args).query(*statement(args))
        ok(results, vals.image(write_row_set, rows))

    @fallible(ERRORS)
    def execute(ctx: int, args: int, results: int) -> None:
        ok(results, u64_image(conn(ctx, args).execute(*statement(args))))

    functions: dict[str, Callable[[int, int, int], None]] = {
        "[static]connection.open": open_,
        "[method]connection.query": query,
        "[method]connection.execute": execute,
    }
    return functions
