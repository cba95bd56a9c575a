"""Which app a child belongs to, and whether someone else changed it."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from spinkube.operator.controllers.children import (
    DEPLOYMENT,
    SECRET,
    SERVICE,
    drifted,
    is_current,
    owner_app,
)
from spinkube.operator.controllers.errors import backoff
from spinkube.operator.controllers.requeue import prefix
from spinkube.operator.controllers.state import AppKey, Applied, AppState


def child(**meta: Any) -> dict[str, Any]:
    return {"metadata": {"namespace": "ns", **meta}}


def test_the_owner_is_the_controlling_spinapp() -> None:
    owner = {"apiVersion": "core.spinoperator.dev/v1alpha1", "kind": "SpinApp", "name": "hello"}
    other = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "x"}

    assert owner_app(child(ownerReferences=[other, owner])) == AppKey("ns", "hello")


def test_without_owner_the_label_names_the_app() -> None:
    labels = {"core.spinoperator.dev/app-name": "hello"}

    assert owner_app(child(labels=labels)) == AppKey("ns", "hello")
    assert owner_app(child()) is None


DESIRED_DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "hello", "labels": {"app": "hello"}},
    "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "c", "image": "v1"}]}}},
}


def served(generation: int, image: str = "v1", **annotations: str) -> dict[str, Any]:
    """The Deployment as a real API server serves it: defaults and other managers' fields."""
    container = {"name": "c", "image": image, "terminationMessagePath": "/dev/termination-log"}
    return {
        "metadata": {
            "namespace": "ns",
            "generation": generation,
            "labels": {"app": "hello"},
            "annotations": annotations,
        },
        "spec": {
            "replicas": 1,
            "strategy": {"type": "RollingUpdate"},
            "template": {"spec": {"containers": [container]}},
        },
        "status": {"readyReplicas": 0},
    }


def applied_deployment(generation: int) -> Applied:
    return Applied(deployment_generation=generation, deployment=DESIRED_DEPLOYMENT)


REVISION = "deployment.kubernetes.io/revision"


@pytest.mark.parametrize(
    ("body", "applied", "expected"),
    [
        pytest.param(served(2), applied_deployment(2), False, id="same-generation"),
        pytest.param(served(3, image="evil"), applied_deployment(2), True, id="edited-image"),
        pytest.param(
            served(3, **{REVISION: "1"}), applied_deployment(2), False, id="revision-annotation"
        ),
        pytest.param(served(1, image="evil"), applied_deployment(2), False, id="stale-event"),
        pytest.param(served(9, image="evil"), None, False, id="not-applied-yet"),
    ],
)
def test_deployment_drift(body: dict[str, Any], applied: Applied | None, expected: bool) -> None:
    assert drifted(DEPLOYMENT, body, applied) is expected


def test_a_removed_label_is_drift() -> None:
    body = served(3)
    body["metadata"]["labels"] = {}
    assert drifted(DEPLOYMENT, body, applied_deployment(2))


DESIRED_SERVICE = {"metadata": {"name": "hello"}, "spec": {"ports": [{"port": 80}]}}


@pytest.mark.parametrize(
    ("version", "spec", "expected"),
    [
        pytest.param("7", {"ports": [{"port": 81}]}, False, id="own-apply"),
        pytest.param("8", {"ports": [{"port": 81}]}, True, id="edited"),
        pytest.param(
            "8",
            {"ports": [{"port": 80, "protocol": "TCP"}], "clusterIP": "x"},
            False,
            id="defaults-only",
        ),
    ],
)
def test_service_drift(version: str, spec: dict[str, Any], expected: bool) -> None:
    applied = Applied(service_version="7", service=DESIRED_SERVICE)
    body = {"metadata": {"resourceVersion": version}, "spec": spec}
    assert drifted(SERVICE, body, applied) is expected


def test_only_the_current_runtime_config_secret_is_watched() -> None:
    desired = {"metadata": {"name": "hello-1"}, "data": {"runtime-config.toml": "YQ=="}}
    applied = Applied(secret_version="5", secret=desired)
    edited = {"metadata": {"name": "hello-1", "resourceVersion": "6"}, "data": {}}
    old = {"metadata": {"name": "hello-0", "resourceVersion": "6"}, "data": {}}

    assert is_current(SECRET, edited, applied)
    assert drifted(SECRET, edited, applied)
    assert not is_current(SECRET, old, applied)


def test_forgetting_an_app_drops_everything_about_it() -> None:
    state = AppState()
    key = AppKey("ns", "a")
    state.lock(key)
    state.status[key] = {"readyReplicas": 0}
    state.applied[key] = Applied(1, "1")
    state.waiting.add(key)

    state.forget(key)

    assert (state.locks, state.status, state.applied, state.waiting) == ({}, {}, {}, set())


@pytest.mark.parametrize(
    ("retry", "expected"), [(0, 1.0), (1, 2.0), (3, 8.0), (5, 30.0), (1000, 30.0)]
)
def test_backoff_doubles_up_to_a_cap(retry: int, expected: float) -> None:
    assert backoff(retry) == expected


def test_status_never_goes_back_to_an_older_deployment() -> None:
    """A watch event that waited for the app's lock may carry an older Deployment than the
    one a reconciliation just wrote the status from."""
    state = AppState()
    key = AppKey("ns", "a")

    def newest(version: str) -> bool:
        return state.newest_deployment(key, {"metadata": {"resourceVersion": version}})

    assert newest("10")
    assert not newest("9")
    assert newest("10")
    assert newest("12")
    assert newest("opaque-version")


def test_log_lines_name_the_app_once() -> None:
    """kopf's logger prefixes `[namespace/name]` itself; a plain logger (the resync's) needs it."""
    plain = logging.getLogger("spinkube.test")
    kopf_like = logging.LoggerAdapter(plain, {})
    key = AppKey("ns", "hello")

    assert prefix(plain, key) == "[ns/hello] "
    assert prefix(kopf_like, key) == ""
