"""Outbound PostgreSQL from a Spin Python SDK guest (apps/postgres-outbound) through
`spinkube-runtime up`, against a real server (Debian's postgresql)."""

from __future__ import annotations

import httpx
import pytest

from .conftest import APPS_DIR, Helpers, PostgresServer, RunRuntime, Served

pytestmark = [pytest.mark.apps, pytest.mark.slow]


def post(served: Served, action: str, statement: str, *params: str) -> httpx.Response:
    query = [("p", p) for p in params]
    return httpx.post(served.url(f"/{action}"), params=query, content=statement, timeout=60)


@pytest.fixture
def served(run_runtime: RunRuntime, helpers: Helpers, postgres_server: PostgresServer) -> Served:
    helpers.app_wasm("postgres-outbound")
    env = {
        "SPIN_VARIABLE_PG_ADDRESS": postgres_server.url,
        "SPIN_VARIABLE_PG_ALLOWED": f"postgres://127.0.0.1:{postgres_server.port}",
    }
    return run_runtime(APPS_DIR / "postgres-outbound", env=env)


def test_statements_and_queries_map_values_both_ways(served: Served) -> None:
    assert post(served, "exec", "DROP TABLE IF EXISTS notes").text == "0"
    create = "CREATE TABLE notes (id int, body text, big bigint, ok boolean, data bytea, n numeric)"
    assert post(served, "exec", create).status_code == 200
    insert = "INSERT INTO notes VALUES ($1, $2, $3, $4, $5, 2.5), ($6, $7, NULL, NULL, NULL, NULL)"
    inserted = post(
        served, "exec", insert,
        "int32:1", "str:héllo", "int64:-9000000000", "boolean:true", "binary:00ff",
        "int32:2", "null:",
    )  # fmt: skip
    assert (inserted.status_code, inserted.text) == (200, "2")
    rows = post(served, "query", "SELECT * FROM notes ORDER BY id")
    assert rows.status_code == 200, rows.text
    assert rows.text.splitlines() == [
        "id:int32 | body:str | big:int64 | ok:boolean | data:binary | n:other",
        "int32=1 | str=héllo | int64=-9000000000 | boolean=True | binary=00ff | unsupported",
        "int32=2 | dbnull | dbnull | dbnull | dbnull | dbnull",
    ]
    filtered = post(served, "query", "SELECT body FROM notes WHERE id = $1", "int32:1")
    assert filtered.text.splitlines()[1:] == ["str=héllo"]


def test_errors_are_the_wit_cases(served: Served) -> None:
    missing = post(served, "query", "SELECT * FROM no_such_table")
    assert missing.status_code == 502
    assert missing.text.startswith("error: QueryFailed: ")
    assert 'relation "no_such_table" does not exist' in missing.text


def test_an_address_not_allowed_is_connection_failed(
    run_runtime: RunRuntime, helpers: Helpers, postgres_server: PostgresServer
) -> None:
    helpers.app_wasm("postgres-outbound")
    env = {"SPIN_VARIABLE_PG_ADDRESS": postgres_server.url}  # pg_allowed stays :5432
    served = run_runtime(APPS_DIR / "postgres-outbound", env=env)
    denied = post(served, "query", "SELECT 1")
    origin = f"postgres://127.0.0.1:{postgres_server.port}"
    assert (denied.status_code, denied.text) == (
        502,
        f"error: ConnectionFailed: {origin} is not in the component's allowed_outbound_hosts",
    )
    assert f"component postgres-outbound: connection to {origin} denied" in served.output()
