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
        return self._call(lambda c: [_text(k) for k in c.scan_iter(count=1000)])

    def increment(self, key: str, delta: int) -> int:
        return int(self._run("INCRBY", key, delta))

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
