"""Ordinary containers (the pod's pause sandbox, any non-Spin container) run by the node's runc,
as containerd-shim-runc-v2 does: ``runc create --bundle --pid-file`` with the container's stdio,
``runc start``, ``runc kill``, ``runc update``, ``runc delete``. The shim is a child subreaper,
so the container's init becomes its child and the reaper collects its exit status."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from spinkube.shim.cgroups import Cgroup, check_path
from spinkube.shim.container import CreateSpec, write_state
from spinkube.shim.errors import ContainerError
from spinkube.shim.mounts import mount_rootfs, umount
from spinkube.shim.reaper import Reaper
from spinkube.shim.stdio import Stdio

RUNC = "runc"


class Runc:
    """The ``runc`` command line for one root dir; every child goes through the reaper."""

    def __init__(self, root: Path, reaper: Reaper, *, log: Path | None = None) -> None:
        self.root = root
        self.reaper = reaper
        self.log = log
        self.binary = shutil.which(RUNC) or RUNC

    def run(
        self, *args: str, stdio: Sequence[int] | None = None, input: bytes | None = None
    ) -> None:
        """Runs runc; a non-zero exit raises ContainerError with runc's own message."""
        command = [self.binary, "--root", str(self.root)]
        if self.log is not None:
            command += ["--log", str(self.log), "--log-format", "json"]
        stdin, stdout, stderr = stdio or (subprocess.PIPE, subprocess.PIPE, subprocess.STDOUT)
        if input is not None:
            stdin = subprocess.PIPE
        process = subprocess.Popen(
            [*command, *args], stdin=stdin, stdout=stdout, stderr=stderr, close_fds=True
        )
        output = b""
        if process.stdin is not None:
            process.stdin.write(input or b"")
            process.stdin.close()
        if process.stdout is not None:
            output = process.stdout.read()
            process.stdout.close()
        status = self.reaper.wait(process.pid)
        process.returncode = status  # the reaper collected it: Popen must not wait
        if status != 0:
            raise ContainerError(f"runc {args[0]}: {self._reason(output)}")

    def _reason(self, output: bytes) -> str:
        text = output.decode(errors="replace").strip()
        if self.log is not None and self.log.exists():
            lines = self.log.read_text(errors="replace").splitlines()
            for line in reversed(lines):
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("level") in ("error", "fatal"):
                    return str(entry.get("msg"))
        return text.splitlines()[-1] if text else "failed"


class RuncContainer:
    kind = "runc"

    def __init__(self, spec: CreateSpec, reaper: Reaper) -> None:
        self.spec = spec
        self.runc = Runc(spec.runc_root, reaper, log=spec.bundle / "runc.log")
        self.pid = 0
        self._stdio = Stdio(spec.stdout, spec.stderr)

    def create(self) -> int:
        spec = self.spec
        if spec.rootfs_mounts:
            mount_rootfs(spec.rootfs_mounts, spec.rootfs)
        pid_file = spec.bundle / "init.pid"
        stdio = self._stdio.open()
        try:
            self.runc.run(
                "create", "--bundle", str(spec.bundle), "--pid-file", str(pid_file), spec.id,
                stdio=stdio,
            )  # fmt: skip
        except ContainerError:
            self._stdio.close_workload_ends()
            self._unmount()
            raise
        self._stdio.close_workload_ends()
        self.pid = int(pid_file.read_text().strip())
        write_state(spec.bundle, kind=self.kind, pid=self.pid, runc_root=str(spec.runc_root))
        return self.pid

    def start(self) -> None:
        self.runc.run("start", self.spec.id)

    def kill(self, signal: int, *, all: bool) -> None:
        args = ["kill", *(["--all"] if all else []), self.spec.id, str(signal)]
        self.runc.run(*args)

    def pids(self) -> list[int]:
        group = self.cgroup()
        return group.pids() if group else [self.pid]

    def cgroup(self) -> Cgroup | None:
        path = self.spec.linux.get("cgroupsPath")
        return Cgroup(check_path(str(path))) if path else None

    def update(self, resources: Mapping[str, Any]) -> None:
        self.runc.run(
            "update", "--resources", "-", self.spec.id, input=json.dumps(resources).encode()
        )

    def exited(self) -> None:
        self._stdio.wait_drained()

    def delete(self) -> None:
        self.runc.run("delete", "--force", self.spec.id)
        self._unmount()

    def _unmount(self) -> None:
        if self.spec.rootfs_mounts:
            umount(str(self.spec.rootfs))


def cleanup_dead(bundle: Path, container_id: str, runc_root: Path, reaper: Reaper) -> None:
    """``delete`` after a dead shim: force-delete the runc container (kills it)."""
    runc = Runc(runc_root, reaper)
    with contextlib.suppress(ContainerError):  # already gone
        runc.run("delete", "--force", container_id)
    umount(str(bundle / "rootfs"))
