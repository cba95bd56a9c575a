"""The MQTT trigger (the spin-trigger-mqtt plugin's ``[[trigger.mqtt]]``): one client connection
per trigger, subscribed to its topic at its QoS; every message runs the component's
``handle-message`` export in a fresh instance, with the topic it came on.

Messages are handled one at a time per trigger, in arrival order, on a thread of their own, so a
slow handler never holds up the client's keep-alive. A handler that traps (or answers ``err``) is
logged and the subscription goes on. A lost connection (the broker restarted) is re-established
with paho's exponential backoff and the topic subscribed again; messages published meanwhile are
lost (clean session). A broker that refuses the credentials, or the subscription, ends the
trigger: retrying would not help.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from spinkube.runtime.wasm.api import GuestError, TriggerHost

log = logging.getLogger(__name__)

FIRST_RETRY_S = 1
MAX_RETRY_S = 5
POLL_S = 0.5
"""How long one wait for a message lasts: the stop flag is checked this often."""
FATAL_CONNACK = {"Bad user name or password", "Not authorized"}
"""CONNACK refusals that retrying cannot fix (MQTT 3.1.1 codes 4 and 5, as paho names them)."""


class MqttTriggerError(Exception):
    """The trigger cannot go on (refused credentials or subscription); the message says why."""


@dataclass(frozen=True, slots=True)
class MqttBroker:
    """``[application.trigger.mqtt]``, variables rendered and the address parsed."""

    host: str
    port: int
    tls: bool
    username: str = ""
    password: str = field(default="", repr=False)
    keep_alive_s: int = 30

    @property
    def origin(self) -> str:
        """``mqtt://host:port`` (``mqtts://`` with TLS), for logs."""
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class MqttSubscription:
    trigger_id: str
    component_id: str
    broker: MqttBroker
    topic: str
    """A topic filter, variables rendered: MQTT wildcards ``+`` and ``#`` allowed."""
    qos: int


class MqttTrigger:
    """Runs a client and a handler thread per subscription until :meth:`stop`."""

    def __init__(
        self,
        subscriptions: tuple[MqttSubscription, ...],
        hosts: Mapping[str, TriggerHost],
        *,
        on_fatal: Callable[[BaseException], None],
    ) -> None:
        self._listeners = [
            _Listener(sub, hosts[sub.component_id], on_fatal) for sub in subscriptions
        ]

    def start(self) -> None:
        for listener in self._listeners:
            listener.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        for listener in self._listeners:
            listener.stop(timeout_s)


class _Listener:
    """One trigger: paho's network loop on one thread, the guest calls on another."""

    def __init__(
        self, sub: MqttSubscription, host: TriggerHost, on_fatal: Callable[[BaseException], None]
    ) -> None:
        self.sub = sub
        self._host = host
        self._on_fatal = on_fatal
        self._messages: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self._stopping = threading.Event()
        self._client_id = f"spin-{uuid.uuid4().hex[:12]}"
        self._client: Any = _client(sub, self._client_id)
        self._client.on_connect = self._on_connect
        self._client.on_connect_fail = self._on_connect_fail
        self._client.on_disconnect = self._on_disconnect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message
        self._threads = [
            threading.Thread(target=self._network, name=f"mqtt-{sub.trigger_id}", daemon=True),
            threading.Thread(target=self._handle, name=f"mqtt-{sub.trigger_id}-h", daemon=True),
        ]

    def start(self) -> None:
        self._client.connect_async(
            self.sub.broker.host, self.sub.broker.port, keepalive=self.sub.broker.keep_alive_s
        )
        for thread in self._threads:
            thread.start()

    def stop(self, timeout_s: float) -> None:
        self._stopping.set()
        self._client.disconnect()
        for thread in self._threads:
            thread.join(timeout_s)

    # -- the network thread (paho calls the callbacks below on it) ----------------------------

    def _network(self) -> None:
        try:
            self._client.loop_forever(retry_first_connection=True)
        except BaseException as exc:  # a bug, not an outage: the trigger ends
            log.exception("mqtt trigger %r stopped", self.sub.trigger_id)
            self._fail(exc)

    def _on_connect(
        self, client: Any, _userdata: object, _flags: object, reason: Any, _props: object
    ) -> None:
        sub = self.sub
        if not reason.is_failure:
            client.subscribe(sub.topic, qos=sub.qos)
            return
        message = f"{sub.broker.origin} refused the connection: {reason}"
        if str(reason) in FATAL_CONNACK:
            self._fail(MqttTriggerError(f"mqtt trigger {sub.trigger_id!r}: {message}"))
        else:
            log.warning("mqtt trigger %r: %s; retrying", sub.trigger_id, message)

    def _on_connect_fail(self, _client: Any, _userdata: object) -> None:
        log.warning(
            "mqtt trigger %r: %s unreachable; retrying (backoff up to %d s)",
            self.sub.trigger_id,
            self.sub.broker.origin,
            MAX_RETRY_S,
        )

    def _on_disconnect(
        self, _client: Any, _userdata: object, _flags: object, reason: Any, _props: object
    ) -> None:
        if not self._stopping.is_set():
            log.warning(
                "mqtt trigger %r: lost the connection to %s (%s); reconnecting",
                self.sub.trigger_id,
                self.sub.broker.origin,
                reason,
            )

    def _on_subscribe(
        self, _client: Any, _userdata: object, _mid: int, reasons: list[Any], _props: object
    ) -> None:
        sub = self.sub
        if any(r.is_failure for r in reasons):
            self._fail(
                MqttTriggerError(
                    f"mqtt trigger {sub.trigger_id!r}: {sub.broker.origin} refused the "
                    f"subscription to topic {sub.topic!r}"
                )
            )
            return
        log.info(
            "mqtt trigger %r: subscribed to topic %r (QoS %d) on %s as client %s -> %s",
            sub.trigger_id,
            sub.topic,
            sub.qos,
            sub.broker.origin,
            self._client_id,
            sub.component_id,
        )

    def _on_message(self, _client: Any, _userdata: object, message: Any) -> None:
        self._messages.put((str(message.topic), bytes(message.payload)))

    def _fail(self, exc: BaseException) -> None:
        if not isinstance(exc, MqttTriggerError):
            self._on_fatal(exc)
            return
        log.error("%s", exc)
        self._stopping.set()
        self._client.disconnect()
        self._on_fatal(exc)

    # -- the handler thread -------------------------------------------------------------------

    def _handle(self) -> None:
        while not self._stopping.is_set():
            try:
                topic, payload = self._messages.get(timeout=POLL_S)
            except queue.Empty:
                continue
            self._deliver(topic, payload)

    def _deliver(self, topic: str, payload: bytes) -> None:
        try:
            self._host.handle_mqtt_message(payload, topic)
        except GuestError as exc:
            log.error(
                "mqtt trigger %r: component %r failed on a message from topic %r: %s",
                self.sub.trigger_id,
                self.sub.component_id,
                topic,
                exc,
            )


def _client(sub: MqttSubscription, client_id: str) -> Any:
    """A paho client for MQTT 3.1.1 with a clean session, as the plugin's; anonymous when the
    username is empty."""
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
    if sub.broker.username:
        client.username_pw_set(sub.broker.username, sub.broker.password or None)
    if sub.broker.tls:
        client.tls_set()
    client.reconnect_delay_set(FIRST_RETRY_S, MAX_RETRY_S)
    return client
