"""SpinAppExecutor validation (upstream `internal/webhook/spinappexecutor_validating_test.go`)."""

from __future__ import annotations

from typing import Any

import pytest

from spinkube.admission import (
    EXECUTOR_WEBHOOK,
    denial_message,
    validate_deployment_config_present,
    validate_executor,
    validate_runtime_class_and_spin_image,
)
from spinkube.api import SpinAppExecutor


def _executor(**spec: Any) -> SpinAppExecutor:
    return SpinAppExecutor.model_validate({"metadata": {"name": "e"}, "spec": spec})


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param(None, [], id="no-deployment-config"),
        pytest.param({"runtimeClassName": "foo"}, [], id="runtime-class"),
        pytest.param({"spinImage": "ghcr.io/fermyon/spin:v2.7.0"}, [], id="spin-image"),
        pytest.param(
            {"runtimeClassName": "foo", "spinImage": "bar"},
            [
                'spec.deploymentConfig.runtimeClassName: Invalid value: "foo": runtimeClassName '
                "and spinImage are mutually exclusive"
            ],
            id="both",
        ),
        pytest.param(
            {},
            [
                'spec.deploymentConfig.runtimeClassName: Invalid value: "null": either '
                "runtimeClassName or spinImage must be set"
            ],
            id="neither",
        ),
        pytest.param(
            {"runtimeClassName": ""},
            [
                'spec.deploymentConfig.runtimeClassName: Invalid value: "": either '
                "runtimeClassName or spinImage must be set"
            ],
            id="empty-runtime-class-counts-as-unset",
        ),
    ],
)
def test_validate_runtime_class_and_spin_image(
    config: dict[str, Any] | None, expected: list[str]
) -> None:
    """TestValidateRuntimeClassAndSpinImage, including `Invalid value: "null"`."""
    executor = _executor(createDeployment=False, deploymentConfig=config)
    assert [str(e) for e in validate_runtime_class_and_spin_image(executor.spec)] == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param({"createDeployment": False}, [], id="external-executor"),
        pytest.param(
            {"createDeployment": True, "deploymentConfig": {"runtimeClassName": "x"}},
            [],
            id="with-config",
        ),
        pytest.param(
            {"createDeployment": True},
            [
                "spec.deploymentConfig: Required value: deploymentConfig is required when "
                "createDeployment is true: set runtimeClassName or spinImage"
            ],
            id="missing-config",
        ),
    ],
)
def test_validate_deployment_config_present(spec: dict[str, Any], expected: list[str]) -> None:
    """Upstream crashes its reconcile on this executor; we refuse it at admission."""
    assert [str(e) for e in validate_deployment_config_present(_executor(**spec).spec)] == expected


def test_validate_executor_denial() -> None:
    executor = _executor(
        createDeployment=True, deploymentConfig={"runtimeClassName": "foo", "spinImage": "bar"}
    )
    errors = validate_executor(executor)
    assert denial_message(EXECUTOR_WEBHOOK, "SpinAppExecutor", "e", errors) == (
        'admission webhook "vspinappexecutor.kb.io" denied the request: '
        'SpinAppExecutor.core.spinoperator.dev "e" is invalid: '
        'spec.deploymentConfig.runtimeClassName: Invalid value: "foo": runtimeClassName and '
        "spinImage are mutually exclusive"
    )
