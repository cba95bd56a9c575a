"""The MQTT trigger through containerd-shim-spin-v2 under Debian's containerd, as upstream's shim
integration test checks it: an MQTT message shows up in the app's log. The broker (Debian's
mosquitto) runs inside the task's network namespace, where the app's default address
(``mqtt://127.0.0.1:1883``) reaches it."""

from __future__ import annotations

import getpass
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from spinkube.testing import eventually
from spinkube.testing.containerd import Containerd, in_netns, network_namespace

from .conftest import REPO, ImportApp
from .test_ctr import remove, run_app, shim_left_nothing, task_status

pytestmark = pytest.mark.slow

PUBLISH = (
    "import paho.mqtt.publish as p; "
    "p.single('messages', 'Hello from the shim test', qos=1, hostname='127.0.0.1', port=1883)"
)


@contextmanager
def mosquitto_in(netns: str, workdir: Path) -> Iterator[None]:
    binary = shutil.which("mosquitto", path="/usr/sbin:/usr/bin")
    if binary is None:
        pytest.skip("needs Debian's mosquitto")
    config = workdir / "mosquitto.conf"
    config.write_text(
        "listener 1883 127.0.0.1\nallow_anonymous true\npersistence false\n"
        f"user {getpass.getuser()}\n"
    )
    with (workdir / "mosquitto.log").open("wb") as log:
        process = subprocess.Popen(  # `ip netns exec` execs mosquitto: this is its pid
            ["ip", "netns", "exec", netns, binary, "-c", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_an_mqtt_message_shows_up_in_the_apps_log(
    containerd: Containerd, import_app: ImportApp, tmp_path: Path
) -> None:
    app = REPO / "apps" / "mqtt-trigger"
    if not (app / "app.wasm").exists():
        pytest.skip("apps/mqtt-trigger is not built (scripts/build-apps.sh)")
    ref = import_app(
        "docker.io/local/mqtt-trigger:1",
        {"spin.toml": app / "spin.toml", "app.wasm": app / "app.wasm"},
    )
    log = tmp_path / "app.log"
    wanted = "[mqtt-trigger] got message on messages: Hello from the shim test"

    def published_and_logged() -> bool:
        """Publishes (again) until the app has subscribed and logs the message."""
        assert task_status(containerd, "mqtt") == "RUNNING", log.read_text(errors="replace")
        in_netns(netns, sys.executable, "-c", PUBLISH)
        return log.exists() and wanted in log.read_text(errors="replace")

    with network_namespace() as netns, mosquitto_in(netns, tmp_path):
        run_app(containerd, ref, "mqtt", netns, log)
        try:
            assert eventually(published_and_logged, timeout=240, interval=1.0)
        finally:
            containerd.ctr("task", "kill", "mqtt", check=False)
            eventually(lambda: task_status(containerd, "mqtt") == "STOPPED", timeout=60)
            remove(containerd, "mqtt")
    shim_left_nothing(containerd)
