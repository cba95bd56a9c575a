"""The four webhooks without a server: requests in, reviews out, lookups faked."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest

from spinkube.api import SpinAppExecutor
from spinkube.operator.webhooks.admit import (
    WEBHOOKS,
    mutate_executor,
    mutate_spinapp,
    validate_executor_request,
    validate_spinapp_request,
)
from spinkube.operator.webhooks.review import AdmissionRequest

SHIM = SpinAppExecutor.model_validate(
    {
        "metadata": {"name": "shim", "namespace": "ns"},
        "spec": {"createDeployment": True, "deploymentConfig": {"runtimeClassName": "rc"}},
    }
)


class FakeLookups:
    def __init__(self, *executors: SpinAppExecutor) -> None:
        self.executors = {e.metadata.name: e for e in executors}
        self.asked: list[tuple[str, str]] = []

    async def executor(self, namespace: str, name: str) -> SpinAppExecutor | None:
        self.asked.append((namespace, name))
        return self.executors.get(name)

    async def executor_names(self, namespace: str) -> list[str]:
        return [str(name) for name in self.executors]


def request(obj: dict[str, Any] | None, operation: str = "CREATE") -> AdmissionRequest:
    return AdmissionRequest(uid="u", operation=operation, namespace="ns", name="app", object=obj)


def app(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "core.spinoperator.dev/v1alpha1",
        "kind": "SpinApp",
        "metadata": {"name": "app", "namespace": "ns"},
        "spec": {"image": "img", "replicas": 1, **spec},
    }


def response(review: dict[str, Any]) -> dict[str, Any]:
    return dict(review["response"])


def test_the_four_paths_and_names_match_the_chart() -> None:
    assert {path: name for path, (name, _) in WEBHOOKS.items()} == {
        "/mutate-core-spinoperator-dev-v1alpha1-spinapp": "mspinapp.kb.io",
        "/validate-core-spinoperator-dev-v1alpha1-spinapp": "vspinapp.kb.io",
        "/mutate-core-spinoperator-dev-v1alpha1-spinappexecutor": "mspinappexecutor.kb.io",
        "/validate-core-spinoperator-dev-v1alpha1-spinappexecutor": "vspinappexecutor.kb.io",
    }


def test_defaulting_patches_the_executor_in() -> None:
    answer = response(asyncio.run(mutate_spinapp(request(app()), FakeLookups(SHIM))))

    patch = json.loads(base64.b64decode(answer["patch"]))
    assert patch == [{"op": "add", "path": "/spec/executor", "value": "shim"}]


def test_defaulting_leaves_an_unparsable_app_to_the_validator() -> None:
    answer = response(asyncio.run(mutate_spinapp(request(app(replicas="x")), FakeLookups(SHIM))))

    assert answer == {"uid": "u", "allowed": True}


def test_validation_looks_the_executor_up_in_the_apps_namespace() -> None:
    lookups = FakeLookups(SHIM)

    answer = response(asyncio.run(validate_spinapp_request(request(app(executor="shim")), lookups)))

    assert answer["allowed"] is True
    assert lookups.asked == [("ns", "shim")]


def test_validation_denies_with_every_error() -> None:
    review = asyncio.run(validate_spinapp_request(request(app(replicas=0)), FakeLookups()))

    assert response(review)["status"]["message"] == (
        'SpinApp.core.spinoperator.dev "app" is invalid: [spec.executor: Invalid value: "": '
        "executor must be set, likely no default executor was set because you have no "
        "executors installed, spec.replicas: Invalid value: 0: replicas must be > 0]"
    )


@pytest.mark.parametrize(
    "admit", [mutate_spinapp, validate_spinapp_request, validate_executor_request, mutate_executor]
)
def test_deletes_are_allowed_without_lookups(admit: Any) -> None:
    lookups = FakeLookups()

    answer = response(asyncio.run(admit(request(None, operation="DELETE"), lookups)))

    assert answer == {"uid": "u", "allowed": True}
    assert lookups.asked == []


def test_an_executor_the_model_refuses_is_denied() -> None:
    obj = {"metadata": {"name": "e", "namespace": "ns"}, "spec": {"createDeployment": "yes"}}

    answer = response(asyncio.run(validate_executor_request(request(obj), FakeLookups())))

    assert answer["allowed"] is False
    assert answer["status"]["message"].startswith(
        'SpinAppExecutor.core.spinoperator.dev "app" is invalid: spec.createDeployment: '
    )


def test_an_executor_without_deployment_config_is_denied() -> None:
    obj = {"metadata": {"name": "e", "namespace": "ns"}, "spec": {"createDeployment": True}}

    answer = response(asyncio.run(validate_executor_request(request(obj), FakeLookups())))

    assert "spec.deploymentConfig: Required value" in answer["status"]["message"]
