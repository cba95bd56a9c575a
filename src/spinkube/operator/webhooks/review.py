"""AdmissionReview v1: the request as the API server sends it, and the answers.

A denial carries the `NewInvalid` message (`SpinApp.core.spinoperator.dev "x" is invalid:
spec.replicas: ...`); the API server prefixes it with `admission webhook "<name>" denied the
request: `, which is what kubectl prints. A mutation answers with a base64 JSONPatch.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

API_VERSION = "admission.k8s.io/v1"
KIND = "AdmissionReview"
INVALID_CODE = 422

Json = dict[str, Any]


class MalformedReviewError(ValueError):
    """The body is not an AdmissionReview v1 request (answered with HTTP 400)."""


@dataclass(frozen=True)
class AdmissionRequest:
    uid: str
    operation: str
    namespace: str
    name: str
    object: Json | None
    old_object: Json | None = None


def _object(value: object, what: str) -> Json | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise MalformedReviewError(f"request.{what} must be an object")
    return value


def parse_review(data: object) -> AdmissionRequest:
    """The request inside an AdmissionReview; raises `MalformedReviewError`."""
    if not isinstance(data, Mapping):
        raise MalformedReviewError("the body must be a JSON object")
    if data.get("apiVersion") != API_VERSION or data.get("kind") != KIND:
        raise MalformedReviewError(f"expected apiVersion {API_VERSION} and kind {KIND}")
    request = data.get("request")
    if not isinstance(request, Mapping) or not isinstance(request.get("uid"), str):
        raise MalformedReviewError("the review has no request with a uid")
    obj = _object(request.get("object"), "object")
    meta = (obj or {}).get("metadata") or {}
    return AdmissionRequest(
        uid=request["uid"],
        operation=str(request.get("operation") or ""),
        namespace=str(request.get("namespace") or meta.get("namespace") or "default"),
        name=str(request.get("name") or meta.get("name") or meta.get("generateName") or ""),
        object=obj,
        old_object=_object(request.get("oldObject"), "oldObject"),
    )


def _review(response: Json) -> Json:
    return {"apiVersion": API_VERSION, "kind": KIND, "response": response}


def allowed(uid: str, patch: list[Json] | None = None) -> Json:
    """Admit the object, changed by `patch` (a JSONPatch) when one is given."""
    response: Json = {"uid": uid, "allowed": True}
    if patch:
        response["patchType"] = "JSONPatch"
        response["patch"] = base64.b64encode(json.dumps(patch).encode()).decode("ascii")
    return _review(response)


def denied(uid: str, message: str, *, code: int = INVALID_CODE, reason: str = "Invalid") -> Json:
    """Refuse the object with `message` (kubectl shows it after the webhook's prefix)."""
    status = {"status": "Failure", "code": code, "reason": reason, "message": message}
    return _review({"uid": uid, "allowed": False, "status": status})


def set_field_patch(obj: Mapping[str, Any], path: tuple[str, ...], value: object) -> list[Json]:
    """A JSONPatch that sets `obj[path...] = value`, adding missing parent objects."""
    ops: list[Json] = []
    current: Any = obj
    pointer = ""
    for i, part in enumerate(path):
        pointer += "/" + part.replace("~", "~0").replace("/", "~1")
        last = i == len(path) - 1
        exists = isinstance(current, Mapping) and part in current
        if last:
            ops.append({"op": "replace" if exists else "add", "path": pointer, "value": value})
        elif not exists or not isinstance(current.get(part), Mapping):
            remainder = _nested(path[i + 1 :], value)
            ops.append({"op": "replace" if exists else "add", "path": pointer, "value": remainder})
            return ops
        current = current[part] if not last else None
    return ops


def _nested(path: tuple[str, ...], value: object) -> object:
    for part in reversed(path):
        value = {part: value}
    return value
