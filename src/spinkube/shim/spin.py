"""Spin containers, run by the shim itself: a child forked from the shim (which has the runtime
and wasmtime loaded, so the app starts without importing them) sets itself up at Create (its
own cgroup, the pod's network namespace, a private mount namespace with the spec's bind mounts
on the rootfs, stdio to containerd) and waits; Start lets it serve the app
(:mod:`spinkube.shim.spinapp`)."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from spinkube.shim.cgroups import Cgroup, apply_resources, check_path
from spinkube.shim.container import CreateSpec, write_state
from spinkube.shim.errors import ContainerError
from spinkube.shim.mounts import mount_rootfs, umount
from spinkube.shim.stdio import Stdio

MANIFEST = "spin.toml"


def no_app_message(spec: CreateSpec) -> str:
    entry = spec.args[0] if spec.args else "(none)"
    return (
        f"not a Spin app: the image's root filesystem has no /{MANIFEST}, and the entrypoint "
        f"{entry!r} is not an executable in it. Publish the app as a plain image holding "
        "spin.toml and its files (spinkube-runtime registry push); Spin OCI artifact images "
        "(config architecture 'wasm') need containerd >= 1.7.7 and are not run by this shim"
    )


class SpinContainer:
    kind = "spin"

    def __init__(self, spec: CreateSpec, *, cache_dir: Path) -> None:
        self.spec = spec
        self.cache_dir = cache_dir
        self.pid = 0
        self._go_fd = -1
        self._stdio = Stdio(spec.stdout, spec.stderr)
        path = spec.linux.get("cgroupsPath")
        self._cgroup = Cgroup(check_path(str(path))) if path else None

    def create(self) -> int:
        from spinkube.shim import spinapp  # the runtime and wasmtime: loaded once per shim

        spec = self.spec
        if spec.rootfs_mounts:
            mount_rootfs(spec.rootfs_mounts, spec.rootfs)
        try:
            if self._cgroup is not None:
                self._cgroup.create(spec.linux.get("resources") or {})
            stdio = self._stdio.open()
            self.pid, self._go_fd = spinapp.fork_app(spec, stdio, self._cgroup, self.cache_dir)
        except ContainerError:
            self._stdio.close_workload_ends()
            self._release()
            raise
        self._stdio.close_workload_ends()
        write_state(spec.bundle, kind=self.kind, pid=self.pid, cgroup=self._cgroup_path())
        return self.pid

    def start(self) -> None:
        os.write(self._go_fd, b"g")
        os.close(self._go_fd)
        self._go_fd = -1

    def kill(self, signal_number: int, *, all: bool) -> None:
        targets = self.pids() if all else [self.pid]
        for pid in targets:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal_number)

    def pids(self) -> list[int]:
        if self._cgroup is not None:
            return self._cgroup.pids()
        return _group_members(self.pid)

    def cgroup(self) -> Cgroup | None:
        return self._cgroup

    def update(self, resources: Mapping[str, Any]) -> None:
        if self._cgroup is not None:
            apply_resources(self._cgroup, resources)

    def exited(self) -> None:
        """The app's main process is gone: its workers go too (as a pid namespace would)."""
        kill_leftovers(self.pid, self._cgroup)
        self._stdio.wait_drained()

    def delete(self) -> None:
        if self._go_fd >= 0:
            os.close(self._go_fd)  # never started: the child sees EOF and leaves
            self._go_fd = -1
        kill_leftovers(self.pid, self._cgroup)
        self._release()

    def _release(self) -> None:
        if self.spec.rootfs_mounts:
            umount(str(self.spec.rootfs))
        if self._cgroup is not None:
            self._cgroup.remove()

    def _cgroup_path(self) -> str:
        return self._cgroup.path if self._cgroup else ""


def kill_leftovers(pid: int, group: Cgroup | None) -> None:
    """SIGKILL the app's process group and everything in its cgroup."""
    if pid > 0:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
    for member in group.pids() if group else []:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid:
                    members.append(int(entry.name))
    return members or [pgid]


def cleanup_dead(bundle: Path, state: Mapping[str, Any]) -> None:
    """``delete`` after a dead shim: kill the app, unmount, remove the cgroup."""
    path = state.get("cgroup")
    group = Cgroup(str(path)) if path else None
    kill_leftovers(int(state.get("pid") or 0), group)
    umount(str(bundle / "rootfs"))
    if group is not None:
        group.remove()
