"""The MQTT trigger through `spinkube-runtime up`, against Debian's mosquitto started here, with
the sample app apps/mqtt-trigger (the Spin Python SDK against spin-trigger-mqtt's WIT): each
message shows up in the app's log, as upstream's shim integration test checks."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import paho.mqtt.publish as publish
import pytest

from .conftest import (
    APPS_DIR,
    READY_SECONDS,
    Helpers,
    Mosquitto,
    MqttBroker,
    RunRuntime,
    Served,
    eventually,
)

pytestmark = [pytest.mark.apps, pytest.mark.slow]

SUBSCRIBED = re.compile(r"subscribed to topic '[^']*' \(QoS \d\) on \S+ as client (\S+) ->")


def send(broker: MqttBroker, topic: str, message: str, *, qos: int = 1) -> None:
    publish.single(topic, message, qos=qos, hostname="127.0.0.1", port=broker.port)


def app_env(broker: MqttBroker, topic: str, **more: str) -> dict[str, str]:
    env = {"SPIN_VARIABLE_MQTT_ADDRESS": broker.url, "SPIN_VARIABLE_MQTT_TOPIC": topic}
    return env | {f"SPIN_VARIABLE_MQTT_{k.upper()}": v for k, v in more.items()}


def wait_subscribed(served: Served, times: int = 1) -> str:
    """Waits until the trigger has subscribed ``times`` times (the broker acknowledged it, so a
    message published now reaches it); the MQTT client id."""
    eventually(
        f"subscription #{times}:\n{served.output()}",
        lambda: len(SUBSCRIBED.findall(served.output())) >= times,
        deadline_s=READY_SECONDS,
    )
    return str(SUBSCRIBED.findall(served.output())[-1])


def shows(served: Served, line: str) -> None:
    eventually(f"{line!r} in the app's log:\n{served.output()}", lambda: line in served.output())


def unique_topic() -> str:
    return f"spin-{uuid.uuid4().hex[:8]}"


def test_a_message_shows_up_in_the_apps_log_and_a_failing_handler_does_not_stop_the_next(
    run_runtime: RunRuntime, helpers: Helpers, mqtt_broker: MqttBroker
) -> None:
    helpers.app_wasm("mqtt-trigger")
    prefix = unique_topic()
    env = app_env(mqtt_broker, f"{prefix}/#")
    served = run_runtime(APPS_DIR / "mqtt-trigger", env=env, wait=False)
    wait_subscribed(served)

    send(mqtt_broker, f"{prefix}/greetings", "Hello to MQTT Spin Component!")
    shows(
        served, f"[mqtt-trigger] got message on {prefix}/greetings: Hello to MQTT Spin Component!"
    )
    send(mqtt_broker, f"{prefix}/a", "trap")
    shows(served, f"failed on a message from topic '{prefix}/a': guest trapped")
    send(mqtt_broker, f"{prefix}/b", "error")
    shows(
        served,
        f"failed on a message from topic '{prefix}/b': component mqtt-trigger answered the MQTT "
        "message with error other('asked to answer an error')",
    )
    send(mqtt_broker, f"{prefix}/c", "after the failures")
    shows(served, f"[mqtt-trigger] got message on {prefix}/c: after the failures")
    assert served.terminate() == 0


def test_messages_of_a_trigger_are_handled_one_at_a_time_in_order(
    run_runtime: RunRuntime, helpers: Helpers, mqtt_broker: MqttBroker
) -> None:
    helpers.app_wasm("mqtt-trigger")
    topic = unique_topic()
    served = run_runtime(APPS_DIR / "mqtt-trigger", env=app_env(mqtt_broker, topic), wait=False)
    wait_subscribed(served)
    publish.multiple(
        [{"topic": topic, "payload": f"n{i}", "qos": 1} for i in range(20)],
        hostname="127.0.0.1",
        port=mqtt_broker.port,
    )
    shows(served, f"got message on {topic}: n19")
    handled = re.findall(rf"got message on {re.escape(topic)}: (n\d+)", served.output())
    assert handled == [f"n{i}" for i in range(20)]


def started_broker(workdir: Path, **options: object) -> Iterator[Mosquitto]:
    workdir.mkdir()
    broker = Mosquitto(workdir, **options)  # type: ignore[arg-type]
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def logging_broker(tmp_path: Path) -> Iterator[Mosquitto]:
    yield from started_broker(tmp_path / "broker", log_all=True)


def qos_app(tmp_path: Path, qos: str) -> Path:
    """apps/mqtt-trigger's component behind a trigger with the given ``qos``."""
    app = tmp_path / "app"
    app.mkdir()
    manifest = (APPS_DIR / "mqtt-trigger" / "spin.toml").read_text()
    manifest = manifest.replace('qos = "1"', f'qos = "{qos}"')
    manifest = manifest.replace(
        'source = "app.wasm"', f'source = "{APPS_DIR / "mqtt-trigger" / "app.wasm"}"'
    )
    (app / "spin.toml").write_text(manifest)
    return app


@pytest.mark.parametrize("qos", ["0", "1", "2"])
def test_messages_come_at_the_triggers_qos(
    run_runtime: RunRuntime, helpers: Helpers, logging_broker: Mosquitto, tmp_path: Path, qos: str
) -> None:
    """Published at QoS 2, a message reaches the trigger at the QoS it subscribed with (the
    broker's own log says what it sent)."""
    helpers.app_wasm("mqtt-trigger")
    broker = logging_broker.broker
    served = run_runtime(qos_app(tmp_path, qos), env=app_env(broker, "qos"), wait=False)
    client = wait_subscribed(served)
    send(broker, "qos", "exactly once, please", qos=2)
    shows(served, "[mqtt-trigger] got message on qos: exactly once, please")
    sent = re.findall(
        rf"Sending PUBLISH to {re.escape(client)} \(d0, q(\d)", logging_broker.output()
    )
    assert sent == [qos]


@pytest.fixture
def restartable_broker(tmp_path: Path) -> Iterator[Mosquitto]:
    yield from started_broker(tmp_path / "broker")


def test_the_subscription_comes_back_after_the_broker_restarts(
    run_runtime: RunRuntime, helpers: Helpers, restartable_broker: Mosquitto
) -> None:
    helpers.app_wasm("mqtt-trigger")
    broker = restartable_broker.broker
    served = run_runtime(APPS_DIR / "mqtt-trigger", env=app_env(broker, "events"), wait=False)
    wait_subscribed(served)
    restartable_broker.stop()
    shows(served, f"lost the connection to {broker.url}")
    restartable_broker.start()
    wait_subscribed(served, times=2)
    send(broker, "events", "after the restart")
    shows(served, "[mqtt-trigger] got message on events: after the restart")
    assert served.terminate() == 0


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[Mosquitto]:
    yield from started_broker(tmp_path / "broker", users={"admin": "public"})


def test_the_username_and_password_are_used(
    run_runtime: RunRuntime, helpers: Helpers, private_broker: Mosquitto
) -> None:
    helpers.app_wasm("mqtt-trigger")
    broker = private_broker.broker
    env = app_env(broker, "private", username="admin", password="public")
    served = run_runtime(APPS_DIR / "mqtt-trigger", env=env, wait=False)
    wait_subscribed(served)
    publish.single(
        "private",
        "for members",
        qos=1,
        hostname="127.0.0.1",
        port=broker.port,
        auth={"username": "admin", "password": "public"},
    )
    shows(served, "[mqtt-trigger] got message on private: for members")


def test_refused_credentials_end_the_app_naming_the_broker(
    run_runtime: RunRuntime, helpers: Helpers, private_broker: Mosquitto
) -> None:
    helpers.app_wasm("mqtt-trigger")
    broker = private_broker.broker
    env = app_env(broker, "private", username="admin", password="wrong")
    served = run_runtime(APPS_DIR / "mqtt-trigger", env=env, wait=False)
    assert served.process.wait(READY_SECONDS) == 1, served.output()
    assert f"{broker.url} refused the connection: Not authorized" in served.output()
    assert "wrong" not in served.output()


def test_one_app_answers_http_and_handles_mqtt_messages(
    run_runtime: RunRuntime, helpers: Helpers, mqtt_broker: MqttBroker, tmp_path: Path
) -> None:
    """HTTP and MQTT triggers in one app, with two HTTP workers: both run, side by side."""
    helpers.app_wasm("mqtt-trigger")
    helpers.app_wasm("hello-python")
    app = tmp_path / "http-and-mqtt"
    app.mkdir()
    topic = unique_topic()
    (app / "spin.toml").write_text(
        'spin_manifest_version = 2\n[application]\nname = "both"\n'
        "[application.trigger.mqtt]\n"
        f'address = "{mqtt_broker.url}"\nusername = ""\npassword = ""\n'
        'keep_alive_interval = "30"\n'
        '[[trigger.http]]\nroute = "/..."\ncomponent = "web"\n'
        f'[[trigger.mqtt]]\ncomponent = "listener"\ntopic = "{topic}"\nqos = "0"\n'
        f'[component.web]\nsource = "{APPS_DIR / "hello-python" / "app.wasm"}"\n'
        f'[component.listener]\nsource = "{APPS_DIR / "mqtt-trigger" / "app.wasm"}"\n'
    )
    served = run_runtime(app, workers=2)
    response = httpx.get(served.url("/hello"), timeout=30)
    assert (response.status_code, response.text) == (200, "Hello from Python!")
    wait_subscribed(served)
    send(mqtt_broker, topic, "Eureka!", qos=0)
    shows(served, f"[listener] got message on {topic}: Eureka!")
    assert served.terminate() == 0


def test_a_manifest_mistake_is_one_line_naming_the_field(helpers: Helpers, tmp_path: Path) -> None:
    manifest = (APPS_DIR / "mqtt-trigger" / "spin.toml").read_text()
    (tmp_path / "spin.toml").write_text(manifest.replace('qos = "1"', "qos = 1"))
    (tmp_path / "app.wasm").write_bytes(b"\0asm")
    done = helpers.run_to_exit(["up", "-f", str(tmp_path)], cwd=tmp_path)
    assert done.returncode != 0
    assert done.stderr.strip() == (
        "error: trigger 'mqtt-trigger-mqtt-trigger': qos: expected a string, got 1 (write \"1\")"
    )


def test_an_unreachable_broker_is_retried_until_a_stop_signal(
    run_runtime: RunRuntime, helpers: Helpers
) -> None:
    helpers.app_wasm("mqtt-trigger")
    nobody = MqttBroker(helpers.free_port())
    served = run_runtime(APPS_DIR / "mqtt-trigger", env=app_env(nobody, "t"), wait=False)
    eventually(
        f"two failed attempts logged:\n{served.output()}",
        lambda: served.output().count(f"{nobody.url} unreachable; retrying") >= 2,
    )
    assert served.process.poll() is None
    assert served.terminate() == 0


def test_a_component_without_the_handler_fails_each_message_naming_the_world(
    run_runtime: RunRuntime, helpers: Helpers, mqtt_broker: MqttBroker, tmp_path: Path
) -> None:
    """As in the plugin, the export is looked for per message: each is logged, none is fatal."""
    helpers.app_wasm("hello-python")
    manifest = (APPS_DIR / "mqtt-trigger" / "spin.toml").read_text()
    wasm = APPS_DIR / "hello-python" / "app.wasm"
    (tmp_path / "spin.toml").write_text(
        manifest.replace('source = "app.wasm"', f'source = "{wasm}"')
    )
    topic = unique_topic()
    served = run_runtime(tmp_path, env=app_env(mqtt_broker, topic), wait=False)
    wait_subscribed(served)
    for message in ("one", "two"):
        send(mqtt_broker, topic, message)
    eventually(
        f"both messages failed:\n{served.output()}",
        lambda: (
            served.output().count(
                "component mqtt-trigger does not export handle-message "
                "(world spin:mqtt-trigger/spin-mqtt)"
            )
            == 2
        ),
    )
    assert served.terminate() == 0
