"""SpinApp reads and writes the commands share, on top of `spinkube.kube`.

SpinApps travel as plain dicts (the API's JSON): the plugin writes three spec fields and reads
a few more, so it has no use for the validating models of `spinkube.api`.
"""

from __future__ import annotations

from typing import Any

from spinkube.api.constants import API_VERSION, SPINAPP_KIND
from spinkube.plugin.cluster import Cluster, api_errors
from spinkube.plugin.errors import AppNotFoundError

Manifest = dict[str, Any]


def spinapp_manifest(
    *, name: str, namespace: str, image: str, executor: str, replicas: int
) -> Manifest:
    """The SpinApp `deploy` applies (upstream: name, namespace, image, executor, replicas)."""
    return {
        "apiVersion": API_VERSION,
        "kind": SPINAPP_KIND,
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"image": image, "executor": executor, "replicas": replicas},
    }


def not_found_message(name: str, namespace: str) -> str:
    return f'Could not find application with name {name} in namespace "{namespace}"'


def get_app(cluster: Cluster, name: str) -> Manifest:
    from spinkube.kube.resources import SpinApp

    with api_errors(not_found_message(name, cluster.namespace)):
        return _as_dict(cluster.kube.get(SpinApp, name, namespace=cluster.namespace))


def exists(cluster: Cluster, name: str) -> bool:
    try:
        get_app(cluster, name)
    except AppNotFoundError:
        return False
    return True


def list_apps(cluster: Cluster, *, all_namespaces: bool) -> list[Manifest]:
    from spinkube.kube.resources import SpinApp

    namespace = None if all_namespaces else cluster.namespace
    with api_errors():
        apps = [_as_dict(app) for app in cluster.kube.list(SpinApp, namespace=namespace)]
    return sorted(apps, key=lambda a: (a["metadata"]["namespace"], a["metadata"]["name"]))


def apply_app(cluster: Cluster, manifest: Manifest) -> Manifest:
    with api_errors():
        applied = cluster.kube.apply_manifest(manifest, namespace=cluster.namespace, force=True)
    return _as_dict(applied)


def delete_app(cluster: Cluster, name: str) -> None:
    from spinkube.kube.resources import SpinApp

    with api_errors(not_found_message(name, cluster.namespace)):
        cluster.kube.delete(SpinApp, name, namespace=cluster.namespace)


def _as_dict(obj: Any) -> Manifest:
    result: Manifest = obj.to_dict()
    return result
