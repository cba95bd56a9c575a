"""AdmissionReview parsing, answers and the JSONPatch of the defaulting webhook."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from spinkube.operator.webhooks.review import (
    MalformedReviewError,
    allowed,
    denied,
    parse_review,
    set_field_patch,
)


def review(request: Any) -> dict[str, Any]:
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}


def test_a_request_is_parsed() -> None:
    obj = {"metadata": {"name": "app", "namespace": "ns"}, "spec": {}}

    request = parse_review(review({"uid": "u1", "operation": "CREATE", "object": obj}))

    assert (request.uid, request.operation, request.namespace, request.name) == (
        "u1",
        "CREATE",
        "ns",
        "app",
    )
    assert request.object == obj


def test_generate_name_stands_in_for_a_missing_name() -> None:
    obj = {"metadata": {"generateName": "app-"}}

    request = parse_review(review({"uid": "u", "namespace": "ns", "object": obj}))

    assert (request.name, request.namespace) == ("app-", "ns")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param([], id="a-list"),
        pytest.param({"apiVersion": "v1", "kind": "Pod"}, id="another-kind"),
        pytest.param(review(None), id="no-request"),
        pytest.param(review({"operation": "CREATE"}), id="no-uid"),
        pytest.param(review({"uid": "u", "object": "x"}), id="object-not-a-map"),
    ],
)
def test_malformed_reviews_are_refused(body: Any) -> None:
    with pytest.raises(MalformedReviewError):
        parse_review(body)


def test_allowed_without_and_with_a_patch() -> None:
    assert allowed("u") == {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "response": {"uid": "u", "allowed": True},
    }
    patch = [{"op": "add", "path": "/spec/executor", "value": "e"}]
    response = allowed("u", patch)["response"]
    assert response["patchType"] == "JSONPatch"
    assert json.loads(base64.b64decode(response["patch"])) == patch


def test_denied_carries_the_message_and_code() -> None:
    response = denied("u", 'SpinApp.core.spinoperator.dev "x" is invalid: boom')["response"]

    assert response == {
        "uid": "u",
        "allowed": False,
        "status": {
            "status": "Failure",
            "code": 422,
            "reason": "Invalid",
            "message": 'SpinApp.core.spinoperator.dev "x" is invalid: boom',
        },
    }


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param(
            {"spec": {"image": "i"}},
            [{"op": "add", "path": "/spec/executor", "value": "e"}],
            id="add",
        ),
        pytest.param(
            {"spec": {"executor": ""}},
            [{"op": "replace", "path": "/spec/executor", "value": "e"}],
            id="replace",
        ),
        pytest.param(
            {}, [{"op": "add", "path": "/spec", "value": {"executor": "e"}}], id="no-spec"
        ),
        pytest.param(
            {"spec": None},
            [{"op": "replace", "path": "/spec", "value": {"executor": "e"}}],
            id="null-spec",
        ),
    ],
)
def test_set_field_patch(obj: dict[str, Any], expected: list[dict[str, Any]]) -> None:
    assert set_field_patch(obj, ("spec", "executor"), "e") == expected


def test_pointer_parts_are_escaped() -> None:
    patch = set_field_patch({"metadata": {}}, ("metadata", "a/b~c"), "v")

    assert patch == [{"op": "add", "path": "/metadata/a~1b~0c", "value": "v"}]
