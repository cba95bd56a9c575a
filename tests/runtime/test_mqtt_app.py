"""Outbound MQTT from a Spin Python SDK guest (apps/mqtt-outbound) through `spinkube-runtime up`,
against a real broker (Debian's mosquitto)."""

from __future__ import annotations

import httpx
import pytest

from .conftest import APPS_DIR, Helpers, MqttBroker, RunRuntime
from .hostapi.test_mqtt import Subscriber

pytestmark = [pytest.mark.apps, pytest.mark.slow]


def test_a_guest_publishes_to_the_broker(
    run_runtime: RunRuntime, helpers: Helpers, mqtt_broker: MqttBroker
) -> None:
    helpers.app_wasm("mqtt-outbound")
    env = {
        "SPIN_VARIABLE_MQTT_ADDRESS": mqtt_broker.url,
        "SPIN_VARIABLE_MQTT_ALLOWED": mqtt_broker.url,
    }
    served = run_runtime(APPS_DIR / "mqtt-outbound", env=env)
    subscriber = Subscriber(mqtt_broker, "spin/#")
    try:
        query = {"topic": "spin/news", "message": "Eureka!", "qos": "1"}
        answer = httpx.get(served.url("/publish"), params=query, timeout=60)
        assert (answer.status_code, answer.text) == (200, "published")
        assert subscriber.next() == ("spin/news", b"Eureka!", 1)
    finally:
        subscriber.close()


def test_an_address_not_allowed_is_connection_failed(
    run_runtime: RunRuntime, helpers: Helpers, mqtt_broker: MqttBroker
) -> None:
    helpers.app_wasm("mqtt-outbound")
    served = run_runtime(
        APPS_DIR / "mqtt-outbound", env={"SPIN_VARIABLE_MQTT_ADDRESS": mqtt_broker.url}
    )
    query = {"topic": "spin/x", "message": "m", "qos": "0"}
    answer = httpx.get(served.url("/publish"), params=query, timeout=60)
    assert (answer.status_code, answer.text) == (
        502,
        f"error: ConnectionFailed: {mqtt_broker.url} is not in the component's "
        "allowed_outbound_hosts",
    )
