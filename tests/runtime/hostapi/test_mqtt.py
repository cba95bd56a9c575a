"""Outbound MQTT (``fermyon:spin/mqtt@2.0.0``'s backend) against a real broker (Debian's
mosquitto), gated by allowed_outbound_hosts."""

from __future__ import annotations

import queue
import time
import uuid
from collections.abc import Iterator
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from spinkube.runtime.hostapi import parse_allowed_hosts
from spinkube.runtime.hostapi.mqtt import MqttConnectionFailedError, OutboundMqtt
from spinkube.testing import free_port

from ..conftest import MqttBroker

DEADLINE_S = 30.0


def outbound(*patterns: str) -> OutboundMqtt:
    return OutboundMqtt(parse_allowed_hosts(patterns, {}, component_id="c"), component_id="c")


class Subscriber:
    """A paho subscriber collecting (topic, payload, qos) of what it receives."""

    def __init__(self, broker: MqttBroker, topic: str) -> None:
        self.received: queue.Queue[tuple[str, bytes, int]] = queue.Queue()
        subscribed = queue.Queue[int]()
        client = paho.Client(CallbackAPIVersion.VERSION2)
        client.on_message = lambda _c, _u, m: self.received.put((m.topic, m.payload, m.qos))
        client.on_subscribe = lambda *_args: subscribed.put(1)
        client.on_connect = lambda c, *_args: c.subscribe(topic, qos=2)
        client.connect("127.0.0.1", broker.port)
        client.loop_start()
        subscribed.get(timeout=DEADLINE_S)
        self.client: Any = client

    def next(self) -> tuple[str, bytes, int]:
        return self.received.get(timeout=DEADLINE_S)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def subscriber(mqtt_broker: MqttBroker) -> Iterator[Subscriber]:
    sub = Subscriber(mqtt_broker, "spin/#")
    yield sub
    sub.close()


@pytest.mark.parametrize(("qos", "number"), [("at-most-once", 0), ("at-least-once", 1),
                                             ("exactly-once", 2)])  # fmt: skip
def test_a_published_message_reaches_a_subscriber(
    mqtt_broker: MqttBroker, subscriber: Subscriber, qos: str, number: int
) -> None:
    conn = outbound(mqtt_broker.url).open(mqtt_broker.url, "", "", 30)
    topic = f"spin/{uuid.uuid4().hex[:8]}"
    conn.publish(topic, b"Eureka!", qos)
    conn.close()
    assert subscriber.next() == (topic, b"Eureka!", number)


def test_an_address_not_allowed_is_refused(
    mqtt_broker: MqttBroker, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(MqttConnectionFailedError) as err:
        outbound("mqtt://broker.example:1883").open(mqtt_broker.url, "", "", 30)
    assert str(err.value) == f"{mqtt_broker.url} is not in the component's allowed_outbound_hosts"
    assert f"component c: connection to {mqtt_broker.url} denied" in caplog.text


def test_an_unreachable_broker_is_connection_failed() -> None:
    url = f"mqtt://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(MqttConnectionFailedError):
        outbound(url).open(url, "", "", 30)
    assert time.monotonic() - started < DEADLINE_S
