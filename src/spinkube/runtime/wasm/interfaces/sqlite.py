"""SQLite: ``fermyon:spin/sqlite@2.0.0`` and ``spin:sqlite/sqlite@3.0.0`` (the ``connection``
resource) over the component's :class:`~spinkube.runtime.hostapi.Databases`.

Each ``open`` is a fresh connection; it is closed (rolling back what the guest left open) when
the guest drops it or the request's handle table goes.
Without host APIs in the context every database is ``access-denied``.
"""

from __future__ import annotations

from collections.abc import Mapping

from spinkube.runtime.hostapi import Connection, QueryResult, SqliteAccessDeniedError, SqlValue
from spinkube.runtime.wasm import resources, vals
from spinkube.runtime.wasm.interfaces._common import ok
from spinkube.runtime.wasm.interfaces._hostapi import (
    VAL,
    ErrorVariant,
    apis_of,
    fallible,
    read_f64,
    read_s64,
    write_f64,
    write_s64,
    write_str_list,
)
from spinkube.runtime.wasm.resources import own_image, rep_of
from spinkube.runtime.wasm.session import HostFn, Provider, Session

ERRORS = ErrorVariant(
    plain=frozenset({"no-such-database", "access-denied", "invalid-connection", "database-full"}),
    strings=frozenset({"io"}),
    fallback="io",
)
arg = vals.arg


def read_value(addr: int) -> SqlValue:
    case = vals.read_case(addr)
    payload = vals.read_ptr(addr, 24)
    if case == "integer":
        return read_s64(payload)
    if case == "real":
        return read_f64(payload)
    if case == "text":
        return vals.read_str(payload)
    if case == "blob":
        return vals.read_u8_list(payload)
    return None


def read_values(addr: int) -> list[SqlValue]:
    count, first = vals.read_list(addr)
    return [read_value(first + VAL * i) for i in range(count)]


def write_value(addr: int, value: SqlValue) -> None:
    if value is None:
        vals.write_variant(addr, "null")
    elif isinstance(value, int):
        vals.write_variant(addr, "integer", vals.image(write_s64, value))
    elif isinstance(value, float):
        vals.write_variant(addr, "real", vals.image(write_f64, value))
    elif isinstance(value, str):
        vals.write_variant(addr, "text", vals.image(vals.write_str, value))
    else:
        vals.write_variant(addr, "blob", vals.image(vals.write_u8_list, bytes(value)))


def write_query_result(addr: int, result: QueryResult) -> None:
    columns, rows = vals.write_record(addr, ["columns", "rows"])
    write_str_list(columns, result.columns)
    first = vals.write_list(rows, len(result.rows))
    for i, row in enumerate(result.rows):
        (values,) = vals.write_record(first + VAL * i, ["values"])
        cell = vals.write_list(values, len(row))
        for j, value in enumerate(row):
            write_value(cell + VAL * j, value)


def open_database(session: Session, label: str) -> Connection:
    apis = apis_of(session)
    if apis is None:
        raise SqliteAccessDeniedError(f"no database is available, not even {label!r}")
    return apis.sqlite.open(label)


def sqlite(iface: str) -> Provider:
    """The provider for one of the two SQLite interfaces (each has its own resource type)."""
    connection_type = resources.type_id(iface, "connection")

    def provider(session: Session) -> Mapping[str, HostFn]:
        def connection(ctx: int, args: int) -> Connection:
            found: Connection = session.current.table.get(rep_of(ctx, args))
            return found

        @fallible(ERRORS)
        def open_(ctx: int, args: int, results: int) -> None:
            opened = open_database(session, vals.read_str(args))
            ok(results, own_image(ctx, session.current.table.add(opened), connection_type))

        @fallible(ERRORS)
        def execute(ctx: int, args: int, results: int) -> None:
            conn = connection(ctx, args)
            result = conn.execute(vals.read_str(arg(args, 1)), read_values(arg(args, 2)))
            ok(results, vals.image(write_query_result, result))

        def last_insert_rowid(ctx: int, args: int, results: int) -> None:
            write_s64(results, connection(ctx, args).last_insert_rowid())

        def changes(ctx: int, args: int, results: int) -> None:
            vals.write_u64(results, vals.U64, connection(ctx, args).changes())

        return {
            "[static]connection.open": open_,
            "[method]connection.execute": execute,
            "[method]connection.last-insert-rowid": last_insert_rowid,
            "[method]connection.changes": changes,
        }

    return provider
