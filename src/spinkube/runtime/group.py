"""Several triggers side by side, each in a child process; the first to end ends them all.

This is upstream's ``select_all`` over the trigger futures, with processes: the HTTP supervisor
(which forks its own workers) in one child, the non-HTTP triggers in another. The parent only
waits: when a child exits, the others get SIGTERM (SIGKILL after the grace period) and the
parent exits with the first child's code. A stop signal to the parent is passed on to every
child, and the parent then exits 0, as the shim does on Ctrl-C. A parent killed outright takes
its children with it (:mod:`spinkube.runtime.parentage`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence

from spinkube.runtime.errors import ExitCode
from spinkube.runtime.parentage import die_with_parent

log = logging.getLogger(__name__)

_WATCHED = {signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
_STOP = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}


def run_group(mains: Sequence[Callable[[], int]], *, grace_s: float) -> int:
    """Forks a child per ``main``; returns the exit code of the first to end (0 on a signal)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, _WATCHED)
    pids = [_fork(main) for main in mains]
    while True:
        info = signal.sigwaitinfo(_WATCHED)
        if info.si_signo in _STOP:
            log.info("received %s, stopping", signal.Signals(info.si_signo).name)
            _stop(pids, grace_s)
            return 0
        ended = _reap(pids)
        if ended is not None:
            pid, code = ended
            log.info("trigger process %d ended with exit code %d; stopping the others", pid, code)
            _stop(pids, grace_s)
            return code


def _fork(main: Callable[[], int]) -> int:
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = int(ExitCode.APP)
    try:
        die_with_parent(parent)  # a SIGKILLed parent leaves no trigger running
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        code = main()
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _reap(pids: list[int]) -> tuple[int, int] | None:
    """A child that ended (removed from ``pids``) and its exit code, or None."""
    for pid in list(pids):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            pids.remove(pid)
            code = os.waitstatus_to_exitcode(status)
            return pid, code if code >= 0 else 128 - code
    return None


def _stop(pids: list[int], grace_s: float) -> None:
    for pid in pids:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s + 5.0
    while pids and time.monotonic() < deadline:
        signal.sigtimedwait({signal.SIGCHLD}, 0.05)
        while _reap(pids) is not None:
            pass
    for pid in pids:
        _signal(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)
