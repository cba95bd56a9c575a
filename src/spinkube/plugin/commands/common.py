"""Pieces several cluster commands share: the settings object and output formats."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import click

from spinkube.plugin.scaffold.options import DEFAULT_EXECUTOR, DEFAULT_REPLICAS
from spinkube.plugin.settings import Settings

OUTPUT_FORMATS = ("table", "yaml", "json")

image_option = click.option(
    "-f", "--from", "image", help="Reference in the registry of the application"
)
executor_option = click.option(
    "--executor",
    default=DEFAULT_EXECUTOR,
    show_default=True,
    help="The executor used to run the application",
)


def replicas_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "-r", "--replicas", type=int, default=DEFAULT_REPLICAS, show_default=True, help=help
    )


output_option = click.option(
    "-o",
    "--output",
    type=click.Choice(OUTPUT_FORMATS),
    default="table",
    show_default=True,
    help="Output format",
)


def _remember(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.meta[f"spinkube.{param.name}"] = value


def cluster_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--kubeconfig` and `-n/--namespace` on a subcommand too, as cobra's persistent flags
    allow (`kube list -n apps`); they override the root's."""
    command = click.option(
        "-n",
        "--namespace",
        metavar="NAME",
        help="the namespace scope",
        expose_value=False,
        callback=_remember,
    )(command)
    return click.option(
        "--kubeconfig",
        metavar="PATH",
        help="the path to the kubeconfig file",
        expose_value=False,
        callback=_remember,
    )(command)


def settings_of(ctx: click.Context) -> Settings:
    """The root's settings, with any `--kubeconfig`/`-n` given after the subcommand."""
    obj = ctx.find_root().obj
    settings = obj if isinstance(obj, Settings) else Settings()
    return replace(
        settings,
        kubeconfig=ctx.meta.get("spinkube.kubeconfig") or settings.kubeconfig,
        namespace=ctx.meta.get("spinkube.namespace") or settings.namespace,
    )


def to_yaml(data: Any) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False)


def print_apps(apps: list[dict[str, Any]], output: str) -> None:
    """Print apps as upstream's table, or as YAML/JSON (one object, or a List of several)."""
    import json

    from spinkube.plugin.table import app_row, format_table

    if output == "table":
        click.echo(format_table(app_row(app) for app in apps), nl=False)
        return
    data: Any = apps[0] if len(apps) == 1 else {"apiVersion": "v1", "kind": "List", "items": apps}
    text = to_yaml(data) if output == "yaml" else json.dumps(data, indent=2) + "\n"
    click.echo(text, nl=False)
