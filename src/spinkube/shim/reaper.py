"""Child reaping for the shim: it is a child subreaper (``PR_SET_CHILD_SUBREAPER``), so a
container's init becomes its child once runc exits, and one thread collects every exit status.

Nothing else in the shim may call ``wait``: processes the shim starts (runc) are waited for
through :meth:`Reaper.wait`, so statuses are never stolen from each other.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
import time
from collections.abc import Callable

PR_SET_CHILD_SUBREAPER = 36

ExitCallback = Callable[[int, int], None]
"""(pid, exit status as containerd reports it: the code, or 128 + signal)."""


def become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def exit_status(wait_status: int) -> int:
    if os.WIFSIGNALED(wait_status):
        return 128 + os.WTERMSIG(wait_status)
    return os.WEXITSTATUS(wait_status)


class Reaper:
    def __init__(self) -> None:
        self._statuses: dict[int, int] = {}
        self._callbacks: dict[int, ExitCallback] = {}
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="reaper", daemon=True)
        self._thread.start()

    def wait(self, pid: int, timeout: float | None = None) -> int | None:
        """The exit status of child ``pid`` (consumed), or None after ``timeout``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while pid not in self._statuses:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._changed.wait(remaining if remaining is not None else 1.0)
            return self._statuses.pop(pid)

    def on_exit(self, pid: int, callback: ExitCallback) -> None:
        """Calls ``callback`` (on the reaper thread) when ``pid`` exits, or now if it has."""
        with self._changed:
            status = self._statuses.pop(pid, None)
            if status is None:
                self._callbacks[pid] = callback
                return
        callback(pid, status)

    def _run(self) -> None:
        while True:
            try:
                pid, wait_status = os.waitpid(-1, 0)
            except ChildProcessError:
                time.sleep(0.05)
                continue
            except InterruptedError:
                continue
            self._record(pid, exit_status(wait_status))

    def _record(self, pid: int, status: int) -> None:
        with self._changed:
            callback = self._callbacks.pop(pid, None)
            if callback is None:
                self._statuses[pid] = status
                self._changed.notify_all()
        if callback is not None:
            with contextlib.suppress(Exception):
                callback(pid, status)
