"""``[application.trigger.mqtt]`` and ``[[trigger.mqtt]]`` read as the spin-trigger-mqtt plugin
reads them, before anything starts.

The application table holds the broker for every MQTT trigger of the app: ``address``,
``username``, ``password`` and ``keep_alive_interval``, all four strings and required (empty
username and password: anonymous). Each trigger holds ``topic`` and ``qos`` (a string, ``"0"`` to
``"2"``). Variables (``{{ name }}``) are rendered in the address, username, password and topic,
as the plugin does. Like the plugin (serde's ``deny_unknown_fields``), an unknown key is an
error; each message names the table and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from spinkube.runtime.errors import StartupError
from spinkube.runtime.trigger.mqtt import MqttBroker, MqttSubscription
from spinkube.spinapp import App, Trigger
from spinkube.spinapp.templates import TemplateError, render

APP_TABLE = "application.trigger.mqtt"
APP_KEYS = ("address", "username", "password", "keep_alive_interval")
TRIGGER_KEYS = ("topic", "qos")
SCHEMES = {"mqtt": (False, 1883), "tcp": (False, 1883), "mqtts": (True, 8883), "ssl": (True, 8883)}
"""Address scheme -> (TLS, default port)."""
QOS_VALUES = ("0", "1", "2")
MAX_KEEP_ALIVE_S = 65535
"""MQTT's keep-alive is a 16-bit number of seconds."""


def mqtt_subscriptions(app: App, values: Mapping[str, str]) -> tuple[MqttSubscription, ...]:
    """One subscription per ``[[trigger.mqtt]]``, in manifest order; StartupError names the
    field of the first mistake."""
    triggers = [t for t in app.triggers if t.type == "mqtt"]
    if not triggers:
        return ()
    broker = _broker(app.trigger_settings.get("mqtt"), values, first=triggers[0].id)
    return tuple(_subscription(t, broker, values) for t in triggers)


def _broker(
    settings: Mapping[str, Any] | None, values: Mapping[str, str], first: str
) -> MqttBroker:
    if settings is None:
        raise StartupError(
            f"trigger {first!r}: no [{APP_TABLE}] table (the broker's address, username, "
            "password and keep_alive_interval)"
        )
    _check_keys(APP_TABLE, settings, APP_KEYS)
    fields = {key: _string(APP_TABLE, settings, key) for key in APP_KEYS}
    for key in ("address", "username", "password"):
        fields[key] = _render(f"{APP_TABLE}.{key}", fields[key], values)
    tls, host, port = _address(fields["address"])
    return MqttBroker(
        host=host,
        port=port,
        tls=tls,
        username=fields["username"],
        password=fields["password"],
        keep_alive_s=_keep_alive(fields["keep_alive_interval"]),
    )


def _subscription(
    trigger: Trigger, broker: MqttBroker, values: Mapping[str, str]
) -> MqttSubscription:
    where = f"trigger {trigger.id!r}"
    _check_keys(where, trigger.config, TRIGGER_KEYS)
    topic = _render(f"{where}: topic", _string(where, trigger.config, "topic"), values)
    _check_topic_filter(where, topic)
    qos = _string(where, trigger.config, "qos")
    if qos not in QOS_VALUES:
        raise StartupError(f'{where}: qos: expected "0", "1" or "2", got {qos!r}')
    return MqttSubscription(trigger.id, trigger.component or "", broker, topic, int(qos))


def _check_keys(where: str, table: Mapping[str, Any], known: tuple[str, ...]) -> None:
    for key in table:
        if key not in known:
            raise StartupError(f"{_field(where, key)}: unknown field (expected {', '.join(known)})")


def _string(where: str, table: Mapping[str, Any], key: str) -> str:
    value = table.get(key)
    if value is None:
        raise StartupError(f"{_field(where, key)}: required")
    if not isinstance(value, str):
        raise StartupError(
            f'{_field(where, key)}: expected a string, got {value!r} (write "{value}")'
        )
    return value


def _field(where: str, key: str) -> str:
    """``application.trigger.mqtt.address`` or ``trigger 'id': topic``."""
    return f"{where}.{key}" if where == APP_TABLE else f"{where}: {key}"


def _render(field: str, template: str, values: Mapping[str, str]) -> str:
    try:
        return render(template, dict(values))
    except TemplateError as exc:
        raise StartupError(f"{field}: {exc}") from None


def _address(address: str) -> tuple[bool, str, int]:
    """(TLS, host, port) of ``mqtt://host[:port]`` (also ``tcp://``, ``mqtts://``, ``ssl://``)."""
    field = f"{APP_TABLE}.address"
    expected = f"{field}: expected mqtt://host:port (or tcp://, mqtts://, ssl://), got {address!r}"
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError:
        raise StartupError(expected) from None
    scheme = SCHEMES.get(parts.scheme)
    if scheme is None or not parts.hostname or parts.path not in ("", "/"):
        raise StartupError(expected)
    tls, default_port = scheme
    return tls, parts.hostname, port or default_port


def _keep_alive(text: str) -> int:
    if not text.isdigit() or int(text) > MAX_KEEP_ALIVE_S:
        raise StartupError(
            f"{APP_TABLE}.keep_alive_interval: expected a whole number of seconds "
            f"(0 to {MAX_KEEP_ALIVE_S}), got {text!r}"
        )
    return int(text)


def _check_topic_filter(where: str, topic: str) -> None:
    """MQTT's rules for a subscription's topic filter: not empty, ``#`` only as the whole last
    level, ``+`` only as a whole level."""
    levels = topic.split("/")
    bad = (
        not topic
        or "\0" in topic
        or any(
            "#" in level and (level != "#" or i != len(levels) - 1)
            for i, level in enumerate(levels)
        )
        or any("+" in level and level != "+" for level in levels)
    )
    if bad:
        raise StartupError(
            f"{where}: topic: {topic!r} is not a valid MQTT topic filter "
            "('+' and '#' must fill a whole level, '#' only the last)"
        )
