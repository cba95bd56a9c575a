"""The Service of a SpinApp: ClusterIP, port 80 to the container's `http-app` port."""

from __future__ import annotations

from spinkube.api import DEFAULT_HTTP_PORT, HTTP_PORT_NAME, SpinApp
from spinkube.desired.meta import Manifest, object_meta, service_selector


def build_service(app: SpinApp) -> Manifest:
    """Built for every app, even when the executor creates no Deployment (as upstream does)."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": object_meta(app, annotations=app.spec.service_annotations),
        "spec": {
            "type": "ClusterIP",
            "ports": [{"protocol": "TCP", "port": DEFAULT_HTTP_PORT, "targetPort": HTTP_PORT_NAME}],
            "selector": service_selector(app),
        },
    }
