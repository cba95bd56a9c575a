"""Outbound MySQL (``fermyon:spin/mysql@2.0.0``'s backend) against a real server (Debian's
mariadb-server), gated by allowed_outbound_hosts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from spinkube.runtime.hostapi import parse_allowed_hosts
from spinkube.runtime.hostapi.mysql import (
    MysqlConnection,
    OutboundMysql,
    close_pooled,
    question_marks_to_format,
)
from spinkube.runtime.hostapi.rdbms import ConnectionFailedError, QueryFailedError
from spinkube.testing import free_port

from ..conftest import MysqlServer


@pytest.fixture(autouse=True, scope="module")
def _close_pooled() -> Iterator[None]:
    yield
    close_pooled()


def outbound(*patterns: str) -> OutboundMysql:
    return OutboundMysql(parse_allowed_hosts(patterns, {}, component_id="c"), component_id="c")


@pytest.fixture
def conn(mysql_server: MysqlServer) -> Iterator[MysqlConnection]:
    opened = outbound(f"mysql://127.0.0.1:{mysql_server.port}").open(mysql_server.url)
    opened.execute("DROP TABLE IF EXISTS t", [])
    yield opened
    opened.close()


def test_parameters_and_columns_map_both_ways(conn: MysqlConnection) -> None:
    conn.execute(
        "CREATE TABLE t (a tinyint, s smallint, i int, l bigint, r float, d double,"
        " txt varchar(20), bin varbinary(8), num decimal(5,2), day date)",
        [],
    )
    conn.execute(
        "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1.5, '2024-02-29'),"
        " (NULL, NULL, NULL, NULL, NULL, NULL, ?, NULL, NULL, NULL)",
        [
            ("int8", -3),
            ("int16", -2),
            ("int32", 1 << 20),
            ("int64", -(1 << 40)),
            ("floating32", 0.5),
            ("floating64", 2.25),
            ("str", "h%llo?"),
            ("binary", b"\x00\xff"),
            ("db-null", None),
        ],
    )
    rows = conn.query("SELECT * FROM t ORDER BY a IS NULL", [])
    assert [c.data_type for c in rows.columns] == [
        "int8", "int16", "int32", "int64", "floating32", "floating64", "str", "binary",
        "other", "other",
    ]  # fmt: skip
    assert rows.rows[0] == [
        ("int8", -3),
        ("int16", -2),
        ("int32", 1 << 20),
        ("int64", -(1 << 40)),
        ("floating32", 0.5),
        ("floating64", 2.25),
        ("str", "h%llo?"),
        ("binary", b"\x00\xff"),
        ("unsupported", None),
        ("unsupported", None),
    ]
    assert rows.rows[1] == [("db-null", None)] * 10
    matched = conn.query("SELECT txt FROM t WHERE a = ? AND txt LIKE '%?'", [("int8", -3)])
    assert matched.rows == [[("str", "h%llo?")]]


def test_placeholders_outside_quotes_only() -> None:
    assert question_marks_to_format("SELECT ?, '?%', \"a?\", 5 % 2") == (
        "SELECT %s, '?%%', \"a?\", 5 %% 2"
    )


def test_errors_are_the_wit_cases(conn: MysqlConnection) -> None:
    with pytest.raises(QueryFailedError) as err:
        conn.query("SELECT * FROM missing", [])
    assert "doesn't exist" in str(err.value)
    assert conn.query("SELECT 1", []).rows[0][0][1] == 1


def test_an_address_not_allowed_is_refused(mysql_server: MysqlServer) -> None:
    with pytest.raises(ConnectionFailedError) as err:
        outbound("mysql://db.example:3306").open(mysql_server.url)
    origin = f"mysql://127.0.0.1:{mysql_server.port}"
    assert str(err.value) == f"{origin} is not in the component's allowed_outbound_hosts"


def test_an_unreachable_server_is_connection_failed() -> None:
    port = free_port()
    with pytest.raises(ConnectionFailedError):
        outbound(f"mysql://127.0.0.1:{port}").open(f"mysql://root@127.0.0.1:{port}/db")
