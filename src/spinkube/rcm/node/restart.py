"""Making containerd load its edited config: find the one containerd process under the host's
/proc (the Job runs with hostPID) and send it SIGHUP, as upstream does
(`internal/containerd/restart_unix.go`).

containerd does not handle SIGHUP (it handles SIGTERM, SIGINT, SIGUSR1, SIGPIPE and SIGCHLD), so
the Go runtime's default action applies: the process exits. Its supervisor starts it again with
the new config (systemd's `containerd.service` has `Restart=always`; k3s and rke2 restart their
embedded containerd). Running containers survive: their shims are separate processes. A node
whose containerd nobody restarts is left without containerd.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from spinkube.rcm.node.errors import RestartError

PROCESS_NAME = "containerd"


def process_name(stat_file: Path) -> str | None:
    """The command name in `/proc/<pid>/stat` (what upstream's go-ps calls the executable), or
    None when the process is gone or a zombie (a containerd that exited and waits to be reaped
    is not one to signal)."""
    try:
        stat = stat_file.read_text(errors="replace")
    except OSError:
        return None
    start, end = stat.find("("), stat.rfind(")")
    if not 0 <= start < end or stat[end + 1 : end + 3].strip() in ("Z", "X"):
        return None
    return stat[start + 1 : end]


def containerd_pids(proc: Path) -> list[int]:
    """The pids of processes named `containerd` in a /proc directory."""
    try:
        entries = [e for e in proc.iterdir() if e.name.isdigit()]
    except OSError:
        return []
    return sorted(int(e.name) for e in entries if process_name(e / "stat") == PROCESS_NAME)


def find_containerd(proc: Path) -> int:
    """The pid of the one containerd process, or upstream's error."""
    pids = containerd_pids(proc)
    if len(pids) != 1:
        found = f" (pids {', '.join(map(str, pids))})" if pids else ""
        raise RestartError(
            f"need exactly one {PROCESS_NAME} process, found: {len(pids)}{found} in {proc}"
        )
    return pids[0]


def signal_containerd(pid: int) -> None:
    """Send SIGHUP to containerd."""
    try:
        os.kill(pid, signal.SIGHUP)
    except OSError as exc:
        raise RestartError(
            f"failed to send SIGHUP to containerd (pid {pid}): {exc.strerror}"
        ) from exc
