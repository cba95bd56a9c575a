"""Read-only views of the component's ``files`` mounts, confined to their mount."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class FsError(Exception):
    """A wasi:filesystem ``error-code`` case (the exception message is the case name)."""


@dataclass(slots=True)
class Descriptor:
    """A directory or file inside a mount: ``root`` is the resolved mount, ``path`` inside it."""

    root: Path
    path: Path

    def resolve(self, relative: str) -> Path:
        """``relative`` from this descriptor, with ``..`` and symlinks resolved, kept inside the
        mount: anything that would leave it is refused, as Spin refuses it."""
        if relative.startswith("/"):
            raise FsError("not-permitted")
        target = (self.path / relative).resolve()  # follows symlinks: readlink sees none
        if target != self.root and self.root not in target.parents:
            raise FsError("not-permitted")
        if not target.exists():
            raise FsError("no-entry")
        return target

    def at(self, relative: str) -> Descriptor:
        return Descriptor(self.root, self.resolve(relative))


@dataclass(slots=True)
class DirectoryEntries:
    entries: list[tuple[str, str]]
    pos: int = 0


def descriptor_type(path: Path) -> str:
    if path.is_dir():
        return "directory"
    if path.is_file():
        return "regular-file"
    return "unknown"


def preopen(host_dir: Path) -> Descriptor:
    root = host_dir.resolve()
    return Descriptor(root, root)
