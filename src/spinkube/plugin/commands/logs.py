"""`kube logs`: print the logs of an app's pods."""

from __future__ import annotations

import click

from spinkube.plugin.commands.common import cluster_options, settings_of


@click.command(short_help="Print the logs for an application")
@click.argument("name", required=False)
@click.option("-f", "--follow", is_flag=True, help="Specify if the logs should be streamed")
@click.option("--tail", type=int, default=None, help="Lines of recent log file to display")
@click.option("-c", "--container", default=None, help="Print the logs of this container")
@click.option("--timestamps", is_flag=True, help="Include timestamps on each line")
@click.option("--all-pods", is_flag=True, help="Print the logs of every pod, not only the first")
@cluster_options
@click.pass_context
def logs(
    ctx: click.Context,
    name: str | None,
    follow: bool,
    tail: int | None,
    container: str | None,
    timestamps: bool,
    all_pods: bool,
) -> None:
    """Print the logs of the app NAME (default: from ./spin.toml).

    Like `kubectl logs deployment/NAME` it reads one pod (a running one first); --all-pods
    reads each pod in turn, prefixing lines with `[pod/<name>]`.
    """
    from spinkube.plugin.cluster import connect, require_name
    from spinkube.plugin.pods import app_pods, pod_log

    settings = settings_of(ctx)
    app = require_name(name, settings, what="show logs of")
    cluster = connect(settings)
    pods = app_pods(cluster, app)
    chosen = pods if all_pods else pods[:1]
    for pod in chosen:
        prefix = f"[pod/{pod.metadata.name}] " if all_pods else ""
        lines = pod_log(
            cluster,
            pod.metadata.name,
            follow=follow and not all_pods,
            tail=tail,
            container=container,
            timestamps=timestamps,
        )
        for line in lines:
            click.echo(prefix + line, nl=False)
