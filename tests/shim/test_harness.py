"""The containerd test harness itself: runc containers start, and cleanup leaves nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from spinkube.testing import eventually
from spinkube.testing.containerd import Containerd, cgroup_mounts, cleanup, mounts_under


def test_runc_container_runs_and_reports_its_exit_code(containerd: Containerd, busybox_image: str):
    done = containerd.ctr(
        "run", "--rm", busybox_image, "echo1", "/bin/sh", "-c", "echo hi; exit 7", check=False
    )
    assert done.stdout.strip() == "hi"
    assert done.returncode == 7


def test_cleanup_removes_tasks_mounts_and_cgroups(busybox_image: str, containerd: Containerd):
    containerd.ctr("run", "-d", busybox_image, "sleeper", "/bin/sleep", "600")
    eventually(lambda: "RUNNING" in containerd.ctr("task", "ls").stdout)
    pid = int(containerd.ctr("task", "ls").stdout.splitlines()[1].split()[1])
    assert mounts_under(containerd.dir)
    cleanup(containerd)
    assert not _running(pid)
    assert not mounts_under(containerd.dir)
    assert not any((m / containerd.namespace).exists() for m in cgroup_mounts())
    assert containerd.cgroup_parent == f"/{containerd.namespace}"
    assert not containerd.dir.exists()


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_cleanup_never_walks_the_root_cgroup(tmp_path: Path):
    """A run without a cgroup of its own must not take every process of the machine with it."""
    ctrd = Containerd(dir=tmp_path / "ctrd", namespace="spinkube-test-none")
    with pytest.raises(ValueError, match="root cgroup"):
        cleanup(ctrd)
