"""Outbound MySQL: ``fermyon:spin/mysql@2.0.0`` (what spin-sdk 3.4.1's ``spin_sdk.mysql`` uses),
with PyMySQL.

As outbound PostgreSQL (:mod:`spinkube.runtime.hostapi.postgres`): the address
(``mysql://user:pass@host:port/db``) is checked against ``allowed_outbound_hosts`` with the
``mysql`` scheme, connections are pooled per address and process, values are the v2
``rdbms-types``. Statements use MySQL's ``?`` placeholders. Integer, float, text and binary
columns map to their cases (unsigned columns as the signed case of their width, as the result
metadata PyMySQL exposes does not carry the unsigned flag portably); every other type (decimal,
dates, json...) is data type ``other`` and value ``unsupported``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from spinkube.runtime.hostapi.allowed_hosts import AllowedHosts, parse_outbound_url
from spinkube.runtime.hostapi.rdbms import (
    BadParameterError,
    Column,
    ConnectionFailedError,
    DbValue,
    QueryFailedError,
    RowSet,
)

log = logging.getLogger(__name__)

Connection = Any
"""A ``pymysql.connections.Connection`` (PyMySQL ships no type hints)."""

CONNECT_TIMEOUT_S = 10
MAX_IDLE_PER_ADDRESS = 8
BINARY_CHARSET = 63

# MySQL field types (FIELD_TYPE) -> the v2 db-data-type case; strings and blobs depend on the
# column's character set (binary or not).
_NUMERIC = {
    1: "int8",
    2: "int16",
    3: "int32",
    9: "int32",
    8: "int64",
    4: "floating32",
    5: "floating64",
}
_STRINGS = {15, 249, 250, 251, 252, 253, 254}
_CONVERT = {"int8": int, "int16": int, "int32": int, "int64": int, "floating32": float,
            "floating64": float, "str": str, "binary": bytes}  # fmt: skip


class MysqlConnection:
    def __init__(self, address: str, conn: Connection) -> None:
        self._address = address
        self._conn: Connection | None = conn

    def query(self, statement: str, params: Sequence[DbValue]) -> RowSet:
        cur = self._run(statement, params)
        try:
            fields = (getattr(cur, "_result", None) and cur._result.fields) or []
            columns = [Column(f.name, _data_type(f)) for f in fields]
            rows = [
                [_db_value(v, c.data_type) for v, c in zip(row, columns, strict=True)]
                for row in cur.fetchall()
            ]
        finally:
            cur.close()
        return RowSet(columns, rows)

    def execute(self, statement: str, params: Sequence[DbValue]) -> None:
        self._run(statement, params).close()

    def _run(self, statement: str, params: Sequence[DbValue]) -> Any:
        import pymysql  # type: ignore[import-untyped]

        conn = self._conn
        if conn is None:
            raise ConnectionFailedError("the connection is closed")
        values = [None if case == "db-null" else payload for case, payload in params]
        cur = conn.cursor()
        try:
            if values:
                cur.execute(question_marks_to_format(statement), values)
            else:
                cur.execute(statement)
        except pymysql.OperationalError as exc:
            cur.close()
            code = exc.args[0] if exc.args else 0
            if isinstance(code, int) and code >= 2000:  # client errors: the connection broke
                raise ConnectionFailedError(_message(exc)) from None
            raise QueryFailedError(_message(exc)) from None
        except (TypeError, ValueError) as exc:
            cur.close()
            raise BadParameterError(str(exc)) from None
        except pymysql.Error as exc:
            cur.close()
            raise QueryFailedError(_message(exc)) from None
        return cur

    def on_drop(self) -> None:
        self.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            _POOL.give_back(self._address, conn)


class OutboundMysql:
    """One component's outbound MySQL."""

    def __init__(self, allowed: AllowedHosts, *, component_id: str) -> None:
        self._allowed = allowed
        self._component_id = component_id

    def open(self, address: str) -> MysqlConnection:
        try:
            url = parse_outbound_url(address, "mysql")
        except ValueError as exc:
            raise ConnectionFailedError(f"invalid address: {exc}") from None
        origin = f"{url.scheme}://{url.host}:{url.port or 3306}"
        if not self._allowed.allows(address, "mysql"):
            log.warning(
                "component %s: connection to %s denied: not in allowed_outbound_hosts",
                self._component_id,
                origin,
            )
            raise ConnectionFailedError(
                f"{origin} is not in the component's allowed_outbound_hosts"
            )
        return MysqlConnection(address, _POOL.take(address))


def question_marks_to_format(statement: str) -> str:
    """MySQL's ``?`` placeholders as PyMySQL's ``%s`` (``%`` doubled), outside quoted text."""
    out: list[str] = []
    quote: str | None = None
    for char in statement:
        if quote is not None:
            out.append("%%" if char == "%" else char)
            if char == quote:
                quote = None
        elif char in "'\"`":
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        else:
            out.append("%%" if char == "%" else char)
    return "".join(out)


def _data_type(field: Any) -> str:
    numeric = _NUMERIC.get(field.type_code)
    if numeric is not None:
        return numeric
    if field.type_code in _STRINGS:
        return "binary" if field.charsetnr == BINARY_CHARSET else "str"
    return "other"


def _db_value(value: Any, data_type: str) -> DbValue:
    if value is None:
        return ("db-null", None)
    convert = _CONVERT.get(data_type)
    if convert is None:
        return ("unsupported", None)
    return (data_type, convert(value))


def _message(exc: BaseException) -> str:
    args: tuple[Any, ...] = getattr(exc, "args", ())
    if len(args) == 2 and isinstance(args[1], str):
        return args[1]
    return str(exc) or type(exc).__name__


def _connect(address: str) -> Connection:
    import pymysql

    parts = urlsplit(address)
    try:
        return pymysql.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 3306,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            database=parts.path.lstrip("/") or None,
            connect_timeout=CONNECT_TIMEOUT_S,
            autocommit=True,
            charset="utf8mb4",
        )
    except pymysql.Error as exc:
        raise ConnectionFailedError(_message(exc)) from None


def close_pooled() -> None:
    """Closes every idle pooled connection of this process (tests, orderly shutdown)."""
    _POOL.close_idle()


class _Pool:
    """Idle connections per address, per process (dropped after a fork)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[str, list[Connection]] = {}
        self._pid = os.getpid()

    def take(self, address: str) -> Connection:
        with self._lock:
            if self._pid != os.getpid():
                self._idle.clear()
                self._pid = os.getpid()
            idle = self._idle.get(address)
            conn = idle.pop() if idle else None
        if conn is not None and conn.open:
            return conn
        return _connect(address)

    def close_idle(self) -> None:
        with self._lock:
            idle = [conn for conns in self._idle.values() for conn in conns]
            self._idle.clear()
        for conn in idle:
            conn.close()

    def give_back(self, address: str, conn: Connection) -> None:
        with self._lock:
            idle = self._idle.setdefault(address, [])
            if self._pid == os.getpid() and len(idle) < MAX_IDLE_PER_ADDRESS and conn.open:
                idle.append(conn)
                return
        conn.close()


_POOL = _Pool()
