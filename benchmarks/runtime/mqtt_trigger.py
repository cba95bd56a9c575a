"""Messages per second through the MQTT trigger, against a plain paho-mqtt subscriber doing the
same work (print ``got message on <topic>: <message>``) in the same run.

Usage: python benchmarks/runtime/mqtt_trigger.py [--messages N]

Starts its own mosquitto (Debian's) on a free loopback port and ``spinkube-runtime up -f
apps/mqtt-trigger`` (QoS 1), publishes N distinct messages at QoS 1 as fast as paho sends them,
and times from the first publish until the app's log holds all N lines. Then the same with a
paho subscriber (QoS 1) in this process writing the same lines to a file. Prints both rates and
their ratio, and the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from spinkube.testing import free_port

REPO = Path(__file__).resolve().parents[2]
DEADLINE_S = 600.0
SUBSCRIBED = "subscribed to topic"


def wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)  # a coarse poll: the log is re-read each time
    raise SystemExit(f"timed out waiting for {what}")


def publisher(port: int) -> Any:
    client = paho.Client(CallbackAPIVersion.VERSION2)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


def run_batch(
    client: Any, topic: str, count: int, handled: Callable[[str], int], tag: str
) -> float:
    """Publishes ``count`` messages tagged ``tag``; the rate until ``handled(tag)`` reaches it."""
    started = time.perf_counter()
    for i in range(count):
        client.publish(topic, f"{tag}-{i}", qos=1)
    wait_for(lambda: handled(tag) >= count, f"{count} {tag} messages handled")
    return count / (time.perf_counter() - started)


def lines_in(path: Path, topic: str) -> Callable[[str], int]:
    def count(tag: str) -> int:
        text = path.read_text(errors="replace") if path.exists() else ""
        return text.count(f"got message on {topic}: {tag}-")

    return count


def plain_subscriber(port: int, topic: str, out: Path) -> Any:
    """A paho subscriber doing the app's work: one printed line per message, in order."""
    sink = out.open("w", buffering=1)
    subscribed = threading.Event()

    def on_message(_c: Any, _u: object, message: Any) -> None:
        text = bytes(message.payload).decode(errors="replace")
        print(f"got message on {message.topic}: {text}", file=sink, flush=True)

    client = paho.Client(CallbackAPIVersion.VERSION2)
    client.on_connect = lambda c, *_a: c.subscribe(topic, qos=1)
    client.on_subscribe = lambda *_a: subscribed.set()
    client.on_message = on_message
    client.connect("127.0.0.1", port)
    client.loop_start()
    if not subscribed.wait(60):
        raise SystemExit("the plain subscriber did not subscribe")
    return client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    binary = shutil.which("mosquitto", path="/usr/sbin:/usr/bin")
    if binary is None:
        raise SystemExit("needs Debian's mosquitto")
    work = Path(tempfile.mkdtemp(prefix="bench-mqtt-"))
    port = free_port()
    config = work / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        "max_queued_messages 0\nmax_inflight_messages 0\n"
    )
    broker = subprocess.Popen([binary, "-c", str(config)], stderr=subprocess.DEVNULL)
    runtime: subprocess.Popen[bytes] | None = None
    log = work / "runtime.log"
    try:
        wait_for(lambda: _listening(port), "mosquitto")
        client = publisher(port)
        env = {"SPIN_VARIABLE_MQTT_ADDRESS": f"mqtt://127.0.0.1:{port}"}
        env["SPIN_VARIABLE_MQTT_TOPIC"] = "bench"
        with log.open("wb") as out:
            runtime = subprocess.Popen(
                [sys.executable, "-m", "spinkube.runtime", "up", "-f",
                 str(REPO / "apps/mqtt-trigger"), "--state-dir", str(work / "state")],
                env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_for(
            lambda: SUBSCRIBED in log.read_text(errors="replace"), "the trigger's subscription"
        )
        handled = lines_in(log, "bench")
        run_batch(client, "bench", min(100, args.messages), handled, "warm")
        trigger_rate = run_batch(client, "bench", args.messages, handled, "m")
        runtime.terminate()
        runtime.wait(60)

        plain_out = work / "plain.log"
        plain = plain_subscriber(port, "plain", plain_out)
        handled = lines_in(plain_out, "plain")
        run_batch(client, "plain", min(100, args.messages), handled, "warm")
        plain_rate = run_batch(client, "plain", args.messages, handled, "m")
        plain.disconnect()
        plain.loop_stop()
        client.disconnect()
        client.loop_stop()
    finally:
        if runtime is not None and runtime.poll() is None:
            runtime.kill()
            runtime.wait()
        broker.terminate()
        broker.wait(30)
        shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"messages: {args.messages} (QoS 1)")
    print(
        f"mqtt trigger (apps/mqtt-trigger, fresh instance per message): {trigger_rate:,.0f} msg/s"
    )
    print(f"plain paho-mqtt subscriber, same work:                       {plain_rate:,.0f} msg/s")
    print(f"ratio trigger / plain: {trigger_rate / plain_rate:.3f}")


def _listening(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), 1):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    main()
