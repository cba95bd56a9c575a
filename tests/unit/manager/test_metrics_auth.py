"""`--metrics-secure`: TokenReview, then SubjectAccessReview, cached per token."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from lightkube.models.authentication_v1 import TokenReviewStatus, UserInfo
from lightkube.models.authorization_v1 import SubjectAccessReviewStatus
from lightkube.resources.authentication_v1 import TokenReview
from lightkube.resources.authorization_v1 import SubjectAccessReview

from spinkube.kube import Unreachable
from spinkube.manager.metrics_auth import MetricsAuthorizer


class FakeReviews:
    """Knows one token (of user `prometheus`) and lets `allowed_users` get /metrics."""

    server = "fake"

    def __init__(self, *, allowed_users: set[str], fail: bool = False) -> None:
        self.aio = self
        self.client = self
        self.allowed_users = allowed_users
        self.fail = fail
        self.calls: list[Any] = []

    async def create(self, obj: Any) -> Any:
        self.calls.append(obj)
        if self.fail:
            raise Unreachable("down")
        if isinstance(obj, TokenReview):
            known = obj.spec.token == "good-token"
            user = UserInfo(username="prometheus", groups=["monitoring"]) if known else None
            obj.status = TokenReviewStatus(authenticated=known, user=user)
        elif isinstance(obj, SubjectAccessReview):
            attributes = obj.spec.nonResourceAttributes
            assert (attributes.path, attributes.verb) == ("/metrics", "get")
            assert obj.spec.groups == ["monitoring"]
            obj.status = SubjectAccessReviewStatus(allowed=obj.spec.user in self.allowed_users)
        return obj


def verdict(reviews: FakeReviews, token: str | None) -> tuple[int, str]:
    authorizer = MetricsAuthorizer(reviews)  # type: ignore[arg-type]
    result = asyncio.run(authorizer.verdict(token))
    return result.status, result.message


@pytest.mark.parametrize(
    ("token", "allowed", "expected"),
    [
        pytest.param("good-token", {"prometheus"}, (200, "ok"), id="allowed"),
        pytest.param(
            "good-token", set(), (403, 'Authorization denied for user "prometheus"'), id="denied"
        ),
        pytest.param("bogus", {"prometheus"}, (401, "Authentication failed"), id="bogus-token"),
        pytest.param(None, {"prometheus"}, (401, "Authentication failed"), id="no-token"),
    ],
)
def test_verdicts(token: str | None, allowed: set[str], expected: tuple[int, str]) -> None:
    assert verdict(FakeReviews(allowed_users=allowed), token) == expected


def test_answers_are_cached_per_token() -> None:
    reviews = FakeReviews(allowed_users={"prometheus"})
    authorizer = MetricsAuthorizer(reviews)  # type: ignore[arg-type]

    async def twice() -> None:
        await authorizer.verdict("good-token")
        await authorizer.verdict("good-token")

    asyncio.run(twice())

    assert len(reviews.calls) == 2  # one TokenReview and one SubjectAccessReview, once


def test_api_trouble_is_a_server_error_and_not_cached() -> None:
    reviews = FakeReviews(allowed_users={"prometheus"}, fail=True)
    authorizer = MetricsAuthorizer(reviews)  # type: ignore[arg-type]

    async def twice() -> list[int]:
        return [(await authorizer.verdict("good-token")).status for _ in range(2)]

    assert asyncio.run(twice()) == [500, 500]
    assert len(reviews.calls) == 2
