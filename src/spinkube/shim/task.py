"""A task's life as containerd sees it: CREATED -> RUNNING -> STOPPED, its exit status and
time, and ``Wait`` blocking until it stops. No I/O here."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

from spinkube.shim.container import Container


class Status(IntEnum):
    """containerd.v1.types.Status values."""

    UNKNOWN = 0
    CREATED = 1
    RUNNING = 2
    STOPPED = 3


@dataclass
class Task:
    id: str
    bundle: Path
    container: Container
    stdin: str = ""
    stdout: str = ""
    stderr: str = ""
    status: Status = Status.CREATED
    exit_status: int = 0
    exited_at: float = 0.0
    _changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def pid(self) -> int:
        return self.container.pid

    def started(self) -> None:
        with self._changed:
            if self.status == Status.CREATED:
                self.status = Status.RUNNING

    def exited(self, exit_status: int, *, at: float | None = None) -> bool:
        """Records the exit; False if it was already recorded."""
        with self._changed:
            if self.status == Status.STOPPED:
                return False
            self.status = Status.STOPPED
            self.exit_status = exit_status
            self.exited_at = at if at is not None else time.time()
            self._changed.notify_all()
            return True

    def wait(self, timeout: float | None = None) -> bool:
        """Blocks until the task stopped (True), or ``timeout`` passed (False)."""
        with self._changed:
            return self._changed.wait_for(lambda: self.status == Status.STOPPED, timeout)
