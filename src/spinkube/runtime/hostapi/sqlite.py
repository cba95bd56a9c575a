"""SQLite: ``fermyon:spin/sqlite@2.0.0`` and ``spin:sqlite@3.0.0``.

Values are plain Python: Spin's ``integer`` is ``int``, ``real`` ``float``, ``text`` ``str``,
``blob`` ``bytes`` and ``null`` ``None``. Each :meth:`Databases.open` gives a fresh connection in
autocommit mode (a guest may run its own ``BEGIN``/``COMMIT``); closing it rolls back whatever
the guest left open, so one request never sees another's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from spinkube.runtime.hostapi.catalogue import DatabaseSpec, LibsqlDatabase, LocalDatabase
from spinkube.runtime.hostapi.errors import (
    DatabaseFullError,
    InvalidConnectionError,
    NoSuchDatabaseError,
    SqliteAccessDeniedError,
    SqliteIoError,
)
from spinkube.runtime.hostapi.kv_sqlite import connect

SqlValue = int | float | str | bytes | None

_SQLITE_FULL = 13


@dataclass(frozen=True, slots=True)
class QueryResult:
    columns: list[str]
    rows: list[list[SqlValue]]


class Connection:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = conn

    def execute(self, statement: str, params: Sequence[SqlValue] = ()) -> QueryResult:
        conn = self._live()
        try:
            cursor = conn.execute(statement, [_param(p) for p in params])
            rows = [[_value(v) for v in row] for row in cursor.fetchall()]
        except sqlite3.Error as exc:
            raise _error(exc) from None
        columns = [d[0] for d in cursor.description or ()]
        return QueryResult(columns=columns, rows=rows)

    def last_insert_rowid(self) -> int:
        """The rowid of the most recent successful INSERT on this connection, or 0."""
        return self._scalar("SELECT last_insert_rowid()")

    def changes(self) -> int:
        """Rows modified by the most recent INSERT, UPDATE or DELETE on this connection."""
        return self._scalar("SELECT changes()")

    def _scalar(self, query: str) -> int:
        try:
            return int(self._live().execute(query).fetchone()[0])
        except sqlite3.Error as exc:
            raise _error(exc) from None

    def close(self) -> None:
        if self._conn is not None:
            if self._conn.in_transaction:
                self._conn.rollback()
            self._conn.close()
            self._conn = None

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise InvalidConnectionError("the connection is closed")
        return self._conn


class Databases:
    """One component's SQLite access: its grants (``sqlite_databases``) over the catalogue."""

    def __init__(self, catalogue: Mapping[str, DatabaseSpec], granted: Iterable[str]) -> None:
        self._catalogue = catalogue
        self._granted = frozenset(granted)

    def open(self, label: str) -> Connection:
        if label not in self._granted:
            raise SqliteAccessDeniedError(f"the component may not use database {label!r}")
        spec = self._catalogue.get(label)
        if spec is None:
            raise NoSuchDatabaseError(f"no database {label!r} is configured")
        return open_database(label, spec)


def open_database(label: str, spec: DatabaseSpec) -> Connection:
    if isinstance(spec, LibsqlDatabase):
        raise SqliteIoError(
            f"database {label!r} is a remote libsql database: libsql is not supported by "
            "spinkube-runtime (use type 'spin' with a local path)"
        )
    if not isinstance(spec, LocalDatabase):
        raise TypeError(f"unknown database spec {type(spec).__name__}")
    try:
        return Connection(connect(spec.path))
    except (sqlite3.Error, OSError) as exc:
        raise SqliteIoError(f"cannot open database {label!r}: {exc}") from None


def _param(value: SqlValue) -> SqlValue:
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return value


def _value(value: object) -> SqlValue:
    if value is None or isinstance(value, int | float | str | bytes):
        return value
    return str(value)


def _error(exc: sqlite3.Error) -> Exception:
    if getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL:
        return DatabaseFullError(str(exc))
    return SqliteIoError(str(exc))
