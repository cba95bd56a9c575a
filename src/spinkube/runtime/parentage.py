"""Forked children never outlive the process that forked them.

When ``spinkube-runtime up`` is killed outright (SIGKILL, the OOM killer), its children (the
trigger processes of :mod:`spinkube.runtime.group`, the HTTP workers) would go on serving as
orphans. Each child asks the kernel for SIGTERM when its parent dies, so it stops as on a normal
shutdown.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Asks for SIGTERM when ``parent`` (the pid this process was forked from) dies; when it has
    already died, SIGTERM now (``prctl`` only watches the parent of the moment)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)
