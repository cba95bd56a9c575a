"""The cgroup of a Spin task, from the OCI spec's ``linux.cgroupsPath`` (cgroupfs form, as the
kubelet and ``ctr`` write it): v1 hierarchies (the hybrid layout of this machine kind) or the v2
unified tree. Creates it, applies the memory/CPU/pids limits, adds processes, reads the metrics
the CRI asks for (``Stats``), counts OOM kills, and removes it.

runc containers get their cgroup from runc; the shim only reads their stats and OOM count.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf.message import Message

from spinkube.shim.errors import ContainerError
from spinkube.shim.proto import cgroups_v1_pb2, cgroups_v2_pb2

CGROUP_ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "cpu", "cpuacct", "pids", "blkio", "freezer", "name=systemd")
"""The hierarchies a task joins (not cpuset: a new cpuset cgroup needs cpus/mems copied)."""


def unified() -> bool:
    """Whether this machine runs cgroup v2 only (else v1 or hybrid: the v1 controllers count)."""
    return (CGROUP_ROOT / "cgroup.controllers").exists()


def v1_mounts() -> dict[str, Path]:
    """controller -> mount point of its v1 hierarchy."""
    found: dict[str, Path] = {}
    with open("/proc/self/mountinfo") as info:
        for line in info:
            before, _sep, after = line.partition(" - ")
            fields = after.split()
            if len(fields) < 3 or fields[0] != "cgroup":
                continue
            for option in fields[2].split(","):
                if option in V1_CONTROLLERS:
                    found.setdefault(option, Path(before.split()[4]))
    return found


def check_path(cgroups_path: str) -> str:
    if ":" in cgroups_path:
        raise ContainerError(
            f"linux.cgroupsPath {cgroups_path!r}: the systemd cgroup driver is not supported; "
            "use the cgroupfs driver (SystemdCgroup = false)"
        )
    return "/" + cgroups_path.strip("/")


@dataclass(frozen=True, slots=True)
class Cgroup:
    path: str
    """The cgroupfs path (``/kubepods/besteffort/pod<uid>/<id>``)."""

    def dirs(self) -> list[Path]:
        if unified():
            return [CGROUP_ROOT / self.path.lstrip("/")]
        return sorted({m / self.path.lstrip("/") for m in v1_mounts().values()})

    def _dir(self, controller: str) -> Path | None:
        if unified():
            return CGROUP_ROOT / self.path.lstrip("/")
        mount = v1_mounts().get(controller)
        return mount / self.path.lstrip("/") if mount else None

    def create(self, resources: Mapping[str, Any]) -> None:
        try:
            for directory in self.dirs():
                directory.mkdir(parents=True, exist_ok=True)
            apply_resources(self, resources)
        except OSError as exc:
            raise ContainerError(f"cgroup {self.path}: {exc}") from None

    def add(self, pid: int) -> None:
        for directory in self.dirs():
            (directory / "cgroup.procs").write_text(str(pid))

    def pids(self) -> list[int]:
        found: set[int] = set()
        for directory in self.dirs():
            with contextlib.suppress(OSError):
                found |= {int(p) for p in (directory / "cgroup.procs").read_text().split()}
        return sorted(found)

    def write(self, controller: str, name: str, value: str) -> None:
        directory = self._dir(controller)
        if directory is not None and (directory / name).exists():
            (directory / name).write_text(value)

    def read(self, controller: str, name: str) -> str:
        directory = self._dir(controller)
        if directory is None:
            return ""
        try:
            return (directory / name).read_text()
        except OSError:
            return ""

    def oom_kills(self) -> int:
        """How many processes the kernel's OOM killer ended in this cgroup so far."""
        text = self.read("memory", "memory.events" if unified() else "memory.oom_control")
        return int(_keyed(text).get("oom_kill", 0))

    def remove(self, timeout: float = 5.0) -> None:
        """Removes the cgroup once its processes are gone (the caller killed them)."""
        deadline = time.monotonic() + timeout
        for directory in self.dirs():
            while directory.exists():
                try:
                    directory.rmdir()
                except FileNotFoundError:
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.02)

    def metrics(self) -> Message:
        return _metrics_v2(self) if unified() else _metrics_v1(self)


def apply_resources(group: Cgroup, resources: Mapping[str, Any]) -> None:
    """``linux.resources`` (or an ``Update``'s LinuxResources): memory, CPU, pids."""
    memory = resources.get("memory") or {}
    cpu = resources.get("cpu") or {}
    pids = resources.get("pids") or {}
    v2 = unified()
    if memory.get("limit") is not None and int(memory["limit"]) > 0:
        limit = str(int(memory["limit"]))
        group.write("memory", "memory.max" if v2 else "memory.limit_in_bytes", limit)
    if cpu.get("shares"):
        shares = int(cpu["shares"])
        if v2:
            group.write("cpu", "cpu.weight", str(1 + ((shares - 2) * 9999) // 262142))
        else:
            group.write("cpu", "cpu.shares", str(shares))
    if cpu.get("quota") and cpu.get("period"):
        if v2:
            group.write("cpu", "cpu.max", f"{int(cpu['quota'])} {int(cpu['period'])}")
        else:
            group.write("cpu", "cpu.cfs_period_us", str(int(cpu["period"])))
            group.write("cpu", "cpu.cfs_quota_us", str(int(cpu["quota"])))
    if pids.get("limit") and int(pids["limit"]) > 0:
        group.write("pids", "pids.max", str(int(pids["limit"])))


def _keyed(text: str) -> dict[str, int]:
    values = {}
    for line in text.splitlines():
        key, _sep, value = line.partition(" ")
        with contextlib.suppress(ValueError):
            values[key] = int(value.strip())
    return values


def _number(text: str) -> int:
    text = text.strip()
    return int(text) if text.isdigit() else 0


_V1_RENAMES = {
    "pgpgin": "pg_pg_in",
    "pgpgout": "pg_pg_out",
    "pgfault": "pg_fault",
    "pgmajfault": "pg_maj_fault",
}


def _fill(message: Message, values: Mapping[str, int], renames: Mapping[str, str]) -> None:
    fields = message.DESCRIPTOR.fields_by_name
    for key, value in values.items():
        field = fields.get(renames.get(key, key))
        if field is not None and field.type == field.TYPE_UINT64:
            setattr(message, field.name, max(value, 0))


def _metrics_v1(group: Cgroup) -> Message:
    metrics = cgroups_v1_pb2.Metrics()
    _fill(metrics.memory, _keyed(group.read("memory", "memory.stat")), _V1_RENAMES)
    usage = metrics.memory.usage
    usage.usage = _number(group.read("memory", "memory.usage_in_bytes"))
    usage.limit = _number(group.read("memory", "memory.limit_in_bytes"))
    usage.max = _number(group.read("memory", "memory.max_usage_in_bytes"))
    usage.failcnt = _number(group.read("memory", "memory.failcnt"))
    cpu = metrics.cpu.usage
    cpu.total = _number(group.read("cpuacct", "cpuacct.usage"))
    ticks = _keyed(group.read("cpuacct", "cpuacct.stat"))
    nanos_per_tick = 1_000_000_000 // os.sysconf("SC_CLK_TCK")
    cpu.user = ticks.get("user", 0) * nanos_per_tick
    cpu.kernel = ticks.get("system", 0) * nanos_per_tick
    metrics.pids.current = _number(group.read("pids", "pids.current"))
    metrics.pids.limit = _number(group.read("pids", "pids.max"))
    oom = _keyed(group.read("memory", "memory.oom_control"))
    metrics.memory_oom_control.oom_kill = oom.get("oom_kill", 0)
    return metrics


def _metrics_v2(group: Cgroup) -> Message:
    metrics = cgroups_v2_pb2.Metrics()
    _fill(metrics.memory, _keyed(group.read("memory", "memory.stat")), {})
    metrics.memory.usage = _number(group.read("memory", "memory.current"))
    metrics.memory.usage_limit = _number(group.read("memory", "memory.max"))
    _fill(metrics.cpu, _keyed(group.read("cpu", "cpu.stat")), {})
    metrics.pids.current = _number(group.read("pids", "pids.current"))
    metrics.pids.limit = _number(group.read("pids", "pids.max"))
    events = _keyed(group.read("memory", "memory.events"))
    metrics.memory_events.oom_kill = events.get("oom_kill", 0)
    return metrics
