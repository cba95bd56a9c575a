"""The store catalogue: which key-value stores and SQLite databases exist, built from the
runtime-config TOML once at start.

The operator writes ``[key_value_store.<label>]`` and ``[sqlite_database.<label>]`` tables with a
``type`` and one key per option; Spin's own runtime config uses the same keys. Supported:

======================  =========  ===================================================
table                   type       options
======================  =========  ===================================================
key_value_store.<l>     spin       ``path`` (SQLite file; relative to the config file)
key_value_store.<l>     redis      ``url`` (``redis://[user:password@]host[:port][/db]``)
sqlite_database.<l>     spin       ``path`` (SQLite file; relative to the working dir)
sqlite_database.<l>     libsql     ``url``, ``token``: accepted, refused when opened
======================  =========  ===================================================

Without configuration, the ``default`` store is ``<state_dir>/sqlite_key_value.db`` and the
``default`` database ``<state_dir>/sqlite_db.db`` (Spin's ``.spin/`` layout). A ``spin`` store
without ``path`` is a file in the state dir too (Spin keeps it in memory, which several worker
processes could not share). Anything else is a :class:`HostApiConfigError` naming the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spinkube.runtime.hostapi.errors import HostApiConfigError
from spinkube.runtime.runtime_config import RuntimeConfig

DEFAULT_LABEL = "default"
DEFAULT_KEY_VALUE_FILE = "sqlite_key_value.db"
DEFAULT_DATABASE_FILE = "sqlite_db.db"

_KV_TYPES = {"spin": ("path",), "redis": ("url",)}
_DB_TYPES = {"spin": ("path",), "libsql": ("url", "token")}
_KNOWN_ELSEWHERE = {"azure_cosmos", "aws_dynamo"}


@dataclass(frozen=True, slots=True)
class SqliteFileStore:
    """A key-value store kept in a SQLite file (Spin's ``spin`` type)."""

    path: Path


@dataclass(frozen=True, slots=True)
class RedisStore:
    """A key-value store kept in Redis. ``url`` may hold a password: never log it."""

    url: str = field(repr=False)


KeyValueSpec = SqliteFileStore | RedisStore


@dataclass(frozen=True, slots=True)
class LocalDatabase:
    path: Path


@dataclass(frozen=True, slots=True)
class LibsqlDatabase:
    url: str = field(repr=False)
    token: str = field(default="", repr=False)


DatabaseSpec = LocalDatabase | LibsqlDatabase


@dataclass(frozen=True, slots=True)
class StoreCatalogue:
    key_value_stores: Mapping[str, KeyValueSpec]
    sqlite_databases: Mapping[str, DatabaseSpec]


def catalogue_from_runtime_config(
    config: RuntimeConfig, *, state_dir: Path, config_file: Path | None, work_dir: Path
) -> StoreCatalogue:
    """The catalogue from :func:`spinkube.runtime.runtime_config.load_runtime_config`'s result."""
    return build_catalogue(
        key_value_stores=config.key_value_stores,
        sqlite_databases=config.sqlite_databases,
        state_dir=state_dir,
        config_dir=None if config_file is None else config_file.parent,
        work_dir=work_dir,
    )


def catalogue_from_toml(
    doc: Mapping[str, Any], *, state_dir: Path, config_dir: Path | None = None, work_dir: Path
) -> StoreCatalogue:
    """The catalogue from a whole parsed runtime-config document."""
    return build_catalogue(
        key_value_stores=_tables(doc, "key_value_store"),
        sqlite_databases=_tables(doc, "sqlite_database"),
        state_dir=state_dir,
        config_dir=config_dir,
        work_dir=work_dir,
    )


def build_catalogue(
    *,
    key_value_stores: Mapping[str, Mapping[str, Any]],
    sqlite_databases: Mapping[str, Mapping[str, Any]],
    state_dir: Path,
    config_dir: Path | None = None,
    work_dir: Path,
) -> StoreCatalogue:
    """``config_dir`` is the runtime-config file's directory (key-value paths are relative to it;
    the state dir when None); SQLite paths are relative to ``work_dir``, as in Spin."""
    kv_base = config_dir if config_dir is not None else state_dir
    stores: dict[str, KeyValueSpec] = {
        DEFAULT_LABEL: SqliteFileStore(state_dir / DEFAULT_KEY_VALUE_FILE)
    }
    for label, table in key_value_stores.items():
        stores[label] = _key_value_spec(label, table, base=kv_base, state_dir=state_dir)
    databases: dict[str, DatabaseSpec] = {
        DEFAULT_LABEL: LocalDatabase(state_dir / DEFAULT_DATABASE_FILE)
    }
    for label, table in sqlite_databases.items():
        databases[label] = _database_spec(label, table, base=work_dir, state_dir=state_dir)
    return StoreCatalogue(key_value_stores=stores, sqlite_databases=databases)


def _key_value_spec(
    label: str, table: Mapping[str, Any], *, base: Path, state_dir: Path
) -> KeyValueSpec:
    where = f"key_value_store.{label}"
    kind = _type(where, table, _KV_TYPES)
    if kind == "redis":
        return RedisStore(url=_required(where, table, "url"))
    path = _optional(where, table, "path")
    if path is None:
        return SqliteFileStore(state_dir / f"sqlite_key_value_{label}.db")
    return SqliteFileStore(base / path)


def _database_spec(
    label: str, table: Mapping[str, Any], *, base: Path, state_dir: Path
) -> DatabaseSpec:
    where = f"sqlite_database.{label}"
    kind = _type(where, table, _DB_TYPES)
    if kind == "libsql":
        token = _optional(where, table, "token") or ""
        return LibsqlDatabase(url=_required(where, table, "url"), token=token)
    path = _optional(where, table, "path")
    if path is None:
        return LocalDatabase(state_dir / f"sqlite_db_{label}.db")
    return LocalDatabase(base / path)


def _type(where: str, table: Mapping[str, Any], types: Mapping[str, tuple[str, ...]]) -> str:
    kind = table.get("type")
    if not isinstance(kind, str):
        raise HostApiConfigError(f"{where}.type: required, one of {_choices(types)}")
    if kind in _KNOWN_ELSEWHERE:
        raise HostApiConfigError(
            f"{where}.type: {kind!r} stores are not supported by spinkube-runtime "
            f"(supported: {_choices(types)})"
        )
    if kind not in types:
        raise HostApiConfigError(
            f"{where}.type: unknown store type {kind!r} (supported: {_choices(types)})"
        )
    unknown = sorted(set(table) - {"type", *types[kind]})
    if unknown:
        raise HostApiConfigError(f"{where}.{unknown[0]}: unknown option for type {kind!r}")
    return kind


def _required(where: str, table: Mapping[str, Any], key: str) -> str:
    value = _optional(where, table, key)
    if not value:
        raise HostApiConfigError(f"{where}.{key}: required for type {table['type']!r}")
    return value


def _optional(where: str, table: Mapping[str, Any], key: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise HostApiConfigError(f"{where}.{key}: expected a string")
    return value


def _choices(types: Mapping[str, object]) -> str:
    return ", ".join(repr(t) for t in types)


def _tables(doc: Mapping[str, Any], key: str) -> Mapping[str, Mapping[str, Any]]:
    value = doc.get(key, {})
    if not isinstance(value, Mapping):
        raise HostApiConfigError(f"{key}: expected tables ([{key}.<label>])")
    for label, table in value.items():
        if not isinstance(table, Mapping):
            raise HostApiConfigError(f"{key}.{label}: expected a table")
    return value
