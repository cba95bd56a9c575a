"""The admission webhooks of the real `spin-operator` process: AdmissionReview v1 round trips
over HTTPS with a certificate made for the test, executor lookups through the API tier."""

from __future__ import annotations

import base64
import contextlib
import json
import ssl
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace

from spinkube.admission import denial_message
from spinkube.kube import Kube, NotFound
from spinkube.testing import free_port
from spinkube.testing.certs import self_signed
from spinkube.testing.manager import SPIN_OPERATOR, start_manager
from spinkube.testing.manifests import executor_manifest, spinapp_manifest

pytestmark = pytest.mark.api

MUTATE_APP = "/mutate-core-spinoperator-dev-v1alpha1-spinapp"
VALIDATE_APP = "/validate-core-spinoperator-dev-v1alpha1-spinapp"
MUTATE_EXECUTOR = "/mutate-core-spinoperator-dev-v1alpha1-spinappexecutor"
VALIDATE_EXECUTOR = "/validate-core-spinoperator-dev-v1alpha1-spinappexecutor"
NO_EXECUTOR = (
    'spec.executor: Invalid value: "": executor must be set, likely no default executor was set '
    "because you have no executors installed"
)


@dataclass
class Webhooks:
    """The manager's webhook server, and a client that trusts its certificate."""

    port: int
    metrics_port: int
    context: ssl.SSLContext

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        request = urllib.request.Request(
            f"https://127.0.0.1:{self.port}{path}",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=10) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def review(self, path: str, obj: dict[str, Any], operation: str = "CREATE") -> dict[str, Any]:
        meta = obj["metadata"]
        request = {
            "uid": "3c8f8e42-0000-4000-8000-000000000001",
            "kind": {"group": "core.spinoperator.dev", "version": "v1alpha1", "kind": obj["kind"]},
            "operation": operation,
            "name": meta["name"],
            "namespace": meta["namespace"],
            "object": obj,
        }
        review = {
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": request,
        }
        status, body = self.post(path, json.dumps(review).encode())
        assert status == 200, body
        answer = json.loads(body)
        assert answer["apiVersion"] == "admission.k8s.io/v1"
        assert answer["kind"] == "AdmissionReview"
        assert answer["response"]["uid"] == request["uid"]
        return dict(answer["response"])


@pytest.fixture(scope="module")
def quiet_namespace(kube_api: Any) -> Iterator[str]:
    """The only namespace the manager's controllers watch: the tests here need its webhooks,
    which look executors up in the request's namespace, not its controllers."""
    name = f"spinkube-webhooks-{uuid.uuid4().hex[:8]}"
    kube_api.kube.create(Namespace(metadata=ObjectMeta(name=name)))
    yield name
    with contextlib.suppress(NotFound):
        kube_api.kube.delete(Namespace, name)


@pytest.fixture(scope="module")
def webhooks(
    kube_api: Any,
    quiet_namespace: str,
    tmp_path_factory: pytest.TempPathFactory,
    spinkube_crds: None,
) -> Iterator[Webhooks]:
    """One manager serving the webhooks for every test of this module."""
    tmp_path = tmp_path_factory.mktemp("webhooks")
    certs = tmp_path / "certs"
    ca = self_signed(certs)
    port = free_port()
    with start_manager(
        SPIN_OPERATOR,
        f"--namespace={quiet_namespace}",
        "--enable-webhooks",
        f"--webhook-bind-address=127.0.0.1:{port}",
        f"--webhook-cert-dir={certs}",
        "--metrics-secure=false",
        kubeconfig=kube_api.kubeconfig,
        log=tmp_path / "operator.log",
        wait_controllers=False,
    ) as manager:
        yield Webhooks(port, manager.metrics_port, ssl.create_default_context(cafile=str(ca)))


def app(namespace: str, name: str = "spinapp", **spec: Any) -> dict[str, Any]:
    return spinapp_manifest(namespace, name, **spec)


def patch_of(response: dict[str, Any]) -> list[dict[str, Any]]:
    assert response["patchType"] == "JSONPatch"
    return list(json.loads(base64.b64decode(response["patch"])))


# -- defaulting ------------------------------------------------------------------------------


def test_defaulting_picks_the_alphabetically_first_executor_of_the_namespace(
    kube: Kube, namespace: str, webhooks: Webhooks
) -> None:
    kube.apply_manifest(executor_manifest(namespace, "zz-executor"))
    kube.apply_manifest(executor_manifest(namespace, "containerd-shim-spin"))

    response = webhooks.review(MUTATE_APP, app(namespace, replicas=2))

    assert response["allowed"] is True
    assert patch_of(response) == [
        {"op": "add", "path": "/spec/executor", "value": "containerd-shim-spin"}
    ]


def test_defaulting_replaces_an_empty_executor(
    kube: Kube, namespace: str, webhooks: Webhooks
) -> None:
    kube.apply_manifest(executor_manifest(namespace, "cyclotron"))

    response = webhooks.review(MUTATE_APP, app(namespace, executor=""))

    assert patch_of(response) == [{"op": "replace", "path": "/spec/executor", "value": "cyclotron"}]


def test_defaulting_without_executors_writes_an_empty_one(
    namespace: str, webhooks: Webhooks
) -> None:
    """As upstream: `executor: ""` passes the schema, which requires the field, so that the
    validating webhook can say why there is none."""
    response = webhooks.review(MUTATE_APP, app(namespace))

    assert patch_of(response) == [{"op": "add", "path": "/spec/executor", "value": ""}]
    denial = webhooks.review(VALIDATE_APP, app(namespace, executor=""))
    assert denial["status"]["message"] == (
        f'SpinApp.core.spinoperator.dev "spinapp" is invalid: {NO_EXECUTOR}'
    )


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param({"executor": ""}, id="empty-no-executor-installed"),
        pytest.param({"executor": "mine"}, id="given"),
    ],
)
def test_defaulting_changes_nothing_else(
    namespace: str, webhooks: Webhooks, spec: dict[str, Any]
) -> None:
    response = webhooks.review(MUTATE_APP, app(namespace, **spec))

    assert response == {"uid": response["uid"], "allowed": True}


def test_executor_defaulting_is_a_no_op(namespace: str, webhooks: Webhooks) -> None:
    response = webhooks.review(MUTATE_EXECUTOR, executor_manifest(namespace))

    assert response == {"uid": response["uid"], "allowed": True}


# -- SpinApp validation --------------------------------------------------------------------------


def test_a_valid_app_is_allowed(kube: Kube, namespace: str, webhooks: Webhooks) -> None:
    kube.apply_manifest(executor_manifest(namespace))

    response = webhooks.review(VALIDATE_APP, app(namespace, executor="containerd-shim-spin"))

    assert response["allowed"] is True


def test_an_app_without_executor_is_denied_with_upstreams_message(
    namespace: str, webhooks: Webhooks
) -> None:
    response = webhooks.review(VALIDATE_APP, app(namespace))

    assert response["allowed"] is False
    assert response["status"]["code"] == 422
    message = response["status"]["message"]
    assert message == f'SpinApp.core.spinoperator.dev "spinapp" is invalid: {NO_EXECUTOR}'
    # what kubectl prints: the API server puts the webhook's name in front
    kubectl = f'admission webhook "vspinapp.kb.io" denied the request: {message}'
    assert kubectl == denial_message("vspinapp.kb.io", "SpinApp", "spinapp", [NO_EXECUTOR])


SHIM_ONLY = {"createDeployment": False}
DENIALS = [
    pytest.param(
        {"executor": "elsewhere"},
        None,
        'spec.executor: Invalid value: "elsewhere": executor does not exist in namespace',
        id="executor-not-in-namespace",
    ),
    pytest.param(
        {"replicas": 0},
        None,
        "spec.replicas: Invalid value: 0: replicas must be > 0",
        id="replicas-zero",
    ),
    pytest.param(
        {"replicas": -1},
        None,
        "spec.replicas: Invalid value: -1: replicas must be > 0",
        id="replicas-negative",
    ),
    pytest.param(
        {"replicas": 2, "enableAutoscaling": True},
        None,
        "spec.replicas: Invalid value: 2: replicas cannot be set when autoscaling is enabled",
        id="replicas-with-autoscaling",
    ),
    pytest.param(
        {"deploymentAnnotations": {"key": "asdf"}},
        SHIM_ONLY,
        'spec.deploymentAnnotations: Invalid value: map[string]string{"key":"asdf"}: '
        "deploymentAnnotations can't be set when the executor does not use operator deployments",
        id="deployment-annotations-without-deployment",
    ),
    pytest.param(
        {"podAnnotations": {"key": "asdf"}},
        SHIM_ONLY,
        'spec.podAnnotations: Invalid value: map[string]string{"key":"asdf"}: '
        "podAnnotations can't be set when the executor does not use operator deployments",
        id="pod-annotations-without-deployment",
    ),
    pytest.param(
        {"executor": "", "replicas": 0},
        None,
        f"[{NO_EXECUTOR}, spec.replicas: Invalid value: 0: replicas must be > 0]",
        id="several-errors",
    ),
    pytest.param(
        {"replicas": "1"},
        None,
        'spec.replicas: Invalid value: "1": Input should be a valid integer',
        id="schema-type",
    ),
    pytest.param(
        {"listenPort": 0},
        None,
        "spec.listenPort: Invalid value: 0: Input should be greater than or equal to 1",
        id="listen-port",
    ),
    pytest.param(
        {"env": [{"name": "SPIN_HTTP_LISTEN_ADDR", "value": "0.0.0.0:1"}]},
        None,
        'spec.env[0].name: Invalid value: "SPIN_HTTP_LISTEN_ADDR": the operator sets this '
        "variable itself: use listenPort, variables or the executor's otel",
        id="env-set-by-the-operator",
    ),
]


@pytest.mark.parametrize(("spec", "executor_spec", "expected"), DENIALS)
def test_invalid_apps_are_denied_with_the_field_error(
    kube: Kube,
    namespace: str,
    webhooks: Webhooks,
    spec: dict[str, Any],
    executor_spec: dict[str, Any] | None,
    expected: str,
) -> None:
    kube.apply_manifest(executor_manifest(namespace, **(executor_spec or {})))
    obj = app(namespace, **{"executor": "containerd-shim-spin", **spec})

    response = webhooks.review(VALIDATE_APP, obj)

    assert response["allowed"] is False
    assert response["status"]["code"] == 422
    assert response["status"]["reason"] == "Invalid"
    prefix = 'SpinApp.core.spinoperator.dev "spinapp" is invalid: '
    assert response["status"]["message"] == prefix + expected


def test_deleting_is_always_allowed(namespace: str, webhooks: Webhooks) -> None:
    response = webhooks.review(VALIDATE_APP, app(namespace, replicas=0), operation="DELETE")

    assert response["allowed"] is True


# -- SpinAppExecutor validation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param(
            {"runtimeClassName": "foo", "spinImage": "ghcr.io/fermyon/spin:v2.7.0"},
            'spec.deploymentConfig.runtimeClassName: Invalid value: "foo": '
            "runtimeClassName and spinImage are mutually exclusive",
            id="both",
        ),
        pytest.param(
            {"installDefaultCACerts": True},
            'spec.deploymentConfig.runtimeClassName: Invalid value: "null": '
            "either runtimeClassName or spinImage must be set",
            id="neither",
        ),
    ],
)
def test_invalid_executors_are_denied(
    namespace: str, webhooks: Webhooks, config: dict[str, Any], expected: str
) -> None:
    obj = executor_manifest(namespace, "e", createDeployment=True, deploymentConfig=config)

    response = webhooks.review(VALIDATE_EXECUTOR, obj)

    assert response["allowed"] is False
    assert response["status"]["code"] == 422
    assert response["status"]["message"] == (
        f'SpinAppExecutor.core.spinoperator.dev "e" is invalid: {expected}'
    )


def test_a_valid_executor_is_allowed(namespace: str, webhooks: Webhooks) -> None:
    assert webhooks.review(VALIDATE_EXECUTOR, executor_manifest(namespace))["allowed"] is True


# -- the protocol ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b"[]", id="not-an-object"),
        pytest.param(json.dumps({"apiVersion": "v1", "kind": "Pod"}).encode(), id="not-a-review"),
        pytest.param(
            json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}).encode(),
            id="no-request",
        ),
    ],
)
def test_a_malformed_review_is_a_bad_request(webhooks: Webhooks, body: bytes) -> None:
    status, text = webhooks.post(VALIDATE_APP, body)

    assert status == 400
    assert b"malformed AdmissionReview" in text


def test_webhook_requests_are_counted(namespace: str, webhooks: Webhooks) -> None:
    webhooks.review(VALIDATE_APP, app(namespace))

    with urllib.request.urlopen(
        f"http://127.0.0.1:{webhooks.metrics_port}/metrics", timeout=5
    ) as answer:
        text = answer.read().decode()
    assert (
        f'controller_runtime_webhook_requests_total{{code="200",webhook="{VALIDATE_APP}"}}' in text
    )
    assert "controller_runtime_webhook_latency_seconds_bucket" in text
