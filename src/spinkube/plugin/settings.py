"""Global options and the environment, read once at the entry point."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from spinkube.plugin.errors import UsageError

DISABLE_DIR_CONTEXT_ENV = "SPIN_KUBE_DISABLE_DIR_CONTEXT"
EXPERIMENTAL_ENV = "SPIN_EXPERIMENTAL"
SPIN_VERSION_ENV = "SPIN_VERSION"


@dataclass(frozen=True)
class Settings:
    """What the root command's flags and the environment say, shared by every subcommand.

    Nothing here touches the cluster: commands that need one build a client from it, so that
    `scaffold` works without a kubeconfig (upstream issue #79).
    """

    kubeconfig: str | None = None
    namespace: str | None = None
    dir_context: bool = True
    spin_version: str = ""

    @classmethod
    def from_env(cls, *, kubeconfig: str | None, namespace: str | None) -> Settings:
        disabled = os.environ.get(DISABLE_DIR_CONTEXT_ENV, "").lower() == "true"
        return cls(
            kubeconfig=kubeconfig,
            namespace=namespace,
            dir_context=not disabled,
            spin_version=os.environ.get(SPIN_VERSION_ENV, ""),
        )

    def app_name_from_dir(self, directory: Path | None = None) -> str:
        """`[application].name` of `./spin.toml`, as upstream; "" without one."""
        if not self.dir_context:
            return ""
        return app_name_from_manifest((directory or Path.cwd()) / "spin.toml")


def experimental_enabled() -> bool:
    """Upstream hides the cluster commands from help unless SPIN_EXPERIMENTAL is non-empty."""
    return os.environ.get(EXPERIMENTAL_ENV, "") != ""


def app_name_from_manifest(path: Path) -> str:
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        return ""
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from error
    try:
        manifest = tomllib.loads(content.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot parse {path}: {error}") from error
    application = manifest.get("application")
    name = application.get("name", "") if isinstance(application, dict) else ""
    return name if isinstance(name, str) else ""
