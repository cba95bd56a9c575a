"""Outbound PostgreSQL (``fermyon:spin/postgres@2.0.0``'s backend) against a real server
(Debian's postgresql), gated by allowed_outbound_hosts."""

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
    close_pooled,
)
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
        "other", "other",
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
        ("unsupported", None),
        ("unsupported", None),
    ]
    assert rows.rows[1] == [("db-null", None)] * 10


def test_errors_are_the_wit_cases(conn: PostgresConnection) -> None:
    with pytest.raises(QueryFailedError) as err:
        conn.query("SELECT * FROM missing", [])
    assert 'relation "missing" does not exist' in str(err.value)
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
