"""What the relational interfaces share: the ``connection`` resource (``open``, ``query``,
``execute``) over a backend's connection, row sets, data types and errors, per version.

A :class:`Dialect` is one interface version's shapes: its value cases
(:mod:`~spinkube.runtime.wasm.interfaces.rdbms_values`), whether ``db-data-type`` is an enum
(v2, v3) or a variant with ``other(name)`` (v4), how its ``error`` lowers and what ``execute``
answers. :func:`connection_provider` builds the host functions of one interface from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from spinkube.runtime.hostapi import HostApiError
from spinkube.runtime.hostapi.rdbms import DbValue, QueryFailedError, RowSet
from spinkube.runtime.wasm import resources, vals
from spinkube.runtime.wasm.interfaces._common import ok, u64_image
from spinkube.runtime.wasm.interfaces._hostapi import VAL, ErrorVariant, fallible
from spinkube.runtime.wasm.interfaces.rdbms_values import (
    STRING,
    Cases,
    Codec,
    list_of,
    option_of,
    record_of,
    tuple_of,
    value_codec,
)
from spinkube.runtime.wasm.resources import own_image, rep_of
from spinkube.runtime.wasm.session import HostFn, Session

arg = vals.arg

ERRORS = ErrorVariant(
    plain=frozenset(),
    strings=frozenset(
        {"connection-failed", "bad-parameter", "query-failed", "value-conversion-failed", "other"}
    ),
    fallback="other",
)
"""v2's and ``spin:postgres@3``'s ``error``: every case a string."""

DB_ERROR = record_of(
    ("as-text", STRING),
    ("severity", STRING),
    ("code", STRING),
    ("message", STRING),
    ("detail", option_of(STRING)),
    ("extras", list_of(tuple_of(STRING, STRING))),
)


def v4_error_image(exc: HostApiError) -> vals.Image:
    """``spin:postgres@4``'s ``error``: ``query-failed`` carries a ``query-error`` (the
    server's ``db-error`` record when it sent one, else ``text``)."""
    if not isinstance(exc, QueryFailedError):
        return ERRORS.image(exc)
    message = exc.detail or str(exc)
    found = exc.db_error
    if found is None:
        query_error = vals.image(vals.write_variant, "text", STRING.image(message))
    else:
        record = (message, found.severity, found.code, found.message, found.detail, found.extras)
        query_error = vals.image(vals.write_variant, "db-error", DB_ERROR.image(record))
    return vals.image(vals.write_variant, "query-failed", query_error)


class Connection(Protocol):
    def query(self, statement: str, params: list[DbValue]) -> RowSet: ...

    def execute(self, statement: str, params: list[DbValue]) -> Any: ...


@dataclass(frozen=True)
class Dialect:
    """One interface version's shapes."""

    cases: Cases
    error_image: Callable[[HostApiError], vals.Image] = ERRORS.image
    data_type_variant: bool = False
    """v4: ``db-data-type`` is a variant (``other(string)``), not an enum."""
    execute_count: bool = True
    """``execute`` answers the row count (``u64``); MySQL's answers nothing."""
    lower: Callable[[RowSet], RowSet] = lambda rows: rows
    """Narrows the backend's row set to this version's cases."""

    @cached_property
    def values(self) -> Codec:
        return value_codec(self.cases)

    def read_parameters(self, addr: int) -> list[DbValue]:
        codec = self.values
        count, first = vals.read_list(addr)
        return [codec.read(first + VAL * i) for i in range(count)]

    def write_row_set(self, addr: int, rows: RowSet) -> None:
        codec = self.values
        columns, row_list = vals.write_record(addr, ["columns", "rows"])
        first = vals.write_list(columns, len(rows.columns))
        for i, column in enumerate(rows.columns):
            name, data_type = vals.write_record(first + VAL * i, ["name", "data-type"])
            vals.write_str(name, column.name)
            self._write_data_type(data_type, column.data_type, column.type_name)
        first = vals.write_list(row_list, len(rows.rows))
        for i, row in enumerate(rows.rows):
            cell = vals.write_list(first + VAL * i, len(row))
            for j, value in enumerate(row):
                codec.write(cell + VAL * j, value)

    def _write_data_type(self, addr: int, case: str, type_name: str) -> None:
        if not self.data_type_variant:
            vals.write_enum(addr, case)
        elif case == "other":
            vals.write_variant(addr, case, STRING.image(type_name))
        else:
            vals.write_variant(addr, case)


def connection_provider(
    iface: str, dialect: Dialect, open_connection: Callable[[Session, str], Connection]
) -> Callable[[Session], Mapping[str, HostFn]]:
    """The host functions of ``iface``'s ``connection`` resource."""
    connection_type = resources.type_id(iface, "connection")

    def provider(session: Session) -> Mapping[str, HostFn]:
        def conn(ctx: int, args: int) -> Connection:
            found: Connection = session.current.table.get(rep_of(ctx, args))
            return found

        def statement(args: int) -> tuple[str, list[DbValue]]:
            return vals.read_str(arg(args, 1)), dialect.read_parameters(arg(args, 2))

        @fallible(dialect.error_image)
        def open_(ctx: int, args: int, results: int) -> None:
            opened = open_connection(session, vals.read_str(args))
            ok(results, own_image(ctx, session.current.table.add(opened), connection_type))

        @fallible(dialect.error_image)
        def query(ctx: int, args: int, results: int) -> None:
            rows = dialect.lower(conn(ctx, args).query(*statement(args)))
            ok(results, vals.image(dialect.write_row_set, rows))

        @fallible(dialect.error_image)
        def execute(ctx: int, args: int, results: int) -> None:
            count = conn(ctx, args).execute(*statement(args))
            ok(results, u64_image(count) if dialect.execute_count else None)

        return {
            "[static]connection.open": open_,
            "[method]connection.query": query,
            "[method]connection.execute": execute,
        }

    return provider
