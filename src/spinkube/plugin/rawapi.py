"""Requests `spinkube.kube` does not offer (yet): `/version`, and the raw HTTP client for
websocket subresources (port-forward).

Both use the authenticated httpx2 client inside lightkube's `Client`, so TLS and credentials
come from the same kubeconfig as every other request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from spinkube.plugin.cluster import api_errors

if TYPE_CHECKING:
    from spinkube.kube.client import Kube

VERSION_TIMEOUT_SECONDS = 5.0


def http_client(kube: Kube) -> Any:
    """The httpx2.Client lightkube talks through (private in lightkube: kept in one place)."""
    return kube.client._client._client


def server_version(kube: Kube) -> str:
    """`gitVersion` of the API server (`/version`)."""
    from spinkube.kube.errors import Target, translated

    with api_errors(), translated(Target("version"), server=kube.server):
        response = http_client(kube).get("/version", timeout=VERSION_TIMEOUT_SECONDS)
        response.raise_for_status()
        info = response.json()
    return str(info.get("gitVersion", ""))
