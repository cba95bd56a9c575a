"""Outbound MQTT: ``fermyon:spin/mqtt@2.0.0`` (what spin-sdk 3.4.1's ``spin_sdk.mqtt`` uses), with
paho-mqtt.

``OutboundMqtt.open(address, username, password, keep_alive_s)`` checks the address
(``mqtt://host:port``) against ``allowed_outbound_hosts`` with the ``mqtt`` scheme: one not
allowed is ``connection-failed`` naming ``mqtt://host:port``, with a warning like outbound
HTTP's. Each open is a client connection (MQTT 3.1.1, clean session); ``publish`` waits until the
broker has the message for QoS 1 and 2, and the connection is closed when the guest drops it.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from spinkube.runtime.hostapi.allowed_hosts import AllowedHosts, parse_outbound_url
from spinkube.runtime.hostapi.errors import HostApiError

log = logging.getLogger(__name__)

TIMEOUT_S = 10.0
QOS = {"at-most-once": 0, "at-least-once": 1, "exactly-once": 2}


class MqttError(HostApiError):
    case = "other"


class MqttInvalidAddressError(MqttError):
    case = "invalid-address"


class MqttConnectionFailedError(MqttError):
    case = "connection-failed"


class MqttConnection:
    def __init__(self, client: Any) -> None:
        self._client: Any = client

    def publish(self, topic: str, payload: bytes, qos: str) -> None:
        client = self._client
        if client is None:
            raise MqttConnectionFailedError("the connection is closed")
        info = client.publish(topic, bytes(payload), qos=QOS[qos])
        try:
            info.wait_for_publish(TIMEOUT_S)
        except (RuntimeError, ValueError) as exc:
            raise MqttError(f"publish to {topic!r} failed: {exc}") from None
        if not info.is_published():
            raise MqttError(f"publish to {topic!r} not acknowledged within {TIMEOUT_S} s")

    def on_drop(self) -> None:
        self.close()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.disconnect()
            client.loop_stop()


class OutboundMqtt:
    """One component's outbound MQTT."""

    def __init__(self, allowed: AllowedHosts, *, component_id: str) -> None:
        self._allowed = allowed
        self._component_id = component_id

    def open(self, address: str, username: str, password: str, keep_alive_s: int) -> MqttConnection:
        try:
            url = parse_outbound_url(address, "mqtt")
        except ValueError as exc:
            raise MqttInvalidAddressError(str(exc)) from None
        origin = f"{url.scheme}://{url.host}:{url.port or 1883}"
        if not self._allowed.allows(address, "mqtt"):
            log.warning(
                "component %s: connection to %s denied: not in allowed_outbound_hosts",
                self._component_id,
                origin,
            )
            raise MqttConnectionFailedError(
                f"{origin} is not in the component's allowed_outbound_hosts"
            )
        return MqttConnection(
            _connect(url.host, url.port or 1883, username, password, keep_alive_s)
        )


def _connect(host: str, port: int, username: str, password: str, keep_alive_s: int) -> Any:
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"spin-{uuid.uuid4().hex[:12]}")
    if username:
        client.username_pw_set(username, password or None)
    try:
        client.connect(host, port, keepalive=max(int(keep_alive_s), 1))
    except OSError as exc:
        raise MqttConnectionFailedError(f"cannot connect to {host}:{port}: {exc}") from None
    client.loop_start()
    return client
