"""The errors of Spin's host APIs, one small hierarchy per WIT interface.

Each leaf class maps 1:1 to a case of the interface's ``error`` variant; ``case`` is the WIT case
name, and ``detail`` the string payload for the cases that carry one (``other``, ``io``). The Wasm
interface modules catch the base class and lower ``(exc.case, exc.detail)``.

Messages never contain store URLs, passwords or variable values.
"""

from __future__ import annotations

from typing import ClassVar

from spinkube.runtime.errors import StartupError


class HostApiConfigError(StartupError):
    """Bad host-API configuration found at start: a runtime-config store or an allowed host."""


class HostApiError(Exception):
    """An error a host function returns to the guest (never a trap)."""

    case: ClassVar[str] = "other"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.case)
        self.detail = detail


# fermyon:spin/key-value@2.0.0 `error` (wasi:keyvalue/store's is the same minus store-table-full)


class KeyValueError(HostApiError):
    case = "other"


class StoreTableFullError(KeyValueError):
    case = "store-table-full"


class NoSuchStoreError(KeyValueError):
    case = "no-such-store"


class KeyValueAccessDeniedError(KeyValueError):
    case = "access-denied"


class KeyValueOtherError(KeyValueError):
    case = "other"


# fermyon:spin/sqlite@2.0.0 and spin:sqlite@3.0.0 `error`


class SqliteError(HostApiError):
    case = "io"


class NoSuchDatabaseError(SqliteError):
    case = "no-such-database"


class SqliteAccessDeniedError(SqliteError):
    case = "access-denied"


class InvalidConnectionError(SqliteError):
    case = "invalid-connection"


class DatabaseFullError(SqliteError):
    case = "database-full"


class SqliteIoError(SqliteError):
    case = "io"


# fermyon:spin/redis@2.0.0 `error`


class RedisError(HostApiError):
    case = "other"


class InvalidAddressError(RedisError):
    case = "invalid-address"


class TooManyConnectionsError(RedisError):
    case = "too-many-connections"


class RedisTypeError(RedisError):
    case = "type-error"


class RedisOtherError(RedisError):
    case = "other"


# Interfaces this runtime links but does not serve.


class UnsupportedApiError(HostApiError):
    """LLM, MySQL, PostgreSQL, MQTT...: the message names the interface and says so."""

    case = "other"

    def __init__(self, interface: str) -> None:
        super().__init__(f"{interface} is not supported by spinkube-runtime")
        self.interface = interface
