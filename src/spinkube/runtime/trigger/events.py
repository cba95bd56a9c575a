"""The non-HTTP triggers of an app (Redis, MQTT, command, cron), run together in one process until
one ends.

As upstream's shim (``select_all`` over the trigger futures), the first trigger to end ends them
all: a command's exit code, or 1 when a Redis or MQTT subscription or a cron schedule fails for
good. SIGTERM, SIGINT and SIGHUP stop them with exit code 0.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Mapping
from types import FrameType

from spinkube.runtime.trigger.command import CommandRun, run_command
from spinkube.runtime.trigger.cron import CronJob, CronTrigger
from spinkube.runtime.trigger.mqtt import MqttSubscription, MqttTrigger
from spinkube.runtime.trigger.redis import RedisSubscription, RedisTrigger
from spinkube.runtime.wasm.api import TriggerHost

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
FAILED = 1


class _Outcome:
    """The first exit code set wins; ``wait`` returns it."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._code = 0
        self._lock = threading.Lock()

    def set(self, code: int) -> None:
        with self._lock:
            if not self._done.is_set():
                self._code = code
                self._done.set()

    def wait(self) -> int:
        while not self._done.wait(0.5):  # short waits: signal handlers run in between
            pass
        return self._code


def run_event_triggers(
    *,
    redis: tuple[RedisSubscription, ...],
    commands: tuple[CommandRun, ...],
    hosts: Mapping[str, TriggerHost],
    arguments: list[str],
    mqtt: tuple[MqttSubscription, ...] = (),
    cron: tuple[CronJob, ...] = (),
) -> int:
    """Runs every trigger until the first one ends (or a stop signal); its exit code."""
    outcome = _Outcome()

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s, stopping the triggers", signal.Signals(signum).name)
        outcome.set(0)

    for signum in STOP_SIGNALS:
        signal.signal(signum, stop)
    subscriptions = RedisTrigger(redis, hosts, on_fatal=lambda _exc: outcome.set(FAILED))
    subscriptions.start()
    mqtt_trigger = MqttTrigger(mqtt, hosts, on_fatal=lambda _exc: outcome.set(FAILED))
    mqtt_trigger.start()
    schedules = CronTrigger(cron, hosts, on_fatal=lambda _exc: outcome.set(FAILED))
    schedules.start()
    for run in commands:
        threading.Thread(
            target=lambda r=run: outcome.set(run_command(r, hosts[r.component_id], arguments)),
            name=f"command-{run.trigger_id}",
            daemon=True,
        ).start()
    code = outcome.wait()
    subscriptions.stop()
    mqtt_trigger.stop()
    schedules.stop()
    return code
