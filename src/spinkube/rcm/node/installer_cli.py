"""`kwasm-node-installer install|uninstall`: the install Job's `provisioner` container.

Flags and defaults as upstream's (`cmd/node-installer/root.go`), each also read from the
environment with the prefix `KWASM_` (`-` becomes `_`): `-r/--runtime` (`KWASM_RUNTIME`),
`-c/--runtime-config`, `-k/--kwasm-path`, `-H/--host-root`, and for install `-a/--asset-path`.
The flags follow the subcommand, as the Job passes them (`install -H /mnt/node-root -r spin`).
The runtime options come from `SHIM_RUNTIME_OPTIONS` (see `containerd_config.parse_options`).
Exit code 0 on success, 1 on any failure (one line on stderr), 2 for bad usage.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from spinkube.rcm.node import installer
from spinkube.rcm.node.cli import env_option, fail
from spinkube.rcm.node.containerd_config import parse_options
from spinkube.rcm.node.errors import NodeError

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("spinkube.rcm.node")


def common_options(func: F) -> F:
    options = [
        env_option(
            "-r",
            "--runtime",
            envvar="KWASM_RUNTIME",
            default="containerd",
            help="install: the container runtime; uninstall: the runtime (Shim name) to remove.",
        ),
        env_option(
            "-c",
            "--runtime-config",
            envvar="KWASM_RUNTIME_CONFIG",
            help="Host path of the containerd config [default: detected].",
        ),
        env_option(
            "-k",
            "--kwasm-path",
            envvar="KWASM_KWASM_PATH",
            default="/opt/kwasm",
            help="Host path of the installer's directory (binaries in bin/, the lock file).",
        ),
        env_option(
            "-H",
            "--host-root",
            envvar="KWASM_HOST_ROOT",
            default="/",
            type=click.Path(file_okay=False, path_type=Path),
            help="Where the node's root filesystem is mounted.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Install containerd shims on this node, or remove them."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")


@main.command()
@common_options
@env_option(
    "-a",
    "--asset-path",
    envvar="KWASM_ASSET_PATH",
    default="/assets",
    type=click.Path(path_type=Path),
    help="The shim binary, or a directory of them.",
)
def install(asset_path: Path, **flags: Any) -> None:
    """Install the shims in the asset path and configure containerd for them."""
    settings = _settings(flags, asset_path=asset_path)
    _report(_run(installer.install, settings), "installed")


@main.command()
@common_options
def uninstall(**flags: Any) -> None:
    """Remove the shim named by --runtime and its containerd config."""
    _report(_run(installer.uninstall, _settings(flags)), "uninstalled")


def _settings(flags: dict[str, Any], **extra: Any) -> installer.Settings:
    try:
        options = parse_options(os.environ.get("SHIM_RUNTIME_OPTIONS"))
    except NodeError as exc:
        fail(exc)
    return installer.Settings(runtime_options=options, **flags, **extra)


def _run(
    step: Callable[[installer.Settings], installer.Outcome], settings: installer.Settings
) -> installer.Outcome:
    try:
        return step(settings)
    except NodeError as exc:
        fail(exc)
    except OSError as exc:  # a write on the node failed after the checks passed
        fail(NodeError(f"{exc.filename or 'node'}: {exc.strerror or exc}"))


def _report(outcome: installer.Outcome, verb: str) -> None:
    log.info("distro %s, config %s", outcome.preset, outcome.config_path)
    log.info("shims %s: %s", verb, ", ".join(outcome.changed_shims) or "none changed")
    log.info("config %s", "edited" if outcome.config_changed else "unchanged")
    if outcome.signalled_pid is None:
        log.info("nothing changed, containerd not signalled")
    else:
        log.info("sent SIGHUP to containerd (pid %d)", outcome.signalled_pid)
