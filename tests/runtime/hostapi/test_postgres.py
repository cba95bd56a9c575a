"""Outbound PostgreSQL's backend (one for ``fermyon:spin/postgres@2.0.0`` and
``spin:postgres/postgres@3.0.0``/``@4.0.0``) against a real server (Debian's postgresql), gated by
allowed_outbound_hosts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from spinkube.runtime.hostapi import parse_allowed_hosts
from spinkube.runtime.hostapi.postgres import (
    BadParameterError,
    Column,
    ConnectionFailedError,
    OutboundPostgres,
    PostgresConnection,
    QueryFailedError,
    ValueConversionFailedError,
    close_pooled,
)
from spinkube.runtime.hostapi.postgres_versions import lower_row_set
from spinkube.testing import free_port

from ..conftest import PostgresServer


@pytest.fixture(autouse=True, scope="module")
def _close_pooled() -> Iterator[None]:
    yield
    close_pooled()


def outbound(*patterns: str) -> OutboundPostgres:
    allowed = parse_allowed_hosts(patterns, {}, component_id="c")
    return OutboundPostgres(allowed, component_id="c")


@pytest.fixture
def conn(postgres_server: PostgresServer) -> Iterator[PostgresConnection]:
    opened = outbound(f"postgres://127.0.0.1:{postgres_server.port}").open(postgres_server.url)
    opened.execute("DROP TABLE IF EXISTS t", [])
    yield opened
    opened.close()


def test_parameters_and_columns_map_both_ways(conn: PostgresConnection) -> None:
    conn.execute(
        "CREATE TABLE t (b boolean, s smallint, i integer, l bigint, r real, d double precision,"
        " txt text, bin bytea, num numeric, day date)",
        [],
    )
    inserted = conn.execute(
        "INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1.5, '2024-02-29'),"
        " (NULL, NULL, NULL, NULL, NULL, NULL, NULL, $9, NULL, NULL)",
        [
            ("boolean", True),
            ("int16", -2),
            ("int32", 1 << 20),
            ("int64", -(1 << 40)),
            ("floating32", 0.5),
            ("floating64", 2.25),
            ("str", "héllo"),
            ("binary", b"\x00\xff"),
            ("db-null", None),
        ],
    )
    assert inserted == 2
    rows = conn.query("SELECT * FROM t ORDER BY b NULLS LAST", [])
    assert [c.data_type for c in rows.columns] == [
        "boolean", "int16", "int32", "int64", "floating32", "floating64", "str", "binary",
        "decimal", "date",
    ]  # fmt: skip
    assert rows.columns[0] == Column("b", "boolean")
    assert rows.rows[0] == [
        ("boolean", True),
        ("int16", -2),
        ("int32", 1 << 20),
        ("int64", -(1 << 40)),
        ("floating32", 0.5),
        ("floating64", 2.25),
        ("str", "héllo"),
        ("binary", b"\x00\xff"),
        ("decimal", "1.5"),
        ("date", (2024, 2, 29)),
    ]
    assert rows.rows[1] == [("db-null", None)] * 10
    v2 = lower_row_set(rows, version=2)
    assert [c.data_type for c in v2.columns][-2:] == ["other", "other"]
    assert v2.rows[0][-2:] == [("unsupported", None), ("unsupported", None)]
    v3 = lower_row_set(rows, version=3)
    assert [c.data_type for c in v3.columns][-2:] == ["other", "date"]
    assert v3.rows[0][-2:] == [("unsupported", None), ("date", (2024, 2, 29))]


def test_a_type_without_a_case_is_other_with_its_name_and_raw_value(
    conn: PostgresConnection,
) -> None:
    rows = conn.query("SELECT '10.0.0.1'::inet AS a", [])
    assert rows.columns == [Column("a", "other", "inet")]
    assert rows.rows == [[("unsupported", bytes.fromhex("022000040a000001"))]]


def test_an_interval_keeps_months_days_and_micros(conn: PostgresConnection) -> None:
    rows = conn.query("SELECT $1::interval + interval '1 day'", [("interval", (5, 1, 14))])
    assert rows.rows == [[("interval", (5, 2, 14))]]


def test_a_multi_dimensional_array_is_value_conversion_failed(conn: PostgresConnection) -> None:
    with pytest.raises(ValueConversionFailedError) as err:
        conn.query("SELECT ARRAY[[1, 2], [3, 4]]::int4[]", [])
    assert str(err.value) == "array-int32: multi-dimensional arrays have no case"
    assert conn.query("SELECT 1", []).rows == [[("int32", 1)]]


def test_errors_are_the_wit_cases(conn: PostgresConnection) -> None:
    with pytest.raises(QueryFailedError) as err:
        conn.query("SELECT * FROM missing", [])
    assert str(err.value) == 'relation "missing" does not exist'
    assert err.value.db_error is not None
    assert (err.value.db_error.severity, err.value.db_error.code) == ("ERROR", "42P01")
    assert ("routine", "parserOpenTable") in err.value.db_error.extras
    with pytest.raises(BadParameterError):
        conn.query("SELECT $1::int", [("uint64", 1 << 63)])
    assert conn.query("SELECT 1", []).rows == [[("int32", 1)]]  # still usable after an error


def test_connections_are_pooled_per_address(postgres_server: PostgresServer) -> None:
    pg = outbound(f"postgres://127.0.0.1:{postgres_server.port}")
    first = pg.open(postgres_server.url)
    pid = first.query("SELECT pg_backend_pid()", []).rows
    first.close()
    second = pg.open(postgres_server.url)
    assert second.query("SELECT pg_backend_pid()", []).rows == pid
    second.close()


def test_an_address_not_allowed_is_refused(
    postgres_server: PostgresServer, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ConnectionFailedError) as err:
        outbound("postgres://db.example:5432").open(postgres_server.url)
    origin = f"postgres://127.0.0.1:{postgres_server.port}"
    assert str(err.value) == f"{origin} is not in the component's allowed_outbound_hosts"
    assert f"component c: connection to {origin} denied" in caplog.text


def test_an_unreachable_server_is_connection_failed() -> None:
    port = free_port()
    with pytest.raises(ConnectionFailedError):
        outbound(f"postgres://127.0.0.1:{port}").open(f"postgres://spin@127.0.0.1:{port}/db")


def test_a_case_the_backend_does_not_know_is_bad_parameter(conn: PostgresConnection) -> None:
    with pytest.raises(BadParameterError) as err:
        conn.query("SELECT $1", [("multirange-int32", None)])
    assert str(err.value) == "parameter $1: no multirange-int32 case is supported"


@pytest.mark.parametrize(
    "value",
    [("timestamp", 1 << 62), ("time", (25, 0, 0, 0)), ("int16", 1 << 15)],
    ids=["timestamp", "time", "int16"],
)
def test_a_value_out_of_its_types_range_is_bad_parameter(
    conn: PostgresConnection, value: tuple[str, object]
) -> None:
    with pytest.raises(BadParameterError) as err:
        conn.query("SELECT $1", [value])
    assert str(err.value).startswith(f"parameter $1 ({value[0]}): ")
