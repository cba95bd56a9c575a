"""Resolve a component's ``files`` mounts to (host file, guest path) pairs, Spin's way.

* ``"static/**/*"`` (a glob) or ``"static"`` (a directory) or ``"a.txt"`` (a file): every matching
  file, seen by the guest at the same path relative to the app directory (``/static/a.txt``);
* ``{ source = "assets", destination = "/web" }``: the directory's files under ``/web``, or the
  single file at exactly ``/web``;
* an absolute source directory with a destination (a locked app's mount): its files under it.

``exclude_files`` globs (``*`` also crossing ``/``, as in Spin) are matched against the path
relative to the app directory and drop files found through a glob or a directory. A source
that resolves outside the app directory is refused.
"""

from __future__ import annotations

import fnmatch
import glob
import shutil
from pathlib import Path, PurePosixPath

from spinkube.spinapp.errors import FilesError, SpinAppError
from spinkube.spinapp.model import App, Component, FilesMount

FilePairs = list[tuple[Path, str]]


def resolve_files(app: App, component: Component | str) -> FilePairs:
    """Every file the component sees: (host path, absolute guest path), in manifest order."""
    component = app.component(component) if isinstance(component, str) else component
    root = app.app_dir.resolve()
    pairs: FilePairs = []
    for mount in component.files:
        pairs.extend(_resolve_mount(root, mount, component))
    return pairs


def materialize_files(app: App, component: Component | str, dest: Path) -> Path:
    """Copy the component's files into ``dest`` (to mount at ``/``); later entries win."""
    dest.mkdir(parents=True, exist_ok=True)
    for host, guest in resolve_files(app, component):
        target = dest / guest.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(host, target)
    return dest


def wasm_path(app: App, component: Component | str) -> Path:
    """The local Wasm file of a component; an error for sources that must be fetched first."""
    component = app.component(component) if isinstance(component, str) else component
    source = component.source
    if source.path is None:
        where = source.url or source.digest
        raise SpinAppError(f"component {component.id!r}: source {where} is not a local file")
    return source.path if source.path.is_absolute() else app.app_dir / source.path


def _resolve_mount(root: Path, mount: FilesMount, component: Component) -> FilePairs:
    if mount.destination is not None and Path(mount.source).is_absolute():
        if not Path(mount.source).is_dir():
            raise FilesError(
                f"component {component.id!r}: files: {mount.source} is not a directory"
            )
        return _walk(Path(mount.source), mount.destination)
    if mount.destination is not None:
        return _placement(root, mount, component)
    return _pattern(root, mount.source, component)


def _placement(root: Path, mount: FilesMount, component: Component) -> FilePairs:
    assert mount.destination is not None
    source = _inside(root, root / mount.source, mount.source, component)
    if source.is_dir():
        return _excluded(root, _walk(source, mount.destination), component)
    if source.is_file():
        return [(source, mount.destination)]
    raise FilesError(f"component {component.id!r}: files: {mount.source!r} does not exist")


def _pattern(root: Path, pattern: str, component: Component) -> FilePairs:
    path = root / pattern
    if path.exists():
        path = _inside(root, path, pattern, component)
        if path.is_file():
            return [(path, _guest(path, root))]
        found = [(p, _guest(p, root)) for p in sorted(path.rglob("*")) if p.is_file()]
        return _excluded(root, found, component)
    if not _looks_like_glob(pattern):
        raise FilesError(
            f"component {component.id!r}: files: {pattern!r} does not exist "
            "and does not look like a glob pattern"
        )
    matches = glob.glob(pattern, root_dir=root, recursive=True, include_hidden=True)
    found = []
    for match in sorted(matches):
        host = _inside(root, root / match, pattern, component)
        if host.is_file():
            found.append((host, _guest(host, root)))
    return _excluded(root, found, component)


def _walk(directory: Path, destination: str) -> FilePairs:
    base = PurePosixPath("/") / destination.lstrip("/")
    return [
        (p, str(base / p.relative_to(directory).as_posix()))
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    ]


def _excluded(root: Path, pairs: FilePairs, component: Component) -> FilePairs:
    if not component.exclude_files:
        return pairs
    return [
        (host, guest)
        for host, guest in pairs
        if not any(
            fnmatch.fnmatchcase(host.relative_to(root).as_posix(), pattern)
            for pattern in component.exclude_files
        )
    ]


def _inside(root: Path, path: Path, written: str, component: Component) -> Path:
    resolved = path.resolve()
    if not resolved.is_relative_to(root):
        raise FilesError(
            f"component {component.id!r}: files: {written!r} is outside the application "
            "directory; files must be within the application directory"
        )
    return resolved


def _guest(path: Path, root: Path) -> str:
    return "/" + path.relative_to(root).as_posix()


def _looks_like_glob(text: str) -> bool:
    return any(c in text for c in "*?[")
