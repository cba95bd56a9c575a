"""Outbound Redis against a real redis-server, gated by allowed_outbound_hosts."""

from __future__ import annotations

import pytest

from spinkube.runtime.hostapi import (
    InvalidAddressError,
    OutboundRedis,
    RedisConnection,
    RedisOtherError,
    RedisTypeError,
    Status,
    parse_allowed_hosts,
)
from spinkube.testing import free_port

from ..conftest import RedisServer


def outbound(*patterns: str) -> OutboundRedis:
    return OutboundRedis(parse_allowed_hosts(patterns, {}, component_id="c"), component_id="c")


@pytest.fixture
def conn(redis_server: RedisServer) -> RedisConnection:
    client = redis_server.client()
    client.flushall()
    client.close()
    return outbound(f"redis://127.0.0.1:{redis_server.port}").open(redis_server.url)


def test_get_set(conn: RedisConnection) -> None:
    assert conn.get("k") is None
    conn.set("k", b"Eureka!")
    assert conn.get("k") == b"Eureka!"


def test_incr_and_type_error(conn: RedisConnection) -> None:
    assert conn.incr("n") == 1
    assert conn.incr("n") == 2
    conn.set("word", b"abc")
    with pytest.raises(RedisTypeError) as err:
        conn.incr("word")
    assert err.value.case == "type-error"


def test_del_counts_removed_keys(conn: RedisConnection) -> None:
    conn.set("a", b"1")
    conn.set("b", b"2")
    assert conn.delete(["a", "b", "missing"]) == 2
    assert conn.delete([]) == 0


def test_sets(conn: RedisConnection) -> None:
    assert conn.sadd("s", ["x", "y", "x"]) == 2
    assert sorted(conn.smembers("s")) == ["x", "y"]
    assert conn.srem("s", ["x", "nope"]) == 1
    assert conn.smembers("s") == ["y"]
    conn.set("str", b"v")
    with pytest.raises(RedisTypeError):
        conn.sadd("str", ["x"])


def test_publish_reaches_a_subscriber(conn: RedisConnection, redis_server: RedisServer) -> None:
    client = redis_server.client()
    pubsub = client.pubsub()
    try:
        pubsub.subscribe("news")
        subscribed = pubsub.get_message(timeout=10)
        assert subscribed is not None
        assert subscribed["type"] == "subscribe"
        conn.publish("news", b"hello")
        message = pubsub.get_message(timeout=10)
        assert message is not None
        assert (message["channel"], message["data"]) == (b"news", b"hello")
    finally:
        pubsub.close()
        client.close()


def test_execute_returns_spins_result_types(conn: RedisConnection) -> None:
    assert conn.execute("SET", [b"k", b"OK"]) == [Status("OK")]
    assert conn.execute("GET", [b"k"]) == [b"OK"]
    assert isinstance(conn.execute("SET", [b"k", b"v"])[0], Status)
    assert not isinstance(conn.execute("GET", [b"k"])[0], Status)
    assert conn.execute("INCRBY", [b"n", 5]) == [5]
    assert conn.execute("GET", [b"missing"]) == [None]
    conn.execute("RPUSH", [b"l", b"a", b"b"])
    assert conn.execute("LRANGE", [b"l", 0, -1]) == [b"a", b"b"]


def test_execute_server_error_is_other(conn: RedisConnection) -> None:
    with pytest.raises(RedisOtherError) as err:
        conn.execute("NOSUCHCOMMAND", [])
    assert "unknown command" in err.value.detail


def test_address_not_allowed_is_invalid_address(redis_server: RedisServer) -> None:
    with pytest.raises(InvalidAddressError) as err:
        outbound("redis://example.com").open(redis_server.url)
    assert err.value.case == "invalid-address"


def test_default_redis_port_only_allows_6379(redis_server: RedisServer) -> None:
    with pytest.raises(InvalidAddressError):
        outbound("redis://127.0.0.1").open(redis_server.url)


def test_allowed_but_not_a_redis_url_is_invalid_address() -> None:
    with pytest.raises(InvalidAddressError):
        outbound("*://*:*").open("http://127.0.0.1:80")


def test_unreachable_server_is_other() -> None:
    address = f"redis://127.0.0.1:{free_port()}"
    with pytest.raises(RedisOtherError):
        outbound("redis://127.0.0.1:*").open(address)
