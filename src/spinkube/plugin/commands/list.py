"""`kube list`: the SpinApps of a namespace, or of all of them."""

from __future__ import annotations

import click

from spinkube.plugin.commands.common import cluster_options, output_option, print_apps, settings_of


@click.command("list", short_help="List applications")
@click.option("-A", "--all-namespaces", is_flag=True, help="List apps in all namespaces")
@output_option
@cluster_options
@click.pass_context
def list_apps(ctx: click.Context, all_namespaces: bool, output: str) -> None:
    """List the SpinApps in the namespace (or in all namespaces with -A)."""
    from spinkube.plugin import apps
    from spinkube.plugin.cluster import connect

    cluster = connect(settings_of(ctx))
    found = apps.list_apps(cluster, all_namespaces=all_namespaces)
    if not found and output == "table":
        where = "any namespace" if all_namespaces else f'namespace "{cluster.namespace}"'
        click.echo(f"No applications found in {where}.", err=True)
        return
    print_apps(found, output)
