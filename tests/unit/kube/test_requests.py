"""Classifying the operator's own API requests for `spin_operator_api_requests_total`."""

from __future__ import annotations

import pytest

from spinkube.kube.requests import APPLY_PATCH, classify

GROUP = "/apis/core.spinoperator.dev/v1alpha1"


@pytest.mark.parametrize(
    ("method", "path", "content_type", "expected"),
    [
        (
            "PATCH",
            "/apis/apps/v1/namespaces/ns/deployments/x",
            APPLY_PATCH,
            ("apply", "deployments"),
        ),
        (
            "PATCH",
            f"{GROUP}/namespaces/ns/spinapps/x/status",
            "application/merge-patch+json",
            ("patch", "spinapps/status"),
        ),
        ("GET", "/api/v1/namespaces/ns/secrets", "", ("list", "secrets")),
        ("GET", "/api/v1/namespaces/ns/secrets/spin-ca", "", ("get", "secrets")),
        ("POST", "/api/v1/namespaces/ns/events", "", ("create", "events")),
        ("GET", "/api/v1/namespaces/ns", "", ("get", "namespaces")),
        ("GET", f"{GROUP}/spinappexecutors", "", ("list", "spinappexecutors")),
        ("DELETE", "/apis/apps/v1/namespaces/ns/deployments/x", "", ("delete", "deployments")),
    ],
)
def test_requests_are_named_by_verb_and_resource(
    method: str, path: str, content_type: str, expected: tuple[str, str]
) -> None:
    assert classify(method, path, content_type=content_type) == expected


def test_a_watch_is_not_a_list() -> None:
    assert classify("GET", "/api/v1/secrets", watch=True) == ("watch", "secrets")
