"""What outbound PostgreSQL and MySQL share: the ``error`` variant's cases, values, columns and
row sets, the per-address connection pool, and the ``allowed_outbound_hosts`` check at open.

Each backend (:mod:`~spinkube.runtime.hostapi.postgres`, :mod:`~spinkube.runtime.hostapi.mysql`)
keeps only what differs: how to connect, run a statement and map its driver's values.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from spinkube.runtime.hostapi.allowed_hosts import AllowedHosts, parse_outbound_url
from spinkube.runtime.hostapi.errors import HostApiError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10
MAX_IDLE_PER_ADDRESS = 8


class RdbmsError(HostApiError):
    case = "other"


class ConnectionFailedError(RdbmsError):
    case = "connection-failed"


class BadParameterError(RdbmsError):
    case = "bad-parameter"


@dataclass(frozen=True, slots=True)
class DbError:
    """The server's structured error (``spin:postgres@4``'s ``db-error`` record)."""

    severity: str
    code: str
    message: str
    detail: str | None = None
    extras: list[tuple[str, str]] = field(default_factory=list)


class QueryFailedError(RdbmsError):
    """``query-failed``: the message, and the server's error when it sent one."""

    case = "query-failed"

    def __init__(self, detail: str = "", db_error: DbError | None = None) -> None:
        super().__init__(detail)
        self.db_error = db_error


class ValueConversionFailedError(RdbmsError):
    case = "value-conversion-failed"


DbValue = tuple[str, Any]
"""A ``db-value`` / ``parameter-value``: the WIT case and its payload (None for ``db-null``).

Payloads: ``bool``, ``int``, ``float``, ``str``, ``bytes``; ``date`` (year, month, day),
``time`` (hour, minute, second, nanosecond), ``datetime`` (year ... second, nanosecond),
``timestamp`` (seconds since the epoch), ``uuid``/``decimal`` a string, ``jsonb`` bytes,
``range-*`` (lower, upper) each None or (value, ``inclusive``/``exclusive``), ``array-*`` a list
with None for SQL NULL, ``interval`` (micros, days, months), ``unsupported`` the value's raw
bytes (or None where the version's case has no payload).
"""


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    data_type: str
    """The ``db-data-type`` case."""
    type_name: str = ""
    """The server's name of the type, for ``other`` (v4 ``other(name)``)."""


@dataclass(frozen=True, slots=True)
class RowSet:
    columns: list[Column]
    rows: list[list[DbValue]]


C = TypeVar("C")


class Pool(Generic[C]):
    """Idle connections per address, per process (dropped after a fork: a child must not share
    its parent's sockets). ``reusable`` says whether an idle connection may serve again."""

    def __init__(self, connect: Callable[[str], C], reusable: Callable[[C], bool]) -> None:
        self._connect = connect
        self._reusable = reusable
        self._lock = threading.Lock()
        self._idle: dict[str, list[C]] = {}
        self._pid = os.getpid()

    def take(self, address: str) -> C:
        while (conn := self._pop(address)) is not None:
            if self._reusable(conn):
                return conn
            _close(conn)
        return self._connect(address)

    def give_back(self, address: str, conn: C) -> None:
        with self._lock:
            idle = self._idle.setdefault(address, [])
            room = self._pid == os.getpid() and len(idle) < MAX_IDLE_PER_ADDRESS
            if room and self._reusable(conn):
                idle.append(conn)
                return
        _close(conn)

    def close_idle(self) -> None:
        with self._lock:
            idle = [conn for conns in self._idle.values() for conn in conns]
            self._idle.clear()
        for conn in idle:
            _close(conn)

    def _pop(self, address: str) -> C | None:
        with self._lock:
            if self._pid != os.getpid():
                self._idle.clear()
                self._pid = os.getpid()
            idle = self._idle.get(address)
            return idle.pop() if idle else None


def _close(conn: Any) -> None:
    conn.close()


class PooledConnection(Generic[C]):
    """One guest connection over a pooled driver connection, back to the pool on :meth:`close`
    (the guest dropping its handle)."""

    def __init__(self, pool: Pool[C], address: str, conn: C) -> None:
        self._pool = pool
        self._address = address
        self._conn: C | None = conn

    def driver(self) -> C:
        conn = self._conn
        if conn is None:
            raise ConnectionFailedError("the connection is closed")
        return conn

    def on_drop(self) -> None:
        self.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._pool.give_back(self._address, conn)


def check_address(
    allowed: AllowedHosts, address: str, *, scheme: str, default_port: int, component_id: str
) -> None:
    """``connection-failed`` for an address ``allowed_outbound_hosts`` does not allow, worded
    as outbound HTTP words it (and the same warning)."""
    try:
        url = parse_outbound_url(address, scheme)
    except ValueError as exc:
        raise ConnectionFailedError(f"invalid address: {exc}") from None
    if allowed.allows(address, scheme):
        return
    origin = f"{url.scheme}://{url.host}:{url.port or default_port}"
    log.warning(
        "component %s: connection to %s denied: not in allowed_outbound_hosts",
        component_id,
        origin,
    )
    raise ConnectionFailedError(f"{origin} is not in the component's allowed_outbound_hosts")
