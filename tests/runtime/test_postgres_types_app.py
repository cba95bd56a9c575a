"""Every value case of `spin:postgres/postgres@4.0.0` and `@3.0.0` from a Spin Python SDK guest
(apps/postgres-types, the SDK's generated bindings) through `spinkube-runtime up`, round-tripped
through a real table of Debian's postgresql."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import APPS_DIR, Helpers, PostgresServer, RunRuntime, Served

pytestmark = [pytest.mark.apps, pytest.mark.slow]

# (column type, parameter sent, v4 data type, value v4 answers, v3 data type, value v3 answers)
CASES: list[tuple[str, list[Any], str, list[Any], str, list[Any]]] = [
    ("boolean", ["boolean", True], "boolean", ["boolean", True], "boolean", ["boolean", True]),
    ("smallint", ["int16", -2], "int16", ["int16", -2], "int16", ["int16", -2]),
    ("integer", ["int32", 1 << 20], "int32", ["int32", 1 << 20], "int32", ["int32", 1 << 20]),
    ("bigint", ["int64", -(1 << 40)], "int64", ["int64", -(1 << 40)], "int64",
     ["int64", -(1 << 40)]),
    ("real", ["floating32", 0.5], "floating32", ["floating32", 0.5], "floating32",
     ["floating32", 0.5]),
    ("double precision", ["floating64", 2.25], "floating64", ["floating64", 2.25], "floating64",
     ["floating64", 2.25]),
    ("text", ["str", "héllo"], "str", ["str", "héllo"], "str", ["str", "héllo"]),
    ("bytea", ["binary", "00ff"], "binary", ["binary", "00ff"], "binary", ["binary", "00ff"]),
    ("date", ["date", [2024, 2, 29]], "date", ["date", [2024, 2, 29]], "date",
     ["date", [2024, 2, 29]]),
    ("time", ["time", [13, 14, 15, 123456000]], "time", ["time", [13, 14, 15, 123456000]],
     "time", ["time", [13, 14, 15, 123456000]]),
    ("timestamp", ["datetime", [2024, 2, 29, 13, 14, 15, 5000]], "datetime",
     ["datetime", [2024, 2, 29, 13, 14, 15, 5000]], "datetime",
     ["datetime", [2024, 2, 29, 13, 14, 15, 5000]]),
    ("timestamptz", ["timestamp", 1700000000], "datetime",
     ["datetime", [2023, 11, 14, 22, 13, 20, 0]], "datetime",
     ["datetime", [2023, 11, 14, 22, 13, 20, 0]]),
    ("uuid", ["uuid", "12345678-1234-5678-1234-567812345678"], "uuid",
     ["uuid", "12345678-1234-5678-1234-567812345678"], "other", ["unsupported", None]),
    ("jsonb", ["jsonb", b'{"a": [1, null]}'.hex()], "jsonb",
     ["jsonb", b'{"a":[1,null]}'.hex()], "other", ["unsupported", None]),
    ("numeric", ["decimal", "12345678901234567890.0100"], "decimal",
     ["decimal", "12345678901234567890.0100"], "other", ["unsupported", None]),
    ("int4range", ["range-int32", [[1, "inclusive"], [5, "exclusive"]]], "range-int32",
     ["range-int32", [[1, "inclusive"], [5, "exclusive"]]], "other", ["unsupported", None]),
    ("int8range", ["range-int64", [None, [1 << 40, "exclusive"]]], "range-int64",
     ["range-int64", [None, [1 << 40, "exclusive"]]], "other", ["unsupported", None]),
    ("numrange", ["range-decimal", [["1.5", "exclusive"], None]], "range-decimal",
     ["range-decimal", [["1.5", "exclusive"], None]], "other", ["unsupported", None]),
    ("int4[]", ["array-int32", [1, None, 3]], "array-int32", ["array-int32", [1, None, 3]],
     "other", ["unsupported", None]),
    ("int8[]", ["array-int64", [None, 1 << 40]], "array-int64",
     ["array-int64", [None, 1 << 40]], "other", ["unsupported", None]),
    ("numeric[]", ["array-decimal", ["1.50", None]], "array-decimal",
     ["array-decimal", ["1.50", None]], "other", ["unsupported", None]),
    ("text[]", ["array-str", ['a"b', None, "c,d"]], "array-str",
     ["array-str", ['a"b', None, "c,d"]], "other", ["unsupported", None]),
    ("interval", ["interval", [3_000_000, 2, 14]], "interval",
     ["interval", [3_000_000, 2, 14]], "other", ["unsupported", None]),
]  # fmt: skip


def call(served: Served, path: str, statement: str, *params: list[Any]) -> httpx.Response:
    body = {"statement": statement, "params": list(params)}
    return httpx.post(served.url(path), json=body, timeout=60)


@pytest.fixture
def served(run_runtime: RunRuntime, helpers: Helpers, postgres_server: PostgresServer) -> Served:
    helpers.app_wasm("postgres-types")
    env = {
        "SPIN_VARIABLE_PG_ADDRESS": postgres_server.url,
        "SPIN_VARIABLE_PG_ALLOWED": f"postgres://127.0.0.1:{postgres_server.port}",
    }
    return run_runtime(APPS_DIR / "postgres-types", env=env)


def create_table(served: Served, table: str) -> None:
    columns = ", ".join(f"c{i} {sql_type}" for i, (sql_type, *_) in enumerate(CASES))
    assert call(served, "/v4/execute", f"DROP TABLE IF EXISTS {table}").status_code == 200
    created = call(served, "/v4/execute", f"CREATE TABLE {table} (k int, {columns})")
    assert created.status_code == 200, created.text


@pytest.mark.parametrize("version", ["v4", "v3"])
def test_every_case_round_trips_through_a_table(served: Served, version: str) -> None:
    table = f"every_{version}"
    create_table(served, table)
    v3_params = [case[1] for case in CASES if case[4] != "other"]
    params = [case[1] for case in CASES] if version == "v4" else v3_params
    names = [f"c{i}" for i, case in enumerate(CASES) if version == "v4" or case[4] != "other"]
    placeholders = ", ".join(f"${i + 2}" for i in range(len(params)))
    insert = f"INSERT INTO {table} (k, {', '.join(names)}) VALUES ($1, {placeholders})"
    inserted = call(served, f"/{version}/execute", insert, ["int32", 1], *params)
    assert inserted.json() == {"count": 1}, inserted.text
    if version == "v3":  # the v4-only columns are filled through v4
        rest = [(f"c{i}", case[1]) for i, case in enumerate(CASES) if case[4] == "other"]
        sets = ", ".join(f"{name} = ${i + 1}" for i, (name, _) in enumerate(rest))
        update = call(served, "/v4/execute", f"UPDATE {table} SET {sets}", *[p for _, p in rest])
        assert update.json() == {"count": 1}, update.text
    rows = call(
        served,
        f"/{version}/query",
        f"SELECT {', '.join(f'c{i}' for i in range(len(CASES)))} FROM {table}",
    )
    assert rows.status_code == 200, rows.text
    answer = rows.json()
    types = [case[2] if version == "v4" else case[4] for case in CASES]
    values = [case[3] if version == "v4" else case[5] for case in CASES]
    assert answer["columns"] == [[f"c{i}", t] for i, t in enumerate(types)]
    assert answer["rows"] == [values]


@pytest.mark.parametrize("version", ["v4", "v3"])
def test_nulls_go_both_ways(served: Served, version: str) -> None:
    table = f"nulls_{version}"
    create_table(served, table)
    insert = f"INSERT INTO {table} (k, c0, c8) VALUES ($1, $2, $3)"
    null = ["db-null", None]
    assert call(served, f"/{version}/execute", insert, ["int32", 1], null, null).json() == {
        "count": 1
    }
    rows = call(served, f"/{version}/query", f"SELECT * FROM {table}").json()["rows"]
    assert rows == [[["int32", 1]] + [null] * len(CASES)]


def test_a_type_v4_does_not_map_is_other_with_its_raw_value(served: Served) -> None:
    answer = call(served, "/v4/query", "SELECT '10.0.0.1'::inet AS a").json()
    assert answer["columns"] == [["a", "other:inet"]]
    assert answer["rows"] == [[["unsupported", "022000040a000001"]]]  # inet's binary form
    assert call(served, "/v3/query", "SELECT '10.0.0.1'::inet AS a").json() == {
        "columns": [["a", "other"]],
        "rows": [[["unsupported", None]]],
    }


def test_server_errors_are_query_failed_with_the_servers_fields(served: Served) -> None:
    v4 = call(served, "/v4/query", "SELECT * FROM no_such_table")
    assert v4.status_code == 502
    error = v4.json()
    assert (error["error"], error["message"]) == (
        "query-failed",
        'relation "no_such_table" does not exist',
    )
    assert error["db_error"]["code"] == "42P01"
    assert error["db_error"]["severity"] == "ERROR"
    assert error["db_error"]["message"] == 'relation "no_such_table" does not exist'
    v3 = call(served, "/v3/query", "SELECT * FROM no_such_table").json()
    assert v3 == {
        "error": "query-failed",
        "message": 'relation "no_such_table" does not exist',
        "db_error": None,
    }


@pytest.mark.parametrize(
    ("param", "fragment"),
    [
        (["uuid", "not-a-uuid"], "parameter $1 (uuid)"),
        (["date", [2023, 2, 29]], "parameter $1 (date)"),
        (["jsonb", b"{".hex()], "parameter $1 (jsonb)"),
        (["decimal", "1.2.3"], "parameter $1 (decimal)"),
    ],
    ids=["uuid", "date", "jsonb", "decimal"],
)
def test_a_value_its_case_cannot_hold_is_bad_parameter(
    served: Served, param: list[Any], fragment: str
) -> None:
    answer = call(served, "/v4/query", "SELECT $1", param)
    assert answer.status_code == 502
    assert answer.json()["error"] == "bad-parameter"
    assert fragment in answer.json()["message"]


def test_connections_are_pooled_per_address(served: Served) -> None:
    first = call(served, "/v4/query", "SELECT pg_backend_pid()").json()["rows"]
    assert call(served, "/v3/query", "SELECT pg_backend_pid()").json()["rows"] == first
    assert call(served, "/v4/query", "SELECT pg_backend_pid()").json()["rows"] == first


def test_an_address_not_allowed_is_connection_failed(
    run_runtime: RunRuntime, helpers: Helpers, postgres_server: PostgresServer
) -> None:
    helpers.app_wasm("postgres-types")
    env = {"SPIN_VARIABLE_PG_ADDRESS": postgres_server.url}  # pg_allowed stays :5432
    served = run_runtime(APPS_DIR / "postgres-types", env=env)
    origin = f"postgres://127.0.0.1:{postgres_server.port}"
    message = f"{origin} is not in the component's allowed_outbound_hosts"
    for version in ("v4", "v3"):
        denied = call(served, f"/{version}/query", "SELECT 1")
        assert denied.status_code == 502
        assert denied.json() == {"error": "connection-failed", "message": message, "db_error": None}
    assert f"component postgres-types: connection to {origin} denied" in served.output()
