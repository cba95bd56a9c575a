"""The flags of `spinkube-runtime`, each declared once: `up`'s and `precompile`'s in the order
`--help` lists them, built from the few that both (and `registry push`) share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from spinkube.runtime import config as cfg

Option = Callable[[Callable[..., Any]], Callable[..., Any]]


def stacked(*options: Option) -> Option:
    """The options as one decorator, listed in `--help` in the order given (as if each were
    written above the function in that order)."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def with_default(*decls: str, default: object, help: str, **attrs: Any) -> Option:
    """An option whose `--help` line ends with its default."""
    return click.option(*decls, default=default, show_default=True, help=help, **attrs)


def source(help: str, **attrs: Any) -> Option:
    """`-f/--from SOURCE`, the app to run, compile or push (default: ./spin.toml)."""
    return with_default("-f", "--from", "source", default="spin.toml", help=help, **attrs)


def component_ids(help: str) -> Option:
    """`--component-id ID` (repeatable): the components to keep."""
    return click.option("--component-id", "components", multiple=True, metavar="ID", help=help)


CACHE_DIR = click.option(
    "--cache-dir", type=click.Path(path_type=Path), help="Compile and registry cache."
)

UP: tuple[Option, ...] = (
    click.option(
        "--listen", metavar="ADDR", help="HOST:PORT [env SPIN_HTTP_LISTEN_ADDR; 0.0.0.0:80]"
    ),
    source(
        "OCI reference, app directory, spin.toml, spin.lock, a .wasm file, or a SpinApp "
        "manifest (.yaml) run as its pod would.",
        metavar="SOURCE",
    ),
    click.option(
        "--variable",
        "variables",
        multiple=True,
        metavar="NAME=VALUE",
        help="Set an application variable (repeatable); wins over the environment and the SpinApp.",
    ),
    click.option(
        "--runtime-config-file",
        type=click.Path(path_type=Path),
        metavar="FILE",
        help="Spin runtime config (stores, databases, variable providers); ignored when missing "
        "[/runtime-config.toml when it exists].",
    ),
    component_ids("Serve only these components (repeatable) [env SPIN_COMPONENTS_TO_RETAIN]."),
    click.option("--workers", type=click.IntRange(min=1), help="Worker processes [one per core]."),
    with_default(
        "--max-request-body",
        type=click.IntRange(min=0),
        default=cfg.DEFAULT_MAX_REQUEST_BODY,
        help="Bytes; larger bodies get 413.",
    ),
    click.option(
        "--request-timeout",
        type=click.FloatRange(min=0, min_open=True),
        help="Seconds a guest may run per request; then 500.",
    ),
    click.option(
        "--max-instance-memory",
        type=click.IntRange(min=1),
        help="Bytes per guest instance [env SPIN_MAX_INSTANCE_MEMORY].",
    ),
    click.option(
        "--state-dir", type=click.Path(path_type=Path), help="Key-value data, files [.spin]."
    ),
    CACHE_DIR,
    with_default(
        "--grace-period",
        type=click.FloatRange(min=0),
        default=cfg.DEFAULT_GRACE_S,
        help="Seconds in-flight requests get after SIGTERM.",
    ),
    with_default(
        "--concurrency",
        envvar="SPINKUBE_CONCURRENCY",
        type=click.IntRange(1, cfg.MAX_CONCURRENCY),
        default=cfg.DEFAULT_CONCURRENCY,
        help="Requests each worker answers at once [env SPINKUBE_CONCURRENCY].",
    ),
    with_default(
        "--max-request-headers",
        type=click.IntRange(min=1),
        default=cfg.DEFAULT_MAX_REQUEST_HEADERS,
        help="Header lines per request; more get 431.",
    ),
    with_default(
        "--request-head-timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=cfg.DEFAULT_REQUEST_HEAD_TIMEOUT_S,
        help="Seconds a request head may take to arrive; then 408.",
    ),
    with_default(
        "--max-buffered-response",
        type=click.IntRange(min=1024),
        default=cfg.DEFAULT_MAX_BUFFERED_RESPONSE,
        help="Unsent response bytes per connection before the guest waits.",
    ),
    with_default(
        "--access-log/--no-access-log", default=True, help="One line per request on stderr."
    ),
    with_default(
        "--log-format",
        type=click.Choice(["plain", "json"]),
        default="plain",
        help="Log lines on stderr: plain text, or one JSON object per line.",
    ),
)

PRECOMPILE: tuple[Option, ...] = (
    source("OCI reference, app directory, spin.toml, spin.lock or a .wasm file.", metavar="SOURCE"),
    component_ids("Compile only these components (repeatable)."),
    CACHE_DIR,
)
