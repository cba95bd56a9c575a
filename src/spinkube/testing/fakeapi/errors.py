"""API errors as the API server reports them: a `Status` object with code, reason, message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spinkube.testing.fakeapi.catalog import ResourceType


class ApiError(Exception):
    def __init__(
        self, code: int, reason: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details or {}

    def status(self) -> dict[str, Any]:
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            **({"reason": self.reason} if self.reason else {}),
            "details": self.details,
            "code": self.code,
        }


def _details(rtype: ResourceType, name: str | None) -> dict[str, Any]:
    return {"name": name or "", "group": rtype.group, "kind": rtype.plural}


def not_found(rtype: ResourceType, name: str | None) -> ApiError:
    return ApiError(404, "NotFound", f'{rtype.qualified} "{name}" not found', _details(rtype, name))


def namespace_not_found(namespace: str) -> ApiError:
    details = {"name": namespace, "kind": "namespaces"}
    return ApiError(404, "NotFound", f'namespaces "{namespace}" not found', details)


def already_exists(rtype: ResourceType, name: str) -> ApiError:
    message = f'{rtype.qualified} "{name}" already exists'
    return ApiError(409, "AlreadyExists", message, _details(rtype, name))


def modified(rtype: ResourceType, name: str) -> ApiError:
    message = (
        f'Operation cannot be fulfilled on {rtype.qualified} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again"
    )
    return ApiError(409, "Conflict", message, _details(rtype, name))


def invalid(rtype: ResourceType, name: str | None, field: str, detail: str) -> ApiError:
    message = f'{rtype.qualified_kind} "{name or ""}" is invalid: {field}: {detail}'
    details = {**_details(rtype, name), "causes": [{"field": field, "message": detail}]}
    return ApiError(422, "Invalid", message, details)


def invalid_fields(rtype: ResourceType, name: str | None, errors: Sequence[Any]) -> ApiError:
    """422 for field errors (`path`, `str()`), joined as `NewInvalid` does: one as it is,
    several as `[e1, e2]`."""
    printed = [str(error) for error in errors]
    joined = printed[0] if len(printed) == 1 else f"[{', '.join(printed)}]"
    message = f'{rtype.qualified_kind} "{name or ""}" is invalid: {joined}'
    causes = [{"field": error.path, "message": str(error)} for error in errors]
    return ApiError(422, "Invalid", message, {**_details(rtype, name), "causes": causes})


def unsupported_media_type() -> ApiError:
    """What a custom resource answers to a strategic merge patch."""
    message = (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    )
    return ApiError(415, "UnsupportedMediaType", message)


def internal(message: str) -> ApiError:
    """A bare 500, as the API server answers errors that carry no status (SSA's typed
    conversion of a patch with undeclared fields, kubernetes/kubernetes#139253)."""
    return ApiError(500, "", message)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def unknown_resource() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource")


def method_not_allowed(message: str) -> ApiError:
    return ApiError(405, "MethodNotAllowed", message)
