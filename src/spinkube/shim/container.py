"""What the Task service needs from a container, whichever runs it (runc or the Spin engine),
and how a container is recognised as a Spin app (runwasi's rule, as containerd-shim-spin uses
it): a container whose entrypoint is an executable file in its rootfs (ELF or ``#!``) is an
ordinary Linux container, such as the pod's pause sandbox; anything else (the operator's
``command: ["/"]``) is handed to the Spin engine, which needs ``spin.toml`` in the rootfs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from spinkube.shim.cgroups import Cgroup
from spinkube.shim.mounts import Mount

STATE_FILE = "spin-shim.json"
"""In the bundle: what ``delete`` needs to clean up after a dead shim."""


@dataclass(frozen=True, slots=True)
class CreateSpec:
    id: str
    bundle: Path
    rootfs_mounts: tuple[Mount, ...]
    stdout: str
    stderr: str
    spec: Mapping[str, Any]
    namespace: str
    runc_root: Path

    @property
    def rootfs(self) -> Path:
        root = str((self.spec.get("root") or {}).get("path") or "rootfs")
        return self.bundle / root if not root.startswith("/") else Path(root)

    @property
    def args(self) -> Sequence[str]:
        return tuple((self.spec.get("process") or {}).get("args") or ())

    @property
    def env(self) -> Sequence[str]:
        return tuple((self.spec.get("process") or {}).get("env") or ())

    @property
    def linux(self) -> Mapping[str, Any]:
        return self.spec.get("linux") or {}


class Container(Protocol):
    kind: str
    pid: int

    def start(self) -> None: ...

    def kill(self, signal: int, *, all: bool) -> None: ...

    def pids(self) -> list[int]: ...

    def cgroup(self) -> Cgroup | None: ...

    def update(self, resources: Mapping[str, Any]) -> None: ...

    def exited(self) -> None:
        """The init process is gone: end whatever it left behind."""

    def delete(self) -> None:
        """Release everything: runtime state, processes, mounts, cgroups."""


def is_linux_container(args: Sequence[str], env: Sequence[str], rootfs: Path) -> bool:
    """Whether ``args[0]`` resolves (``PATH`` of the spec for a bare name) to an executable
    ELF or script in ``rootfs``."""
    if not args:
        return False
    for candidate in _candidates(args[0], env):
        path = _inside(rootfs, candidate)
        if path is not None and _executable(path):
            return True
    return False


def _candidates(entry: str, env: Sequence[str]) -> list[str]:
    if "/" in entry:
        return [entry]
    path = next((e[5:] for e in env if e.startswith("PATH=")), "/usr/bin:/bin")
    return [f"{d.rstrip('/')}/{entry}" for d in path.split(":") if d]


def _inside(rootfs: Path, path: str) -> Path | None:
    """``path`` resolved inside ``rootfs`` (symlinks are followed within it)."""
    current = rootfs
    for _hop in range(40):
        target = current / path.lstrip("/") if path.startswith("/") else current / path
        try:
            if target.is_symlink():
                link = str(target.readlink())
                path = (
                    link if link.startswith("/") else str(target.parent.relative_to(rootfs) / link)
                )
                current = rootfs
                continue
        except (OSError, ValueError):
            return None
        return target
    return None


def _executable(path: Path) -> bool:
    try:
        if not path.is_file() or not path.stat().st_mode & 0o111:
            return False
        with path.open("rb") as file:
            head = file.read(4)
    except OSError:
        return False
    return head == b"\x7fELF" or head.startswith(b"#!")


def write_state(bundle: Path, **fields: object) -> None:
    (bundle / STATE_FILE).write_text(json.dumps(fields))


def read_state(bundle: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((bundle / STATE_FILE).read_text()))
    except (OSError, ValueError):
        return {}
