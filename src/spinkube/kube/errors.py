"""One error hierarchy for everything that goes wrong talking to the Kubernetes API.

lightkube raises `ApiError` (an httpx2 status error carrying the API's `Status`) and httpx2
raises transport errors; callers of `spinkube.kube` see only these classes. Messages name the
object the way the API server does (`spinapps.core.spinoperator.dev "x" not found`), plus the
namespace, so that a CLI can print them as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx2
from lightkube import ApiError, ConfigError


class KubeError(Exception):
    """Something went wrong talking to the Kubernetes API.

    `code` is the HTTP status the API answered with (None when it never answered) and
    `reason` its machine-readable reason (`NotFound`, `Conflict`, `Invalid`, ...).
    """

    def __init__(self, message: str, *, code: int | None = None, reason: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.reason = reason


class NotFound(KubeError):  # noqa: N818 (the names are the API reasons)
    """The object (or its namespace, or its resource type) does not exist."""


class Conflict(KubeError):  # noqa: N818
    """The object already exists, changed since it was read (stale resourceVersion), or a
    server-side apply conflicts with another field manager."""


class Invalid(KubeError):  # noqa: N818
    """The API rejected the object: a field is missing, has the wrong type or value."""


class Unreachable(KubeError):  # noqa: N818
    """The API server did not answer: connection refused, DNS, TLS or timeout."""


class KubeConfigError(KubeError):
    """No usable kubeconfig: the file is missing or malformed, or no in-cluster account."""


@dataclass(frozen=True)
class Target:
    """What a request was about, for error messages: `configmaps "x" in namespace "y"`."""

    resource: str
    name: str | None = None
    namespace: str | None = None

    def describe(self) -> str:
        text = f'{self.resource} "{self.name}"' if self.name else self.resource
        return f'{text} in namespace "{self.namespace}"' if self.namespace else text


def from_api_error(error: ApiError, target: Target) -> KubeError:
    """The `KubeError` subclass for an API answer, keeping the server's message where it is
    specific and naming the object where it is not."""
    status = error.status
    code = status.code or error.response.status_code
    reason = status.reason
    message = status.message or f"{target.describe()}: HTTP {code}"
    if code == 404:
        return NotFound(_not_found_message(target), code=code, reason=reason)
    if code == 409:
        return Conflict(message, code=code, reason=reason)
    if code in (400, 422):
        return Invalid(message, code=code, reason=reason)
    return KubeError(message, code=code, reason=reason)


def _not_found_message(target: Target) -> str:
    if target.name is None:
        return f"{target.describe()}: not found (is the resource type installed?)"
    text = f'{target.resource} "{target.name}" not found'
    return f'{text} in namespace "{target.namespace}"' if target.namespace else text


@contextmanager
def translated(target: Target, *, server: str) -> Iterator[None]:
    """Turn lightkube and httpx2 errors raised inside the block into `KubeError`s."""
    try:
        yield
    except ApiError as error:
        raise from_api_error(error, target) from error
    except httpx2.TransportError as error:
        detail = str(error) or type(error).__name__
        raise Unreachable(f"cannot reach the Kubernetes API at {server}: {detail}") from error
    except ConfigError as error:
        raise KubeConfigError(str(error)) from error
