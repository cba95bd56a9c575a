"""Outbound Redis: ``fermyon:spin/redis@2.0.0`` (and ``spin:redis@3.0.0``, the same calls).

``OutboundRedis.open(address)`` checks the address against ``allowed_outbound_hosts`` with the
``redis`` scheme (``redis://host:port``); an address not allowed, or not a Redis URL, is
``invalid-address``, as in Spin. Connections come from a per-process pool per address.
``execute`` results are Spin's ``redis-result`` values: ``None`` (nil), :class:`Status`,
``int`` (int64) and ``bytes`` (binary); nested arrays are flattened, as Spin does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from spinkube.runtime.hostapi.allowed_hosts import AllowedHosts
from spinkube.runtime.hostapi.errors import (
    InvalidAddressError,
    RedisError,
    RedisOtherError,
    RedisTypeError,
    TooManyConnectionsError,
)
from spinkube.runtime.hostapi.redis_values import Status

if TYPE_CHECKING:
    import redis

# redis (the library) is imported on first use: it costs ~50 ms at start-up, and most apps
# never open a Redis connection.

log = logging.getLogger(__name__)

RedisParameter = int | bytes
RedisResult = None | Status | int | bytes

T = TypeVar("T")


class RedisConnection:
    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    def publish(self, channel: str, payload: bytes) -> None:
        self._run("PUBLISH", channel, bytes(payload))

    def get(self, key: str) -> bytes | None:
        value = self._run("GET", key)
        return None if value is None else bytes(value)

    def set(self, key: str, value: bytes) -> None:
        self._run("SET", key, bytes(value))

    def incr(self, key: str) -> int:
        return int(self._run("INCR", key))

    def delete(self, keys: Sequence[str]) -> int:
        """``del``: the number of keys removed."""
        return int(self._run("DEL", *keys)) if keys else 0

    def sadd(self, key: str, values: Sequence[str]) -> int:
        return int(self._run("SADD", key, *values))

    def smembers(self, key: str) -> list[str]:
        return [bytes(v).decode("utf-8", errors="replace") for v in self._run("SMEMBERS", key)]

    def srem(self, key: str, values: Sequence[str]) -> int:
        return int(self._run("SREM", key, *values))

    def execute(self, command: str, arguments: Sequence[RedisParameter]) -> list[RedisResult]:
        return _flatten(self._run(command, *arguments))

    def _run(self, *command: Any) -> Any:
        from spinkube.runtime.hostapi.redis_client import execute

        return _call(lambda: execute(self._client, *command))


class OutboundRedis:
    """One component's outbound Redis."""

    def __init__(
        self,
        allowed: AllowedHosts,
        *,
        component_id: str,
        client: Callable[[str], redis.Redis] | None = None,
    ) -> None:
        self._allowed = allowed
        self._component_id = component_id
        self._client = client

    def open(self, address: str) -> RedisConnection:
        if not self._allowed.allows(address, "redis"):
            log.warning(
                "component %s: Redis address denied: not in allowed_outbound_hosts",
                self._component_id,
            )
            raise InvalidAddressError(
                "the address is not in the component's allowed_outbound_hosts"
            )
        try:
            client = (self._client or _pooled_client)(address)
        except ValueError:
            raise InvalidAddressError("not a Redis URL (redis://host:port)") from None
        connection = RedisConnection(client)
        _call(client.ping)
        return connection


def _pooled_client(address: str) -> redis.Redis:
    from spinkube.runtime.hostapi.redis_client import client_for

    return client_for(address)


def _call(op: Callable[[], T]) -> T:
    import redis

    try:
        return op()
    except redis.RedisError as exc:
        raise _error(exc) from None


def _error(exc: redis.RedisError) -> RedisError:
    import redis

    message = str(exc)
    if isinstance(exc, redis.ConnectionError) and "Too many connections" in message:
        return TooManyConnectionsError(message)
    if isinstance(exc, redis.ResponseError) and (
        message.startswith("WRONGTYPE") or "not an integer" in message
    ):
        return RedisTypeError(message)
    return RedisOtherError(message)


def _flatten(reply: Any) -> list[RedisResult]:
    import redis

    if isinstance(reply, list):
        return [item for part in reply for item in _flatten(part)]
    if reply is None or isinstance(reply, Status | int | bytes):
        return [reply]
    if isinstance(reply, redis.ResponseError):  # an error inside an array reply (EXEC)
        raise _error(reply)
    return [str(reply).encode()]
