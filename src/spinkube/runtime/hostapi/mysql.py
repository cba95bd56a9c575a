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

from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from spinkube.runtime.hostapi.allowed_hosts import AllowedHosts
from spinkube.runtime.hostapi.rdbms import (
    CONNECT_TIMEOUT_S,
    BadParameterError,
    Column,
    ConnectionFailedError,
    DbValue,
    Pool,
    PooledConnection,
    QueryFailedError,
    RowSet,
    check_address,
)

Connection = Any
"""A ``pymysql.connections.Connection`` (PyMySQL ships no type hints)."""

DEFAULT_PORT = 3306
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


class MysqlConnection(PooledConnection[Connection]):
    """One guest connection."""

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

        values = [None if case == "db-null" else payload for case, payload in params]
        cur = self.driver().cursor()
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


class OutboundMysql:
    """One component's outbound MySQL."""

    def __init__(self, allowed: AllowedHosts, *, component_id: str) -> None:
        self._allowed = allowed
        self._component_id = component_id

    def open(self, address: str) -> MysqlConnection:
        check_address(
            self._allowed,
            address,
            scheme="mysql",
            default_port=DEFAULT_PORT,
            component_id=self._component_id,
        )
        return MysqlConnection(_POOL, address, _POOL.take(address))


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
            port=parts.port or DEFAULT_PORT,
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


def _reusable(conn: Connection) -> bool:
    return bool(conn.open)


_POOL: Pool[Connection] = Pool(_connect, _reusable)
