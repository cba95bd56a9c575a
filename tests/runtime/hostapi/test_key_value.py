"""Key-value on real backends: SQLite files in temp dirs and a real redis-server."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from spinkube.runtime.hostapi import (
    KeyValue,
    KeyValueAccessDeniedError,
    KeyValueOtherError,
    KeyValueStore,
    KeyValueStores,
    NoSuchStoreError,
    RedisStore,
    SqliteFileStore,
)
from spinkube.runtime.hostapi.kv import open_backend
from spinkube.runtime.hostapi.kv_sqlite import SqliteKeyValueStore


@pytest.fixture(params=["sqlite", "redis"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, redis_server: Any
) -> Iterator[KeyValueStore]:
    if request.param == "sqlite":
        yield open_backend("default", SqliteFileStore(tmp_path / "kv.db"))
    else:
        client = redis_server.client()
        client.flushall()
        client.close()
        yield open_backend("default", RedisStore(redis_server.url))


def test_get_set_delete_exists(store: KeyValueStore) -> None:
    assert store.get("k") is None
    assert not store.exists("k")
    store.set("k", b"\x00value\xff")
    assert store.get("k") == b"\x00value\xff"
    assert store.exists("k")
    store.set("k", b"second")
    assert store.get("k") == b"second"
    store.delete("k")
    store.delete("k")  # deleting a missing key is no error
    assert store.get("k") is None


def test_get_keys(store: KeyValueStore) -> None:
    for key in ("a", "b", "ünïcode"):
        store.set(key, b"1")
    assert sorted(store.get_keys()) == ["a", "b", "ünïcode"]


def test_empty_value_is_not_missing(store: KeyValueStore) -> None:
    store.set("empty", b"")
    assert store.get("empty") == b""


def test_increment_counts_from_zero_and_reads_back_as_decimal(store: KeyValueStore) -> None:
    assert store.increment("n", 1) == 1
    assert store.increment("n", 41) == 42
    assert store.increment("n", -2) == 40
    assert store.get("n") == b"40"


def test_increment_of_a_non_integer_is_an_error(store: KeyValueStore) -> None:
    store.set("text", b"hello")
    with pytest.raises(KeyValueOtherError) as err:
        store.increment("text", 1)
    assert err.value.case == "other"


def test_batch_operations(store: KeyValueStore) -> None:
    store.set_many([("a", b"1"), ("b", b"2")])
    assert store.get_many(["a", "b", "c"]) == [("a", b"1"), ("b", b"2"), ("c", None)]
    store.delete_many(["a", "c"])
    assert sorted(store.get_keys()) == ["b"]
    assert store.get_many([]) == []


def test_sqlite_data_survives_a_new_process_backend(tmp_path: Path) -> None:
    path = tmp_path / "state" / "sqlite_key_value.db"
    first = SqliteKeyValueStore(path, "default")
    first.set("greeting", b"hello")
    first.close()
    second = SqliteKeyValueStore(path, "default")
    assert second.get("greeting") == b"hello"
    assert second.get_keys() == ["greeting"]


def test_sqlite_stores_in_one_file_are_separated_by_label(tmp_path: Path) -> None:
    path = tmp_path / "kv.db"
    SqliteKeyValueStore(path, "one").set("k", b"1")
    other = SqliteKeyValueStore(path, "other")
    assert other.get("k") is None
    assert other.get_keys() == []


def test_sqlite_uses_spins_table_shape(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "kv.db"
    SqliteKeyValueStore(path, "default").set("k", b"v")
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT store, key, value FROM spin_key_value").fetchall()
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert rows == [("default", "k", b"v")]
    assert mode == "wal"


WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from spinkube.runtime.hostapi.kv_sqlite import SqliteKeyValueStore
    store = SqliteKeyValueStore(Path(sys.argv[1]), "default")
    for _ in range(int(sys.argv[2])):
        store.increment("hits", 1)
    """
)


def test_sqlite_increments_from_several_processes_are_not_lost(tmp_path: Path) -> None:
    path, count = tmp_path / "kv.db", 200
    SqliteKeyValueStore(path, "default")  # create the schema once
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(path), str(count)]) for _ in range(3)
    ]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0]
    assert SqliteKeyValueStore(path, "default").get("hits") == str(3 * count).encode()


def test_redis_store_writes_plain_redis_keys(redis_server: Any) -> None:
    store = open_backend("default", RedisStore(redis_server.url))
    store.set("plain", b"value")
    client = redis_server.client()
    try:
        assert client.get("plain") == b"value"
    finally:
        client.close()


def test_redis_store_unreachable_is_other_error(tmp_path: Path) -> None:
    from spinkube.testing import free_port

    store = open_backend("default", RedisStore(f"redis://127.0.0.1:{free_port()}"))
    with pytest.raises(KeyValueOtherError, match="redis"):
        store.get("k")


# Grants and labels


def stores_for(tmp_path: Path) -> KeyValueStores:
    return KeyValueStores(
        {
            "default": SqliteFileStore(tmp_path / "default.db"),
            "other": SqliteFileStore(tmp_path / "other.db"),
        }
    )


def test_open_granted_store(tmp_path: Path) -> None:
    kv = KeyValue(stores_for(tmp_path), ["default"])
    kv.open("default").set("k", b"v")
    assert kv.open("default").get("k") == b"v"


def test_label_not_granted_is_access_denied_even_if_configured(tmp_path: Path) -> None:
    kv = KeyValue(stores_for(tmp_path), ["default"])
    with pytest.raises(KeyValueAccessDeniedError) as err:
        kv.open("other")
    assert err.value.case == "access-denied"


def test_label_not_granted_and_not_configured_is_access_denied(tmp_path: Path) -> None:
    with pytest.raises(KeyValueAccessDeniedError):
        KeyValue(stores_for(tmp_path), []).open("nowhere")


def test_granted_label_not_configured_is_no_such_store(tmp_path: Path) -> None:
    kv = KeyValue(stores_for(tmp_path), ["nowhere"])
    with pytest.raises(NoSuchStoreError) as err:
        kv.open("nowhere")
    assert err.value.case == "no-such-store"


def test_components_share_one_backend_per_label(tmp_path: Path) -> None:
    stores = stores_for(tmp_path)
    a = KeyValue(stores, ["default"]).open("default")
    b = KeyValue(stores, ["default", "other"]).open("default")
    assert a is b


def test_compare_and_swap(store: KeyValueStore) -> None:
    assert store.compare_and_swap("k", None, b"first")
    assert not store.compare_and_swap("k", None, b"again")
    assert not store.compare_and_swap("k", b"stale", b"x")
    assert store.compare_and_swap("k", b"first", b"second")
    assert store.get("k") == b"second"
