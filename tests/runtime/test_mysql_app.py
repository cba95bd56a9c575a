"""Outbound MySQL from a Spin Python SDK guest (apps/mysql-outbound) through `spinkube-runtime up`,
against a real server (Debian's mariadb-server)."""

from __future__ import annotations

import httpx
import pytest

from .conftest import APPS_DIR, Helpers, MysqlServer, RunRuntime, Served

pytestmark = [pytest.mark.apps, pytest.mark.slow]


def post(served: Served, action: str, statement: str, *params: str) -> httpx.Response:
    query = [("p", p) for p in params]
    return httpx.post(served.url(f"/{action}"), params=query, content=statement, timeout=60)


def start(run_runtime: RunRuntime, helpers: Helpers, server: MysqlServer, allowed: str) -> Served:
    helpers.app_wasm("mysql-outbound")
    env = {"SPIN_VARIABLE_DB_ADDRESS": server.url, "SPIN_VARIABLE_DB_ALLOWED": allowed}
    return run_runtime(APPS_DIR / "mysql-outbound", env=env)


def test_statements_and_queries_map_values_both_ways(
    run_runtime: RunRuntime, helpers: Helpers, mysql_server: MysqlServer
) -> None:
    served = start(run_runtime, helpers, mysql_server, f"mysql://127.0.0.1:{mysql_server.port}")
    assert post(served, "exec", "DROP TABLE IF EXISTS notes").text == "done"
    create = (
        "CREATE TABLE notes (id int, body varchar(20), big bigint, data varbinary(4), n decimal)"
    )
    assert post(served, "exec", create).text == "done"
    insert = "INSERT INTO notes VALUES (?, ?, ?, ?, 2), (?, ?, NULL, NULL, NULL)"
    inserted = post(
        served, "exec", insert,
        "int32:1", "str:héllo", "int64:-9000000000", "binary:00ff", "int32:2", "null:",
    )  # fmt: skip
    assert (inserted.status_code, inserted.text) == (200, "done")
    rows = post(served, "query", "SELECT * FROM notes WHERE id >= ? ORDER BY id", "int32:1")
    assert rows.status_code == 200, rows.text
    assert rows.text.splitlines() == [
        "id:int32 | body:str | big:int64 | data:binary | n:other",
        "int32=1 | str=héllo | int64=-9000000000 | binary=00ff | unsupported",
        "int32=2 | dbnull | dbnull | dbnull | dbnull",
    ]
    missing = post(served, "query", "SELECT * FROM no_such_table")
    assert missing.status_code == 502
    assert missing.text.startswith("error: QueryFailed: ")


def test_an_address_not_allowed_is_connection_failed(
    run_runtime: RunRuntime, helpers: Helpers, mysql_server: MysqlServer
) -> None:
    served = start(run_runtime, helpers, mysql_server, "mysql://127.0.0.1:3306")
    denied = post(served, "query", "SELECT 1")
    origin = f"mysql://127.0.0.1:{mysql_server.port}"
    assert (denied.status_code, denied.text) == (
        502,
        f"error: ConnectionFailed: {origin} is not in the component's allowed_outbound_hosts",
    )
    assert f"component mysql-outbound: connection to {origin} denied" in served.output()
