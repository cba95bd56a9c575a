"""The real `spin-operator` process against the API tier: the SpinApp lifecycle of
upstream-behaviour §2.2, the executor finalizer, restarts, drift and leader election.

Each test runs its own manager(s) watching only the test's namespace. Nothing waits for pods:
a Deployment's status is patched by the test where status matters.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import signal
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.coordination_v1 import Lease
from lightkube.resources.core_v1 import ConfigMap, Event, Secret, Service

from spinkube.api import APP_NAME_LABEL, FINALIZER
from spinkube.api import SpinApp as SpinAppModel
from spinkube.api import SpinAppExecutor as ExecutorModel
from spinkube.desired import ResolvedInputs, build_children
from spinkube.kube import Conflict, Kube, NotFound, SpinApp, SpinAppExecutor
from spinkube.testing import eventually, free_port
from spinkube.testing.certs import self_signed

pytestmark = pytest.mark.api

ROOT = Path(__file__).resolve().parents[2]
CRD_DIR = ROOT / "config" / "crd"
API_VERSION = "core.spinoperator.dev/v1alpha1"
IMAGE = "ghcr.io/spinkube/containerd-shim-spin/examples/spin-rust-hello:v0.13.0"
START_TIMEOUT = 30.0
WAIT = 30.0


def operator_command() -> list[str]:
    script = Path(sys.executable).with_name("spin-operator")
    return [str(script)] if script.exists() else [sys.executable, "-m", "spinkube.operator"]


def http_get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


@dataclass
class Manager:
    """One `spin-operator` process and where it logs and serves."""

    process: subprocess.Popen[bytes]
    log: Path
    health_port: int
    metrics_port: int

    def logs(self) -> str:
        return self.log.read_text(errors="replace")

    def metrics(self) -> str:
        return http_get(f"http://127.0.0.1:{self.metrics_port}/metrics")[1]

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return int(self.process.returncode)


class Managers:
    """Starts managers for one test and stops every one of them afterwards."""

    def __init__(self, kubeconfig: Path, namespace: str, tmp_path: Path) -> None:
        self.kubeconfig = kubeconfig
        self.namespace = namespace
        self.tmp_path = tmp_path
        self.started: list[Manager] = []

    def start(self, *extra: str, name: str = "op", wait_controllers: bool = True) -> Manager:
        health, metrics = free_port(), free_port()
        log = self.tmp_path / f"{name}-{len(self.started)}.log"
        command = [
            *operator_command(),
            f"--kubeconfig={self.kubeconfig}",
            f"--namespace={self.namespace}",
            f"--health-probe-bind-address=127.0.0.1:{health}",
            f"--metrics-bind-address=127.0.0.1:{metrics}",
            "--log-level=debug",
            *extra,
        ]
        env = {**os.environ, "POD_NAME": name}
        with log.open("wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        manager = Manager(process, log, health, metrics)
        self.started.append(manager)
        ready = eventually(
            lambda: (
                process.poll() is not None
                or http_get(f"http://127.0.0.1:{health}/readyz")[0] == 200
            ),
            timeout=START_TIMEOUT,
        )
        assert ready, manager.logs()
        assert process.poll() is None, manager.logs()
        if wait_controllers:
            assert eventually(lambda: "controllers started" in manager.logs(), timeout=WAIT), (
                manager.logs()
            )
        return manager

    def stop_all(self) -> None:
        for manager in self.started:
            manager.stop()


@pytest.fixture(scope="module")
def crds(kube_api: Any) -> None:
    for path in sorted(CRD_DIR.glob("*.yaml")):
        kube_api.kube.apply_manifest(yaml.safe_load(path.read_text()))

    def served() -> bool:
        try:
            kube_api.kube.list(SpinApp, namespace="default")
            kube_api.kube.list(SpinAppExecutor, namespace="default")
        except NotFound:  # a real API server serves a new CRD a moment later
            return False
        return True

    assert eventually(served, timeout=WAIT)


@pytest.fixture
def managers(kube_api: Any, namespace: str, tmp_path: Path, crds: None) -> Iterator[Managers]:
    started = Managers(kube_api.kubeconfig, namespace, tmp_path)
    yield started
    started.stop_all()


@pytest.fixture
def manager(managers: Managers) -> Manager:
    return managers.start()


# -- objects ---------------------------------------------------------------------------------


def executor_manifest(namespace: str, name: str = "containerd-shim-spin", **spec: Any) -> Any:
    return {
        "apiVersion": API_VERSION,
        "kind": "SpinAppExecutor",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec
        or {
            "createDeployment": True,
            "deploymentConfig": {"runtimeClassName": "wasmtime-spin-v2"},
        },
    }


def app_manifest(namespace: str, name: str = "hello", **spec: Any) -> Any:
    return {
        "apiVersion": API_VERSION,
        "kind": "SpinApp",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"image": IMAGE, "replicas": 1, "executor": "containerd-shim-spin", **spec},
    }


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
    kube: Kube, namespace: str, manager: Manager
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
    assert eventually(lambda: events(kube, namespace, "hello", "Reconciled"), timeout=WAIT)
    managed = [f["manager"] for f in deployment["metadata"].get("managedFields") or []]
    assert "spin-operator" in managed


def test_image_update_updates_the_deployment(kube: Kube, namespace: str, manager: Manager) -> None:
    kube.apply_manifest(executor_manifest(namespace))
    kube.apply_manifest(app_manifest(namespace))
    assert eventually(lambda: image_of(kube, namespace) == IMAGE, timeout=WAIT)

    kube.patch(SpinApp, "hello", {"spec": {"image": "example.com/hello:v2"}}, namespace=namespace)

    assert eventually(lambda: image_of(kube, namespace) == "example.com/hello:v2", timeout=WAIT)


def test_runtime_config_change_gives_a_new_secret_and_a_rollout(
    kube: Kube, namespace: str, manager: Manager
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
    kube: Kube, namespace: str, manager: Manager
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
    kube: Kube, namespace: str, manager: Manager
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
    kube: Kube, namespace: str, manager: Manager
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
    kube: Kube, namespace: str, manager: Manager
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
    kube_api: Any, kube: Kube, namespace: str, manager: Manager
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


def test_deleted_or_edited_children_come_back(kube: Kube, namespace: str, manager: Manager) -> None:
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
    assert eventually(lambda: image_of(kube, namespace) == IMAGE, timeout=WAIT)


def test_health_and_metrics(kube: Kube, namespace: str, manager: Manager) -> None:
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
    # kopf logs the success after the handler returned, a moment after the Deployment exists.
    reconciled = f"[{namespace}/hello] Handler 'reconcile' succeeded"
    assert eventually(lambda: reconciled in a.logs(), timeout=WAIT), a.logs()
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
    kube: Kube, namespace: str, manager: Manager
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
    kube: Kube, namespace: str, manager: Manager, config: dict[str, Any], secret: str
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
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        url = f"https://127.0.0.1:{manager.metrics_port}/metrics"
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, context=context, timeout=10) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    assert scrape(None) == (401, "Authentication failed\n")
    assert scrape("bogus-token") == (401, "Authentication failed\n")


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
