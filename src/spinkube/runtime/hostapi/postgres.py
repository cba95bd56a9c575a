"""Outbound PostgreSQL, one backend for ``fermyon:spin/postgres@2.0.0`` and
``spin:postgres/postgres@3.0.0`` / ``@4.0.0``, with psycopg.

``OutboundPostgres.open(address)`` checks the address (``postgres://user:pass@host:port/db``)
against ``allowed_outbound_hosts`` with the ``postgres`` scheme (see
:func:`~spinkube.runtime.hostapi.rdbms.check_address`). Connections come from a per-process pool
per address and go back to it when the guest drops its connection.

Rows come back in the richest model, v4's (:mod:`~spinkube.runtime.hostapi.postgres_columns`);
:func:`~spinkube.runtime.hostapi.postgres_versions.lower_row_set` narrows them for v3 and v2.
Parameters of every version's cases go through :mod:`~spinkube.runtime.hostapi.postgres_params`.
A server error is ``query-failed`` with the server's message and, for v4, its fields.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from spinkube.runtime.hostapi import postgres_columns, postgres_params
from spinkube.runtime.hostapi.allowed_hosts import AllowedHosts
from spinkube.runtime.hostapi.rdbms import (
    CONNECT_TIMEOUT_S,
    BadParameterError,
    Column,
    ConnectionFailedError,
    DbError,
    DbValue,
    Pool,
    PooledConnection,
    QueryFailedError,
    RowSet,
    ValueConversionFailedError,
    check_address,
)

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "BadParameterError",
    "Column",
    "ConnectionFailedError",
    "DbValue",
    "OutboundPostgres",
    "PostgresConnection",
    "QueryFailedError",
    "RowSet",
    "ValueConversionFailedError",
    "close_pooled",
]

# psycopg is imported on first use: most apps never open a PostgreSQL connection.

log = logging.getLogger(__name__)

DEFAULT_PORT = 5432

# The server error's fields a v4 db-error carries as extras, named as Spin names them.
_EXTRAS = (
    ("column", "column_name"),
    ("constraint", "constraint_name"),
    ("routine", "source_function"),
    ("hint", "message_hint"),
    ("table", "table_name"),
    ("datatype", "datatype_name"),
    ("schema", "schema_name"),
    ("file", "source_file"),
    ("line", "source_line"),
    ("where_", "context"),
)


class PostgresConnection(PooledConnection["psycopg.Connection[Any]"]):
    """One guest connection."""

    def query(self, statement: str, params: Sequence[DbValue]) -> RowSet:
        with self._cursor(statement, params) as cur:
            return _row_set(cur)

    def execute(self, statement: str, params: Sequence[DbValue]) -> int:
        with self._cursor(statement, params) as cur:
            return max(cur.rowcount, 0)

    def _cursor(self, statement: str, params: Sequence[DbValue]) -> psycopg.Cursor[Any]:
        import psycopg

        values = [postgres_params.parameter(i, p) for i, p in enumerate(params)]
        cur = psycopg.RawCursor(self.driver())  # $1, $2... placeholders, as Spin guests write
        try:
            cur.execute(statement, values, prepare=False, binary=True)
        except psycopg.Error as exc:
            cur.close()
            raise _error(exc) from None
        return cur


class OutboundPostgres:
    """One component's outbound PostgreSQL."""

    def __init__(self, allowed: AllowedHosts, *, component_id: str) -> None:
        self._allowed = allowed
        self._component_id = component_id

    def open(self, address: str) -> PostgresConnection:
        check_address(
            self._allowed,
            address,
            scheme="postgres",
            default_port=DEFAULT_PORT,
            component_id=self._component_id,
        )
        return PostgresConnection(_POOL, address, _POOL.take(address))


def _row_set(cur: psycopg.Cursor[Any]) -> RowSet:
    import psycopg

    description = cur.description or []
    result = cur.pgresult
    if result is None or not description:
        return RowSet([], [])
    columns = [_column(d.name, d.type_code, cur) for d in description]
    decoders = [_decoder(d.type_code, cur) for d in description]
    try:
        rows = [
            [
                ("db-null", None) if (raw := result.get_value(r, c)) is None else decode(raw)
                for c, decode in enumerate(decoders)
            ]
            for r in range(result.ntuples)
        ]
    except psycopg.Error as exc:
        raise ValueConversionFailedError(_message(exc)) from None
    return RowSet(columns, rows)


def _column(name: str, oid: int, cur: psycopg.Cursor[Any]) -> Column:
    data_type = postgres_columns.data_type(oid)
    if data_type != "other":
        return Column(name, data_type)
    return Column(name, data_type, _type_name(oid, cur))


def _type_name(oid: int, cur: psycopg.Cursor[Any]) -> str:
    info = cur.adapters.types.get(oid)
    return info.name if info is not None else str(oid)


def _decoder(oid: int, cur: psycopg.Cursor[Any]) -> Callable[[bytes], DbValue]:
    from psycopg.pq import Format

    loader = None
    if oid in postgres_columns.LOADED:
        loader_cls = cur.adapters.get_loader(oid, Format.BINARY)
        loader = loader_cls(oid, cur) if loader_cls is not None else None
    return postgres_columns.column_decoder(oid, loader.load if loader is not None else None)


def _error(exc: psycopg.Error) -> Exception:
    """The server's errors are ``query-failed``; the client's are a lost connection or a
    parameter psycopg could not send."""
    import psycopg

    message = _message(exc)
    if exc.sqlstate is not None:
        return QueryFailedError(message, _db_error(exc))
    if isinstance(exc, psycopg.OperationalError):
        return ConnectionFailedError(message)
    if isinstance(exc, psycopg.DataError | psycopg.ProgrammingError):
        return BadParameterError(message)
    return QueryFailedError(message)


def _db_error(exc: psycopg.Error) -> DbError:
    diag = exc.diag
    extras = [(key, value) for key, attr in _EXTRAS if (value := getattr(diag, attr, None))]
    return DbError(
        severity=diag.severity or "",
        code=exc.sqlstate or "",
        message=diag.message_primary or "",
        detail=diag.message_detail,
        extras=extras,
    )


def _message(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _reusable(conn: psycopg.Connection[Any]) -> bool:
    from psycopg import pq

    return not conn.closed and conn.info.transaction_status == pq.TransactionStatus.IDLE


def _connect(address: str) -> psycopg.Connection[Any]:
    import psycopg

    try:
        conn = psycopg.connect(address, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.Error as exc:
        raise ConnectionFailedError(_message(exc)) from None
    postgres_params.register_dumpers(conn)
    return conn


def close_pooled() -> None:
    """Closes every idle pooled connection of this process (tests, orderly shutdown)."""
    _POOL.close_idle()


_POOL: Pool[psycopg.Connection[Any]] = Pool(_connect, _reusable)
