"""What an executor says about running an app: its deployment config and CA secret."""

from __future__ import annotations

from spinkube.api import ExecutorDeploymentConfig, SpinAppExecutor
from spinkube.desired.errors import ExecutorConfigError

DEFAULT_CA_SECRET = "spin-ca"


def _name(executor: SpinAppExecutor) -> str:
    meta = executor.metadata
    return f"{meta.namespace}/{meta.name}" if meta.namespace else str(meta.name)


def deployment_config(executor: SpinAppExecutor) -> ExecutorDeploymentConfig:
    """The executor's deployment config, checked: exactly one of runtimeClassName and spinImage.

    Upstream dereferences a missing deploymentConfig and panics; here it is a clear error.
    """
    config = executor.spec.deployment_config
    if config is None:
        raise ExecutorConfigError(
            f"SpinAppExecutor {_name(executor)} has createDeployment: true but no "
            "deploymentConfig; set spec.deploymentConfig.runtimeClassName or "
            "spec.deploymentConfig.spinImage"
        )
    if config.runtime_class_name and config.spin_image:
        raise ExecutorConfigError(
            f"SpinAppExecutor {_name(executor)}: runtimeClassName and spinImage are mutually "
            "exclusive"
        )
    if not (config.runtime_class_name or config.spin_image):
        raise ExecutorConfigError("must specify either runtimeClassName or spinImage")
    return config


def ca_secret_name(config: ExecutorDeploymentConfig) -> str | None:
    """The CA bundle secret to mount: `caCertSecret`, else `spin-ca` when installing defaults."""
    if config.ca_cert_secret:
        return config.ca_cert_secret
    return DEFAULT_CA_SECRET if config.install_default_ca_certs else None
