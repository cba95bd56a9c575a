"""`kube get`: show one SpinApp."""

from __future__ import annotations

import click

from spinkube.plugin.commands.common import cluster_options, output_option, print_apps, settings_of


@click.command(short_help="Display detailed application information")
@click.argument("name", required=False)
@output_option
@cluster_options
@click.pass_context
def get(ctx: click.Context, name: str | None, output: str) -> None:
    """Show the SpinApp NAME (default: the `[application].name` of ./spin.toml)."""
    from spinkube.plugin import apps
    from spinkube.plugin.cluster import connect, require_name

    settings = settings_of(ctx)
    app_name = require_name(name, settings, what="get")
    cluster = connect(settings)
    print_apps([apps.get_app(cluster, app_name)], output)
