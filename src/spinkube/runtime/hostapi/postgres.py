"""Outbound PostgreSQL: ``fermyon:spin/postgres@2.0.0`` (what spin-sdk 3.4.1's ``spin_sdk.postgres``
uses), with psycopg.

``OutboundPostgres.open(address)`` checks the address (``postgres://user:pass@host:port/db``)
against ``allowed_outbound_hosts`` with the ``postgres`` scheme: one not allowed is
``connection-failed`` naming ``postgres://host:port``, and a warning like outbound HTTP's.
Connections come from a per-process pool per address and go back to it when the guest drops its
connection (idle ones are checked before reuse).

Values follow the v2 ``rdbms-types``: parameters are ``None`` or ``bool``/``int``/``float``/
``str``/``bytes`` tagged with their WIT case; columns of boolean, integer, float, text and bytea
types come back as those cases, SQL NULL as ``db-null``, and every other type (numeric, dates,
json, uuid...) as ``unsupported`` with data type ``other``, as Spin's v2 interface answers.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from spinkube.runtime.hostapi.allowed_hosts import AllowedHosts, parse_outbound_url
from spinkube.runtime.hostapi.rdbms import (
    BadParameterError,
    Column,
    ConnectionFailedError,
    DbValue,
    QueryFailedError,
    RowSet,
    ValueConversionFailedError,
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
]

# psycopg is imported on first use: most apps never open a PostgreSQL connection.

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10
MAX_IDLE_PER_ADDRESS = 8


# PostgreSQL type OIDs (pg_type) -> the v2 db-data-type case.
_TYPES = {
    16: "boolean",
    21: "int16",
    23: "int32",
    20: "int64",
    700: "floating32",
    701: "floating64",
    25: "str",
    1043: "str",
    1042: "str",
    19: "str",
    17: "binary",
}
_CONVERTERS = {
    "boolean": bool,
    "int16": int,
    "int32": int,
    "int64": int,
    "floating32": float,
    "floating64": float,
    "str": str,
    "binary": bytes,
}


class PostgresConnection:
    """One guest connection: a pooled psycopg connection, back to the pool on :meth:`close`."""

    def __init__(self, address: str, conn: psycopg.Connection[Any]) -> None:
        self._address = address
        self._conn: psycopg.Connection[Any] | None = conn

    def query(self, statement: str, params: Sequence[DbValue]) -> RowSet:
        with self._cursor(statement, params) as cur:
            description = cur.description or []
            columns = [Column(d.name, _TYPES.get(d.type_code, "other")) for d in description]
            rows = [
                [_db_value(v, c.data_type) for v, c in zip(row, columns, strict=True)]
                for row in cur.fetchall()
            ]
        return RowSet(columns, rows)

    def execute(self, statement: str, params: Sequence[DbValue]) -> int:
        with self._cursor(statement, params) as cur:
            return max(cur.rowcount, 0)

    def _cursor(self, statement: str, params: Sequence[DbValue]) -> psycopg.Cursor[Any]:
        import psycopg

        conn = self._conn
        if conn is None:
            raise ConnectionFailedError("the connection is closed")
        values = [_parameter(i, p) for i, p in enumerate(params)]
        cur = psycopg.RawCursor(conn)  # $1, $2... placeholders, as Spin guests write them
        try:
            cur.execute(statement, values, prepare=False)
        except psycopg.OperationalError as exc:
            cur.close()
            raise ConnectionFailedError(_message(exc)) from None
        except (psycopg.DataError, psycopg.ProgrammingError) as exc:
            cur.close()
            if isinstance(exc, psycopg.errors.UndefinedParameter | psycopg.DataError):
                raise BadParameterError(_message(exc)) from None
            raise QueryFailedError(_message(exc)) from None
        except psycopg.Error as exc:
            cur.close()
            raise QueryFailedError(_message(exc)) from None
        return cur

    def on_drop(self) -> None:
        """The guest dropped its connection: it goes back to the pool."""
        self.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            _POOL.give_back(self._address, conn)


class OutboundPostgres:
    """One component's outbound PostgreSQL."""

    def __init__(self, allowed: AllowedHosts, *, component_id: str) -> None:
        self._allowed = allowed
        self._component_id = component_id

    def open(self, address: str) -> PostgresConnection:
        try:
            origin = _origin(address)
        except ValueError as exc:
            raise ConnectionFailedError(f"invalid address: {exc}") from None
        if not self._allowed.allows(address, "postgres"):
            log.warning(
                "component %s: connection to %s denied: not in allowed_outbound_hosts",
                self._component_id,
                origin,
            )
            raise ConnectionFailedError(
                f"{origin} is not in the component's allowed_outbound_hosts"
            )
        return PostgresConnection(address, _POOL.take(address))


def _origin(address: str) -> str:
    url = parse_outbound_url(address, "postgres")
    return f"{url.scheme}://{url.host}:{url.port or 5432}"


def _parameter(index: int, value: DbValue) -> Any:
    """The value psycopg sends, typed as the WIT case says (``int32`` as ``int4``...)."""
    from psycopg.types.numeric import Float4, Int2, Int4, Int8

    case, payload = value
    if case == "db-null":
        return None
    if case == "uint64" and payload >= 1 << 63:
        raise BadParameterError(f"parameter ${index + 1}: {payload} does not fit a PostgreSQL int8")
    wrap = {
        "int8": Int2,
        "int16": Int2,
        "uint8": Int2,
        "int32": Int4,
        "uint16": Int4,
        "int64": Int8,
        "uint32": Int8,
        "uint64": Int8,
        "floating32": Float4,
    }.get(case)
    return wrap(payload) if wrap is not None else payload


def _db_value(value: Any, data_type: str) -> DbValue:
    if value is None:
        return ("db-null", None)
    convert = _CONVERTERS.get(data_type)
    if convert is None:
        return ("unsupported", None)
    try:
        return (data_type, convert(value))
    except (TypeError, ValueError) as exc:
        raise ValueConversionFailedError(f"{data_type}: {exc}") from None


def _message(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def close_pooled() -> None:
    """Closes every idle pooled connection of this process (tests, orderly shutdown)."""
    _POOL.close_idle()


class _Pool:
    """Idle connections per address, per process (dropped after a fork)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[str, list[psycopg.Connection[Any]]] = {}
        self._pid = os.getpid()

    def take(self, address: str) -> psycopg.Connection[Any]:
        while (conn := self._pop(address)) is not None:
            if not conn.closed and conn.info.transaction_status == _idle_status():
                return conn
            conn.close()
        return _connect(address)

    def close_idle(self) -> None:
        with self._lock:
            idle = [conn for conns in self._idle.values() for conn in conns]
            self._idle.clear()
        for conn in idle:
            conn.close()

    def give_back(self, address: str, conn: psycopg.Connection[Any]) -> None:
        with self._lock:
            idle = self._idle.setdefault(address, [])
            if self._pid == os.getpid() and len(idle) < MAX_IDLE_PER_ADDRESS and not conn.closed:
                idle.append(conn)
                return
        conn.close()

    def _pop(self, address: str) -> psycopg.Connection[Any] | None:
        with self._lock:
            if self._pid != os.getpid():
                self._idle.clear()  # a forked child must not share its parent's sockets
                self._pid = os.getpid()
            idle = self._idle.get(address)
            return idle.pop() if idle else None


def _idle_status() -> Any:
    from psycopg import pq

    return pq.TransactionStatus.IDLE


def _connect(address: str) -> psycopg.Connection[Any]:
    import psycopg

    try:
        return psycopg.connect(address, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.Error as exc:
        raise ConnectionFailedError(_message(exc)) from None


_POOL = _Pool()
