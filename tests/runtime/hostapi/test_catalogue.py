"""The store catalogue from runtime-config TOML: the operator's format, defaults, errors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from spinkube.runtime.hostapi import (
    HostApiConfigError,
    LibsqlDatabase,
    LocalDatabase,
    RedisStore,
    SqliteFileStore,
    catalogue_from_runtime_config,
    catalogue_from_toml,
)
from spinkube.runtime.hostapi.catalogue import StoreCatalogue
from spinkube.runtime.runtime_config import load_runtime_config

STATE = Path("/app/.spin")
CONFIG_DIR = Path("/config")
WORK = Path("/work")

# The exact file the operator generates for one Redis store (upstream-behaviour §1.4).
OPERATOR_TOML = """\
[[config_provider]]
type = 'env'
prefix = 'SPIN_VARIABLE_'

[key_value_store]
[key_value_store.default]
type = 'redis'
url = 'redis://localhost:9000'
"""


def catalogue(text: str) -> StoreCatalogue:
    return catalogue_from_toml(
        tomllib.loads(text), state_dir=STATE, config_dir=CONFIG_DIR, work_dir=WORK
    )


def test_defaults_follow_spins_state_dir_layout() -> None:
    result = catalogue("")
    assert result.key_value_stores == {"default": SqliteFileStore(STATE / "sqlite_key_value.db")}
    assert result.sqlite_databases == {"default": LocalDatabase(STATE / "sqlite_db.db")}


def test_operator_generated_redis_default_store() -> None:
    assert catalogue(OPERATOR_TOML).key_value_stores == {
        "default": RedisStore("redis://localhost:9000")
    }


def test_spin_stores_and_databases_resolve_paths_as_spin_does() -> None:
    result = catalogue(
        """
        [key_value_store.rel]
        type = "spin"
        path = "kv/rel.db"
        [key_value_store.abs]
        type = "spin"
        path = "/data/abs.db"
        [key_value_store.nopath]
        type = "spin"
        [sqlite_database.orders]
        type = "spin"
        path = "orders.db"
        [sqlite_database.remote]
        type = "libsql"
        url = "https://db.example.com"
        token = "secret-token"
        """
    )
    assert result.key_value_stores == {
        "default": SqliteFileStore(STATE / "sqlite_key_value.db"),
        "rel": SqliteFileStore(CONFIG_DIR / "kv/rel.db"),
        "abs": SqliteFileStore(Path("/data/abs.db")),
        "nopath": SqliteFileStore(STATE / "sqlite_key_value_nopath.db"),
    }
    assert result.sqlite_databases["orders"] == LocalDatabase(WORK / "orders.db")
    assert result.sqlite_databases["remote"] == LibsqlDatabase(
        "https://db.example.com", "secret-token"
    )


def test_secrets_stay_out_of_reprs() -> None:
    result = catalogue(OPERATOR_TOML.replace("localhost", "user:hunter2@localhost"))
    assert "hunter2" not in repr(result)


def test_a_configured_default_replaces_the_built_in_one() -> None:
    result = catalogue('[sqlite_database.default]\ntype = "spin"\npath = "/db/main.db"\n')
    assert result.sqlite_databases == {"default": LocalDatabase(Path("/db/main.db"))}


BAD = [
    pytest.param(
        '[key_value_store.cache]\ntype = "memcached"\n',
        "key_value_store.cache.type: unknown store type 'memcached' (supported: 'spin', 'redis')",
        id="kv-unknown-type",
    ),
    pytest.param(
        '[sqlite_database.main]\ntype = "postgres"\n',
        "sqlite_database.main.type: unknown store type 'postgres' (supported: 'spin', 'libsql')",
        id="db-unknown-type",
    ),
    pytest.param(
        '[key_value_store.cosmos]\ntype = "azure_cosmos"\n',
        "key_value_store.cosmos.type: 'azure_cosmos' stores are not supported by spinkube-runtime",
        id="kv-azure",
    ),
    pytest.param(
        '[key_value_store.cache]\npath = "x.db"\n',
        "key_value_store.cache.type: required, one of 'spin', 'redis'",
        id="kv-missing-type",
    ),
    pytest.param(
        '[key_value_store.cache]\ntype = "redis"\n',
        "key_value_store.cache.url: required for type 'redis'",
        id="redis-missing-url",
    ),
    pytest.param(
        '[key_value_store.cache]\ntype = "redis"\nurl = 6379\n',
        "key_value_store.cache.url: expected a string",
        id="redis-url-not-string",
    ),
    pytest.param(
        '[key_value_store.cache]\ntype = "spin"\npath = "a.db"\nurl = "redis://x"\n',
        "key_value_store.cache.url: unknown option for type 'spin'",
        id="kv-unknown-option",
    ),
    pytest.param(
        '[sqlite_database.remote]\ntype = "libsql"\n',
        "sqlite_database.remote.url: required for type 'libsql'",
        id="libsql-missing-url",
    ),
    pytest.param(
        'key_value_store = "nope"\n',
        "key_value_store: expected tables ([key_value_store.<label>])",
        id="kv-not-tables",
    ),
    pytest.param(
        'sqlite_database = { main = "x" }\n',
        "sqlite_database.main: expected a table",
        id="db-entry-not-table",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_config_is_a_startup_error_naming_the_key(text: str, message: str) -> None:
    with pytest.raises(HostApiConfigError) as err:
        catalogue(text)
    assert err.value.message.startswith(message)


def test_catalogue_from_the_runtimes_parsed_config(tmp_path: Path) -> None:
    config_file = tmp_path / "runtime-config.toml"
    config_file.write_text(
        OPERATOR_TOML + '\n[sqlite_database.main]\ntype = "spin"\npath = "main.db"\n'
    )
    result = catalogue_from_runtime_config(
        load_runtime_config(config_file), state_dir=STATE, config_file=config_file, work_dir=WORK
    )
    assert result.key_value_stores == {"default": RedisStore("redis://localhost:9000")}
    assert result.sqlite_databases["main"] == LocalDatabase(WORK / "main.db")
