"""Redis clients (PyPI ``redis``) that return raw replies, with status replies told apart.

Spin's ``redis-result`` distinguishes a status reply (``+OK``) from a bulk string (``$2 OK``);
redis-py's parser returns bytes for both. :class:`StatusAwareParser` returns a :class:`Status`
for status replies, and the clients here have no response callbacks, so every command gives
exactly what the server sent: ``None``, ``int``, ``bytes``, :class:`Status` or a list of those.

One client (and connection pool) per URL and process; the pools are dropped after a fork.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import redis
from redis._parsers import _RESP2Parser
from redis.client import Pipeline
from redis.utils import SENTINEL

from spinkube.runtime.hostapi.redis_values import Status

CONNECT_TIMEOUT_S = 10.0
COMMAND_TIMEOUT_S = 30.0
MAX_CONNECTIONS = 64


class StatusAwareParser(_RESP2Parser):
    def _read_response(self, disable_decoding: bool = False, timeout: Any = SENTINEL) -> Any:
        buffer = self._buffer
        assert buffer is not None
        start = buffer.get_pos()
        line = buffer.readline(timeout=timeout)
        if line[:1] == b"+":
            return Status(line[1:].decode("utf-8", errors="replace"))
        buffer.rewind(start)
        return super()._read_response(disable_decoding=disable_decoding, timeout=timeout)


_lock = threading.Lock()
_clients: dict[str, redis.Redis] = {}
_pid = os.getpid()


def client_for(url: str) -> redis.Redis:
    """The process's shared raw client for ``url``; raises ValueError for a malformed URL."""
    global _pid
    with _lock:
        if _pid != os.getpid():
            _clients.clear()
            _pid = os.getpid()
        client = _clients.get(url)
        if client is None:
            client = _clients[url] = _new_client(url)
        return client


def _new_client(url: str) -> redis.Redis:
    pool = redis.ConnectionPool.from_url(
        url,
        parser_class=StatusAwareParser,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=COMMAND_TIMEOUT_S,
        max_connections=MAX_CONNECTIONS,
        protocol=2,
    )
    client = redis.Redis(connection_pool=pool)
    client.response_callbacks.clear()
    return client


def execute(client: redis.Redis | Pipeline, *command: Any) -> Any:
    """Send one command and return the raw reply (redis-py's method is untyped)."""
    return client.execute_command(*command)  # type: ignore[no-untyped-call]
