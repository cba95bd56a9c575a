"""Files on the node, seen through the host root the Job mounts (`-H /mnt/node-root`).

Paths inside the node's filesystem ("host paths", `/etc/containerd/config.toml`) are what the
installer writes into configs and the lock file; `HostRoot.path` maps one to where it is seen
from the installer's own filesystem.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from spinkube.rcm.node.errors import ConfigError

MAX_SYMLINKS = 40


@dataclass(frozen=True)
class HostRoot:
    root: Path

    def path(self, host_path: str) -> Path:
        """Where a host path is seen from here. Symlinks on the way resolve as on the node: an
        absolute target starts again at the host root, and `..` stops there, so a node whose
        `/etc/containerd/config.toml` links to `/etc/k8s/containerd.toml` is edited in place,
        not in the installer's own filesystem."""
        current, todo, hops = self.root, list(PurePosixPath("/", host_path).parts[1:]), 0
        while todo:
            part = todo.pop(0)
            if part == "..":
                current = current if current == self.root else current.parent
                continue
            candidate = current / part
            if not candidate.is_symlink():
                current = candidate
                continue
            hops += 1
            if hops > MAX_SYMLINKS:
                raise ConfigError(f"{host_path}: too many levels of symbolic links")
            target = PurePosixPath(os.readlink(candidate))
            if target.is_absolute():
                current, target = self.root, target.relative_to("/")
            todo[:0] = [p for p in target.parts if p != "."]
        return current

    def exists(self, host_path: str) -> bool:
        return self.path(host_path).exists()


def read_text(path: Path) -> str:
    """A config file's text, exactly as stored: UTF-8, line endings untouched."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: does not exist") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 ({exc.reason})") from exc


def write_in_place(path: Path, text: str) -> None:
    """Replace a file's content in place, keeping its inode, mode and owner (it may be a bind
    mount or have hard links)."""
    with path.open("r+b") as out:
        out.write(text.encode("utf-8"))
        out.truncate()
        out.flush()
        os.fsync(out.fileno())


def append(path: Path, text: str) -> None:
    """Append to a file, as upstream does: the bytes before stay where they were."""
    with path.open("ab") as out:
        out.write(text.encode("utf-8"))
        out.flush()
        os.fsync(out.fileno())


def replace_atomically(path: Path, data: bytes, *, mode: int) -> None:
    """Write a file under a temporary name and rename it into place, so a running shim keeps
    its old binary (overwriting an executable in use fails with ETXTBSY) and a reader never
    sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_file(path: Path) -> str | None:
    """The hex sha256 of a file, or None when there is none."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
