"""One module per `kube` subcommand. Modules import only click at the top; the Kubernetes client
is imported inside the commands that use it."""

from __future__ import annotations

import click


def local_commands() -> list[click.Command]:
    """Commands that never need a cluster (shown in help, as upstream)."""
    from spinkube.plugin.commands.completion import completion
    from spinkube.plugin.commands.scaffold import scaffold
    from spinkube.plugin.commands.version import version

    return [completion, scaffold, version]


def cluster_commands() -> list[click.Command]:
    """Commands that talk to the cluster (upstream's experimental set)."""
    from spinkube.plugin.commands.connect import connect
    from spinkube.plugin.commands.delete import delete
    from spinkube.plugin.commands.deploy import deploy
    from spinkube.plugin.commands.get import get
    from spinkube.plugin.commands.list import list_apps
    from spinkube.plugin.commands.logs import logs

    return [connect, delete, deploy, get, list_apps, logs]
