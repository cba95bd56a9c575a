"""`--metrics-secure`: only callers the cluster allows to `get /metrics` may scrape.

As controller-runtime's `WithAuthenticationAndAuthorization` filter (upstream's default): the
bearer token is checked with a TokenReview, then the user with a SubjectAccessReview for the
non-resource URL `/metrics`, verb `get` (the chart's `metrics-reader` ClusterRole grants it).
Answers are cached for a minute per token, so a scrape every few seconds costs the API server
two requests a minute per scraper.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from lightkube.models.authentication_v1 import TokenReviewSpec
from lightkube.models.authorization_v1 import NonResourceAttributes, SubjectAccessReviewSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.authentication_v1 import TokenReview
from lightkube.resources.authorization_v1 import SubjectAccessReview

from spinkube.kube import Kube, KubeError

CACHE_SECONDS = 60.0
METRICS_PATH = "/metrics"


@dataclass(frozen=True)
class Verdict:
    status: int
    """200 allowed, 401 not authenticated, 403 not authorised."""
    message: str


ALLOWED = Verdict(200, "ok")
UNAUTHENTICATED = Verdict(401, "Authentication failed")


def bearer_token(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _name() -> ObjectMeta:
    """A real API server ignores the name of a review; the fake API of the tests needs one."""
    return ObjectMeta(name=f"spin-operator-metrics-{uuid.uuid4().hex[:12]}")


class MetricsAuthorizer:
    def __init__(self, kube: Kube, *, cache_seconds: float = CACHE_SECONDS) -> None:
        self._kube = kube
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Verdict]] = {}

    async def verdict(self, token: str | None) -> Verdict:
        if not token:
            return UNAUTHENTICATED
        key = hashlib.sha256(token.encode()).hexdigest()  # tokens are not kept
        cached = self._cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < self._cache_seconds:
            return cached[1]
        verdict = await self._review(token)
        if verdict.status < 500:  # API trouble is not an answer worth keeping
            self._cache[key] = (time.monotonic(), verdict)
        return verdict

    async def _review(self, token: str) -> Verdict:
        try:
            review = await self._kube.aio.create(
                TokenReview(metadata=_name(), spec=TokenReviewSpec(token=token))
            )
            status = review.status
            if status is None or not status.authenticated or status.user is None:
                return UNAUTHENTICATED
            user = status.user
            access = await self._kube.aio.create(
                SubjectAccessReview(
                    metadata=_name(),
                    spec=SubjectAccessReviewSpec(
                        user=user.username,
                        groups=user.groups,
                        uid=user.uid,
                        extra=user.extra,
                        nonResourceAttributes=NonResourceAttributes(path=METRICS_PATH, verb="get"),
                    ),
                ),
            )
        except KubeError as error:
            return Verdict(500, f"cannot check the caller: {error.message}")
        if access.status is None or not access.status.allowed:
            return Verdict(403, f'Authorization denied for user "{user.username}"')
        return ALLOWED


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def protected(handler: Handler, authorizer: MetricsAuthorizer) -> Handler:
    """`handler`, answered only for callers the authorizer allows."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        verdict = await authorizer.verdict(bearer_token(request))
        if verdict.status != ALLOWED.status:
            return web.Response(status=verdict.status, text=verdict.message + "\n")
        return await handler(request)

    return guarded
