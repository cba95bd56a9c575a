"""``spinkube-runtime``: serve a Spin app over HTTP (``up``), or warm its compile cache
(``precompile``).

The flags are those the operator passes to spinImage executors (``up --listen ADDR -f IMAGE
--runtime-config-file F --component-id C``), and the environment is containerd-shim-spin's.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from spinkube.runtime import config as cfg
from spinkube.runtime.errors import StartupError
from spinkube.runtime.logs import configure


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Run Spin applications: the engine behind every SpinApp pod."""


@main.command()
@click.option("--listen", metavar="ADDR", help="HOST:PORT [env SPIN_HTTP_LISTEN_ADDR; 0.0.0.0:80]")
@click.option(
    "-f",
    "--from",
    "source",
    default="spin.toml",
    show_default=True,
    metavar="SOURCE",
    help="OCI reference, app directory, spin.toml or spin.lock.",
)
@click.option("--runtime-config-file", type=click.Path(path_type=Path), metavar="FILE")
@click.option(
    "--component-id",
    "components",
    multiple=True,
    metavar="ID",
    help="Serve only these components (repeatable) [env SPIN_COMPONENTS_TO_RETAIN].",
)
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes [one per core].")
@click.option(
    "--max-request-body",
    type=click.IntRange(min=0),
    default=cfg.DEFAULT_MAX_REQUEST_BODY,
    show_default=True,
    help="Bytes; larger bodies get 413.",
)
@click.option(
    "--request-timeout",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds a guest may run per request; then 500.",
)
@click.option(
    "--max-instance-memory",
    type=click.IntRange(min=1),
    help="Bytes per guest instance [env SPIN_MAX_INSTANCE_MEMORY].",
)
@click.option("--state-dir", type=click.Path(path_type=Path), help="Key-value data, files [.spin].")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Compile and registry cache.")
@click.option(
    "--grace-period",
    type=click.FloatRange(min=0),
    default=cfg.DEFAULT_GRACE_S,
    show_default=True,
    help="Seconds in-flight requests get after SIGTERM.",
)
@click.option("--access-log/--no-access-log", default=True, show_default=True)
@click.option("--log-format", type=click.Choice(["plain", "json"]), default="plain")
@click.argument("guest_args", nargs=-1, type=click.UNPROCESSED, metavar="[-- ARGS...]")
def up(
    listen: str | None,
    source: str,
    runtime_config_file: Path | None,
    components: tuple[str, ...],
    workers: int | None,
    max_request_body: int,
    request_timeout: float | None,
    max_instance_memory: int | None,
    state_dir: Path | None,
    cache_dir: Path | None,
    grace_period: float,
    access_log: bool,
    log_format: str,
    guest_args: tuple[str, ...],
) -> None:
    """Run a Spin app's triggers: HTTP, Redis and command (ARGS are the command's)."""
    configure(log_format)
    environ = dict(os.environ)
    with _reported():
        config = cfg.UpConfig(
            server=cfg.ServerConfig(
                listen=cfg.listen_address(listen, environ),
                workers=workers or cfg.default_workers(),
                max_request_body=max_request_body,
                request_timeout_s=request_timeout,
                grace_s=grace_period,
                access_log=access_log,
            ),
            app=cfg.AppConfig(
                source=source,
                runtime_config_file=cfg.runtime_config_file(runtime_config_file),
                components=cfg.retained_components(components, environ),
                state_dir=state_dir,
                cache_dir=cache_dir,
                max_instance_memory=cfg.max_instance_memory(max_instance_memory, environ),
                environ=environ,
            ),
            log_format=log_format,
            guest_args=guest_args,
        )
        from spinkube.runtime.hosts import WasmBackend
        from spinkube.runtime.serve import up as serve_up

        origin = (
            "--component-id"
            if components
            else "configured environment variable SPIN_COMPONENTS_TO_RETAIN"
        )
        backend = WasmBackend(cache_dir=config.app.cache_dir)
        sys.exit(serve_up(config, backend=backend, retained_by=origin))


@main.command()
@click.option("-f", "--from", "source", default="spin.toml", show_default=True, metavar="SOURCE")
@click.option("--component-id", "components", multiple=True, metavar="ID")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Compile and registry cache.")
def precompile(source: str, components: tuple[str, ...], cache_dir: Path | None) -> None:
    """Compile the app's components into the on-disk cache, so that `up` starts fast."""
    configure("plain")
    with _reported():
        from spinkube.runtime.hosts import WasmBackend
        from spinkube.runtime.plan import plan_app

        with tempfile.TemporaryDirectory(prefix="spinkube-precompile-") as scratch:
            app_config = cfg.AppConfig(
                source=source,
                components=components,
                cache_dir=cache_dir,
                state_dir=Path(scratch),
                environ=os.environ,
            )
            plan = plan_app(app_config, lenient_variables=True)
            WasmBackend(cache_dir=cache_dir).precompile(plan)
        click.echo(f"compiled {len(plan.components)} component(s) of {plan.app.name}")


@contextmanager
def _reported() -> Iterator[None]:
    """Turns a StartupError into one ``error:`` line on stderr and its exit code."""
    try:
        yield
    except StartupError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(int(exc.exit_code))


def _register_subgroups() -> None:
    from spinkube.runtime.registry_cli import registry

    main.add_command(registry)


_register_subgroups()

if __name__ == "__main__":
    main()
