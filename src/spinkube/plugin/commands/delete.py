"""`kube delete`: delete a SpinApp, after asking."""

from __future__ import annotations

import sys

import click

from spinkube.plugin.commands.common import cluster_options, settings_of
from spinkube.plugin.errors import UsageError

QUESTION = "This action is irreversible. Are you sure? (y/N): "


@click.command(short_help="Delete the application")
@click.argument("name", required=False)
@click.option(
    "-y", "--yes", is_flag=True, help="specify --yes to immediately delete the application"
)
@cluster_options
@click.pass_context
def delete(ctx: click.Context, name: str | None, yes: bool) -> None:
    """Delete the SpinApp NAME (the name is required: spin.toml is not used here, as upstream)."""
    from spinkube.plugin import apps
    from spinkube.plugin.cluster import connect

    if not name:
        raise UsageError("no application name specified to delete")
    cluster = connect(settings_of(ctx))
    if not yes and not confirm(QUESTION):
        click.echo(f"Not deleted: {name}", err=True)
        return
    apps.delete_app(cluster, name)
    click.echo(f"Successfully deleted {name}")


def confirm(question: str) -> bool:
    """Upstream's prompt: only `y` or `yes` (any case) confirms; end of input is an error."""
    click.echo(question, nl=False, err=True)
    answer = sys.stdin.readline()
    if not answer:
        raise UsageError("no answer to the confirmation prompt (stdin closed); pass -y/--yes")
    return answer.strip().lower() in ("y", "yes")
