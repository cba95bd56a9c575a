"""Mounting: the task's rootfs from containerd's ``Mount`` list (overlay, bind), the bind mounts
of an OCI spec onto a rootfs (kubelet's files: ``/runtime-config.toml``, the CA bundle, the
service-account token...), and unmounting. Through libc, no ``mount`` binary."""

from __future__ import annotations

import ctypes
import errno
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spinkube.shim.errors import ContainerError

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
MS_SLAVE = 1 << 19
MNT_DETACH = 2

_FLAGS = {
    "ro": MS_RDONLY,
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "bind": MS_BIND,
    "rbind": MS_BIND | MS_REC,
}
_IGNORED = {"rw", "suid", "dev", "exec", "rprivate", "private", "rslave", "slave", "shared"}

_libc = ctypes.CDLL(None, use_errno=True)


@dataclass(frozen=True, slots=True)
class Mount:
    type: str
    source: str
    options: tuple[str, ...] = ()


def parse_options(options: Iterable[str]) -> tuple[int, str]:
    """(mount flags, comma-joined data) from fstab-style options."""
    flags, data = 0, []
    for option in options:
        if option in _FLAGS:
            flags |= _FLAGS[option]
        elif option not in _IGNORED:
            data.append(option)
    return flags, ",".join(data)


def mount(source: str, target: str, fstype: str, flags: int, data: str = "") -> None:
    result = _libc.mount(
        source.encode(), target.encode(), fstype.encode() or None, flags, data.encode() or None
    )
    if result != 0:
        code = ctypes.get_errno()
        raise ContainerError(f"mount {source} on {target} ({fstype}): {os.strerror(code)}")


def umount(target: str) -> None:
    """Unmounts ``target``; a busy mount is detached lazily; not mounted is fine."""
    if _libc.umount2(target.encode(), 0) == 0:
        return
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOENT):
        return
    if _libc.umount2(target.encode(), MNT_DETACH) != 0:
        raise ContainerError(f"umount {target}: {os.strerror(ctypes.get_errno())}")


def mount_rootfs(mounts: Sequence[Mount], target: Path) -> None:
    """containerd's rootfs mounts onto the bundle's ``rootfs`` (usually one overlay)."""
    target.mkdir(exist_ok=True)
    for item in mounts:
        flags, data = parse_options(item.options)
        fstype = "" if flags & MS_BIND else item.type
        mount(item.source, str(target), fstype, flags & ~MS_RDONLY, data)
        if flags & MS_BIND and flags & MS_RDONLY:
            mount("", str(target), "", MS_BIND | MS_REMOUNT | MS_RDONLY)


def is_mounted(path: Path) -> bool:
    wanted = str(path)
    with open("/proc/self/mountinfo") as info:
        return any(line.split()[4] == wanted for line in info)


def make_private_tree() -> None:
    """In a fresh mount namespace: stop mounts from propagating back to the host."""
    mount("none", "/", "", MS_REC | MS_SLAVE)


def bind_spec_mounts(spec_mounts: Sequence[Mapping[str, Any]], rootfs: Path) -> None:
    """Applies the spec's bind mounts onto ``rootfs`` (call in a private mount namespace).

    Kernel filesystems (proc, sysfs, tmpfs /dev...) are the container runtime's business and a
    Wasm app does not see them: they are skipped.
    """
    for spec in spec_mounts:
        options = tuple(spec.get("options") or ())
        if spec.get("type") != "bind" and "bind" not in options and "rbind" not in options:
            continue
        source = Path(spec["source"])
        target = rootfs / str(spec["destination"]).lstrip("/")
        _placeholder(source, target)
        flags, _data = parse_options(options)
        mount(str(source), str(target), "", (flags | MS_BIND) & ~MS_RDONLY)
        if flags & MS_RDONLY:
            mount("", str(target), "", MS_BIND | MS_REMOUNT | MS_RDONLY | (flags & MS_REC))


def _placeholder(source: Path, target: Path) -> None:
    """A file or directory for the bind mount to land on, like the source."""
    if source.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.touch()
