"""The real `spin-operator` process against the API tier: the SpinApp lifecycle of
upstream-behaviour §2.2, the executor finalizer, restarts, drift and leader election.

Each test runs its own manager(s) watching only the test's namespace. Nothing waits for pods:
a Deployment's status is patched by the test where status matters.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import json
import signal
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.coordination_v1 import Lease
from lightkube.resources.core_v1 import ConfigMap, Event, Secret, Service
from lightkube.resources.rbac_authorization_v1 import ClusterRole, ClusterRoleBinding

from spinkube.api import APP_NAME_LABEL, FINALIZER
from spinkube.api import SpinApp as SpinAppModel
from spinkube.api import SpinAppExecutor as ExecutorModel
from spinkube.desired import ResolvedInputs, build_children
from spinkube.kube import Conflict, Kube, NotFound, SpinApp, SpinAppExecutor
from spinkube.testing import eventually
from spinkube.testing.certs import self_signed
from spinkube.testing.manager import SPIN_OPERATOR, ManagerProcess, http_get, start_manager
from spinkube.testing.manifests import EXECUTOR, HELLO_IMAGE, executor_manifest, spinapp_manifest

pytestmark = pytest.mark.api

ROOT = Path(__file__).resolve().parents[2]
WAIT = 30.0


class Managers:
    """Starts managers for one test and stops every one of them afterwards."""

    def __init__(self, kubeconfig: Path, namespace: str, tmp_path: Path) -> None:
        self.kubeconfig = kubeconfig
        self.namespace = namespace
        self.tmp_path = tmp_path
        self.started: list[ManagerProcess] = []

    def start(
        self,
        *extra: str,
        name: str = "op",
        wait_controllers: bool = True,
        plain_metrics: bool = True,
    ) -> ManagerProcess:
        """A manager watching the test's namespace; `plain_metrics` serves /metrics over
        plain HTTP (`--metrics-secure=false`) for the tests that read it."""
        manager = start_manager(
            SPIN_OPERATOR,
            f"--namespace={self.namespace}",
            "--log-level=debug",
            *(["--metrics-secure=false"] if plain_metrics else []),
            *extra,
            kubeconfig=self.kubeconfig,
            log=self.tmp_path / f"{name}-{len(self.started)}.log",
            env={"POD_NAME": name},
            wait_controllers=wait_controllers,
        )
        self.started.append(manager)
        return manager

    def stop_all(self) -> None:
        for manager in self.started:
            manager.stop()


@pytest.fixture
def managers(
    kube_api: Any, namespace: str, tmp_path: Path, spinkube_crds: None
) -> Iterator[Managers]:
    started = Managers(kube_api.kubeconfig, namespace, tmp_path)
    yield started
    started.stop_all()


@pytest.fixture
def manager(managers: Managers) -> ManagerProcess:
    return managers.start()


# -- objects ---------------------------------------------------------------------------------


def app_manifest(namespace: str, name: str = "hello", **spec: Any) -> Any:
    return spinapp_manifest(namespace, name, **{"executor": EXECUTOR, **spec})


def get_or_none(kube: Kube, res: Any, name: str, namespace: str) -> Any:
    try:
        return kube.get(res, name, namespace=namespace)
    except NotFound:
        return None


def events(kube: Kube, namespace: str, name: str, reason: str) -> list[Any]:
    return [
        e
        for e in kube.list(Event, namespace=namespace)
        if e.involvedObject.name == name and e.reason == reason
    ]


def assert_subset(expected: Any, actual: Any, path: str = "") -> None:
    """Every field of `expected` is in `actual` with the same value (a real API server adds
    defaults, which are ignored)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing in {actual!r}"
            assert_subset(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: {actual!r}"
        assert len(actual) == len(expected), f"{path}: {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            assert_subset(e, a, f"{path}[{i}]")
    else:
        assert expected == actual, f"{path}: {expected!r} != {actual!r}"


def desired_children(
    kube: Kube, namespace: str, name: str, inputs: ResolvedInputs | None = None
) -> Any:
    app = kube.get(SpinApp, name, namespace=namespace).to_dict()
    executor_name = app["spec"]["executor"]
    executor = kube.get(SpinAppExecutor, executor_name, namespace=namespace).to_dict()
    app.pop("status", None)
    executor.pop("status", None)
    return build_children(
        SpinAppModel.model_validate(app), ExecutorModel.model_validate(executor), inputs=inputs
    )


def deployment_of(kube: Kube, namespace: str, name: str = "hello") -> Any:
    found = get_or_none(kube, Deployment, name, namespace)
    return found.to_dict() if found is not None else None


def image_of(kube: Kube, namespace: str, name: str = "hello") -> str | None:
    deployment = deployment_of(kube, namespace, name)
    if deployment is None:
        return None
    return str(deployment["spec"]["template"]["spec"]["containers"][0]["image"])


def runtime_config_secret_name(kube: Kube, namespace: str, name: str = "hello") -> str | None:
    deployment = deployment_of(kube, namespace, name)
    if deployment is None:
        return None
    for volume in deployment["spec"]["template"]["spec"].get("volumes", []):
        if volume["name"] == "spin-runtime-config":
            return str(volume["secret"]["secretName"])
    return None


def app_status(kube: Kube, namespace: str, name: str = "hello") -> dict[str, Any]:
    return dict(kube.get(SpinApp, name, namespace=namespace).to_dict().get("status") or {})


def condition(status: dict[str, Any], type_: str) -> dict[str, Any] | None:
    return next((c for c in status.get("conditions") or [] if c["type"] == type_), None)


# -- the lifecycle -----------------------------------------------------------------------------


def test_create_applies_deployment_service_and_secret(
    kube: Kube, namespace: str, manager: ManagerProcess
) -> None:
    kube.apply_manifest(executor_manifest(namespace))
    kube.apply_manifest(app_manifest(namespace))

    assert eventually(lambda: get_or_none(kube, Service, "hello", namespace), timeout=WAIT)
    assert eventually(lambda: deployment_of(kube, namespace), timeout=WAIT)
    desired = desired_children(kube, namespace, "hello")
    assert desired.deployment is not None
    assert desired.runtime_config_secret is not None
    deployment = deployment_of(kube, namespace)
    assert_subset(desired.deployment["spec"], deployment["spec"])
    assert_subset(desired.deployment["metadata"]["labels"], deployment["metadata"]["labels"])
    assert (
        deployment["metadata"]["ownerReferences"]
        == desired.deployment["metadata"]["ownerReferences"]
    )
    service = kube.get(Service, "hello", namespace=namespace).to_dict()
    assert_subset(desired.service["spec"], service["spec"])
    secret_name = desired.runtime_config_secret["metadata"]["name"]
    secret = kube.get(Secret, secret_name, namespace=namespace)
    assert secret.data == desired.runtime_config_secret["data"]
    assert base64.b64decode(secret.data["runtime-config.toml"]).decode() == (
        "[[config_provider]]\ntype = 'env'\nprefix = 'SPIN_VARIABLE_'\n"
    )
    assert runtime_config_secret_name(kube, namespace) == secret_name

    status = eventually(lambda: app_status(kube, namespace).get("activeScheduler"), timeout=WAIT)
    assert status == "containerd-shim-spin"
    managed = [f["manager"] for f in deployment["metadata"].get("managedFields") or []]
    assert "spin-operator" in managed


def test_image_update_updates_the_deployment(
    kube: Kube, namespace: str, manager: ManagerProcess
) -> None:
    kube.apply_manifest(executor_manifest(namespace))
    kube.apply_manifest(app_manifest(namespace))
    assert eventually(lambda: image_of(kube, namespace) == HELLO_IMAGE, timeout=WAIT)

    kube.patch(SpinApp, "hello", {"spec": {"image": "example.com/hello:v2"}}, namespace=namespace)

    assert eventually(lambda: image_of(kube, namespace) == "example.com/hello:v2", timeout=WAIT)


def test_runtime_config_change_gives_a_new_secret_and_a_rollout(
    kube: Kube, namespace: str, manager: ManagerProcess
) -> None:
    kube.apply_manifest(executor_manifest(namespace))
    store = {"name": "default", "type": "redis", "options": [{"name": "url", "value": "redis://a"}]}
    kube.apply_manifest(app_manifest(namespace, runtimeConfig={"keyValueStores": [store]}))
    first = eventually(lambda: runtime_config_secret_name(kube, namespace), timeout=WAIT)
    assert first
    assert first.startswith("hello-")
    toml = base64.b64decode(
        kube.get(Secret, first, namespace=namespace).data["runtime-config.toml"]
    )
    assert b"[key_value_store.default]\ntype = 'redis'\nurl = 'redis://a'\n" in toml

    store["options"] = [{"name": "url", "value": "redis://b"}]
    kube.patch(
        SpinApp,
        "hello",
        {"spec": {"runtimeConfig": {"keyValueStores": [store]}}},
        namespace=namespace,
    )

    second = eventually(
        lambda: (name := runtime_config_secret_name(kube, namespace)) != first and name,
        timeout=WAIT,
    )
    assert second
    assert second != first
    toml = base64.b64decode(
        kube.get(Secret, second, namespace=namespace).data["runtime-config.toml"]
    )
    assert b"url = 'redis://b'" in toml
    assert get_or_none(kube, Secret, first, namespace) is not None  # old ones stay, as upstream


def test_missing_runtime_config_reference_is_an_event_and_a_condition_then_recovers(
    kube: Kube, namespace: str, manager: ManagerProcess
) -> None:
    kube.apply_manifest(executor_manifest(namespace))
    option = {"name": "url", "valueFrom": {"configMapKeyRef": {"name": "redis", "key": "url"}}}
    store = {"name": "default", "type": "redis", "options": [option]}
    kube.apply_manifest(app_manifest(namespace, runtimeConfig={"keyValueStores": [store]}))

    assert eventually(lambda: events(kube, namespace, "hello", "MissingReference"), timeout=WAIT)
    reconciled = eventually(lambda: condition(app_status(kube, namespace), "Reconciled"))
    assert reconciled is not None
    assert reconciled["status"] == "False"
    assert reconciled["reason"] == "MissingReference"
    assert 'ConfigMap "redis"' in reconciled["message"]
    assert deployment_of(kube, namespace) is None

    kube.apply_manifest(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "redis", "namespace": namespace},
            "data": {"url": "redis://from-configmap"},
        }
    )

    name = eventually(lambda: runtime_config_secret_name(kube, namespace), timeout=WAIT)
    assert name
    toml = base64.b64decode(kube.get(Secret, name, namespace=namespace).data["runtime-config.toml"])
    assert b"url = 'redis://from-configmap'" in toml
    assert eventually(
        lambda: (condition(app_status(kube, namespace), "Reconciled") or {}).get("status") == "True"
    )
    assert get_or_none(kube, ConfigMap, "redis", namespace) is not None


def test_missing_executor_is_an_event_then_recovers_when_it_appears(
    kube: Kube, namespace: str, manager: ManagerProcess
) -> None:
    kube.apply_manifest(app_manifest(namespace))

    found = eventually(lambda: events(kube, namespace, "hello", "MissingExecutor"), timeout=WAIT)
    assert found[0].type == "Warning"
    assert found[0].message == f"Could not find SpinAppExecutor {namespace}/containerd-shim-spin"
    assert deployment_of(kube, namespace) is None
    assert get_or_none(kube, Service, "hello", namespace) is None

    kube.apply_manifest(executor_manifest(namespace))

    assert eventually(lambda: deployment_of(kube, namespace), timeout=WAIT)
    assert eventually(lambda: get_or_none(kube, Service, "hello", namespace), timeout=WAIT)


def test_executor_deletion_is_blocked_while_apps_use_it_then_released(
    kube: Kube, namespace: str, manager: ManagerProcess
) -> None:
    kube.apply_manifest(executor_manifest(namespace))
    assert eventually(
        lambda: (
            FINALIZER
            in (
                kube.get(
                    SpinAppExecutor, "containerd-shim-spin", namespace=namespace
                ).metadata.finalizers
                or []
            )
        ),
        timeout=WAIT,
    )
    kube.apply_manifest(app_manifest(namespace))
    assert eventually(lambda: deployment_of(kube, namespace), timeout=WAIT)

    kube.delete(SpinAppExecutor, "containerd-shim-spin", namespace=namespace)

    blocked = eventually(
        lambda: events(kube, namespace, "containerd-shim-spin", "DeletionBlocked"), timeout=WAIT
    )
    assert blocked[0].type == "Warning"
    assert blocked[0].message == "Cannot delete SpinAppExecutor with dependent SpinApps"
    assert get_or_none(kube, SpinAppExecutor, "containerd-shim-spin", namespace) is not None

    kube.delete(SpinApp, "hello", namespace=namespace)

    assert eventually(
        lambda: get_or_none(kube, SpinAppExecutor, "containerd-shim-spin", namespace) is None,
        timeout=WAIT,
    )


def test_create_deployment_false_deletes_the_deployment_and_keeps_the_service(
    kube: Kube, namespace: str, manager: ManagerProcess
) -> None:
    kube.apply_manifest(executor_manifest(namespace))
    kube.apply_manifest(app_manifest(namespace))
    assert eventually(lambda: deployment_of(kube, namespace), timeout=WAIT)

    kube.apply_manifest(executor_manifest(namespace, createDeployment=False))

    assert eventually(lambda: deployment_of(kube, namespace) is None, timeout=WAIT)
    assert get_or_none(kube, Service, "hello", namespace) is not None
    assert eventually(lambda: events(kube, namespace, "hello", "DeploymentDeleted"), timeout=WAIT)

    kube.apply_manifest(app_manifest(namespace, name="other"))
    assert eventually(lambda: get_or_none(kube, Service, "other", namespace), timeout=WAIT)
    assert deployment_of(kube, namespace, "other") is None


def test_restart_converges_without_duplicates(
    kube: Kube, namespace: str, managers: Managers
) -> None:
    first = managers.start(name="first")
    kube.apply_manifest(executor_manifest(namespace))
    kube.apply_manifest(app_manifest(namespace))
    assert eventually(lambda: get_or_none(kube, Service, "hello", namespace), timeout=WAIT)
    assert eventually(lambda: deployment_of(kube, namespace), timeout=WAIT)
    assert first.stop() == 0

    kube.patch(SpinApp, "hello", {"spec": {"image": "example.com/hello:v3"}}, namespace=namespace)
    kube.delete(Service, "hello", namespace=namespace)
    managers.start(name="second")

    assert eventually(lambda: image_of(kube, namespace) == "example.com/hello:v3", timeout=WAIT)
    assert eventually(lambda: get_or_none(kube, Service, "hello", namespace), timeout=WAIT)
    selector = {APP_NAME_LABEL: "hello"}
    assert len(kube.list(Deployment, namespace=namespace, labels=selector)) == 1
    assert len(kube.list(Service, namespace=namespace, labels=selector)) == 1
    assert len(kube.list(Secret, namespace=namespace, labels=selector)) == 1


def follows(kube: Kube, namespace: str) -> bool:
    """The app's status says what its Deployment's status says (whoever wrote the latter)."""
    deployment_status = (deployment_of(kube, namespace) or {}).get("status") or {}
    status = app_status(kube, namespace)
    if status.get("readyReplicas") != (deployment_status.get("readyReplicas") or 0):
        return False
    want = condition(deployment_status, "Available")
    got = condition(status, "Available")
    if want is None or got is None:
        return False
    return all(got[k] == want.get(k, "") for k in ("status", "reason", "message"))


def test_status_follows_the_deployment(
    kube_api: Any, kube: Kube, namespace: str, manager: ManagerProcess
) -> None:
    kube.apply_manifest(executor_manifest(namespace))
    kube.apply_manifest(app_manifest(namespace, replicas=2))
    assert eventually(lambda: app_status(kube, namespace).get("activeScheduler"), timeout=WAIT)
    assert app_status(kube, namespace)["readyReplicas"] == 0

    available = {
        "type": "Available",
        "status": "True",
        "reason": "MinimumReplicasAvailable",
        "message": "Deployment has minimum availability.",
        "lastTransitionTime": "2026-01-01T00:00:00Z",
        "lastUpdateTime": "2026-01-01T00:00:00Z",
    }
    kube.patch(
        Deployment.Status,
        "hello",
        {"status": {"replicas": 2, "readyReplicas": 2, "conditions": [available]}},
        namespace=namespace,
    )

    # On a real cluster the Deployment controller rewrites the status the test patched (no
    # pods run); the app must follow whichever status the Deployment ends up with.
    assert eventually(lambda: follows(kube, namespace), timeout=WAIT)
    if not kube_api.real_cluster:
        status = app_status(kube, namespace)
        assert status["readyReplicas"] == 2
        cond = condition(status, "Available")
        assert cond is not None
        assert (cond["status"], cond["reason"]) == ("True", "MinimumReplicasAvailable")
        assert cond["message"] == "Deployment has minimum availability."


def test_scaling_the_spinapp_scales_its_deployment(
    kube: Kube, namespace: str, manager: ManagerProcess
) -> None:
    """The scale subresource an HPA or `kubectl scale spinapp` uses: the Deployment follows,
    and the status names the pods for the HPA."""
    kube.apply_manifest(executor_manifest(namespace))
    kube.apply_manifest(app_manifest(namespace))
    selector = eventually(lambda: app_status(kube, namespace).get("selector"), timeout=WAIT)
    assert selector == f"{APP_NAME_LABEL}=hello,core.spinoperator.dev/app.hello.status=ready"

    path = f"/apis/core.spinoperator.dev/v1alpha1/namespaces/{namespace}/spinapps/hello/scale"
    answer = kube.http.patch(
        path,
        content='{"spec": {"replicas": 4}}',
        headers={"Content-Type": "application/merge-patch+json"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text

    def replicas() -> int | None:
        deployment = deployment_of(kube, namespace)
        return deployment["spec"].get("replicas") if deployment else None

    assert eventually(lambda: replicas() == 4, timeout=WAIT)
    scale = kube.http.get(path, timeout=10).json()
    assert scale["status"]["selector"] == selector


def test_env_listen_port_and_scheduling_reach_the_pod(
    kube: Kube, namespace: str, manager: ManagerProcess
) -> None:
    kube.apply_manifest(
        executor_manifest(
            namespace,
            createDeployment=True,
            deploymentConfig={
                "runtimeClassName": "wasmtime-spin-v2",
                "nodeSelector": {"spinkube.dev/wasm": "true"},
            },
        )
    )
    toleration = {"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}
    kube.apply_manifest(
        app_manifest(
            namespace,
            listenPort=8080,
            env=[{"name": "NODE_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}}],
            nodeSelector={"zone": "a"},
            tolerations=[toleration],
        )
    )
    deployment = eventually(lambda: deployment_of(kube, namespace), timeout=WAIT)
    assert deployment is not None
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["ports"][0]["containerPort"] == 8080
    env = {e["name"]: e for e in container["env"]}
    assert env["SPIN_HTTP_LISTEN_ADDR"]["value"] == "0.0.0.0:8080"
    assert env["NODE_IP"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.hostIP"
    assert pod["nodeSelector"] == {"spinkube.dev/wasm": "true", "zone": "a"}
    assert [t["key"] for t in pod["tolerations"]] == ["dedicated"]
    found = eventually(lambda: get_or_none(kube, Service, "hello", namespace), timeout=WAIT)
    assert found is not None
    service = found.to_dict()
    assert service["spec"]["ports"][0]["port"] == 80
    assert service["spec"]["ports"][0]["targetPort"] == "http-app"


def test_deleted_or_edited_children_come_back(
    kube: Kube, namespace: str, manager: ManagerProcess
) -> None:
    kube.apply_manifest(executor_manifest(namespace))
    kube.apply_manifest(app_manifest(namespace))
    assert eventually(lambda: deployment_of(kube, namespace), timeout=WAIT)
    assert eventually(lambda: get_or_none(kube, Service, "hello", namespace), timeout=WAIT)
    old_uid = deployment_of(kube, namespace)["metadata"]["uid"]

    kube.delete(Deployment, "hello", namespace=namespace)
    assert eventually(
        lambda: (
            (d := deployment_of(kube, namespace)) is not None and d["metadata"]["uid"] != old_uid
        ),
        timeout=WAIT,
    )

    kube.delete(Service, "hello", namespace=namespace)
    assert eventually(lambda: get_or_none(kube, Service, "hello", namespace), timeout=WAIT)

    template = {
        "spec": {"template": {"spec": {"containers": [{"name": "hello", "image": "evil"}]}}}
    }
    kube.patch(Deployment, "hello", template, namespace=namespace)
    assert eventually(lambda: image_of(kube, namespace) == HELLO_IMAGE, timeout=WAIT)


def test_fields_other_managers_add_are_not_drift(
    kube_api: Any, kube: Kube, namespace: str, manager: ManagerProcess
) -> None:
    """kube-controller-manager writes `deployment.kubernetes.io/revision`, which bumps the
    Deployment's generation: the operator must not take it for a hand edit."""
    kube.apply_manifest(executor_manifest(namespace))
    settled = f"[{namespace}/containerd-shim-spin] Handler 'dependents' succeeded"
    assert eventually(lambda: settled in manager.logs(), timeout=WAIT)
    kube.apply_manifest(app_manifest(namespace))
    assert eventually(lambda: app_status(kube, namespace).get("activeScheduler"), timeout=WAIT)
    revision = {"metadata": {"annotations": {"deployment.kubernetes.io/revision": "7"}}}
    kube.patch(Deployment, "hello", revision, namespace=namespace)

    template = {
        "spec": {"template": {"spec": {"containers": [{"name": "hello", "image": "evil"}]}}}
    }
    kube.patch(Deployment, "hello", template, namespace=namespace)
    assert eventually(lambda: image_of(kube, namespace) == HELLO_IMAGE, timeout=WAIT)

    drift = "Deployment hello changed by someone else"
    assert eventually(lambda: drift in manager.logs(), timeout=WAIT)
    if not kube_api.real_cluster:
        # One hand edit, one drift. (A real deployment controller annotates the new revision
        # while the edit is in place, which may be seen with the edit: not counted there.)
        assert manager.logs().count(drift) == 1, manager.logs()


def test_hand_edits_of_the_runtime_config_secret_revert(
    kube: Kube, namespace: str, manager: ManagerProcess
) -> None:
    kube.apply_manifest(executor_manifest(namespace))
    kube.apply_manifest(app_manifest(namespace))
    name = eventually(lambda: runtime_config_secret_name(kube, namespace), timeout=WAIT)
    assert name
    original = eventually(lambda: get_or_none(kube, Secret, name, namespace), timeout=WAIT)
    assert original is not None

    bogus = base64.b64encode(b"[[config_provider]]\ntype = 'nope'\n").decode()
    kube.patch(Secret, name, {"data": {"runtime-config.toml": bogus}}, namespace=namespace)
    assert eventually(
        lambda: kube.get(Secret, name, namespace=namespace).data == original.data, timeout=WAIT
    )

    kube.delete(Secret, name, namespace=namespace)
    assert eventually(lambda: get_or_none(kube, Secret, name, namespace), timeout=WAIT)


def kopf_bookkeeping(obj: Any) -> dict[str, str]:
    annotations = obj.metadata.annotations or {}
    return {k: v for k, v in annotations.items() if "kopf" in k or "last-handled" in k}


def test_users_objects_carry_no_operator_bookkeeping(
    kube: Kube, namespace: str, managers: Managers
) -> None:
    """kopf's diff base and progress stay in the operator's memory, as upstream writes nothing
    on SpinApps and executors (the executor gets only the finalizer)."""
    first = managers.start(name="first")
    kube.apply_manifest(executor_manifest(namespace))
    kube.apply_manifest(app_manifest(namespace))
    assert eventually(lambda: app_status(kube, namespace).get("activeScheduler"), timeout=WAIT)
    kube.patch(SpinApp, "hello", {"spec": {"image": "example.com/hello:v2"}}, namespace=namespace)
    assert eventually(lambda: image_of(kube, namespace) == "example.com/hello:v2", timeout=WAIT)
    assert first.stop() == 0
    managers.start(name="second")  # resumes the app from the API, not from annotations
    kube.patch(SpinApp, "hello", {"spec": {"image": "example.com/hello:v3"}}, namespace=namespace)
    assert eventually(lambda: image_of(kube, namespace) == "example.com/hello:v3", timeout=WAIT)

    app = kube.get(SpinApp, "hello", namespace=namespace)
    executor = kube.get(SpinAppExecutor, "containerd-shim-spin", namespace=namespace)
    assert kopf_bookkeeping(app) == {}
    assert kopf_bookkeeping(executor) == {}
    assert executor.metadata is not None
    assert executor.metadata.finalizers == [FINALIZER]
    assert app.metadata is not None
    assert not app.metadata.finalizers


def test_the_resync_picks_up_what_no_watch_reports(
    kube: Kube, namespace: str, managers: Managers
) -> None:
    """ConfigMaps the runtime config reads are not watched; `--sync-period` reconciles every
    app anyway, so a changed value reaches a new runtime-config Secret."""
    managers.start("--sync-period=1")
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "redis", "namespace": namespace},
        "data": {"url": "redis://one"},
    }
    kube.apply_manifest(config_map)
    kube.apply_manifest(executor_manifest(namespace))
    option = {"name": "url", "valueFrom": {"configMapKeyRef": {"name": "redis", "key": "url"}}}
    store = {"name": "default", "type": "redis", "options": [option]}
    kube.apply_manifest(app_manifest(namespace, runtimeConfig={"keyValueStores": [store]}))
    first = eventually(lambda: runtime_config_secret_name(kube, namespace), timeout=WAIT)
    assert first

    kube.apply_manifest({**config_map, "data": {"url": "redis://two"}})

    second = eventually(
        lambda: (name := runtime_config_secret_name(kube, namespace)) != first and name,
        timeout=WAIT,
    )
    assert second
    toml = base64.b64decode(
        kube.get(Secret, second, namespace=namespace).data["runtime-config.toml"]
    )
    assert b"url = 'redis://two'" in toml


def test_health_and_metrics(kube: Kube, namespace: str, manager: ManagerProcess) -> None:
    kube.apply_manifest(executor_manifest(namespace))
    kube.apply_manifest(app_manifest(namespace))
    assert eventually(lambda: deployment_of(kube, namespace), timeout=WAIT)

    assert http_get(f"http://127.0.0.1:{manager.health_port}/healthz") == (200, "ok\n")
    assert http_get(f"http://127.0.0.1:{manager.health_port}/readyz") == (200, "ok\n")
    assert eventually(
        lambda: (
            'controller_runtime_reconcile_total{controller="spinapp",result="success"}'
            in manager.metrics()
        )
    )
    assert "controller_runtime_reconcile_time_seconds_bucket" in manager.metrics()


# -- high availability ---------------------------------------------------------------------------


def lease_holder(kube: Kube, namespace: str) -> str | None:
    lease = get_or_none(kube, Lease, "spin-operator-leader", namespace)
    return lease.spec.holderIdentity if lease is not None and lease.spec else None


FAST_ELECTION = (
    "--leader-elect",
    "--leader-election-lease-duration=3",
    "--leader-election-renew-deadline=2",
    "--leader-election-retry-period=0.5",
)


def test_leader_election_one_reconciles_and_the_other_takes_over(
    kube: Kube, namespace: str, managers: Managers
) -> None:
    election = (*FAST_ELECTION, f"--leader-election-namespace={namespace}")
    a = managers.start(*election, name="a")
    b = managers.start(*election, name="b", wait_controllers=False)
    assert lease_holder(kube, namespace) == "a"
    assert 'leader_election_master_status{name="spin-operator-leader"} 1.0' in a.metrics()
    assert 'leader_election_master_status{name="spin-operator-leader"} 1.0' not in b.metrics()

    kube.apply_manifest(executor_manifest(namespace))
    kube.apply_manifest(app_manifest(namespace))
    assert eventually(lambda: deployment_of(kube, namespace), timeout=WAIT)
    assert eventually(
        lambda: f"[{namespace}/hello] Handler 'reconcile' succeeded" in a.logs(), timeout=WAIT
    ), a.logs()
    assert "Handler 'reconcile'" not in b.logs()
    assert "controllers started" not in b.logs()

    a.stop(signal.SIGKILL)

    assert eventually(lambda: lease_holder(kube, namespace) == "b", timeout=WAIT)
    assert eventually(lambda: "controllers started" in b.logs(), timeout=WAIT)
    kube.apply_manifest(app_manifest(namespace, name="after"))
    assert eventually(lambda: deployment_of(kube, namespace, "after"), timeout=WAIT)


def test_leader_releases_the_lease_on_shutdown(
    kube: Kube, namespace: str, managers: Managers
) -> None:
    election = (*FAST_ELECTION, f"--leader-election-namespace={namespace}")
    a = managers.start(*election, name="a")
    assert lease_holder(kube, namespace) == "a"

    assert a.stop() == 0

    assert not lease_holder(kube, namespace)


def test_json_logs_name_the_object(kube: Kube, namespace: str, managers: Managers) -> None:
    manager = managers.start("--log-format=json", "--log-level=info")
    kube.apply_manifest(executor_manifest(namespace))
    kube.apply_manifest(app_manifest(namespace))
    assert eventually(lambda: deployment_of(kube, namespace), timeout=WAIT)

    def reconciled_line() -> dict[str, Any] | None:
        for line in manager.logs().splitlines():
            record = json.loads(line)
            if "Handler 'reconcile' succeeded" in record.get("message", ""):
                return dict(record)
        return None

    record = eventually(reconciled_line, timeout=WAIT)
    assert record is not None
    assert record["message"].startswith(f"[{namespace}/hello] ")
    assert record["object"]["name"] == "hello"


def test_an_app_that_cannot_be_built_is_a_warning_and_a_condition(
    kube: Kube, namespace: str, manager: ManagerProcess
) -> None:
    kube.apply_manifest(executor_manifest(namespace))
    kube.apply_manifest(app_manifest(namespace, checks={"readiness": {}}))

    found = eventually(lambda: events(kube, namespace, "hello", "InvalidSpec"), timeout=WAIT)
    assert "probe exists but with unknown configuration" in found[0].message
    reconciled = eventually(lambda: condition(app_status(kube, namespace), "Reconciled"))
    assert reconciled is not None
    assert (reconciled["status"], reconciled["reason"]) == ("False", "InvalidSpec")
    assert deployment_of(kube, namespace) is None

    kube.patch(SpinApp, "hello", {"spec": {"checks": None}}, namespace=namespace)

    assert eventually(lambda: deployment_of(kube, namespace), timeout=WAIT)


@pytest.mark.parametrize(
    ("config", "secret"),
    [
        pytest.param({}, "spin-ca", id="default-name"),
        pytest.param(
            {"caCertSecret": "my-custom-secret-name"}, "my-custom-secret-name", id="named"
        ),
    ],
)
def test_the_default_ca_bundle_is_installed_and_mounted(
    kube: Kube, namespace: str, manager: ManagerProcess, config: dict[str, Any], secret: str
) -> None:
    deployment_config = {"runtimeClassName": "wasmtime-spin-v2", "installDefaultCACerts": True}
    kube.apply_manifest(
        executor_manifest(
            namespace, createDeployment=True, deploymentConfig={**deployment_config, **config}
        )
    )
    kube.apply_manifest(app_manifest(namespace))

    found = eventually(lambda: get_or_none(kube, Secret, secret, namespace), timeout=WAIT)
    assert found is not None
    bundle = base64.b64decode((found.data or {})["ca-certificates.crt"]).decode()
    assert "BEGIN CERTIFICATE" in bundle
    assert found.metadata.ownerReferences is None
    deployment = eventually(lambda: deployment_of(kube, namespace), timeout=WAIT)
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    assert volumes["spin-ca"]["secret"]["secretName"] == secret


def test_secure_metrics_refuse_an_unknown_token(
    namespace: str, managers: Managers, tmp_path: Path
) -> None:
    certs = tmp_path / "certs"
    self_signed(certs)
    manager = managers.start("--metrics-secure", f"--metrics-cert-dir={certs}")
    context = ssl.create_default_context(cafile=str(certs / "tls.crt"))

    def scrape(token: str | None) -> tuple[int, str]:
        return manager.secure_metrics(context, token)

    assert scrape(None) == (401, "Authentication failed\n")
    assert scrape("bogus-token") == (401, "Authentication failed\n")


def request_token(kube: Kube, namespace: str, account: str) -> str:
    """A token for a ServiceAccount (TokenRequest), created first."""
    kube.apply_manifest(
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": account}},
        namespace=namespace,
    )
    request = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}}
    path = f"/api/v1/namespaces/{namespace}/serviceaccounts/{account}/token"
    answer = kube.http.post(path, json=request, timeout=10)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["status"]["token"])


def metrics_reader_rules() -> list[Any]:
    """The rules of the chart's `metrics-reader` ClusterRole, as rendered in config/deploy."""
    rendered = yaml.safe_load_all((ROOT / "config" / "deploy" / "spin-operator.yaml").read_text())
    role = next(
        d
        for d in rendered
        if d and d["kind"] == "ClusterRole" and d["metadata"]["name"].endswith("-metrics-reader")
    )
    return list(role["rules"])


@pytest.fixture
def metrics_reader(kube: Kube, namespace: str) -> Iterator[str]:
    """A ServiceAccount `scraper` bound to a copy of the chart's metrics-reader ClusterRole
    (uniquely named: ClusterRoles are cluster-wide); both are removed afterwards."""
    role = f"spinkube-test-metrics-reader-{namespace[-8:]}"
    kube.apply_manifest(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": role},
            "rules": metrics_reader_rules(),
        }
    )
    kube.apply_manifest(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": role},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": role,
            },
            "subjects": [{"kind": "ServiceAccount", "name": "scraper", "namespace": namespace}],
        }
    )
    yield "scraper"
    for res in (ClusterRoleBinding, ClusterRole):
        with contextlib.suppress(NotFound):
            kube.delete(res, role)


def test_metrics_are_served_securely_by_default(
    kube: Kube, namespace: str, managers: Managers, metrics_reader: str
) -> None:
    """As upstream: HTTPS (a self-signed certificate when none is given), a bearer token a
    TokenReview accepts, and a user a SubjectAccessReview allows to get /metrics."""
    allowed = request_token(kube, namespace, metrics_reader)
    stranger = request_token(kube, namespace, "stranger")
    manager = managers.start(plain_metrics=False)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the self-signed certificate names this host

    def scrape(token: str | None) -> tuple[int, str]:
        return manager.secure_metrics(context, token)

    assert http_get(f"http://127.0.0.1:{manager.metrics_port}/metrics")[0] != 200
    assert scrape(None) == (401, "Authentication failed\n")
    assert scrape("bogus-token") == (401, "Authentication failed\n")
    assert scrape(stranger)[0] == 403
    # A real API server's RBAC cache may lag the new binding; a denial is cached a minute.
    text = eventually(lambda: (answer := scrape(allowed))[0] == 200 and answer[1], timeout=90)
    assert text, scrape(allowed)
    assert "controller_runtime_reconcile_total" in text


def test_a_leader_that_loses_its_lease_exits_non_zero(
    kube: Kube, namespace: str, managers: Managers
) -> None:
    a = managers.start(*FAST_ELECTION, f"--leader-election-namespace={namespace}", name="a")

    def take_over() -> bool:
        lease = kube.get(Lease, "spin-operator-leader", namespace=namespace)
        assert lease.spec is not None
        lease.spec.holderIdentity = "intruder"
        lease.spec.renewTime = datetime.datetime.now(datetime.UTC)
        try:
            kube.replace(lease)
        except Conflict:  # the leader renewed in between: try again
            return False
        return True

    assert eventually(take_over, timeout=WAIT)

    assert eventually(lambda: a.process.poll() is not None, timeout=WAIT)
    assert a.process.returncode == 1
    assert "leader election lost: the lease is held by intruder" in a.logs()


# -- what a reconciliation costs in requests --------------------------------------------------

WRITES = ("create", "update", "patch", "apply", "delete")
API_REQUESTS = "spin_operator_api_requests_total"


def api_requests(manager: ManagerProcess) -> dict[tuple[str, str], int]:
    """The operator's own requests so far, by (verb, resource)."""
    return manager.api_requests(API_REQUESTS)


def settled(manager: ManagerProcess) -> dict[tuple[str, str], int]:
    """The request counts once they stopped moving (two reads a second apart agree)."""
    last: list[dict[tuple[str, str], int]] = [api_requests(manager)]

    def still() -> bool:
        current = api_requests(manager)
        same = current == last[0]
        last[0] = current
        return same

    assert eventually(still, timeout=WAIT, interval=1.0)
    return last[0]


def delta(
    after: dict[tuple[str, str], int], before: dict[tuple[str, str], int]
) -> dict[tuple[str, str], int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}


def writes(counts: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    return {k: v for k, v in counts.items() if k[0] in WRITES}


def reconciled_ok(manager: ManagerProcess, at_least: int) -> bool:
    line = 'controller_runtime_reconcile_total{controller="spinapp",result="success"} '
    for text in manager.metrics().splitlines():
        if text.startswith(line):
            return float(text[len(line) :]) >= at_least
    return False


def test_a_reconciliation_costs_only_the_writes_it_must(
    kube_api: Any, kube: Kube, namespace: str, managers: Managers
) -> None:
    """Two apps created: per app one apply of its Deployment and of its Service, one create
    of its runtime-config Secret, at most one status patch, and one `spin-ca` Secret for the
    namespace; the executor is never fetched (a watch serves it); no Events. An image update
    re-applies only the Deployment. A restart and a resync with nothing changed write nothing.

    On a real cluster kube-controller-manager moves each Deployment's status, and every move
    is a real change of the app's status: only there the status patches may be more."""
    status_budget = 4 if kube_api.real_cluster else 1
    apps = ("alpha", "beta")
    first = managers.start(name="first")
    spec = {
        "createDeployment": True,
        "deploymentConfig": {"runtimeClassName": "wasmtime-spin-v2", "installDefaultCACerts": True},
    }
    kube.apply_manifest(executor_manifest(namespace, **spec))
    before = settled(first)
    for name in apps:
        kube.apply_manifest(app_manifest(namespace, name))
    for name in apps:
        assert eventually(lambda n=name: get_or_none(kube, Service, n, namespace), timeout=WAIT)
        assert eventually(lambda n=name: app_status(kube, namespace, n), timeout=WAIT)
    created = delta(settled(first), before)
    assert writes(created).get(("apply", "deployments")) == len(apps), created
    assert writes(created).get(("apply", "services")) == len(apps), created
    secrets = created.get(("create", "secrets"), 0) + created.get(("apply", "secrets"), 0)
    assert secrets == len(apps) + 1, created  # a runtime config each, one spin-ca
    assert created.get(("patch", "spinapps/status"), 0) <= status_budget * len(apps), created
    assert ("create", "events") not in created, created
    assert ("get", "spinappexecutors") not in created, created

    before = settled(first)
    new_image = "example.com/hello:v2"
    kube.patch(SpinApp, "alpha", {"spec": {"image": new_image}}, namespace=namespace)
    assert eventually(lambda: image_of(kube, namespace, "alpha") == new_image, timeout=WAIT)
    updated = writes(delta(settled(first), before))
    assert updated.pop(("apply", "deployments")) == 1, updated
    assert updated.pop(("patch", "spinapps/status"), 0) <= status_budget, updated
    assert updated == {}, updated
    assert first.stop() == 0

    second = managers.start("--sync-period=2", name="second")
    assert eventually(lambda: reconciled_ok(second, len(apps)), timeout=WAIT)  # resumed
    assert eventually(lambda: "resync: 2 SpinApps reconciled" in second.logs(), timeout=WAIT)
    assert writes(settled(second)) == {}
