"""The models: Python names in code, wire names out, and the same defaults as the CRD."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from spinkube.api import (
    API_VERSION,
    APP_NAME_LABEL,
    FINALIZER,
    GROUP,
    VERSION,
    HealthChecks,
    HealthProbe,
    HTTPHealthProbe,
    SpinApp,
    SpinAppExecutor,
    SpinAppSpec,
    app_status_label,
)

MODELS: dict[str, type[BaseModel]] = {"SpinApp": SpinApp, "SpinAppExecutor": SpinAppExecutor}


def test_names_are_in_the_documented_group() -> None:
    assert f"{GROUP}/{VERSION}" == API_VERSION == "core.spinoperator.dev/v1alpha1"
    assert APP_NAME_LABEL == "core.spinoperator.dev/app-name"
    assert FINALIZER == "core.spinoperator.dev/finalizer"


@pytest.mark.parametrize(
    ("app", "label"),
    [
        ("simple-spinapp", "core.spinoperator.dev/app.simple-spinapp.status"),
        ("my-app", "core.spinoperator.dev/app.my-app.status"),
    ],
)
def test_status_label_names_the_app(app: str, label: str) -> None:
    assert app_status_label(app) == label


def test_python_names_build_an_app_that_dumps_wire_names() -> None:
    spec = SpinAppSpec(
        image="ghcr.io/example/app:v1",
        executor="containerd-shim-spin",
        enable_autoscaling=True,
        checks=HealthChecks(liveness=HealthProbe(http_get=HTTPHealthProbe(path="/healthz"))),
    )
    manifest = SpinApp(metadata={"name": "app"}, spec=spec).to_manifest()
    assert manifest == {
        "apiVersion": "core.spinoperator.dev/v1alpha1",
        "kind": "SpinApp",
        "metadata": {"name": "app"},
        "spec": {
            "executor": "containerd-shim-spin",
            "image": "ghcr.io/example/app:v1",
            "enableAutoscaling": True,
            "checks": {
                "liveness": {
                    "httpGet": {"path": "/healthz"},
                    "initialDelaySeconds": 10,
                    "timeoutSeconds": 1,
                    "periodSeconds": 10,
                    "successThreshold": 1,
                    "failureThreshold": 3,
                }
            },
        },
    }


def test_an_app_without_executor_can_still_be_read_for_defaulting() -> None:
    app = SpinApp.model_validate({"metadata": {"name": "a"}, "spec": {"image": "x"}})
    assert app.spec.executor == ""
    assert app.spec.enable_autoscaling is False
    assert app.spec.replicas is None


def test_metadata_keeps_fields_it_does_not_type() -> None:
    meta = {"name": "a", "managedFields": [{"manager": "kubectl"}], "ownerReferences": []}
    app = SpinApp.model_validate({"metadata": meta, "spec": {"image": "x"}})
    assert app.to_manifest()["metadata"] == meta


def test_executor_otel_keys_stay_snake_case_and_ca_certs_keep_their_spelling() -> None:
    doc = {
        "spec": {
            "createDeployment": True,
            "deploymentConfig": {
                "runtimeClassName": "wasmtime-spin-v2",
                "installDefaultCACerts": True,
                "caCertSecret": "my-ca",
                "otel": {"exporter_otlp_traces_endpoint": "http://collector:4318/v1/traces"},
            },
        }
    }
    executor = SpinAppExecutor.model_validate(doc)
    config = executor.spec.deployment_config
    assert config is not None
    assert config.install_default_ca_certs is True
    assert config.otel is not None
    assert config.otel.exporter_otlp_traces_endpoint == "http://collector:4318/v1/traces"
    assert executor.to_manifest()["spec"] == doc["spec"]


def test_model_defaults_are_the_crd_defaults(
    our_sample: dict[str, Any], crd_defaults: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    model = MODELS[our_sample["kind"]]
    as_stored = model.model_validate(crd_defaults(our_sample)).model_dump()
    assert as_stored == model.model_validate(our_sample).model_dump()


def test_probe_defaults_match_between_model_and_crd(
    crd_defaults: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    doc = {
        "apiVersion": API_VERSION,
        "kind": "SpinApp",
        "metadata": {"name": "a"},
        "spec": {"image": "x", "executor": "e", "checks": {"readiness": {"periodSeconds": 5}}},
    }
    stored = crd_defaults(doc)["spec"]["checks"]["readiness"]
    model = SpinApp.model_validate(doc).to_manifest()["spec"]["checks"]["readiness"]
    assert (
        stored
        == model
        == {
            "periodSeconds": 5,
            "initialDelaySeconds": 10,
            "timeoutSeconds": 1,
            "successThreshold": 1,
            "failureThreshold": 3,
        }
    )


# Values for a few spec fields, valid and not, to check that the models and the CRD agree.
# Floats are never integral: JSON schema (and the API server) take 1.0 as an integer, the
# models do not, which is stricter on purpose.
_ANY_JSON = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
    st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
)
_QUANTITY = st.one_of(
    st.sampled_from(["100m", "1", "0.5", "128Mi", "1Gi", "1e3", "+1k", "500 m", "1.5.5", "", "Mi"]),
    st.integers(min_value=0, max_value=2**31 - 1),
    _ANY_JSON,
)
_SPEC_FIELDS = {
    "image": st.one_of(st.text(max_size=12), _ANY_JSON),
    "replicas": _ANY_JSON,
    "enableAutoscaling": _ANY_JSON,
    "resources": st.fixed_dictionaries({"limits": st.dictionaries(st.just("cpu"), _QUANTITY)}),
    "components": st.lists(st.text(max_size=4), max_size=2),
    "podLabels": st.dictionaries(st.text(max_size=4), st.one_of(st.text(max_size=4), _ANY_JSON)),
    "variables": st.lists(
        st.fixed_dictionaries({"name": st.text(max_size=4)}, optional={"value": _ANY_JSON}),
        max_size=2,
    ),
    "checks": st.fixed_dictionaries(
        {}, optional={"liveness": st.fixed_dictionaries({}, optional={"periodSeconds": _ANY_JSON})}
    ),
}


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=st.fixed_dictionaries({"executor": st.just("e")}, optional=_SPEC_FIELDS))
def test_models_and_crd_accept_the_same_specs(
    spec: dict[str, Any], crd_validate: Callable[[dict[str, Any]], list[str]]
) -> None:
    doc = {"apiVersion": API_VERSION, "kind": "SpinApp", "metadata": {"name": "a"}, "spec": spec}
    crd_errors = crd_validate(doc)
    try:
        app = SpinApp.model_validate(doc)
    except ValidationError:
        assert crd_errors
        return
    assert crd_errors == []
    assert app.model_dump(exclude_unset=True) == _without_nulls(doc)


def _without_nulls(value: Any) -> Any:
    """What the API server keeps of an object: fields set to null are pruned."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value
