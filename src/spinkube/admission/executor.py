"""SpinAppExecutor validation: exactly one way to run apps when the operator deploys them."""

from __future__ import annotations

from spinkube.admission.errors import FieldError
from spinkube.api import SpinAppExecutor, SpinAppExecutorSpec

MUTUALLY_EXCLUSIVE = "runtimeClassName and spinImage are mutually exclusive"
ONE_REQUIRED = "either runtimeClassName or spinImage must be set"
CONFIG_REQUIRED = (
    "deploymentConfig is required when createDeployment is true: set runtimeClassName or spinImage"
)
_RUNTIME_CLASS = "spec.deploymentConfig.runtimeClassName"


def validate_deployment_config_present(spec: SpinAppExecutorSpec) -> list[FieldError]:
    """createDeployment needs a deploymentConfig (upstream crashes its reconcile instead)."""
    if spec.create_deployment and spec.deployment_config is None:
        return [FieldError.required("spec.deploymentConfig", CONFIG_REQUIRED)]
    return []


def validate_runtime_class_and_spin_image(spec: SpinAppExecutorSpec) -> list[FieldError]:
    """Exactly one of runtimeClassName and spinImage; an empty string counts as unset."""
    config = spec.deployment_config
    if config is None:
        return []
    if config.runtime_class_name and config.spin_image:
        return [FieldError(_RUNTIME_CLASS, config.runtime_class_name, MUTUALLY_EXCLUSIVE)]
    if not (config.runtime_class_name or config.spin_image):
        return [FieldError(_RUNTIME_CLASS, config.runtime_class_name, ONE_REQUIRED)]
    return []


def validate_executor(executor: SpinAppExecutor) -> list[FieldError]:
    """Every problem with `executor`; empty when it is valid."""
    spec = executor.spec
    return validate_deployment_config_present(spec) + validate_runtime_class_and_spin_image(spec)
