"""Resolve a component's ``files`` mounts to (host file, guest path) pairs, Spin's way.

* ``"static/**/*"`` (a glob) or ``"static"`` (a directory) or ``"a.txt"`` (a file): every matching
  file, seen by the guest at the same path relative to the app directory (``/static/a.txt``);
* ``{ source = "assets", destination = "/web" }``: the directory's files under ``/web``, or the
  single file at exactly ``/web``;
* an absolute source directory with a destination (a locked app's mount): its files under it.

``exclude_files`` globs (``*`` also crossing ``/``, as in Spin) are matched against the path
relative to the app directory and drop files found through a glob or a directory. A source
that resolves outside the app directory is refused.

A symbolic link found inside a source folder (a directory mount, or the folder a glob starts
in) is followed only while its target stays inside that folder: a link that leaves it
(``static/passwd -> /etc/passwd``, ``static/secret -> ../secret.txt``) is skipped with a
warning, so a mount never exposes anything outside its source. The files returned are the
links' real paths.
"""

from __future__ import annotations

import fnmatch
import glob
import logging
import os
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from spinkube.spinapp.errors import FilesError, SpinAppError
from spinkube.spinapp.model import App, Component, FilesMount

log = logging.getLogger(__name__)

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
        return _walk(Path(mount.source).resolve(), mount.destination, component)
    if mount.destination is not None:
        return _placement(root, mount, component)
    return _pattern(root, mount.source, component)


def _placement(root: Path, mount: FilesMount, component: Component) -> FilePairs:
    assert mount.destination is not None
    source = _inside(root, root / mount.source, mount.source, component)
    if source.is_dir():
        return _excluded(root, _walk(source, mount.destination, component), component)
    if source.is_file():
        return [(source, mount.destination)]
    raise FilesError(f"component {component.id!r}: files: {mount.source!r} does not exist")


def _pattern(root: Path, pattern: str, component: Component) -> FilePairs:
    path = root / pattern
    if path.exists():
        path = _inside(root, path, pattern, component)
        if path.is_file():
            return [(path, _guest(path, root))]
        found = [(real, _guest(seen, root)) for seen, real in _within(path, component)]
        return _excluded(root, found, component)
    if not _looks_like_glob(pattern):
        raise FilesError(
            f"component {component.id!r}: files: {pattern!r} does not exist "
            "and does not look like a glob pattern"
        )
    folder = _inside(root, root / _glob_folder(pattern), pattern, component)
    matches = glob.glob(pattern, root_dir=root, recursive=True, include_hidden=True)
    found = []
    for match in sorted(matches):
        seen = root / match
        if not _normalized(seen).is_relative_to(root):
            _inside(root, seen, pattern, component)  # the pattern itself leaves the app: refused
        for link, real in _files_within(folder, [seen], component):
            found.append((real, _guest(link, root)))
    return _excluded(root, found, component)


def _walk(directory: Path, destination: str, component: Component) -> FilePairs:
    base = PurePosixPath("/") / destination.lstrip("/")
    return [
        (real, str(base / seen.relative_to(directory).as_posix()))
        for seen, real in _within(directory, component)
    ]


def _within(directory: Path, component: Component) -> list[tuple[Path, Path]]:
    """Every regular file under ``directory`` (already resolved), as in ``_files_within``."""
    return _files_within(directory, sorted(directory.rglob("*")), component)


def _files_within(
    folder: Path, paths: Iterable[Path], component: Component
) -> list[tuple[Path, Path]]:
    """(path, real path) of the regular files among ``paths``, skipping (with a warning) every
    one that is a link, or lies under a linked directory, leading outside ``folder``."""
    kept = []
    for path in paths:
        real = path.resolve()
        if not real.is_relative_to(folder):
            log.warning(
                "component %r: files: skipping %s: it links to %s, outside its source folder %s",
                component.id,
                path,
                real,
                folder,
            )
        elif real.is_file():
            kept.append((path, real))
    return kept


def _glob_folder(pattern: str) -> str:
    """The fixed leading folders of a glob (``static`` of ``static/**/*``; ``.`` for none)."""
    fixed = []
    for part in PurePosixPath(pattern).parts[:-1]:
        if _looks_like_glob(part):
            break
        fixed.append(part)
    return "/".join(fixed) or "."


def _normalized(path: Path) -> Path:
    """``path`` with ``..`` folded, symbolic links left alone."""
    return Path(os.path.normpath(path))


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
