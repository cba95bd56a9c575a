"""Start-up checks per component, and the per-process facade the Wasm interfaces use."""

from __future__ import annotations

from pathlib import Path

import pytest

from spinkube.runtime.errors import StartupError
from spinkube.runtime.hostapi import (
    AllowedHosts,
    HostApiConfigError,
    HostApis,
    HttpRequestDeniedError,
    KeyValueAccessDeniedError,
    OutboundRequest,
    SqliteAccessDeniedError,
    UnsupportedApiError,
    build_catalogue,
    check_component,
    unsupported,
)
from spinkube.runtime.hostapi.catalogue import StoreCatalogue


def catalogue(tmp_path: Path) -> StoreCatalogue:
    return build_catalogue(
        key_value_stores={"cache": {"type": "spin", "path": "cache.db"}},
        sqlite_databases={},
        state_dir=tmp_path / ".spin",
        config_dir=tmp_path,
        work_dir=tmp_path,
    )


def check(tmp_path: Path, **overrides: list[str]) -> AllowedHosts:
    return check_component(
        "web",
        catalogue=catalogue(tmp_path),
        key_value_stores=overrides.get("key_value_stores", ["default", "cache"]),
        sqlite_databases=overrides.get("sqlite_databases", ["default"]),
        allowed_outbound_hosts=overrides.get("allowed_outbound_hosts", ["https://{{ api }}"]),
        variables={"api": "api.example.com"},
    )


def test_valid_component_gives_its_host_policy(tmp_path: Path) -> None:
    allowed = check(tmp_path)
    assert allowed.allows("https://api.example.com/v1", "https")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param(
            {"key_value_stores": ["default", "sessions"]},
            "component 'web': key_value_stores: 'sessions' is not defined "
            "(define [key_value_store.sessions] in the runtime config)",
            id="kv-label",
        ),
        pytest.param(
            {"sqlite_databases": ["orders"]},
            "component 'web': sqlite_databases: 'orders' is not defined "
            "(define [sqlite_database.orders] in the runtime config)",
            id="db-label",
        ),
        pytest.param(
            {"allowed_outbound_hosts": ["api.example.com"]},
            "component 'web': allowed_outbound_hosts: invalid pattern 'api.example.com': "
            "'api.example.com' does not contain a scheme (e.g., 'http://' or '*://')",
            id="pattern",
        ),
    ],
)
def test_startup_errors_name_component_and_key(
    tmp_path: Path, overrides: dict[str, list[str]], message: str
) -> None:
    with pytest.raises(HostApiConfigError) as err:
        check(tmp_path, **overrides)
    assert err.value.message == message
    assert isinstance(err.value, StartupError)


def test_component_apis_apply_the_grants(tmp_path: Path) -> None:
    cat = catalogue(tmp_path)
    allowed = check(tmp_path)
    apis = HostApis(cat).for_component(
        "web", key_value_stores=["cache"], sqlite_databases=[], allowed_hosts=allowed
    )
    apis.key_value.open("cache").set("k", b"v")
    assert (tmp_path / "cache.db").is_file()
    with pytest.raises(KeyValueAccessDeniedError):
        apis.key_value.open("default")
    with pytest.raises(SqliteAccessDeniedError):
        apis.sqlite.open("default")
    with pytest.raises(HttpRequestDeniedError):
        apis.http.send(OutboundRequest("GET", "https://other.example.com/"))


def test_data_survives_a_new_process_facade(tmp_path: Path) -> None:
    allowed = check(tmp_path)
    first = HostApis(catalogue(tmp_path)).for_component(
        "web", key_value_stores=["default"], sqlite_databases=["default"], allowed_hosts=allowed
    )
    first.key_value.open("default").set("visits", b"1")
    db = first.sqlite.open("default")
    db.execute("CREATE TABLE t (x)")
    db.execute("INSERT INTO t VALUES ('kept')")
    db.close()
    again = HostApis(catalogue(tmp_path)).for_component(
        "web", key_value_stores=["default"], sqlite_databases=["default"], allowed_hosts=allowed
    )
    assert again.key_value.open("default").get("visits") == b"1"
    assert again.sqlite.open("default").execute("SELECT x FROM t").rows == [["kept"]]
    assert (tmp_path / ".spin" / "sqlite_key_value.db").is_file()
    assert (tmp_path / ".spin" / "sqlite_db.db").is_file()


@pytest.mark.parametrize(
    ("interface", "message"),
    [
        ("fermyon:spin/llm@2.0.0", "LLM inferencing (fermyon:spin/llm) is not supported"),
        ("fermyon:spin/mysql@2.0.0", "outbound MySQL (fermyon:spin/mysql) is not supported"),
        ("spin:postgres/postgres@4.0.0", "outbound PostgreSQL (spin:postgres/postgres) is not"),
        ("fermyon:spin/mqtt@2.0.0", "outbound MQTT (fermyon:spin/mqtt) is not supported"),
        ("wasi:blobstore/blobstore", "wasi:blobstore/blobstore is not supported"),
    ],
)
def test_unsupported_interfaces_name_themselves(interface: str, message: str) -> None:
    error = unsupported(interface)
    assert isinstance(error, UnsupportedApiError)
    assert error.detail.startswith(message)
