"""`kube scaffold`: print (or write) a SpinApp manifest for an image. Needs no cluster."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import click

from spinkube.plugin.commands.common import executor_option, image_option, replicas_option
from spinkube.plugin.commands.flags import string_slice, string_to_string
from spinkube.plugin.errors import OperationFailedError, UsageError
from spinkube.plugin.scaffold import ScaffoldOptions, render, validate
from spinkube.plugin.scaffold.options import (
    DEFAULT_MAX_REPLICAS,
    DEFAULT_TARGET_UTILIZATION,
)

FROM_MISSING = 'required flag(s) "from" not set'


@click.command(short_help="Scaffold application manifest")
@image_option
@replicas_option("Minimum number of replicas for the application")
@click.option(
    "--max-replicas",
    type=int,
    default=DEFAULT_MAX_REPLICAS,
    show_default=True,
    help="Maximum number of replicas for the application. Autoscaling must be enabled to use it",
)
@click.option(
    "--autoscaler", default="", help="The autoscaler to use. Valid values are 'hpa' and 'keda'"
)
@click.option(
    "--autoscaler-target-cpu-utilization",
    "target_cpu",
    type=int,
    default=DEFAULT_TARGET_UTILIZATION,
    show_default=True,
    help="The target CPU utilization percentage to maintain across all pods",
)
@click.option(
    "--autoscaler-target-memory-utilization",
    "target_memory",
    type=int,
    default=DEFAULT_TARGET_UTILIZATION,
    show_default=True,
    help="The target memory utilization percentage to maintain across all pods",
)
@executor_option
@click.option(
    "--cpu-limit",
    default="",
    help="The maximum amount of CPU resource units the application is allowed to use",
)
@click.option(
    "--cpu-request",
    default="",
    help="The amount of CPU resource units requested by the application",
)
@click.option(
    "--memory-limit",
    default="",
    help="The maximum amount of memory the application is allowed to use",
)
@click.option(
    "--memory-request", default="", help="The amount of memory requested by the application"
)
@click.option(
    "-o", "--out", type=click.Path(dir_okay=False), help="Path to file to write manifest yaml"
)
@click.option(
    "-c", "--runtime-config-file", "runtime_config_file", help="Path to runtime config file"
)
@click.option(
    "-s",
    "--image-pull-secret",
    "image_pull_secrets",
    multiple=True,
    help="Secrets in the same namespace to use for pulling the image (repeatable)",
)
@click.option(
    "-v",
    "--variable",
    "variables",
    multiple=True,
    metavar="NAME=VALUE",
    help="Application variable to be provided to the application (repeatable)",
)
@click.option(
    "--component",
    "components",
    multiple=True,
    help="Component ID to run (repeatable). The default is all components",
)
@click.option("--name", default="", help="Overwrite the generated name of the application")
def scaffold(
    image: str | None,
    replicas: int,
    max_replicas: int,
    autoscaler: str,
    target_cpu: int,
    target_memory: int,
    executor: str,
    cpu_limit: str,
    cpu_request: str,
    memory_limit: str,
    memory_request: str,
    out: str | None,
    runtime_config_file: str | None,
    image_pull_secrets: tuple[str, ...],
    variables: tuple[str, ...],
    components: tuple[str, ...],
    name: str,
) -> None:
    """Scaffold a SpinApp manifest (plus its autoscaler and runtime-config Secret) for an image."""
    if not image:
        raise UsageError(FROM_MISSING)
    opts = ScaffoldOptions(
        image=image,
        name=name,
        replicas=replicas,
        max_replicas=max_replicas,
        autoscaler=autoscaler,
        target_cpu_utilization=target_cpu,
        target_memory_utilization=target_memory,
        executor=executor,
        cpu_limit=cpu_limit,
        cpu_request=cpu_request,
        memory_limit=memory_limit,
        memory_request=memory_request,
        image_pull_secrets=string_slice(image_pull_secrets),
        variables=string_to_string(variables, flag="-v, --variable"),
        components=string_slice(components),
    )
    validate(opts)
    if runtime_config_file:
        opts = _with_runtime_config(opts, Path(runtime_config_file))
    manifest = render(opts)
    if out:
        write_private(Path(out), manifest)
        click.echo(f"\nApplication manifest saved to {out}\n", err=True, nl=False)
    else:
        click.echo(manifest, nl=False)


def _with_runtime_config(opts: ScaffoldOptions, path: Path) -> ScaffoldOptions:
    try:
        content = path.read_bytes()
    except OSError as error:
        raise UsageError(
            f"cannot read --runtime-config-file '{path}': {error.strerror or error}"
        ) from error
    return replace(opts, runtime_config=content)


def write_private(path: Path, text: str) -> None:
    """Write `text` as upstream does: created with mode 0600, truncated if it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
            file.write(text)
    except OSError as error:
        raise OperationFailedError(
            f"cannot write --out '{path}': {error.strerror or error}"
        ) from error
