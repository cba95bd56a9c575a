"""Labels, selectors and owner references shared by every child of a SpinApp."""

from __future__ import annotations

from typing import Any

from spinkube.api import API_VERSION, APP_NAME_LABEL, SPINAPP_KIND, STATUS_READY, SpinApp
from spinkube.api import app_status_label as status_label
from spinkube.desired.errors import DesiredStateError

Manifest = dict[str, Any]
"""A Kubernetes object as plain JSON data, ready for server-side apply."""


def app_name(app: SpinApp) -> str:
    name = app.metadata.name
    if not name:
        raise DesiredStateError("a SpinApp without metadata.name has no children")
    return name


def app_labels(app: SpinApp) -> dict[str, str]:
    """`{app-name: <app>}`: on the Deployment, the Service and the runtime-config Secret."""
    return {APP_NAME_LABEL: app_name(app)}


def ready_labels(app: SpinApp) -> dict[str, str]:
    """The Deployment selector: the app-name label plus `app.<app>.status: ready`."""
    name = app_name(app)
    return {APP_NAME_LABEL: name, status_label(name): STATUS_READY}


def service_selector(app: SpinApp) -> dict[str, str]:
    """Only the status label, so a pod leaves the Service by changing one label."""
    return {status_label(app_name(app)): STATUS_READY}


def pod_labels(app: SpinApp) -> dict[str, str]:
    """The user's `podLabels`, then the operator's labels, which win on conflict."""
    return {**(app.spec.pod_labels or {}), **ready_labels(app)}


def owner_references(app: SpinApp, *, controller: bool = True) -> list[Manifest]:
    """The SpinApp as owner, so children are garbage-collected with it.

    Empty when the app has no uid yet (rendered offline, never by the controller, which reads
    apps from the API server).
    """
    if not app.metadata.uid:
        return []
    ref: Manifest = {
        "apiVersion": API_VERSION,
        "kind": SPINAPP_KIND,
        "name": app_name(app),
        "uid": app.metadata.uid,
    }
    if controller:
        ref |= {"controller": True, "blockOwnerDeletion": True}
    return [ref]


def object_meta(
    app: SpinApp,
    *,
    name: str | None = None,
    annotations: dict[str, str] | None = None,
    controller: bool = True,
) -> Manifest:
    """`metadata` of a child: name (the app's by default), namespace, labels, annotations, owner."""
    meta: Manifest = {"name": name or app_name(app)}
    if app.metadata.namespace:
        meta["namespace"] = app.metadata.namespace
    meta["labels"] = app_labels(app)
    if annotations:
        meta["annotations"] = dict(annotations)
    owners = owner_references(app, controller=controller)
    if owners:
        meta["ownerReferences"] = owners
    return meta
