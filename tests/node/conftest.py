"""Fixtures for the node programs: a temp host root laid out like a node (a containerd config,
a /proc that lists only the processes the test started), shim assets, and stand-in containerd
processes (a copy of `sleep` named `containerd`, so SIGHUP reaches a real process).
"""

from __future__ import annotations

import hashlib
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from spinkube.rcm.node import installer

TESTDATA = Path(__file__).parents[1] / "unit" / "rcm_node" / "testdata"
V2_DEFAULT = (TESTDATA / "containerd-1.6-default.toml").read_bytes()
V3_CONFIG = (TESTDATA / "containerd-2.x.toml").read_bytes()
SHIM = b"\x7fELF a stand-in shim binary v1"


@dataclass
class Host:
    """A node's root filesystem in a temp dir; `proc` lists the processes the test adds."""

    root: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def path(self, host_path: str) -> Path:
        return self.root / host_path.lstrip("/")

    def write(self, host_path: str, data: bytes) -> Path:
        target = self.path(host_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return target

    def expose(self, pid: int) -> None:
        """Make a process visible in the host's /proc, as hostPID does."""
        (self.root / "proc" / str(pid)).symlink_to(f"/proc/{pid}")

    def snapshot(self) -> dict[str, bytes]:
        """Every file under the root but /proc, with its content: to assert nothing changed."""
        return {
            str(p.relative_to(self.root)): p.read_bytes()
            for p in sorted(self.root.rglob("*"))
            if p.is_file() and p.relative_to(self.root).parts[0] != "proc"
        }


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Host]:
    root = tmp_path / "node"
    (root / "proc").mkdir(parents=True)
    node = Host(root)
    yield node
    for process in node.processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


@pytest.fixture
def default_host(host: Host) -> Host:
    """A node with Debian containerd's default config at /etc/containerd/config.toml."""
    host.write("/etc/containerd/config.toml", V2_DEFAULT)
    return host


@pytest.fixture
def start_containerd(host: Host, tmp_path: Path) -> Callable[[], subprocess.Popen[bytes]]:
    """Start a stand-in containerd (a `sleep` named `containerd`) visible in the host's /proc."""
    binary = tmp_path / "bin" / "containerd"
    binary.parent.mkdir(exist_ok=True)
    shutil.copy(shutil.which("sleep") or "/bin/sleep", binary)

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen([str(binary), "600"])
        host.processes.append(process)
        host.expose(process.pid)
        return process

    return start


@pytest.fixture
def assets(tmp_path: Path) -> Path:
    """The downloader's output: /assets with one shim binary."""
    directory = tmp_path / "assets"
    directory.mkdir()
    (directory / "containerd-shim-spin-v2").write_bytes(SHIM)
    return directory


def settings(host: Host, assets: Path | None = None, **overrides: object) -> installer.Settings:
    values: dict[str, object] = {"host_root": host.root, "runtime": "spin-v2"}
    if assets is not None:
        values["asset_path"] = assets
    values.update(overrides)
    return installer.Settings(**values)  # type: ignore[arg-type]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def was_signalled(process: subprocess.Popen[bytes]) -> bool:
    """Whether the stand-in died of SIGHUP (waits up to 30 s for it)."""
    try:
        return process.wait(timeout=30) == -signal.SIGHUP
    except subprocess.TimeoutExpired:
        return False
