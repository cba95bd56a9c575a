"""Everything the operator applies for one SpinApp, built in one call."""

from __future__ import annotations

from dataclasses import dataclass, field

from spinkube.api import ExecutorDeploymentConfig, SpinApp, SpinAppExecutor
from spinkube.desired.deployment import build_deployment
from spinkube.desired.executor import ca_secret_name, deployment_config
from spinkube.desired.inputs import ResolvedInputs
from spinkube.desired.meta import Manifest
from spinkube.desired.runtime_config import render_runtime_config, runtime_config_secret_name
from spinkube.desired.secrets import build_ca_secret, build_runtime_config_secret
from spinkube.desired.service import build_service


@dataclass(frozen=True)
class Children:
    """The children of a SpinApp.

    `deployment` and the secrets are None when the executor creates no Deployment (the
    controller then deletes any Deployment named after the app). `runtime_config_secret` is
    None when the app loads its runtime config from its own secret; `ca_secret` is set only
    when the executor installs the default CA bundle (create it if missing, never update).
    Secrets are kept out of the repr.
    """

    service: Manifest
    deployment: Manifest | None = None
    runtime_config_secret: Manifest | None = field(default=None, repr=False)
    ca_secret: Manifest | None = field(default=None, repr=False)


def build_children(
    app: SpinApp,
    executor: SpinAppExecutor,
    *,
    inputs: ResolvedInputs | None = None,
    ca_bundle: str | None = None,
) -> Children:
    """Service, Deployment, runtime-config Secret and CA Secret for `app` run by `executor`.

    `inputs` holds the objects listed by `runtime_config_dependencies(app)`; `ca_bundle` the
    PEM bundle for a CA secret the executor asks to install (left out when None).
    Raises a `DesiredStateError` subclass with the user-facing message.
    """
    service = build_service(app)
    if not executor.spec.create_deployment:
        return Children(service=service)
    config = deployment_config(executor)
    secret = _runtime_config_secret(app, inputs)
    deployment = build_deployment(
        app, config, runtime_config_secret=secret["metadata"]["name"] if secret else None
    )
    return Children(
        service=service,
        deployment=deployment,
        runtime_config_secret=secret,
        ca_secret=_ca_secret(app, config, ca_bundle),
    )


def _runtime_config_secret(app: SpinApp, inputs: ResolvedInputs | None) -> Manifest | None:
    """The generated runtime-config Secret, always built unless `loadFromSecret` is set."""
    config = app.spec.runtime_config
    if config is not None and config.load_from_secret:
        return None
    toml = render_runtime_config(app, inputs)
    name = runtime_config_secret_name(str(app.metadata.name), toml)
    return build_runtime_config_secret(app, name=name, toml=toml)


def _ca_secret(
    app: SpinApp, config: ExecutorDeploymentConfig, bundle: str | None
) -> Manifest | None:
    name = ca_secret_name(config)
    if not (config.install_default_ca_certs and name and bundle is not None):
        return None
    return build_ca_secret(namespace=app.metadata.namespace or "default", name=name, bundle=bundle)
