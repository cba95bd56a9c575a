"""What an API request was, as `verb` and `resource`, for counting a program's own requests.

    PATCH /apis/apps/v1/namespaces/ns/deployments/x  (apply-patch)  ->  ("apply", "deployments")
    PATCH .../namespaces/ns/spinapps/x/status                       ->  ("patch", "spinapps/status")
    GET   /api/v1/namespaces/ns/secrets                             ->  ("list", "secrets")

The verbs are the API server's own (`apiserver_request_total`), plus `apply` for a
server-side apply, so a count reads the same on the fake API and on a real cluster.
"""

from __future__ import annotations

from collections.abc import Callable

RequestObserver = Callable[[str, str], None]
"""Called with `(verb, resource)` once per answered request."""

APPLY_PATCH = "application/apply-patch+yaml"
_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


def _resource_parts(path: str) -> list[str]:
    """The path after the group/version: `[namespaces, ns, plural, name, subresource]` or less."""
    parts = [p for p in path.split("?", 1)[0].split("/") if p]
    if parts[:1] == ["api"]:
        return parts[2:]
    if parts[:1] == ["apis"]:
        return parts[3:]
    return parts


def classify(
    method: str, path: str, *, content_type: str = "", watch: bool = False
) -> tuple[str, str]:
    """`(verb, resource)` of one request; paths outside the resource API give `("get", path)`."""
    parts = _resource_parts(path)
    if len(parts) >= 2 and parts[0] == "namespaces" and len(parts) != 2:
        parts = parts[2:]  # a namespaced resource (a bare `namespaces/x` is a Namespace)
    if not parts:
        return method.lower(), path
    resource = parts[0] + (f"/{parts[2]}" if len(parts) > 2 else "")
    if method == "GET":
        verb = "watch" if watch else ("get" if len(parts) > 1 else "list")
    elif method == "PATCH" and content_type.startswith(APPLY_PATCH):
        verb = "apply"
    else:
        verb = _VERBS.get(method, method.lower())
    return verb, resource
