"""Container environment (upstream `deployment_test.go` `TestConstructEnvForApp`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from spinkube.api import SpinApp, SpinAppExecutor
from spinkube.desired import build_env, deployment_config, variable_env_name

AppFactory = Callable[..., SpinApp]
ExecutorFactory = Callable[..., SpinAppExecutor]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("greetee", "SPIN_VARIABLE_GREETEE", id="lower"),
        pytest.param(
            "simple_secret_with_numb3rs",
            "SPIN_VARIABLE_SIMPLE_SECRET_WITH_NUMB3RS",
            id="underscores-and-digits",
        ),
    ],
)
def test_variable_env_name(name: str, expected: str) -> None:
    assert variable_env_name(name) == expected


def test_construct_env_for_app(make_app: AppFactory, make_executor: ExecutorFactory) -> None:
    """TestConstructEnvForApp: names upper-cased, value and valueFrom (secret, field) kept,
    then the listen address and the OTel endpoints, in that order."""
    app = make_app(
        variables=[
            {"name": "greetee", "value": "Fermyon"},
            {
                "name": "simple_secret_with_numb3rs",
                "valueFrom": {"secretKeyRef": {"name": "my-secret", "key": "password"}},
            },
            {"name": "pod_ip", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        ]
    )
    executor = make_executor(
        deploymentConfig={
            "runtimeClassName": "x",
            "otel": {
                "exporter_otlp_endpoint": "http://otel:4318",
                "exporter_otlp_traces_endpoint": "http://otel:4318/v1/traces",
                "exporter_otlp_metrics_endpoint": "http://otel:4318/v1/metrics",
                "exporter_otlp_logs_endpoint": "http://otel:4318/v1/logs",
            },
        }
    )
    env = build_env(app, deployment_config(executor))
    assert env == [
        {"name": "SPIN_VARIABLE_GREETEE", "value": "Fermyon"},
        {
            "name": "SPIN_VARIABLE_SIMPLE_SECRET_WITH_NUMB3RS",
            "valueFrom": {"secretKeyRef": {"key": "password", "name": "my-secret"}},
        },
        {"name": "SPIN_VARIABLE_POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        {"name": "SPIN_HTTP_LISTEN_ADDR", "value": "0.0.0.0:80"},
        {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://otel:4318"},
        {"name": "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "value": "http://otel:4318/v1/traces"},
        {"name": "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "value": "http://otel:4318/v1/metrics"},
        {"name": "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "value": "http://otel:4318/v1/logs"},
    ]


def test_empty_otel_endpoints_are_left_out(
    make_app: AppFactory, make_executor: ExecutorFactory
) -> None:
    executor = make_executor(
        deploymentConfig={"runtimeClassName": "x", "otel": {"exporter_otlp_logs_endpoint": "l"}}
    )
    names = [e["name"] for e in build_env(make_app(), deployment_config(executor))]
    assert names == ["SPIN_HTTP_LISTEN_ADDR", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"]


def test_components_to_retain_comes_last(
    make_app: AppFactory, make_executor: ExecutorFactory
) -> None:
    executor = make_executor(
        deploymentConfig={"runtimeClassName": "x", "otel": {"exporter_otlp_endpoint": "e"}}
    )
    env = build_env(make_app(components=["hello", "bye"]), deployment_config(executor))
    assert env[-1] == {"name": "SPIN_COMPONENTS_TO_RETAIN", "value": "hello,bye"}
    assert [e["name"] for e in env][:2] == ["SPIN_HTTP_LISTEN_ADDR", "OTEL_EXPORTER_OTLP_ENDPOINT"]


def test_no_components_no_retain_variable(
    make_app: AppFactory, make_executor: ExecutorFactory
) -> None:
    env = build_env(make_app(), deployment_config(make_executor()))
    assert env == [{"name": "SPIN_HTTP_LISTEN_ADDR", "value": "0.0.0.0:80"}]
