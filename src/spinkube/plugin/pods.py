"""The pods of a SpinApp and their logs, through the API (no kubectl)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from spinkube.api.constants import APP_NAME_LABEL
from spinkube.plugin.cluster import Cluster, api_errors
from spinkube.plugin.errors import AppNotFoundError


def app_pods(cluster: Cluster, app: str) -> list[Any]:
    """The app's pods (label `core.spinoperator.dev/app-name=<app>`), running ones first."""
    from lightkube.resources.core_v1 import Pod

    with api_errors():
        pods = cluster.kube.list(Pod, namespace=cluster.namespace, labels={APP_NAME_LABEL: app})
    if not pods:
        raise AppNotFoundError(
            f'no pods found for application {app} in namespace "{cluster.namespace}"'
        )
    return sorted(pods, key=lambda pod: (not _running(pod), pod.metadata.name))


def _running(pod: Any) -> bool:
    return bool(pod.status and pod.status.phase == "Running")


def pod_log(
    cluster: Cluster,
    pod: str,
    *,
    follow: bool = False,
    tail: int | None = None,
    container: str | None = None,
    timestamps: bool = False,
) -> Iterator[str]:
    """The pod's log lines (each ending in a newline), following it if asked."""
    from spinkube.kube.errors import Target, translated

    target = Target("pods", pod, cluster.namespace)
    with api_errors(), translated(target, server=cluster.kube.server):
        yield from cluster.kube.client.log(
            pod,
            namespace=cluster.namespace,
            container=container,
            follow=follow,
            tail_lines=tail,
            timestamps=timestamps,
        )
