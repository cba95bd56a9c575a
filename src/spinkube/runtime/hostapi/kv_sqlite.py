"""A key-value store in a SQLite file, in Spin's table shape, shared by worker processes.

Spin's ``spin`` store type: ``spin_key_value(store, key, value)`` with ``store`` the label. WAL
journal and a busy timeout let several processes use one file; every write is its own transaction
(autocommit), so data is durable when the call returns.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from spinkube.runtime.hostapi.errors import KeyValueOtherError

BUSY_TIMEOUT_S = 30.0

_SCHEMA = """CREATE TABLE IF NOT EXISTS spin_key_value (
    store TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (store, key)
)"""
_GET = "SELECT value FROM spin_key_value WHERE store = ? AND key = ?"
_SET = (
    "INSERT INTO spin_key_value (store, key, value) VALUES (?, ?, ?) "
    "ON CONFLICT (store, key) DO UPDATE SET value = excluded.value"
)
_DELETE = "DELETE FROM spin_key_value WHERE store = ? AND key = ?"
_EXISTS = "SELECT 1 FROM spin_key_value WHERE store = ? AND key = ?"
_KEYS = "SELECT key FROM spin_key_value WHERE store = ?"

T = TypeVar("T")


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode, WAL journal, waiting for other writers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


class SqliteKeyValueStore:
    def __init__(self, path: Path, label: str) -> None:
        self._label = label
        self._lock = threading.Lock()
        try:
            self._conn = connect(path)
            self._conn.execute(_SCHEMA)
        except sqlite3.Error as exc:
            raise KeyValueOtherError(f"cannot open key-value store {label!r}: {exc}") from None

    def get(self, key: str) -> bytes | None:
        row = self._run(lambda c: c.execute(_GET, (self._label, key)).fetchone())
        return None if row is None else _bytes(row[0])

    def set(self, key: str, value: bytes) -> None:
        self._run(lambda c: c.execute(_SET, (self._label, key, bytes(value))))

    def delete(self, key: str) -> None:
        self._run(lambda c: c.execute(_DELETE, (self._label, key)))

    def exists(self, key: str) -> bool:
        return self._run(lambda c: c.execute(_EXISTS, (self._label, key)).fetchone()) is not None

    def get_keys(self) -> list[str]:
        rows = self._run(lambda c: c.execute(_KEYS, (self._label,)).fetchall())
        return [str(row[0]) for row in rows]

    def increment(self, key: str, delta: int) -> int:
        with self._transaction() as conn:
            row = conn.execute(_GET, (self._label, key)).fetchone()
            value = _integer(key, None if row is None else _bytes(row[0])) + delta
            conn.execute(_SET, (self._label, key, str(value).encode()))
        return value

    def compare_and_swap(self, key: str, expected: bytes | None, value: bytes) -> bool:
        with self._transaction() as conn:
            row = conn.execute(_GET, (self._label, key)).fetchone()
            if (None if row is None else _bytes(row[0])) != expected:
                return False
            conn.execute(_SET, (self._label, key, bytes(value)))
        return True

    def get_many(self, keys: Sequence[str]) -> list[tuple[str, bytes | None]]:
        return [(key, self.get(key)) for key in keys]

    def set_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        with self._transaction() as conn:
            conn.executemany(_SET, [(self._label, k, bytes(v)) for k, v in items])

    def delete_many(self, keys: Sequence[str]) -> None:
        with self._transaction() as conn:
            conn.executemany(_DELETE, [(self._label, k) for k in keys])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _run(self, op: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            try:
                return op(self._conn)
            except sqlite3.Error as exc:
                raise KeyValueOtherError(str(exc)) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise KeyValueOtherError(str(exc)) from None


def _bytes(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value).encode()  # an INTEGER written by Spin's own increment


def _integer(key: str, value: bytes | None) -> int:
    if value is None:
        return 0
    try:
        return int(value)
    except ValueError:
        raise KeyValueOtherError(f"value of {key!r} is not an integer") from None
