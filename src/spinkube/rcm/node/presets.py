"""Which containerd config a node's distribution uses, and what to prepare before editing it.
Pure: detection takes a function that says whether a host path exists.

The table is upstream's (`cmd/node-installer/detect.go`, `internal/preset/preset.go`). Upstream
walks a Go map, so its order is random when two distros' files exist; here the distro files are
tried in the order below, and the plain containerd file last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum

from spinkube.rcm.node.containerd_config import Templating
from spinkube.rcm.node.errors import DetectError


class Setup(Enum):
    """What to do when the file to edit does not exist yet."""

    NONE = "none"
    COPY_BASE = "copy-base"
    """k3s, rke2: copy `config.toml` to `config.toml.tmpl`, which the distro renders on start."""
    CREATE_EMPTY = "create-empty"
    """k0s: create an empty drop-in in `containerd.d/`, which k0s merges."""


@dataclass(frozen=True)
class Preset:
    """A distribution: the file whose presence detects it, the config the installer edits
    (both host paths), how to create that config when missing, and how it is templated."""

    name: str
    detect_path: str
    config_path: str
    setup: Setup = Setup.NONE
    templating: Templating = Templating.NONE

    @property
    def base_path(self) -> str:
        """The file a COPY_BASE setup copies from."""
        return self.detect_path


DEFAULT = Preset("containerd", "/etc/containerd/config.toml", "/etc/containerd/config.toml")
DISTROS = (
    Preset(
        "microk8s",
        "/var/snap/microk8s/current/args/containerd-template.toml",
        "/var/snap/microk8s/current/args/containerd-template.toml",
        templating=Templating.SHELL,
    ),
    Preset(
        "rke2",
        "/var/lib/rancher/rke2/agent/etc/containerd/config.toml",
        "/var/lib/rancher/rke2/agent/etc/containerd/config.toml.tmpl",
        Setup.COPY_BASE,
        Templating.GO,
    ),
    Preset(
        "k3s",
        "/var/lib/rancher/k3s/agent/etc/containerd/config.toml",
        "/var/lib/rancher/k3s/agent/etc/containerd/config.toml.tmpl",
        Setup.COPY_BASE,
        Templating.GO,
    ),
    Preset(
        "k0s", "/etc/k0s/containerd.toml", "/etc/k0s/containerd.d/config.toml", Setup.CREATE_EMPTY
    ),
)


def detect(runtime_config: str | None, *, exists: Callable[[str], bool]) -> Preset:
    """The preset for an explicit `--runtime-config` (a distro's detected file selects that
    distro, any other path the plain preset with that path), or the first whose file exists."""
    if runtime_config:
        for preset in DISTROS:
            if preset.detect_path == runtime_config:
                return preset
        return replace(DEFAULT, detect_path=runtime_config, config_path=runtime_config)
    for preset in (*DISTROS, DEFAULT):
        if exists(preset.detect_path):
            return preset
    tried = ", ".join(p.detect_path for p in (*DISTROS, DEFAULT))
    raise DetectError(f"failed to detect containerd config path: none of {tried} exists")
