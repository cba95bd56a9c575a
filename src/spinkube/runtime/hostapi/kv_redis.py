"""A key-value store in Redis (Spin's ``redis`` store type): keys are Redis string keys."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import redis

from spinkube.runtime.hostapi.errors import KeyValueOtherError
from spinkube.runtime.hostapi.redis_client import client_for, execute

T = TypeVar("T")


class RedisKeyValueStore:
    def __init__(self, url: str) -> None:
        try:
            self._client = client_for(url)
        except ValueError:
            raise KeyValueOtherError("invalid Redis URL for the key-value store") from None

    def get(self, key: str) -> bytes | None:
        value = self._run("GET", key)
        return None if value is None else bytes(value)

    def set(self, key: str, value: bytes) -> None:
        self._run("SET", key, bytes(value))

    def delete(self, key: str) -> None:
        self._run("DEL", key)

    def exists(self, key: str) -> bool:
        return bool(self._run("EXISTS", key))

    def get_keys(self) -> list[str]:
        keys: list[str] = []
        cursor = b"0"
        while True:
            cursor, batch = self._run("SCAN", cursor, "COUNT", 1000)
            keys.extend(_text(k) for k in batch)
            if cursor in (b"0", "0"):
                return list(dict.fromkeys(keys))  # SCAN may repeat a key

    def increment(self, key: str, delta: int) -> int:
        return int(self._run("INCRBY", key, delta))

    def compare_and_swap(self, key: str, expected: bytes | None, value: bytes) -> bool:
        """WATCH, compare, then MULTI/SET/EXEC: EXEC answers nil when the key changed."""

        def swap(client: redis.Redis) -> bool:
            with client.pipeline(transaction=True) as pipe:
                try:
                    execute(pipe, "WATCH", key)
                    if execute(pipe, "GET", key) != expected:
                        return False
                    pipe.multi()
                    execute(pipe, "SET", key, bytes(value))
                    pipe.execute()
                except redis.WatchError:
                    return False
                return True

        return self._call(swap)

    def get_many(self, keys: Sequence[str]) -> list[tuple[str, bytes | None]]:
        if not keys:
            return []
        values = self._run("MGET", *keys)
        return [(k, None if v is None else bytes(v)) for k, v in zip(keys, values, strict=True)]

    def set_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        if items:
            self._run("MSET", *[part for k, v in items for part in (k, bytes(v))])

    def delete_many(self, keys: Sequence[str]) -> None:
        if keys:
            self._run("DEL", *keys)

    def _run(self, *command: Any) -> Any:
        return self._call(lambda c: execute(c, *command))

    def _call(self, op: Callable[[redis.Redis], T]) -> T:
        try:
            return op(self._client)
        except redis.RedisError as exc:
            raise KeyValueOtherError(f"redis: {exc}") from None


def _text(key: object) -> str:
    return key.decode("utf-8", errors="replace") if isinstance(key, bytes) else str(key)
