"""The root `kube` command: global flags, the command list and the help text."""

from __future__ import annotations

import click

from spinkube.plugin.commands import cluster_commands, local_commands
from spinkube.plugin.settings import Settings, experimental_enabled
from spinkube.plugin.version import plugin_version

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class PluginGroup(click.Group):
    """Lists the cluster commands (upstream's experimental ones) in help and completion only
    when SPIN_EXPERIMENTAL is set, as upstream does; they run either way."""

    experimental: frozenset[str] = frozenset()

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        if experimental_enabled():
            return names
        return [name for name in names if name not in self.experimental]


@click.group(cls=PluginGroup, context_settings=CONTEXT_SETTINGS)
@click.option("--kubeconfig", metavar="PATH", help="the path to the kubeconfig file")
@click.option("-n", "--namespace", metavar="NAME", help="the namespace scope")
@click.version_option(plugin_version(), "-v", "--version", message="%(prog)s version %(version)s")
@click.pass_context
def cli(ctx: click.Context, kubeconfig: str | None, namespace: str | None) -> None:
    """Manage apps running on Kubernetes"""
    ctx.obj = Settings.from_env(kubeconfig=kubeconfig, namespace=namespace)


def _register(group: PluginGroup) -> None:
    for command in local_commands():
        group.add_command(command)
    experimental = cluster_commands()
    for command in experimental:
        group.add_command(command)
    group.experimental = frozenset(c.name for c in experimental if c.name)


assert isinstance(cli, PluginGroup)
_register(cli)
