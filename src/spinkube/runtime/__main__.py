"""``spinkube-runtime``: serve a Spin app over HTTP (``up``), or warm its compile cache
(``precompile``).

The flags are those the operator passes to spinImage executors (``up --listen ADDR -f IMAGE
--runtime-config-file F --component-id C``), and the environment is containerd-shim-spin's.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click

from spinkube.runtime import cli_options
from spinkube.runtime import config as cfg
from spinkube.runtime.errors import StartupError
from spinkube.runtime.logs import configure
from spinkube.runtime.variables import parse_variable_flags, variable_environ

log = logging.getLogger("spinkube.runtime")

SPINAPP_SUFFIXES = (".yaml", ".yml")
"""``-f`` files read as a SpinApp manifest (with its ConfigMaps and Secrets)."""

INTERRUPTED = 130
"""The exit code of a run stopped by Ctrl-C before it served (128 + SIGINT, as shells report)."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Run Spin applications: the engine behind every SpinApp pod."""


@main.command()
@cli_options.stacked(*cli_options.UP)
@click.argument("guest_args", nargs=-1, type=click.UNPROCESSED, metavar="[-- ARGS...]")
def up(
    listen: str | None,
    source: str,
    variables: tuple[str, ...],
    runtime_config_file: Path | None,
    components: tuple[str, ...],
    workers: int | None,
    max_request_body: int,
    request_timeout: float | None,
    max_instance_memory: int | None,
    state_dir: Path | None,
    cache_dir: Path | None,
    grace_period: float,
    concurrency: int,
    max_request_headers: int,
    request_head_timeout: float,
    max_buffered_response: int,
    access_log: bool,
    log_format: str,
    guest_args: tuple[str, ...],
) -> None:
    """Run a Spin app's triggers: HTTP, Redis, MQTT, command and cron (ARGS are the command's)."""
    configure(log_format)
    environ = dict(os.environ)
    with _reported():
        pod = _PodInputs(source, components, runtime_config_file, state_dir)
        if Path(source).suffix in SPINAPP_SUFFIXES and Path(source).is_file():
            pod = _spinapp_pod(pod, variables, environ)
        elif variables:
            environ.update(variable_environ(parse_variable_flags(variables)))
        config = cfg.UpConfig(
            server=cfg.ServerConfig(
                listen=cfg.listen_address(listen, environ),
                workers=workers or cfg.default_workers(),
                max_request_body=max_request_body,
                request_timeout_s=request_timeout,
                grace_s=grace_period,
                access_log=access_log,
                concurrency=concurrency,
                max_request_headers=max_request_headers,
                request_head_timeout_s=request_head_timeout,
                max_buffered_response=max_buffered_response,
            ),
            app=cfg.AppConfig(
                source=pod.source,
                runtime_config_file=cfg.runtime_config_file(pod.runtime_config_file),
                components=cfg.retained_components(pod.components, environ),
                state_dir=pod.state_dir,
                cache_dir=cache_dir,
                max_instance_memory=cfg.max_instance_memory(max_instance_memory, environ),
                environ=environ,
                health_checks=pod.health_checks,
            ),
            log_format=log_format,
            guest_args=guest_args,
        )
        from spinkube.runtime.hosts import WasmBackend
        from spinkube.runtime.serve import up as serve_up

        backend = WasmBackend(cache_dir=config.app.cache_dir)
        sys.exit(serve_up(config, backend=backend, retained_by=_retained_by(components, pod)))


def _retained_by(flags: tuple[str, ...], pod: _PodInputs) -> str:
    """Where the components to retain came from, for the error about an unknown one."""
    if flags:
        return "--component-id"
    if pod.components:
        return pod.components_origin
    return "configured environment variable SPIN_COMPONENTS_TO_RETAIN"


@dataclass(frozen=True, slots=True)
class _PodInputs:
    """What ``up`` serves: the flags as given, or what a SpinApp manifest's pod would get."""

    source: str
    components: tuple[str, ...]
    runtime_config_file: Path | None
    state_dir: Path | None
    health_checks: tuple[tuple[str, str], ...] = ()
    components_origin: str = "--component-id"


def _spinapp_pod(
    flags: _PodInputs, variables: tuple[str, ...], environ: dict[str, str]
) -> _PodInputs:
    """``-f spinapp.yaml``: the image, the pod's variables and runtime config (written to the
    state dir, as the operator's Secret is mounted), its components and checks. Flags win."""
    from spinkube.runtime.spinapp_file import load_spinapp_file

    path = Path(flags.source)
    local = load_spinapp_file(path, variables=parse_variable_flags(variables))
    environ.update(local.environ)
    state_dir = flags.state_dir or path.resolve().parent / ".spin" / local.name
    runtime_config = flags.runtime_config_file
    if runtime_config is None:
        runtime_config = _write_runtime_config(state_dir, local.runtime_config)
    if local.pull_secrets:
        log.info(
            "spec.imagePullSecrets %s: pulling with the credentials of the local Docker config",
            list(local.pull_secrets),
        )
    return _PodInputs(
        source=local.image,
        components=flags.components or local.components,
        runtime_config_file=runtime_config,
        state_dir=state_dir,
        health_checks=tuple((c.field, c.path) for c in local.checks),
        components_origin=f"spec.components of {path}",
    )


def _write_runtime_config(state_dir: Path, toml: str) -> Path:
    target = state_dir / "runtime-config.toml"
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        target.write_text(toml, encoding="utf-8")
    except OSError as exc:
        raise StartupError(f"--state-dir {state_dir}: {exc.strerror}") from None
    return target


@main.command()
@cli_options.stacked(*cli_options.PRECOMPILE)
def precompile(source: str, components: tuple[str, ...], cache_dir: Path | None) -> None:
    """Compile the app's components into the on-disk cache, so that `up` starts fast."""
    configure("plain")
    with _reported():
        from spinkube.runtime.hosts import WasmBackend
        from spinkube.runtime.plan import plan_app
        from spinkube.runtime.serve import run_in_child

        with tempfile.TemporaryDirectory(prefix="spinkube-precompile-") as scratch:
            app_config = cfg.AppConfig(
                source=source,
                components=components,
                cache_dir=cache_dir,
                state_dir=Path(scratch),
                environ=os.environ,
            )
            plan = plan_app(app_config, lenient_variables=True)
            backend = WasmBackend(cache_dir=cache_dir)
            run_in_child(lambda: backend.precompile(plan))  # Ctrl-C stops it at once
        click.echo(f"compiled {len(plan.components)} component(s) of {plan.app.name}")


@contextmanager
def _reported() -> Iterator[None]:
    """Turns a StartupError into one ``error:`` line on stderr and its exit code, and Ctrl-C
    before serving (pulling, compiling) into one ``interrupted`` line."""
    try:
        yield
    except StartupError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(INTERRUPTED)


def _register_subgroups() -> None:
    from spinkube.runtime.registry_cli import registry

    main.add_command(registry)


_register_subgroups()

if __name__ == "__main__":
    main()
