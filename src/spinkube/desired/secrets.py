"""The Secrets the operator creates: the app's runtime config and the namespace's CA bundle."""

from __future__ import annotations

import base64

from spinkube.api import GROUP, SpinApp
from spinkube.desired.meta import Manifest, object_meta
from spinkube.desired.volumes import CA_KEY, RUNTIME_CONFIG_KEY

CA_MANAGED_BY_ANNOTATION = "app.kubernetes.io/managed-by"
CA_MANAGED_BY = f"spin-operator.{GROUP.removeprefix('core.')}"
"""`spin-operator.spinoperator.dev`: upstream's `spin-operator.spinkube.dev` in our group."""


def build_runtime_config_secret(app: SpinApp, *, name: str, toml: str) -> Manifest:
    """The generated runtime-config Secret: created once, never updated (its name is its hash).

    The owner reference is not a controller reference, as upstream's `SetOwnerReference`.
    """
    encoded = base64.b64encode(toml.encode()).decode("ascii")
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": object_meta(app, name=name, controller=False),
        "data": {RUNTIME_CONFIG_KEY: encoded},
    }


def build_ca_secret(*, namespace: str, name: str, bundle: str) -> Manifest:
    """The CA bundle Secret shared by the apps of a namespace: no owner, created only if missing.

    `bundle` is the PEM bundle to install (the operator passes in the system's
    `/etc/ssl/certs/ca-certificates.crt`, read once at start-up).
    """
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "annotations": {CA_MANAGED_BY_ANNOTATION: CA_MANAGED_BY},
        },
        "stringData": {CA_KEY: bundle},
    }
