"""Planning the MQTT trigger: the broker from ``[application.trigger.mqtt]``, topic and QoS per
trigger, variables rendered where the spin-trigger-mqtt plugin renders them, and every mistake
reported naming the table or trigger and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spinkube.runtime.errors import StartupError
from spinkube.runtime.trigger.mqtt import MqttBroker, MqttSubscription
from spinkube.spinapp import load_locked, load_manifest, to_locked

from .event_plans import plan, write_app

BROKER = (
    '[application.trigger.mqtt]\naddress = "mqtt://127.0.0.1:1883"\nusername = ""\n'
    'password = ""\nkeep_alive_interval = "30"\n'
)
TRIGGER = '[[trigger.mqtt]]\ncomponent = "c"\ntopic = "t"\nqos = "1"\n'


def test_the_broker_topic_and_qos_with_variables_rendered(tmp_path: Path) -> None:
    body = (
        '[variables]\nhost = { default = "broker.local" }\npassword = { required = true }\n'
        'topic = { default = "sensors" }\n'
        '[application.trigger.mqtt]\naddress = "mqtt://{{ host }}:1884"\nusername = "admin"\n'
        'password = "{{ password }}"\nkeep_alive_interval = "45"\n'
        '[[trigger.mqtt]]\nid = "a"\ncomponent = "c"\ntopic = "{{ topic }}/+/temp"\nqos = "2"\n'
        '[[trigger.mqtt]]\ncomponent = "c"\ntopic = "alerts/#"\nqos = "0"\n'
    )
    planned = plan(tmp_path, body, {"SPIN_VARIABLE_PASSWORD": "s3cret"})
    broker = MqttBroker("broker.local", 1884, False, "admin", "s3cret", 45)
    assert planned.mqtt == (
        MqttSubscription("a", "c", broker, "sensors/+/temp", 2),
        MqttSubscription("c-mqtt-trigger", "c", broker, "alerts/#", 0),
    )
    assert planned.has_events
    assert "s3cret" not in repr(planned.mqtt)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("mqtt://h", ("h", 1883, False)),
        ("tcp://h:1", ("h", 1, False)),
        ("mqtts://h", ("h", 8883, True)),
        ("ssl://h:9", ("h", 9, True)),
    ],
    ids=["mqtt", "tcp", "mqtts", "ssl"],
)
def test_address_schemes(tmp_path: Path, address: str, expected: tuple[str, int, bool]) -> None:
    planned = plan(tmp_path, BROKER.replace("mqtt://127.0.0.1:1883", address) + TRIGGER)
    broker = planned.mqtt[0].broker
    assert (broker.host, broker.port, broker.tls) == expected


def _app_key(key: str, value: str) -> str:
    """BROKER with ``key`` set to the TOML ``value`` (or removed when ``value`` is empty)."""
    lines = [line for line in BROKER.splitlines() if not line.startswith(f"{key} =")]
    if value:
        lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


MISTAKES = [
    ("no-app-table", TRIGGER, "trigger 'c-mqtt-trigger': no [application.trigger.mqtt] table"),
    (
        "no-address",
        _app_key("address", "") + TRIGGER,
        "application.trigger.mqtt.address: required",
    ),
    (
        "keep-alive-number",
        _app_key("keep_alive_interval", "30") + TRIGGER,
        'application.trigger.mqtt.keep_alive_interval: expected a string, got 30 (write "30")',
    ),
    (
        "keep-alive-words",
        _app_key("keep_alive_interval", '"half a minute"') + TRIGGER,
        "application.trigger.mqtt.keep_alive_interval: expected a whole number of seconds "
        "(0 to 65535), got 'half a minute'",
    ),
    (
        "unknown-app-key",
        _app_key("client_id", '"x"') + TRIGGER,
        "application.trigger.mqtt.client_id: unknown field (expected address, username, "
        "password, keep_alive_interval)",
    ),
    (
        "http-address",
        _app_key("address", '"http://h:1"') + TRIGGER,
        "application.trigger.mqtt.address: expected mqtt://host:port (or tcp://, mqtts://, "
        "ssl://), got 'http://h:1'",
    ),
    (
        "bad-port",
        _app_key("address", '"mqtt://h:99999"') + TRIGGER,
        "application.trigger.mqtt.address: expected mqtt://host:port",
    ),
    (
        "undefined-variable",
        _app_key("password", '"{{ nope }}"') + TRIGGER,
        "application.trigger.mqtt.password: ",
    ),
    (
        "no-topic",
        BROKER + '[[trigger.mqtt]]\ncomponent = "c"\nqos = "1"\n',
        "trigger 'c-mqtt-trigger': topic: required",
    ),
    (
        "bad-topic",
        BROKER + TRIGGER.replace('"t"', '"a/#/b"'),
        "trigger 'c-mqtt-trigger': topic: 'a/#/b' is not a valid MQTT topic filter",
    ),
    (
        "qos-number",
        BROKER + TRIGGER.replace('"1"', "1"),
        "trigger 'c-mqtt-trigger': qos: expected a string, got 1 (write \"1\")",
    ),
    (
        "qos-3",
        BROKER + TRIGGER.replace('"1"', '"3"'),
        'trigger \'c-mqtt-trigger\': qos: expected "0", "1" or "2", got \'3\'',
    ),
    (
        "unknown-trigger-key",
        BROKER + TRIGGER + 'channel = "x"\n',
        "trigger 'c-mqtt-trigger': channel: unknown field (expected topic, qos)",
    ),
]


@pytest.mark.parametrize(
    ("body", "message"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES]
)
def test_mistakes_name_the_field(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(StartupError) as err:
        plan(tmp_path, body)
    assert err.value.message.startswith(message)


def test_the_application_mqtt_table_survives_a_lock_file(tmp_path: Path) -> None:
    """An app pulled from a registry is a locked app: the broker settings travel in it."""
    app = load_manifest(write_app(tmp_path, BROKER + TRIGGER) / "spin.toml")
    locked = load_locked(json.dumps(to_locked(app)).encode(), tmp_path)
    assert locked.trigger_settings["mqtt"]["keep_alive_interval"] == "30"
    assert [(t.type, dict(t.config)) for t in locked.triggers] == [
        ("mqtt", {"topic": "t", "qos": "1"})
    ]
