"""`kube version`: the plugin, Spin and Kubernetes versions."""

from __future__ import annotations

import click

from spinkube.plugin.commands.common import cluster_options, settings_of
from spinkube.plugin.errors import PluginError
from spinkube.plugin.settings import Settings
from spinkube.plugin.version import plugin_version


def version_line(name: str, value: str) -> str:
    return f"{name:<14}: {value}"


@click.command(short_help="Display version information")
@click.option("-s", "--short", is_flag=True, help="Print only the plugin version")
@cluster_options
@click.pass_context
def version(ctx: click.Context, short: bool) -> None:
    """Print the plugin version, the Spin version (from $SPIN_VERSION, set by Spin for plugins)
    and the Kubernetes server version when a cluster is reachable."""
    if short:
        click.echo(plugin_version())
        return
    settings = settings_of(ctx)
    click.echo(version_line("Plugin Version", plugin_version()))
    if settings.spin_version:
        click.echo(version_line("Spin Version", "v" + settings.spin_version))
    server = _server_version(settings)
    if server:
        click.echo(version_line("Kubernetes Version", server))


def _server_version(settings: Settings) -> str:
    """The server version, or "" when no cluster is configured or reachable (as upstream)."""
    from spinkube.plugin.cluster import api_errors, connect

    try:
        cluster = connect(settings)
        with api_errors():
            return cluster.kube.server_version()
    except PluginError:
        return ""
