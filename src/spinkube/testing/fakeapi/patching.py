"""The patch formats the fake API accepts: JSON merge, strategic merge (approximated), JSON
Patch. Server-side apply lives in `fields.py`."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import jsonpatch

MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"
APPLY = "application/apply-patch+yaml"

# Lists whose items strategic merge patch matches by a key instead of replacing the list.
_MERGE_KEYS = ("name", "containerPort", "type", "ip", "devicePath", "mountPath")


class PatchError(ValueError):
    """A patch that cannot apply (a failed JSON Patch `test`, a bad path): 422 Invalid."""


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: dicts merge recursively, `null` removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    return _merge_keys(target, patch, merge_patch)


def strategic_merge_patch(target: Any, patch: Any) -> Any:
    """Merge patch, except that lists of objects sharing a merge key (`name`, `containerPort`,
    `type`, ...) merge item by item as strategic merge does for containers, env, ports,
    volumes and conditions. Directives (`$patch`, `$retainKeys`) are not supported."""
    if isinstance(patch, list) and isinstance(target, list):
        return _merge_keyed_lists(target, patch)
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    return _merge_keys(target, patch, strategic_merge_patch)


def _merge_keys(
    target: Any, patch: dict[str, Any], merge: Callable[[Any, Any], Any]
) -> dict[str, Any]:
    """`target`'s keys with `patch`'s merged in by `merge`; a `null` value removes its key."""
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge(result.get(key), value)
    return result


def _merge_key(items: list[Any]) -> str | None:
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    return next((key for key in _MERGE_KEYS if all(key in item for item in items)), None)


def _merge_keyed_lists(target: list[Any], patch: list[Any]) -> list[Any]:
    key = _merge_key(patch)
    if key is None or _merge_key(target) != key:
        return copy.deepcopy(patch)
    merged = [copy.deepcopy(item) for item in target]
    for item in patch:
        index = next((i for i, old in enumerate(merged) if old[key] == item[key]), None)
        if index is None:
            merged.append(copy.deepcopy(item))
        else:
            merged[index] = strategic_merge_patch(merged[index], item)
    return merged


def json_patch(target: dict[str, Any], operations: Any) -> dict[str, Any]:
    """RFC 6902 JSON Patch (kopf uses a `test` on resourceVersion before each patch)."""
    try:
        result = jsonpatch.apply_patch(target, operations)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError) as error:
        raise PatchError(str(error)) from error
    if not isinstance(result, dict):
        raise PatchError("a JSON Patch must leave an object")
    return result


def apply_patch(target: dict[str, Any], patch: Any, content_type: str) -> dict[str, Any]:
    """Apply a PATCH body of the given content type to a whole object."""
    if content_type == JSON_PATCH:
        return json_patch(target, patch)
    if not isinstance(patch, dict):
        raise PatchError(f"a {content_type} body must be an object")
    if content_type == STRATEGIC:
        return dict(strategic_merge_patch(target, patch))
    return dict(merge_patch(target, patch))
