"""The pre-fork parent: one worker per listener, restarted when it dies, drained on SIGTERM.

The parent keeps every listener open for the life of the server, so a connection that arrives
while a worker is being replaced waits in the kernel's accept queue instead of being refused. It
runs no event loop: signals are blocked and collected with ``sigtimedwait``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from spinkube.runtime.errors import StartupError

log = logging.getLogger(__name__)

WORKER_START_FAILED = 78
"""Exit code of a worker that could not start (EX_CONFIG); the whole server stops then."""

_WATCHED = {signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
_STOP = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
_MAX_BACKOFF_S = 5.0
_STABLE_S = 2.0
"""A worker that lived this long resets its slot's restart backoff."""

WorkerMain = Callable[[socket.socket], int]
"""Runs in the forked child with its own listener; returns the child's exit code."""


@dataclass(slots=True)
class _Slot:
    listener: socket.socket
    pid: int = 0
    started: float = 0.0
    backoff_s: float = 0.0
    respawn_at: float | None = None


@dataclass(slots=True)
class Supervisor:
    listeners: list[socket.socket]
    worker_main: WorkerMain
    grace_s: float
    _slots: list[_Slot] = field(default_factory=list)
    _failed: bool = False

    def run(self) -> int:
        """Serve until a stop signal; the exit code is 0 after a clean drain."""
        signal.pthread_sigmask(signal.SIG_BLOCK, _WATCHED)
        self._slots = [_Slot(listener) for listener in self.listeners]
        for slot in self._slots:
            self._spawn(slot)
        while not self._failed:
            info = signal.sigtimedwait(_WATCHED, self._wait_s())
            if info is not None and info.si_signo in _STOP:
                log.info("received %s, draining", signal.Signals(info.si_signo).name)
                return self._shutdown()
            self._reap()
            self._respawn_due()
        self._shutdown()
        return 1

    # children

    def _spawn(self, slot: _Slot) -> None:
        slot.respawn_at = None
        pid = os.fork()
        if pid == 0:
            os._exit(self._child(slot.listener))
        slot.pid, slot.started = pid, time.monotonic()

    def _child(self, listener: socket.socket) -> int:
        try:
            for signum in _STOP:
                signal.signal(signum, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
            for other in self.listeners:
                if other is not listener:
                    other.close()
            return self.worker_main(listener)
        except StartupError as exc:
            print(f"error: {exc.message}", file=sys.stderr, flush=True)
            return WORKER_START_FAILED
        except BaseException:
            traceback.print_exc()
            return 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            slot = next((s for s in self._slots if s.pid == pid), None)
            if slot is not None:
                self._worker_died(slot, pid, status)

    def _worker_died(self, slot: _Slot, pid: int, status: int) -> None:
        slot.pid = 0
        code = os.waitstatus_to_exitcode(status)
        if code == WORKER_START_FAILED:
            self._failed = True
            return
        lived = time.monotonic() - slot.started
        slot.backoff_s = (
            0.0 if lived > _STABLE_S else min(_MAX_BACKOFF_S, slot.backoff_s * 2 or 0.1)
        )
        slot.respawn_at = time.monotonic() + slot.backoff_s
        how = f"signal {-code}" if code < 0 else f"exit code {code}"
        log.warning("worker %d died (%s); restarting in %.1fs", pid, how, slot.backoff_s)

    def _respawn_due(self) -> None:
        now = time.monotonic()
        for slot in self._slots:
            if slot.pid == 0 and slot.respawn_at is not None and slot.respawn_at <= now:
                self._spawn(slot)

    def _wait_s(self) -> float:
        due = [s.respawn_at for s in self._slots if s.respawn_at is not None]
        if not due:
            return 1.0
        return max(0.0, min(due) - time.monotonic())

    # shutdown

    def _shutdown(self) -> int:
        """Stop listening, let workers finish in-flight requests, kill what outlives the grace."""
        for slot in self._slots:
            slot.listener.close()
            slot.respawn_at = None
            if slot.pid:
                _signal(slot.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s + 2.0
        while any(s.pid for s in self._slots) and time.monotonic() < deadline:
            signal.sigtimedwait({signal.SIGCHLD}, 0.05)
            self._reap_quietly()
        for slot in self._slots:
            if slot.pid:
                _signal(slot.pid, signal.SIGKILL)
        while any(s.pid for s in self._slots):
            self._reap_quietly(block=True)
        return 0

    def _reap_quietly(self, *, block: bool = False) -> None:
        while True:
            try:
                pid, _status = os.waitpid(-1, 0 if block else os.WNOHANG)
            except ChildProcessError:
                for slot in self._slots:
                    slot.pid = 0
                return
            if pid == 0:
                return
            for slot in self._slots:
                if slot.pid == pid:
                    slot.pid = 0
            if block:
                return


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)
