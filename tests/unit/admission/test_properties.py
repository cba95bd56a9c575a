"""Properties over generated SpinApps: what the rules accept builds schema-valid children;
what they reject is named by a field path that exists in the input."""

from __future__ import annotations

import re
import types
from typing import Any, Union, get_args, get_origin

import kubernetes_validate
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kubernetes_validate.utils import latest_version
from pydantic import BaseModel

from spinkube.admission import validate_executor, validate_spinapp
from spinkube.api import SpinApp, SpinAppExecutor
from spinkube.desired import ResolvedInputs, build_children

EXECUTORS = {
    "containerd-shim-spin": {
        "createDeployment": True,
        "deploymentConfig": {"runtimeClassName": "wasmtime-spin-v2", "installDefaultCACerts": True},
    },
    "spintainer": {
        "createDeployment": True,
        "deploymentConfig": {
            "spinImage": "ghcr.io/fermyon/spin:v2.7.0",
            "otel": {"exporter_otlp_endpoint": "http://otel:4318"},
        },
    },
    "cyclotron": {"createDeployment": False},
}
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _executor(namespace: str, name: str) -> SpinAppExecutor | None:
    spec = EXECUTORS.get(name)
    if spec is None:
        return None
    return SpinAppExecutor.model_validate(
        {"metadata": {"name": name, "namespace": namespace}, "spec": spec}
    )


names = st.sampled_from(["greetee", "db_password", "v2", "Bad", "a__b", "a_", "log-level", ""])
quantities = st.sampled_from(["100m", "1", 2, "500Mi", "1Gi", "400M", "0.5"])
resource_lists = st.dictionaries(st.sampled_from(["cpu", "memory"]), quantities, max_size=2)
checks = st.one_of(
    st.just({}), st.builds(lambda p: {"httpGet": {"path": p}}, st.sampled_from(["/", "/healthz"]))
)
variables = st.lists(
    st.fixed_dictionaries(
        {"name": names},
        optional={
            "value": st.sampled_from(["x", "Fermyon"]),
            "valueFrom": st.just({"secretKeyRef": {"name": "s", "key": "k"}}),
        },
    ),
    max_size=3,
)
options = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(["url", "token", "type"]),
            "value": st.sampled_from(["redis://r", "it's", "a\nb", ""]),
        }
    ),
    max_size=2,
)
stores = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(["default", "cache"]),
            "type": st.sampled_from(["redis", "spin"]),
            "options": options,
        }
    ),
    max_size=2,
)
runtime_configs = st.fixed_dictionaries(
    {},
    optional={
        "keyValueStores": stores,
        "sqliteDatabases": stores,
        "llmCompute": st.fixed_dictionaries({"type": st.just("remote_http"), "options": options}),
        "loadFromSecret": st.just("my-runtime-config"),
    },
)
string_maps = st.dictionaries(
    st.sampled_from(["key", "example.com/k"]), st.sampled_from(["v", ""]), max_size=2
)
specs = st.fixed_dictionaries(
    {
        "image": st.sampled_from(["ghcr.io/spinkube/spin-rust-hello:v0.13.0", "", " "]),
        "executor": st.sampled_from(
            ["containerd-shim-spin", "spintainer", "cyclotron", "", "missing"]
        ),
    },
    optional={
        "replicas": st.integers(-1, 3),
        "enableAutoscaling": st.booleans(),
        "variables": variables,
        "volumes": st.lists(
            st.builds(
                lambda n: {"name": n, "emptyDir": {}},
                st.sampled_from(["data", "spin-ca", "spin-x"]),
            ),
            max_size=2,
        ),
        "checks": st.fixed_dictionaries({}, optional={"readiness": checks, "liveness": checks}),
        "resources": st.fixed_dictionaries(
            {}, optional={"limits": resource_lists, "requests": resource_lists}
        ),
        "runtimeConfig": runtime_configs,
        "components": st.lists(st.sampled_from(["hello", "bye"]), min_size=1, max_size=2),
        "podLabels": string_maps,
        "podAnnotations": string_maps,
        "deploymentAnnotations": string_maps,
        "serviceAnnotations": string_maps,
        "imagePullSecrets": st.just([{"name": "pull"}]),
    },
)


def _likely_valid(spec: dict[str, Any]) -> dict[str, Any]:
    """Bias a spec towards acceptance, so the accepted-apps property sees many apps."""
    spec = {**spec, "image": "ghcr.io/spinkube/spin-rust-hello:v0.13.0"}
    spec["executor"] = spec["executor"] if spec["executor"] in EXECUTORS else "spintainer"
    if spec.get("enableAutoscaling"):
        spec.pop("replicas", None)
    else:
        spec["replicas"] = max(1, spec.get("replicas", 1))
    spec["variables"] = [
        {**var, "name": "v_" + "".join(c for c in var["name"].lower() if c.isalnum()) + "1"}
        for var in spec.get("variables", [])
    ]
    spec.pop("volumes", None)
    return spec


likely_valid_specs = specs.map(_likely_valid)


def _app(spec: dict[str, Any]) -> SpinApp:
    return SpinApp.model_validate(
        {"metadata": {"name": "app", "namespace": "default", "uid": "u-1"}, "spec": spec}
    )


def _schema_errors(manifest: dict[str, Any]) -> str | None:
    try:
        kubernetes_validate.validate(manifest, latest_version(), strict=True)
    except kubernetes_validate.ValidationError as e:
        return f"{manifest['kind']}: {e.message} at {list(e.path)}"
    return None


def _strip_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        return members[0] if len(members) == 1 else annotation
    return annotation


def _field(model: type[BaseModel], wire_name: str) -> Any:
    for name, info in model.model_fields.items():
        if (info.alias or name) == wire_name:
            return _strip_optional(info.annotation)
    return None


def path_exists(model: type[BaseModel], data: Any, path: str) -> bool:
    """Whether `path` names a field the model declares, through items the input has.

    Fields may be absent from the input (a required `httpGet`, an unset `replicas`), but list
    indexes and map keys must be present in it.
    """
    kind: Any = model
    for token in re.findall(r"\[\d+\]|[^.\[\]]+", path):
        if token.startswith("["):
            index = int(token[1:-1])
            if not (isinstance(data, list) and index < len(data)):
                return False
            data, kind = data[index], _strip_optional(get_args(kind)[0]) if get_args(kind) else None
        elif isinstance(kind, type) and issubclass(kind, BaseModel):
            kind = _field(kind, token)
            if kind is None:
                return False
            data = data.get(token) if isinstance(data, dict) else None
        elif isinstance(data, dict) and token in data:
            data, kind = data[token], None
        else:
            return False
    return True


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("spec.replicas", True, id="declared-absent"),
        pytest.param("spec.checks.readiness.httpGet", True, id="nested-declared"),
        pytest.param("spec.variables[0].name", True, id="index-present"),
        pytest.param("spec.variables[5].name", False, id="index-absent"),
        pytest.param("spec.resources.requests.memory", True, id="map-key-present"),
        pytest.param("spec.resources.requests.cpu", False, id="map-key-absent"),
        pytest.param("spec.nonsense", False, id="undeclared"),
    ],
)
def test_path_exists(path: str, expected: bool) -> None:
    """The checker itself, so the properties below can fail."""
    data = {"spec": {"variables": [{"name": "a"}], "resources": {"requests": {"memory": "1"}}}}
    assert path_exists(SpinApp, data, path) is expected


@SETTINGS
@given(likely_valid_specs)
def test_accepted_apps_build_schema_valid_children(spec: dict[str, Any]) -> None:
    app = _app(spec)
    if validate_spinapp(app, get_executor=_executor):
        return
    executor = _executor("default", app.spec.executor)
    assert executor is not None
    inputs = ResolvedInputs(secrets={"s": {"k": b"v"}})
    children = build_children(app, executor, inputs=inputs, ca_bundle="PEM")
    manifests = [
        children.service,
        children.deployment,
        children.runtime_config_secret,
        children.ca_secret,
    ]
    problems = [_schema_errors(m) for m in manifests if m is not None]
    assert [p for p in problems if p] == []
    assert (children.deployment is None) == (not executor.spec.create_deployment)


@SETTINGS
@given(specs)
def test_rejections_name_an_existing_field(spec: dict[str, Any]) -> None:
    app = _app(spec)
    manifest = app.to_manifest()
    for error in validate_spinapp(app, get_executor=_executor):
        assert path_exists(SpinApp, manifest, error.path), str(error)
        assert str(error).startswith(f"{error.path}: ")


deployment_configs = st.fixed_dictionaries(
    {},
    optional={
        "runtimeClassName": st.sampled_from(["wasmtime-spin-v2", ""]),
        "spinImage": st.sampled_from(["ghcr.io/fermyon/spin:v2.7.0", ""]),
        "installDefaultCACerts": st.booleans(),
        "caCertSecret": st.sampled_from(["my-ca", ""]),
    },
)
executor_specs = st.fixed_dictionaries(
    {"createDeployment": st.booleans()}, optional={"deploymentConfig": deployment_configs}
)


@SETTINGS
@given(executor_specs, likely_valid_specs)
def test_accepted_executors_build_or_reject_clearly(
    executor_spec: dict[str, Any], spec: dict[str, Any]
) -> None:
    """An executor the rules accept can run any accepted app; a rejected one names a field."""
    executor = SpinAppExecutor.model_validate(
        {"metadata": {"name": "e", "namespace": "default"}, "spec": executor_spec}
    )
    errors = validate_executor(executor)
    for error in errors:
        assert path_exists(SpinAppExecutor, executor.to_manifest(), error.path), str(error)
    app = _app({**spec, "executor": "e"})
    if errors or validate_spinapp(app, get_executor=lambda ns, name: executor):
        return
    children = build_children(app, executor, inputs=ResolvedInputs(secrets={"s": {}}))
    manifests = [children.service, children.deployment, children.runtime_config_secret]
    assert [p for p in (_schema_errors(m) for m in manifests if m is not None) if p] == []
