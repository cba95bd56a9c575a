"""`install` and `uninstall`, each as two steps: plan (read the node, compute every change, find
containerd when it must be signalled) and apply. Every check runs while planning, so a bad
config, a bad lock file or not exactly one containerd process fails with nothing changed.

Install, as upstream's `RunInstall`: every file in the asset path becomes
`<kwasm path>/bin/<file>` on the host (mode 0755; the runtime is the file name without
`containerd-shim-`), the lock file records its sha256 and path, and the containerd config gets
the runtime's block. containerd is signalled when a binary changed (upstream) or the config was
edited (upstream does not, which leaves a re-added block unloaded).

Uninstall, as upstream's `RunUninstall`: the runtime (`-r`) must be in the lock file; its binary
and lock entry go, its block is cut out of the config, and containerd is signalled when the
config changed.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path

from spinkube.rcm.node import containerd_config, lockfile, presets, restart
from spinkube.rcm.node.containerd_config import Runtime
from spinkube.rcm.node.errors import LockError, NodeError
from spinkube.rcm.node.host import (
    HostRoot,
    append,
    read_text,
    replace_atomically,
    sha256_file,
    write_in_place,
)
from spinkube.rcm.node.lockfile import ShimRecord
from spinkube.rcm.node.presets import Preset, Setup

log = logging.getLogger(__name__)

SHIM_PREFIX = "containerd-shim-"


@dataclass(frozen=True)
class Settings:
    """The flags, as upstream's installer has them (`-H`, `-k`, `-r`, `-c`, `-a`)."""

    host_root: Path = Path("/")
    kwasm_path: str = "/opt/kwasm"
    runtime: str = "containerd"
    runtime_config: str | None = None
    asset_path: Path = Path("/assets")
    runtime_options: Mapping[str, str] = field(default_factory=dict)

    @property
    def host(self) -> HostRoot:
        return HostRoot(self.host_root)

    @property
    def lock_path(self) -> Path:
        return self.host.path(f"{self.kwasm_path.rstrip('/')}/{lockfile.LOCK_FILE}")

    @property
    def proc(self) -> Path:
        """The host's /proc: with hostPID the Job sees the node's processes there."""
        return self.host.path("/proc")


@dataclass(frozen=True)
class Asset:
    """A shim binary to install."""

    data: bytes
    runtime: str
    host_path: str

    @property
    def record(self) -> ShimRecord:
        return ShimRecord(sha256(self.data).hexdigest(), self.host_path)


@dataclass(frozen=True)
class Outcome:
    """What a run changed, for the log and the tests."""

    preset: str
    config_path: str
    changed_shims: tuple[str, ...] = ()
    config_changed: bool = False
    signalled_pid: int | None = None


def runtime_name(file_name: str) -> str:
    """The runtime a shim binary provides: its file name without `containerd-shim-`."""
    return file_name.removeprefix(SHIM_PREFIX)


@contextmanager
def nothing_changed(context: str) -> Iterator[None]:
    """Prefix a planning error with where it happened, and say that nothing was changed."""
    try:
        yield
    except NodeError as exc:
        raise type(exc)(f"{context}{exc.message}; nothing was changed") from exc


@dataclass
class Plan:
    """Everything a run will change, computed before changing anything."""

    preset: Preset
    config_file: Path
    text: str
    edited: str
    shims: dict[str, ShimRecord]
    changed: tuple[str, ...] = ()
    needs_setup: bool = False
    pid: int | None = None

    @property
    def config_changed(self) -> bool:
        return self.edited != self.text

    def outcome(self) -> Outcome:
        return Outcome(
            self.preset.name, self.preset.config_path, self.changed, self.config_changed, self.pid
        )


def install(settings: Settings) -> Outcome:
    assets, plan = plan_install(settings)
    for asset in assets:
        install_binary(settings.host, asset)
    if plan.changed:
        plan.shims.update({a.runtime: a.record for a in assets})
        write_lock(settings.lock_path, plan.shims)
    if plan.config_changed:
        if plan.needs_setup:
            set_up(settings.host, plan.preset)
        append(plan.config_file, plan.edited[len(plan.text) :])
    if plan.pid is not None:
        restart.signal_containerd(plan.pid)
    return plan.outcome()


def plan_install(settings: Settings) -> tuple[list[Asset], Plan]:
    with nothing_changed(""):
        preset = presets.detect(settings.runtime_config, exists=settings.host.exists)
        assets = read_assets(settings.asset_path, settings.kwasm_path)
        shims = read_lock(settings.lock_path)
        config_file = settings.host.path(preset.config_path)
        text, needs_setup = config_text_for_install(settings.host, preset)
    with nothing_changed(f"{config_file}: "):
        edited = text
        for asset in assets:
            runtime = Runtime(asset.runtime, asset.host_path, settings.runtime_options)
            edited = containerd_config.add_runtime(edited, runtime, templating=preset.templating)
    changed = tuple(a.runtime for a in assets if shims.get(a.runtime) != a.record)
    plan = Plan(preset, config_file, text, edited, shims, changed, needs_setup)
    if changed or plan.config_changed:
        with nothing_changed(""):
            plan.pid = restart.find_containerd(settings.proc)
    return assets, plan


def uninstall(settings: Settings) -> Outcome:
    plan = plan_uninstall(settings)
    record = plan.shims.pop(settings.runtime)
    settings.host.path(record.path).unlink(missing_ok=True)
    write_lock(settings.lock_path, plan.shims)
    if plan.config_changed:
        write_in_place(plan.config_file, plan.edited)
    if plan.pid is not None:
        restart.signal_containerd(plan.pid)
    return plan.outcome()


def plan_uninstall(settings: Settings) -> Plan:
    name = settings.runtime
    with nothing_changed(""):
        preset = presets.detect(settings.runtime_config, exists=settings.host.exists)
        shims = read_lock(settings.lock_path)
        record = shims.get(name)
        if record is None:
            raise LockError(f"shim {name} not installed")
        config_file = settings.host.path(preset.config_path)
        text = read_text(config_file)
    with nothing_changed(f"{config_file}: "):
        edited = containerd_config.remove_runtime(
            text, name, record.path, templating=preset.templating
        )
    plan = Plan(preset, config_file, text, edited, shims, changed=(name,))
    if plan.config_changed:
        with nothing_changed(""):
            plan.pid = restart.find_containerd(settings.proc)
    return plan


def read_assets(asset_path: Path, kwasm_path: str) -> list[Asset]:
    """The shim binaries to install: every regular file in a directory, or one file."""
    try:
        files = (
            sorted(p for p in asset_path.iterdir() if p.is_file())
            if asset_path.is_dir()
            else [asset_path]
        )
        assets = [
            Asset(f.read_bytes(), runtime_name(f.name), f"{kwasm_path.rstrip('/')}/bin/{f.name}")
            for f in files
        ]
    except OSError as exc:
        raise NodeError(f"asset path {asset_path}: {exc.strerror}") from exc
    if not assets:
        raise NodeError(f"asset path {asset_path}: no shim binary to install")
    return assets


def read_lock(path: Path) -> dict[str, ShimRecord]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise NodeError(f"{path}: cannot be read: {exc}") from exc
    return lockfile.parse(text)


def write_lock(path: Path, shims: Mapping[str, ShimRecord]) -> None:
    replace_atomically(path, lockfile.render(shims).encode("utf-8"), mode=0o644)


def config_text_for_install(host: HostRoot, preset: Preset) -> tuple[str, bool]:
    """The config text to edit, and whether the preset's setup must create the file first."""
    target = host.path(preset.config_path)
    if target.exists() or preset.setup is Setup.NONE:
        return read_text(target), False
    if preset.setup is Setup.COPY_BASE:
        return read_text(host.path(preset.base_path)), True
    return "", True


def set_up(host: HostRoot, preset: Preset) -> None:
    """Create the config file the preset edits, as upstream's preset setups do."""
    target = host.path(preset.config_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if preset.setup is Setup.COPY_BASE:
        shutil.copyfile(host.path(preset.base_path), target)
    else:
        target.touch()
    log.info("created %s for %s", preset.config_path, preset.name)


def install_binary(host: HostRoot, asset: Asset) -> None:
    """Put the binary in place unless the same bytes are already there."""
    target = host.path(asset.host_path)
    if sha256_file(target) != asset.record.sha256:
        replace_atomically(target, asset.data, mode=0o755)
