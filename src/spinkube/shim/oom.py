"""OOM reporting: a thread checks each running task's cgroup OOM-kill count; a new kill is
published as ``/tasks/oom``, and a Spin task is then ended (exit 137), since an app whose
worker the kernel killed is no longer serving: containerd and the kubelet see it as OOMKilled.
runc containers behave as under containerd-shim-runc-v2: the event, and runc's own semantics."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from google.protobuf.message import Message

from spinkube.shim.proto import events_task_pb2 as ev
from spinkube.shim.task import Status

log = logging.getLogger(__name__)

INTERVAL_S = 0.25


class OomWatcher:
    def __init__(self, service: Any, publish: Callable[[Message], None]) -> None:
        self.service = service
        self.publish = publish
        self._seen: dict[str, int] = {}

    def start(self) -> None:
        threading.Thread(target=self._run, name="oom", daemon=True).start()

    def _run(self) -> None:
        while True:
            time.sleep(INTERVAL_S)
            for task in list(self.service.tasks.values()):
                with contextlib.suppress(Exception):
                    self.check(task)

    def check(self, task: Any) -> None:
        group = task.container.cgroup()
        if group is None or task.status == Status.STOPPED:
            return
        kills = group.oom_kills()
        before = self._seen.setdefault(task.id, 0)  # a fresh cgroup: every kill counts
        if kills <= before:
            return
        self._seen[task.id] = kills
        log.warning("task %s: out of memory (%d OOM kill(s) in its cgroup)", task.id, kills)
        self.publish(ev.TaskOOM(container_id=task.id))
        if task.container.kind == "spin":
            task.container.kill(signal.SIGKILL, all=True)
