"""The Redis trigger: one subscription per ``[[trigger.redis]]`` channel; every message runs the
component's ``fermyon:spin/inbound-redis`` export in a fresh instance.

A handler that traps (or answers ``err``) is logged and the subscription goes on. A lost
connection (the server restarted, the network broke) is re-established with exponential
backoff; messages published while it is down are lost, as with any Redis subscriber.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from spinkube.runtime.trigger.threads import ThreadPerJob
from spinkube.runtime.wasm.api import GuestError, TriggerHost

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)

FIRST_RETRY_S = 0.1
MAX_RETRY_S = 5.0
POLL_S = 0.5
"""How long one wait for a message lasts: the stop flag is checked this often."""
CONNECT_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class RedisSubscription:
    trigger_id: str
    component_id: str
    address: str
    """``redis://host:port``, variables rendered."""
    channel: str

    @property
    def origin(self) -> str:
        """``redis://host:port``: the address without credentials, for logs."""
        parts = urlsplit(self.address)
        return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}"


class RedisTrigger(ThreadPerJob[RedisSubscription]):
    """Runs a subscription thread per channel until :meth:`stop`."""

    kind = "redis"

    def __init__(
        self,
        subscriptions: tuple[RedisSubscription, ...],
        hosts: Mapping[str, TriggerHost],
        *,
        on_fatal: Callable[[BaseException], None],
    ) -> None:
        super().__init__(subscriptions, on_fatal=on_fatal)
        self._hosts = hosts
        self._retry_s: dict[str, float] = {}
        """Per trigger: the next reconnect delay; reset once a subscription is made."""

    def _run(self, sub: RedisSubscription) -> None:
        import redis

        while not self._stopping.is_set():
            try:
                self._listen(sub, redis.Redis.from_url(sub.address, **_TIMEOUTS))
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                delay = self._retry_s.get(sub.trigger_id, FIRST_RETRY_S)
                log.warning(
                    "redis trigger %r: %s unreachable (%s); retrying in %.1f s",
                    sub.trigger_id,
                    sub.origin,
                    exc,
                    delay,
                )
                self._stopping.wait(delay)
                self._retry_s[sub.trigger_id] = min(delay * 2, MAX_RETRY_S)

    def _listen(self, sub: RedisSubscription, client: redis.Redis) -> None:
        pubsub = client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
        try:
            pubsub.subscribe(sub.channel)
            log.info(
                "redis trigger %r: %s channel %r -> %s",
                sub.trigger_id,
                sub.origin,
                sub.channel,
                sub.component_id,
            )
            self._retry_s.pop(sub.trigger_id, None)
            while not self._stopping.is_set():
                message = pubsub.get_message(timeout=POLL_S)
                if message is not None and message.get("type") == "message":
                    self._deliver(sub, bytes(message["data"]))
        finally:
            pubsub.close()
            client.close()

    def _deliver(self, sub: RedisSubscription, payload: bytes) -> None:
        try:
            self._hosts[sub.component_id].handle_redis_message(payload)
        except GuestError as exc:
            log.error(
                "redis trigger %r: component %r failed on a message from channel %r: %s",
                sub.trigger_id,
                sub.component_id,
                sub.channel,
                exc,
            )


_TIMEOUTS: dict[str, float] = {
    "socket_connect_timeout": CONNECT_TIMEOUT_S,
    "health_check_interval": 30,
}
