"""Where the app's pods may run: the executor's scheduling constraints with the app's merged
over them (nodeSelector keys and each kind of affinity: the app's win; tolerations add up)."""

from __future__ import annotations

from typing import Any

from spinkube.api import Affinity, ExecutorDeploymentConfig, SpinApp, Toleration
from spinkube.desired.meta import Manifest


def _dump(model: Affinity | Toleration) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True)


def node_selector(app: SpinApp, config: ExecutorDeploymentConfig) -> dict[str, str]:
    return {**(config.node_selector or {}), **(app.spec.node_selector or {})}


def tolerations(app: SpinApp, config: ExecutorDeploymentConfig) -> list[dict[str, Any]]:
    """The executor's, then the app's; one given by both is listed once."""
    merged: list[dict[str, Any]] = []
    for toleration in [*(config.tolerations or []), *(app.spec.tolerations or [])]:
        dumped = _dump(toleration)
        if dumped not in merged:
            merged.append(dumped)
    return merged


def affinity(app: SpinApp, config: ExecutorDeploymentConfig) -> dict[str, Any]:
    """nodeAffinity, podAffinity and podAntiAffinity: the app's where set, else the executor's."""
    executor = _dump(config.affinity) if config.affinity is not None else {}
    own = _dump(app.spec.affinity) if app.spec.affinity is not None else {}
    return {**executor, **own}


def build_scheduling(app: SpinApp, config: ExecutorDeploymentConfig) -> Manifest:
    """The pod spec's `nodeSelector`, `tolerations` and `affinity`, each only when set."""
    spec: Manifest = {}
    if selector := node_selector(app, config):
        spec["nodeSelector"] = selector
    if tolerated := tolerations(app, config):
        spec["tolerations"] = tolerated
    if affine := affinity(app, config):
        spec["affinity"] = affine
    return spec
