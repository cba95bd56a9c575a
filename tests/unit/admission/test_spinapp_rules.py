"""SpinApp validation rules and messages (upstream `internal/webhook/spinapp_validating_test.go`
for the first three tables; the rest are rules upstream lacks)."""

from __future__ import annotations

from typing import Any

import pytest

from spinkube.admission import (
    SPINAPP_WEBHOOK,
    denial_message,
    validate_annotations,
    validate_checks,
    validate_executor_ref,
    validate_image,
    validate_replicas,
    validate_resources,
    validate_runtime_config,
    validate_spinapp,
    validate_variables,
    validate_volumes,
)
from spinkube.api import SpinApp, SpinAppExecutor

SHIM = SpinAppExecutor.model_validate(
    {
        "metadata": {"name": "containerd-shim-spin", "namespace": "default"},
        "spec": {"createDeployment": True, "deploymentConfig": {"runtimeClassName": "x"}},
    }
)
EXTERNAL = SpinAppExecutor.model_validate(
    {"metadata": {"name": "cyclotron", "namespace": "default"}, "spec": {"createDeployment": False}}
)


def _app(**spec: Any) -> SpinApp:
    spec.setdefault("image", "ghcr.io/example/app:v1")
    spec.setdefault("executor", "containerd-shim-spin")
    return SpinApp.model_validate(
        {"metadata": {"name": "app", "namespace": "default"}, "spec": spec}
    )


def _messages(errors: list[Any]) -> list[str]:
    return [str(e) for e in errors]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param({"replicas": 1}, [], id="one"),
        pytest.param(
            {"replicas": 0}, ["spec.replicas: Invalid value: 0: replicas must be > 0"], id="zero"
        ),
        pytest.param(
            {"replicas": -1},
            ["spec.replicas: Invalid value: -1: replicas must be > 0"],
            id="negative-TestCreateInvalidSpinApp",
        ),
        pytest.param(
            {}, ["spec.replicas: Invalid value: 0: replicas must be > 0"], id="unset-is-zero"
        ),
        pytest.param({"enableAutoscaling": True}, [], id="autoscaling-no-replicas"),
        pytest.param({"enableAutoscaling": True, "replicas": 0}, [], id="autoscaling-zero"),
        pytest.param(
            {"enableAutoscaling": True, "replicas": 3},
            ["spec.replicas: Invalid value: 3: replicas cannot be set when autoscaling is enabled"],
            id="autoscaling-with-replicas",
        ),
    ],
)
def test_validate_replicas(spec: dict[str, Any], expected: list[str]) -> None:
    """TestValidateReplicas."""
    assert _messages(validate_replicas(_app(**spec).spec)) == expected


@pytest.mark.parametrize(
    ("executor", "spec", "expected"),
    [
        pytest.param(None, {"deploymentAnnotations": {"key": "asdf"}}, [], id="no-executor"),
        pytest.param(SHIM, {"deploymentAnnotations": {"key": "asdf"}}, [], id="deploying-executor"),
        pytest.param(EXTERNAL, {}, [], id="no-annotations"),
        pytest.param(
            EXTERNAL,
            {"deploymentAnnotations": {"key": "asdf"}},
            [
                'spec.deploymentAnnotations: Invalid value: map[string]string{"key":"asdf"}: '
                "deploymentAnnotations can't be set when the executor does not use operator "
                "deployments"
            ],
            id="deployment-annotations",
        ),
        pytest.param(
            EXTERNAL,
            {"podAnnotations": {"key": "asdf"}},
            [
                'spec.podAnnotations: Invalid value: map[string]string{"key":"asdf"}: '
                "podAnnotations can't be set when the executor does not use operator deployments"
            ],
            id="pod-annotations",
        ),
        pytest.param(
            EXTERNAL,
            {"deploymentAnnotations": {"a": "1"}, "podAnnotations": {"b": "2"}},
            [
                'spec.deploymentAnnotations: Invalid value: map[string]string{"a":"1"}: '
                "deploymentAnnotations can't be set when the executor does not use operator "
                "deployments"
            ],
            id="at-most-one-error",
        ),
    ],
)
def test_validate_annotations(
    executor: SpinAppExecutor | None, spec: dict[str, Any], expected: list[str]
) -> None:
    """TestValidateAnnotations."""
    assert _messages(validate_annotations(_app(**spec).spec, executor)) == expected


@pytest.mark.parametrize(
    ("executor", "found", "expected"),
    [
        pytest.param(
            "",
            None,
            [
                'spec.executor: Invalid value: "": executor must be set, likely no default '
                "executor was set because you have no executors installed"
            ],
            id="unset",
        ),
        pytest.param(
            "missing",
            None,
            ['spec.executor: Invalid value: "missing": executor does not exist in namespace'],
            id="missing",
        ),
        pytest.param("containerd-shim-spin", SHIM, [], id="found"),
    ],
)
def test_validate_executor(
    executor: str, found: SpinAppExecutor | None, expected: list[str]
) -> None:
    """TestValidateExecutor: the executor must exist in the app's namespace."""
    asked: list[tuple[str, str]] = []

    def get(namespace: str, name: str) -> SpinAppExecutor | None:
        asked.append((namespace, name))
        return found

    result, errors = validate_executor_ref(_app(executor=executor), get)
    assert _messages(errors) == expected
    assert result is found
    assert asked == ([("default", executor)] if executor else [])


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param({}, [], id="no-checks"),
        pytest.param({"checks": {"readiness": {"httpGet": {"path": "/"}}}}, [], id="http-get"),
        pytest.param(
            {"checks": {"readiness": {}}},
            [
                "spec.checks.readiness.httpGet: Required value: a readiness check needs httpGet, "
                "the only kind of check the operator supports"
            ],
            id="readiness-empty",
        ),
        pytest.param(
            {"checks": {"liveness": {"periodSeconds": 5}}},
            [
                "spec.checks.liveness.httpGet: Required value: a liveness check needs httpGet, "
                "the only kind of check the operator supports"
            ],
            id="liveness-without-http-get",
        ),
    ],
)
def test_validate_checks(spec: dict[str, Any], expected: list[str]) -> None:
    assert _messages(validate_checks(_app(**spec).spec)) == expected


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        pytest.param(
            {"limits": {"memory": "500Mi"}, "requests": {"memory": "400Mi"}}, [], id="below"
        ),
        pytest.param(
            {"limits": {"memory": "500Mi"}, "requests": {"memory": "500Mi"}}, [], id="equal"
        ),
        pytest.param({"limits": {"cpu": "1"}, "requests": {"cpu": "1000m"}}, [], id="equal-units"),
        pytest.param({"requests": {"memory": "4Gi"}}, [], id="no-limit"),
        pytest.param(
            {"limits": {"memory": "500Mi"}, "requests": {"memory": "600Mi"}},
            [
                'spec.resources.requests.memory: Invalid value: "600Mi": must be less than or '
                "equal to memory limit of 500Mi"
            ],
            id="memory-above",
        ),
        pytest.param(
            {"limits": {"cpu": "500m"}, "requests": {"cpu": 1}},
            [
                'spec.resources.requests.cpu: Invalid value: "1": must be less than or equal to '
                "cpu limit of 500m"
            ],
            id="cpu-int-above",
        ),
        pytest.param(
            {"limits": {"memory": "1G"}, "requests": {"memory": "1Gi"}},
            [
                'spec.resources.requests.memory: Invalid value: "1Gi": must be less than or equal '
                "to memory limit of 1G"
            ],
            id="binary-vs-decimal",
        ),
    ],
)
def test_validate_resources(resources: dict[str, Any], expected: list[str]) -> None:
    assert _messages(validate_resources(_app(resources=resources).spec)) == expected


_CHARSET = "Variable names may contain only lower-case letters, numbers, and underscores."


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        pytest.param(["greetee", "db_password", "v2"], [], id="valid"),
        pytest.param(
            ["logLevel"],
            [
                'spec.variables[0].name: Invalid value: "logLevel": '
                f"invalid character 'L'. {_CHARSET}"
            ],
            id="upper-case",
        ),
        pytest.param(
            ["ok", "log-level"],
            [
                'spec.variables[1].name: Invalid value: "log-level": '
                f"invalid character '-'. {_CHARSET}"
            ],
            id="hyphen",
        ),
        pytest.param(
            ["1st"],
            [
                'spec.variables[0].name: Invalid value: "1st": '
                "must start with a lowercase ASCII letter"
            ],
            id="leading-digit",
        ),
        pytest.param(
            ["a_"],
            [
                'spec.variables[0].name: Invalid value: "a_": '
                "must end with a lowercase ASCII letter or digit"
            ],
            id="trailing-underscore",
        ),
        pytest.param(
            ["a__b"],
            [
                'spec.variables[0].name: Invalid value: "a__b": '
                "must not contain multiple consecutive underscores"
            ],
            id="double-underscore",
        ),
        pytest.param(
            [""], ['spec.variables[0].name: Invalid value: "": must not be empty'], id="empty"
        ),
        pytest.param(["a", "a"], ['spec.variables[1].name: Duplicate value: "a"'], id="duplicate"),
    ],
)
def test_validate_variables(names: list[str], expected: list[str]) -> None:
    app = _app(variables=[{"name": n, "value": "v"} for n in names])
    assert _messages(validate_variables(app.spec)) == expected


@pytest.mark.parametrize(
    ("variable", "expected"),
    [
        pytest.param({"value": "v"}, [], id="value"),
        pytest.param({"valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}, [], id="source"),
        pytest.param({}, [], id="neither-is-empty-value"),
        pytest.param(
            {"value": "v", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
            ['spec.variables[0].valueFrom: Invalid value: "": '
             "may not be specified when `value` is not empty"],
            id="value-and-source",
        ),
        pytest.param(
            {"valueFrom": {}},
            ['spec.variables[0].valueFrom: Invalid value: "": must specify one of: `fieldRef`, '
             "`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"],
            id="empty-source",
        ),
        pytest.param(
            {"valueFrom": {"secretKeyRef": {"name": "s", "key": "k"},
                           "fieldRef": {"fieldPath": "x"}}},
            ['spec.variables[0].valueFrom: Invalid value: "": '
             "may not have more than one field specified at a time"],
            id="two-sources",
        ),
    ],
)  # fmt: skip
def test_validate_variable_sources(variable: dict[str, Any], expected: list[str]) -> None:
    """Kubernetes' own env var rules, caught before the Deployment is refused."""
    app = _app(variables=[{"name": "a", **variable}])
    assert _messages(validate_variables(app.spec)) == expected


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        pytest.param(["data", "cache-spin"], [], id="free-names"),
        pytest.param(
            ["data", "spin-ca"],
            [
                'spec.volumes[1].name: Invalid value: "spin-ca": '
                'volume names starting with "spin-" '
                "are reserved for the operator's volumes (spin-runtime-config, spin-ca)"
            ],
            id="clash",
        ),
        pytest.param(
            ["spin-data"],
            [
                'spec.volumes[0].name: Invalid value: "spin-data": volume names starting with '
                '"spin-" are reserved for the operator\'s volumes (spin-runtime-config, spin-ca)'
            ],
            id="reserved-prefix",
        ),
    ],
)
def test_validate_volumes(names: list[str], expected: list[str]) -> None:
    app = _app(volumes=[{"name": n, "emptyDir": {}} for n in names])
    assert _messages(validate_volumes(app.spec)) == expected


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param(
            {"keyValueStores": [{"name": "a", "type": "redis"}, {"name": "b", "type": "spin"}]},
            [],
            id="distinct",
        ),
        pytest.param(
            {
                "keyValueStores": [
                    {"name": "default", "type": "redis"},
                    {"name": "default", "type": "spin"},
                ]
            },
            ['spec.runtimeConfig.keyValueStores[1].name: Duplicate value: "default"'],
            id="kv-duplicate",
        ),
        pytest.param(
            {
                "sqliteDatabases": [
                    {"name": "db", "type": "libsql"},
                    {"name": "x", "type": "spin"},
                    {"name": "db", "type": "spin"},
                ]
            },
            ['spec.runtimeConfig.sqliteDatabases[2].name: Duplicate value: "db"'],
            id="sqlite-duplicate",
        ),
        pytest.param(
            {
                "loadFromSecret": "s",
                "keyValueStores": [{"name": "d", "type": "redis"}, {"name": "d", "type": "redis"}],
            },
            [],
            id="ignored-with-load-from-secret",
        ),
    ],
)
def test_validate_runtime_config(config: dict[str, Any], expected: list[str]) -> None:
    assert _messages(validate_runtime_config(_app(runtimeConfig=config).spec)) == expected


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        pytest.param("ghcr.io/a/b:v1", [], id="set"),
        pytest.param(
            "",
            ["spec.image: Required value: image must be set to the OCI reference of the Spin app"],
            id="empty",
        ),
        pytest.param(
            "  ",
            ["spec.image: Required value: image must be set to the OCI reference of the Spin app"],
            id="blank",
        ),
    ],
)
def test_validate_image(image: str, expected: list[str]) -> None:
    assert _messages(validate_image(_app(image=image).spec)) == expected


def test_validate_spinapp_collects_every_error_in_order() -> None:
    app = _app(executor="", replicas=0, image="", variables=[{"name": "Bad"}])
    errors = validate_spinapp(app, get_executor=lambda ns, name: None)
    assert [e.path for e in errors] == [
        "spec.executor",
        "spec.replicas",
        "spec.image",
        "spec.variables[0].name",
    ]
    message = denial_message(SPINAPP_WEBHOOK, "SpinApp", "app", errors)
    assert message.startswith(
        'admission webhook "vspinapp.kb.io" denied the request: '
        'SpinApp.core.spinoperator.dev "app" is invalid: [spec.executor: Invalid value: "": '
    )
    assert message.endswith("]")


def test_valid_app_has_no_errors() -> None:
    app = _app(replicas=1)
    assert validate_spinapp(app, get_executor=lambda ns, name: SHIM) == []


def test_annotations_checked_against_the_found_executor() -> None:
    app = _app(executor="cyclotron", replicas=1, podAnnotations={"k": "v"})
    errors = validate_spinapp(app, get_executor=lambda ns, name: EXTERNAL)
    assert [e.path for e in errors] == ["spec.podAnnotations"]
