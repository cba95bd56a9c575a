"""The Service (upstream `service_test.go` `TestConstructService`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spinkube.api import SpinApp
from spinkube.desired import build_service

AppFactory = Callable[..., SpinApp]


def test_construct_service(make_app: AppFactory, schema_valid: Callable[[Any], None]) -> None:
    """TestConstructService: kind, version, labels, status-only selector, 80 -> http-app."""
    service = build_service(make_app())
    assert service["kind"] == "Service"
    assert service["apiVersion"] == "v1"
    assert service["metadata"]["name"] == "my-app"
    assert service["metadata"]["labels"] == {"core.spinoperator.dev/app-name": "my-app"}
    assert service["spec"]["selector"] == {"core.spinoperator.dev/app.my-app.status": "ready"}
    assert service["spec"]["ports"] == [{"protocol": "TCP", "port": 80, "targetPort": "http-app"}]
    assert service["spec"]["type"] == "ClusterIP"
    schema_valid(service)


def test_service_annotations(make_app: AppFactory) -> None:
    service = build_service(make_app(serviceAnnotations={"key": "value"}))
    assert service["metadata"]["annotations"] == {"key": "value"}
    assert "annotations" not in build_service(make_app())["metadata"]


def test_offline_app_without_uid_has_no_owner() -> None:
    app = SpinApp.model_validate({"metadata": {"name": "a"}, "spec": {"image": "i"}})
    service = build_service(app)
    assert "ownerReferences" not in service["metadata"]
    assert "namespace" not in service["metadata"]
