"""Find the application ``-f`` names and load it: a directory, a manifest, a lock file, a bare
Wasm file (one component on ``/...``, as ``spin up -f app.wasm``) or an OCI reference (pulled into
the cache first). Every failure is one line that names the source."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from spinkube.runtime.errors import StartupError
from spinkube.spinapp import (
    App,
    SpinAppError,
    is_wasm_file,
    load_locked_file,
    load_manifest,
    wasm_file_app,
)

log = logging.getLogger(__name__)

_LOCK_NAMES = ("spin.lock", "spin.json")


@dataclass(frozen=True, slots=True)
class LoadedApp:
    app: App
    source: str
    oci_digest: str | None = None
    """The manifest digest, when the app came from a registry."""


def load_app(source: str, *, cache_dir: Path | None) -> LoadedApp:
    path = Path(source)
    if path.exists():
        return LoadedApp(_load_path(path), source)
    if _looks_like_reference(source):
        return _pull(source, cache_dir)
    raise StartupError(
        f"cannot load app from {source}: no such file or directory "
        "(an OCI reference needs a registry host or a tag)"
    )


def _load_path(path: Path) -> App:
    if path.is_dir():
        path = _manifest_in(path)
    if is_wasm_file(path):
        return wasm_file_app(path)
    try:
        if path.name in _LOCK_NAMES or path.suffix == ".json":
            return load_locked_file(path)
        return load_manifest(path)
    except SpinAppError as exc:
        raise StartupError(str(exc)) from None
    except OSError as exc:
        raise StartupError(f"cannot load app from {path}: {exc.strerror}") from None


def _manifest_in(directory: Path) -> Path:
    for name in ("spin.toml", *_LOCK_NAMES):
        if (directory / name).is_file():
            return directory / name
    raise StartupError(f"cannot load app from {directory}: no spin.toml in the directory")


def _looks_like_reference(source: str) -> bool:
    """``host.name/repo``, ``localhost:5000/repo``, ``repo:tag`` or ``repo@sha256:...``.

    A missing relative path like ``apps/hello`` is not taken for a Docker Hub reference: that
    would turn a typo into a registry error.
    """
    if source.startswith((".", "/", "~")):
        return False
    first, _, rest = source.partition("/")
    registry_host = bool(rest) and ("." in first or ":" in first or first == "localhost")
    tagged = ":" in source.rsplit("/", 1)[-1]
    return registry_host or tagged or "@" in source


def _pull(reference: str, cache_dir: Path | None) -> LoadedApp:
    from spinkube.runtime.pull import pull_app  # imports the registry client only when needed

    return pull_app(reference, cache_dir=cache_dir)


def retain_components(app: App, keep: Iterable[str], *, origin: str) -> App:
    """The app with only ``keep`` components and their triggers (Spin's ``retain_components``)."""
    wanted = tuple(keep)
    if not wanted:
        return app
    missing = [c for c in wanted if c not in app.components]
    if missing:
        raise StartupError(
            f"failed to resolve application with only [{', '.join(wanted)}] components retained "
            f"by {origin}: no component {missing[0]!r} in app {app.name!r}"
        )
    components = {cid: c for cid, c in app.components.items() if cid in wanted}
    triggers = tuple(t for t in app.triggers if t.component is None or t.component in wanted)
    return replace(app, components=components, triggers=triggers)


SERVED_TRIGGER_TYPES = ("http", "redis", "mqtt", "command", "cron")
"""What this runtime runs; upstream's shim also runs ``sqs`` but not ``cron`` (docs/runtime.md)."""


def check_triggers(app: App) -> None:
    """Every trigger type must be one the runtime runs (upstream's message, naming ours)."""
    for trigger in app.triggers:
        if trigger.type not in SERVED_TRIGGER_TYPES:
            raise StartupError(
                "Only Http, Redis, MQTT, Command, and Cron triggers are currently supported. "
                f'Found unsupported trigger: "{trigger.type}"'
            )
    if not app.triggers:
        raise StartupError(f"app {app.name!r} has no triggers to run")
