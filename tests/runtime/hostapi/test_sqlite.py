"""SQLite databases: grants, Spin's value types, errors, durability across connections."""

from __future__ import annotations

from pathlib import Path

import pytest

from spinkube.runtime.hostapi import (
    DatabaseFullError,
    Databases,
    InvalidConnectionError,
    LibsqlDatabase,
    LocalDatabase,
    NoSuchDatabaseError,
    QueryResult,
    SqliteAccessDeniedError,
    SqliteIoError,
)
from spinkube.runtime.hostapi.catalogue import DatabaseSpec


def catalogue(tmp_path: Path) -> dict[str, DatabaseSpec]:
    return {
        "default": LocalDatabase(tmp_path / "state" / "sqlite_db.db"),
        "orders": LocalDatabase(tmp_path / "orders.db"),
        "remote": LibsqlDatabase("https://db.example.com", "token"),
    }


def test_values_round_trip_with_spins_types(tmp_path: Path) -> None:
    db = Databases(catalogue(tmp_path), ["default"]).open("default")
    db.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n)")
    params = [-(2**63), 1.5, "tëxt", b"\x00\x01", None]
    db.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)", params)
    result = db.execute("SELECT i, r, s, b, n AS empty FROM t")
    assert result == QueryResult(columns=["i", "r", "s", "b", "empty"], rows=[params])


def test_statement_without_rows_has_no_columns(tmp_path: Path) -> None:
    db = Databases(catalogue(tmp_path), ["default"]).open("default")
    assert db.execute("CREATE TABLE t (x)") == QueryResult(columns=[], rows=[])


def test_last_insert_rowid_and_changes(tmp_path: Path) -> None:
    db = Databases(catalogue(tmp_path), ["default"]).open("default")
    assert db.last_insert_rowid() == 0
    db.execute("CREATE TABLE t (x)")
    db.execute("INSERT INTO t VALUES (1), (2), (3)")
    assert (db.last_insert_rowid(), db.changes()) == (3, 3)
    db.execute("UPDATE t SET x = 0 WHERE x > 1")
    db.execute("SELECT * FROM t")
    assert db.changes() == 2


def test_data_written_by_one_connection_is_read_by_the_next(tmp_path: Path) -> None:
    first = Databases(catalogue(tmp_path), ["orders"]).open("orders")
    first.execute("CREATE TABLE o (id INTEGER PRIMARY KEY, item TEXT)")
    first.execute("INSERT INTO o (item) VALUES (?)", ["tea"])
    first.close()
    second = Databases(catalogue(tmp_path), ["orders"]).open("orders")
    assert second.execute("SELECT item FROM o").rows == [["tea"]]


def test_a_transaction_left_open_is_rolled_back_at_close(tmp_path: Path) -> None:
    dbs = Databases(catalogue(tmp_path), ["default"])
    setup = dbs.open("default")
    setup.execute("CREATE TABLE t (x)")
    setup.close()
    guest = dbs.open("default")
    guest.execute("BEGIN")
    guest.execute("INSERT INTO t VALUES (1)")
    guest.close()
    assert dbs.open("default").execute("SELECT count(*) FROM t").rows == [[0]]


def test_sql_error_is_io_with_sqlites_message(tmp_path: Path) -> None:
    db = Databases(catalogue(tmp_path), ["default"]).open("default")
    with pytest.raises(SqliteIoError) as err:
        db.execute("SELECT * FROM missing")
    assert (err.value.case, err.value.detail) == ("io", "no such table: missing")


def test_several_statements_in_one_call_are_refused(tmp_path: Path) -> None:
    db = Databases(catalogue(tmp_path), ["default"]).open("default")
    with pytest.raises(SqliteIoError):
        db.execute("CREATE TABLE a (x); CREATE TABLE b (x)")


def test_closed_connection_is_invalid(tmp_path: Path) -> None:
    db = Databases(catalogue(tmp_path), ["default"]).open("default")
    db.close()
    with pytest.raises(InvalidConnectionError) as err:
        db.execute("SELECT 1")
    assert err.value.case == "invalid-connection"


def test_not_granted_is_access_denied(tmp_path: Path) -> None:
    with pytest.raises(SqliteAccessDeniedError) as err:
        Databases(catalogue(tmp_path), ["default"]).open("orders")
    assert err.value.case == "access-denied"


def test_granted_but_not_configured_is_no_such_database(tmp_path: Path) -> None:
    with pytest.raises(NoSuchDatabaseError) as err:
        Databases(catalogue(tmp_path), ["nowhere"]).open("nowhere")
    assert err.value.case == "no-such-database"


def test_libsql_is_a_clear_unsupported_error_at_open(tmp_path: Path) -> None:
    with pytest.raises(SqliteIoError, match="libsql is not supported") as err:
        Databases(catalogue(tmp_path), ["remote"]).open("remote")
    assert "token" not in err.value.detail


def test_a_full_database_is_database_full(tmp_path: Path) -> None:
    db = Databases(catalogue(tmp_path), ["default"]).open("default")
    db.execute("CREATE TABLE t (b BLOB)")
    pages = db.execute("PRAGMA page_count").rows[0][0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(DatabaseFullError) as err:
        db.execute("INSERT INTO t VALUES (?)", [b"x" * 1_000_000])
    assert err.value.case == "database-full"
