"""The pod's scheduling: the executor's constraints with the app's merged over them; the
listen port followed by the env, the container port and the probes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from spinkube.api import SpinApp, SpinAppExecutor
from spinkube.desired import build_children

Pod = Callable[..., dict[str, Any]]


@pytest.fixture
def spinapp(make_app: Callable[..., SpinApp]) -> Callable[..., SpinApp]:
    return make_app


@pytest.fixture
def executor(make_executor: Callable[..., SpinAppExecutor]) -> Callable[..., SpinAppExecutor]:
    return make_executor


@pytest.fixture
def pod(spinapp: Callable[..., SpinApp], executor: Callable[..., SpinAppExecutor]) -> Pod:
    def build(app_spec: dict[str, Any], config: dict[str, Any] | None = None) -> dict[str, Any]:
        deployment_config = {"runtimeClassName": "wasmtime-spin-v2", **(config or {})}
        children = build_children(spinapp(**app_spec), executor(deploymentConfig=deployment_config))
        assert children.deployment is not None
        return dict(children.deployment["spec"]["template"]["spec"])

    return build


def test_without_scheduling_the_pod_has_none(pod: Pod) -> None:
    assert not {"nodeSelector", "tolerations", "affinity"} & set(pod({}))


def test_node_selectors_merge_with_the_apps_values_winning(pod: Pod) -> None:
    built = pod(
        {"nodeSelector": {"zone": "a", "disk": "ssd"}},
        {"nodeSelector": {"zone": "b", "os": "linux"}},
    )
    assert built["nodeSelector"] == {"zone": "a", "os": "linux", "disk": "ssd"}


def test_tolerations_add_up_once_each(pod: Pod) -> None:
    shared = {"key": "wasm", "operator": "Exists"}
    own = {"key": "dedicated", "operator": "Equal", "value": "spin", "effect": "NoSchedule"}
    built = pod({"tolerations": [shared, own]}, {"tolerations": [shared]})
    assert built["tolerations"] == [shared, own]


def test_each_kind_of_affinity_of_the_app_replaces_the_executors(pod: Pod) -> None:
    node = {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}
    anti = {"preferredDuringSchedulingIgnoredDuringExecution": []}
    built = pod(
        {"affinity": {"podAntiAffinity": anti}},
        {"affinity": {"nodeAffinity": node, "podAntiAffinity": {"x": 1}}},
    )
    assert built["affinity"] == {"nodeAffinity": node, "podAntiAffinity": anti}


def test_the_listen_port_moves_env_port_and_probes_but_not_the_service(
    spinapp: Callable[..., SpinApp], executor: Callable[..., SpinAppExecutor]
) -> None:
    app = spinapp(listenPort=8080, checks={"liveness": {"httpGet": {"path": "/"}}})
    children = build_children(app, executor())
    assert children.deployment is not None
    container = children.deployment["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "SPIN_HTTP_LISTEN_ADDR", "value": "0.0.0.0:8080"} in container["env"]
    assert container["ports"] == [{"name": "http-app", "containerPort": 8080}]
    assert container["livenessProbe"]["httpGet"]["port"] == 8080
    assert children.service["spec"]["ports"] == [
        {"protocol": "TCP", "port": 80, "targetPort": "http-app"}
    ]


def test_extra_env_comes_after_the_operators(
    spinapp: Callable[..., SpinApp], executor: Callable[..., SpinAppExecutor]
) -> None:
    app = spinapp(env=[{"name": "RUST_LOG", "value": "info"}])
    children = build_children(app, executor())
    assert children.deployment is not None
    env = children.deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    assert [e["name"] for e in env] == ["SPIN_HTTP_LISTEN_ADDR", "RUST_LOG"]
