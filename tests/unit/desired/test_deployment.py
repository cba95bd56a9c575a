"""The Deployment builder (upstream `internal/controller/spinapp_controller_test.go`,
`deployment_test.go`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from spinkube.api import SpinApp, SpinAppExecutor
from spinkube.desired import (
    DesiredStateError,
    ExecutorConfigError,
    build_children,
    build_deployment,
    deployment_config,
)

SHIM_CONFIG = {"runtimeClassName": "wasmtime-spin-v2"}
AppFactory = Callable[..., SpinApp]
ExecutorFactory = Callable[..., SpinAppExecutor]
SchemaCheck = Callable[[dict[str, Any]], None]


def _deployment(app: SpinApp, executor: SpinAppExecutor) -> dict[str, Any]:
    deployment = build_children(app, executor).deployment
    assert deployment is not None
    return deployment


def _pod(deployment: dict[str, Any]) -> dict[str, Any]:
    pod: dict[str, Any] = deployment["spec"]["template"]
    return pod


def test_minimal_app(
    make_app: AppFactory, make_executor: ExecutorFactory, schema_valid: SchemaCheck
) -> None:
    """TestConstructDeployment_MinimalApp: replicas 1, one container, image, runtime class."""
    app = make_app(replicas=1)
    deployment = _deployment(app, make_executor())
    spec = _pod(deployment)["spec"]
    assert deployment["spec"]["replicas"] == 1
    assert len(spec["containers"]) == 1
    assert spec["containers"][0]["image"] == app.spec.image
    assert spec["containers"][0]["name"] == "my-app"
    assert spec["containers"][0]["command"] == ["/"]
    assert "args" not in spec["containers"][0]
    assert spec["runtimeClassName"] == "wasmtime-spin-v2"
    schema_valid(deployment)


def test_respects_executor_runtime_class(
    make_app: AppFactory, make_executor: ExecutorFactory
) -> None:
    """..._Deployment_Respects_Executor_Config (pure part): pod runtimeClassName = executor's."""
    executor = make_executor(deploymentConfig={"runtimeClassName": "a-runtime-class"})
    deployment = _deployment(make_app(replicas=1), executor)
    assert _pod(deployment)["spec"]["runtimeClassName"] == "a-runtime-class"


def test_with_pod_labels(make_app: AppFactory, make_executor: ExecutorFactory) -> None:
    """TestConstructDeployment_WithPodLabels: podLabels add up to 3 template labels."""
    app = make_app(replicas=1, podLabels={"my.pod.label": "value"})
    labels = _pod(_deployment(app, make_executor()))["metadata"]["labels"]
    assert labels == {
        "core.spinoperator.dev/app-name": "my-app",
        "core.spinoperator.dev/app.my-app.status": "ready",
        "my.pod.label": "value",
    }


def test_operator_labels_win_over_pod_labels(
    make_app: AppFactory, make_executor: ExecutorFactory
) -> None:
    app = make_app(replicas=1, podLabels={"core.spinoperator.dev/app-name": "other"})
    labels = _pod(_deployment(app, make_executor()))["metadata"]["labels"]
    assert labels["core.spinoperator.dev/app-name"] == "my-app"


def test_deployment_label(make_app: AppFactory, make_executor: ExecutorFactory) -> None:
    """TestDeploymentLabel: the Deployment carries `app-name=<app>`; the selector adds status."""
    deployment = _deployment(make_app(replicas=1), make_executor())
    assert deployment["metadata"]["labels"] == {"core.spinoperator.dev/app-name": "my-app"}
    assert deployment["spec"]["selector"] == {
        "matchLabels": {
            "core.spinoperator.dev/app-name": "my-app",
            "core.spinoperator.dev/app.my-app.status": "ready",
        }
    }


def test_annotation_and_label_propagation(
    make_app: AppFactory, make_executor: ExecutorFactory
) -> None:
    """..._AnnotationAndLabelPropagation: pod and Deployment annotations copied as given."""
    app = make_app(
        replicas=1,
        podAnnotations={"pod": "annotation"},
        deploymentAnnotations={"deployment": "annotation"},
        podLabels={"my.pod.label": "value"},
    )
    deployment = _deployment(app, make_executor())
    assert deployment["metadata"]["annotations"] == {"deployment": "annotation"}
    assert _pod(deployment)["metadata"]["annotations"] == {"pod": "annotation"}
    assert _pod(deployment)["metadata"]["labels"]["my.pod.label"] == "value"


def test_owner_reference_is_the_controlling_spinapp(
    make_app: AppFactory, make_executor: ExecutorFactory
) -> None:
    app = make_app(replicas=1)
    (owner,) = _deployment(app, make_executor())["metadata"]["ownerReferences"]
    assert owner == {
        "apiVersion": "core.spinoperator.dev/v1alpha1",
        "kind": "SpinApp",
        "name": "my-app",
        "uid": app.metadata.uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param({"replicas": 3}, 3, id="replicas-copied"),
        pytest.param({}, 0, id="unset-is-zero-as-upstream"),
        pytest.param({"enableAutoscaling": True}, None, id="autoscaling-omits-replicas"),
    ],
)
def test_replicas(
    make_app: AppFactory, make_executor: ExecutorFactory, spec: dict[str, Any], expected: int | None
) -> None:
    deployment = _deployment(make_app(**spec), make_executor())
    assert deployment["spec"].get("replicas") == expected


def test_spin_image_executor_runs_spin_up(
    make_app: AppFactory, make_executor: ExecutorFactory, schema_valid: SchemaCheck
) -> None:
    """spinImage executors: executor image, `spin up` args with one --component-id each."""
    executor = make_executor(deploymentConfig={"spinImage": "ghcr.io/fermyon/spin:v2.7.0"})
    app = make_app(replicas=1, components=["hello", "bye"])
    deployment = _deployment(app, executor)
    container = _pod(deployment)["spec"]["containers"][0]
    assert container["image"] == "ghcr.io/fermyon/spin:v2.7.0"
    assert "command" not in container
    assert container["args"] == [
        "up",
        "--listen",
        "0.0.0.0:80",
        "-f",
        app.spec.image,
        "--runtime-config-file",
        "/runtime-config.toml",
        "--component-id",
        "hello",
        "--component-id",
        "bye",
    ]
    assert "runtimeClassName" not in _pod(deployment)["spec"]
    schema_valid(deployment)


def test_container_port_resources_and_pull_secrets(
    make_app: AppFactory, make_executor: ExecutorFactory, schema_valid: SchemaCheck
) -> None:
    resources = {"limits": {"cpu": "500m", "memory": "500Mi"}, "requests": {"cpu": "100m"}}
    app = make_app(
        replicas=1, resources=resources, imagePullSecrets=[{"name": "spin-image-secret"}]
    )
    deployment = _deployment(app, make_executor())
    container = _pod(deployment)["spec"]["containers"][0]
    assert container["ports"] == [{"name": "http-app", "containerPort": 80}]
    assert container["resources"] == resources
    assert _pod(deployment)["spec"]["imagePullSecrets"] == [{"name": "spin-image-secret"}]
    schema_valid(deployment)


def test_no_deployment_when_the_executor_creates_none(
    make_app: AppFactory, make_executor: ExecutorFactory
) -> None:
    """createDeployment false: only the Service (upstream still reconciles it)."""
    children = build_children(make_app(replicas=1), make_executor(createDeployment=False))
    assert children.deployment is None
    assert children.runtime_config_secret is None
    assert children.service["kind"] == "Service"


def test_create_deployment_without_deployment_config_is_a_clear_error(
    make_app: AppFactory, make_executor: ExecutorFactory
) -> None:
    """Upstream defect (nil dereference, panic): here an error naming the field to set."""
    executor = make_executor(deploymentConfig=None)
    assert executor.spec.deployment_config is None
    with pytest.raises(ExecutorConfigError, match="no deploymentConfig") as caught:
        build_children(make_app(replicas=1), executor)
    assert "spec.deploymentConfig.runtimeClassName" in str(caught.value)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param({}, "must specify either runtimeClassName or spinImage", id="neither"),
        pytest.param({"runtimeClassName": "x", "spinImage": "y"}, "mutually exclusive", id="both"),
    ],
)
def test_executor_must_name_exactly_one_runtime(
    make_executor: ExecutorFactory, config: dict[str, Any], message: str
) -> None:
    with pytest.raises(ExecutorConfigError, match=message):
        deployment_config(make_executor(deploymentConfig=config))


def test_unnamed_app_is_an_error(make_executor: ExecutorFactory) -> None:
    app = SpinApp.model_validate({"spec": {"image": "x", "executor": "e"}})
    config = deployment_config(make_executor())
    with pytest.raises(DesiredStateError, match=r"metadata\.name"):
        build_deployment(app, config, runtime_config_secret=None)


def test_load_from_secret_mounts_the_users_secret(
    make_app: AppFactory, make_executor: ExecutorFactory
) -> None:
    """loadFromSecret: no generated secret; the named secret is mounted instead."""
    app = make_app(replicas=1, runtimeConfig={"loadFromSecret": "my-runtime-config"})
    children = build_children(app, make_executor())
    assert children.runtime_config_secret is None
    assert children.deployment is not None
    volume = _pod(children.deployment)["spec"]["volumes"][0]
    assert volume["name"] == "spin-runtime-config"
    assert volume["secret"]["secretName"] == "my-runtime-config"


def test_errors_are_desired_state_errors() -> None:
    assert issubclass(ExecutorConfigError, DesiredStateError)
