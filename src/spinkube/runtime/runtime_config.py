"""The runtime-config.toml parts ``spinkube-runtime`` reads: variable providers and stores.

Spin's file (and the one the operator generates) looks like::

    [[config_provider]]
    type = "env"
    prefix = "SPIN_VARIABLE_"

    [key_value_store.default]
    type = "spin"
    path = "/data/kv.db"

Only the ``env`` variable provider exists here; Vault and Azure Key Vault are refused at start.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spinkube.runtime.errors import StartupError

DEFAULT_ENV_PREFIX = "SPIN_VARIABLE_"


@dataclass(frozen=True, slots=True)
class EnvProviderConfig:
    prefix: str = DEFAULT_ENV_PREFIX
    dotenv_path: Path | None = None


@dataclass(frozen=True, slots=True)
class RuntimeConfig:
    variable_providers: tuple[EnvProviderConfig, ...] = ()
    key_value_stores: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sqlite_databases: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def load_runtime_config(path: Path | None) -> RuntimeConfig:
    """Parse the file; None gives the empty config (only the default env provider applies)."""
    if path is None:
        return RuntimeConfig()
    try:
        doc = tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError) as exc:
        raise StartupError(f"{path}: cannot read runtime config: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise StartupError(f"{path}: invalid TOML: {exc}") from None
    providers = [
        _provider(path, i, entry)
        for key in ("config_provider", "variables_provider")
        for i, entry in enumerate(_list(path, doc, key))
    ]
    return RuntimeConfig(
        variable_providers=tuple(providers),
        key_value_stores=_tables(path, doc, "key_value_store"),
        sqlite_databases=_tables(path, doc, "sqlite_database"),
    )


def _provider(path: Path, index: int, entry: Any) -> EnvProviderConfig:
    where = f"{path}: config_provider[{index}]"
    if not isinstance(entry, Mapping):
        raise StartupError(f"{where}: expected a table")
    kind = entry.get("type")
    if kind != "env":
        raise StartupError(
            f"{where}: variables provider type {kind!r} is not supported (only 'env')"
        )
    prefix = entry.get("prefix", DEFAULT_ENV_PREFIX)
    dotenv = entry.get("dotenv_path")
    if not isinstance(prefix, str) or not (dotenv is None or isinstance(dotenv, str)):
        raise StartupError(f"{where}: prefix and dotenv_path must be strings")
    dotenv_path = None if dotenv is None else (path.parent / dotenv)
    return EnvProviderConfig(prefix=prefix, dotenv_path=dotenv_path)


def _list(path: Path, doc: Mapping[str, Any], key: str) -> list[Any]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise StartupError(f"{path}: {key}: expected an array of tables ([[{key}]])")
    return value


def _tables(path: Path, doc: Mapping[str, Any], key: str) -> dict[str, Mapping[str, Any]]:
    value = doc.get(key, {})
    if not isinstance(value, Mapping) or not all(isinstance(v, Mapping) for v in value.values()):
        raise StartupError(f"{path}: {key}: expected tables ([{key}.<name>])")
    return {name: dict(table) for name, table in value.items()}
