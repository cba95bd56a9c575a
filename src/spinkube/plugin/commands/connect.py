"""`kube connect`: port-forward a local port to a pod of the app and stream its logs."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import click

from spinkube.plugin.commands.common import cluster_options, settings_of
from spinkube.plugin.errors import UsageError

if TYPE_CHECKING:
    from spinkube.plugin.cluster import Cluster

APP_PORT = 80


@click.command(short_help="Establish a connection to a running application")
@click.argument("name", required=False)
@click.option(
    "-p", "--local-port", default="", help="The local port to listen on (default: a free port)"
)
@click.option(
    "--address", default="127.0.0.1", show_default=True, help="The local address to listen on"
)
@cluster_options
@click.pass_context
def connect(ctx: click.Context, name: str | None, local_port: str, address: str) -> None:
    """Forward a local port to port 80 of a pod of the app NAME (default: from ./spin.toml)
    through the API's portforward subresource, and stream that pod's logs until Ctrl-C."""
    from spinkube.plugin.cluster import connect as connect_cluster
    from spinkube.plugin.cluster import require_name
    from spinkube.plugin.pods import app_pods

    port = _local_port(local_port)
    settings = settings_of(ctx)
    app = require_name(name, settings, what="connect to")
    cluster = connect_cluster(settings)
    pod = app_pods(cluster, app)[0].metadata.name
    click.echo(f"connecting to pod {cluster.namespace}/{pod}")
    _forward_and_follow(cluster, pod, port, address)


def _local_port(text: str) -> int:
    if ":" in text:
        raise UsageError("local port should not contain ':' character")
    if not text:
        return 0
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise UsageError(f"invalid value for --local-port: '{text}' is not a port number")
    return int(text)


def _forward_and_follow(cluster: Cluster, pod: str, port: int, address: str) -> None:
    from spinkube.plugin.errors import OperationFailedError
    from spinkube.plugin.pods import pod_log
    from spinkube.plugin.portforward import PortForwarder, Target, websocket_opener

    opener = websocket_opener(cluster.kube.http)
    target = Target(cluster.namespace, pod, APP_PORT)
    try:
        forwarder = PortForwarder(
            target,
            opener,
            local_port=port,
            host=address,
            on_error=lambda m: click.echo(f"error: {m}", err=True),
        )
    except OSError as error:
        raise OperationFailedError(
            f"cannot listen on {address}:{port}: {error.strerror}"
        ) from error
    click.echo(f"Forwarding from {address}:{forwarder.local_port} -> {APP_PORT}")
    thread = threading.Thread(target=forwarder.serve_forever, daemon=True)
    thread.start()
    try:
        for line in pod_log(cluster, pod, follow=True):
            click.echo(line, nl=False)
    finally:
        forwarder.stop()
