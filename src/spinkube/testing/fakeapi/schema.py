"""A CRD's structural schema applied to custom resources, as the apiextensions API server does.

Three steps, in the API server's order for every write of a custom resource:

- `prune`: fields the schema does not declare are dropped (unless
  `x-kubernetes-preserve-unknown-fields` or `additionalProperties` allow them);
  `unknown_fields` lists them instead, for server-side apply, which refuses them;
- `apply_defaults`: `default:` values fill in absent fields of objects that are present;
- `validate`: types, `required`, `enum`, bounds, lengths, `pattern`, item counts, with the
  API server's field errors (`spec.replicas: Invalid value: "string": spec.replicas in body
  must be of type integer: "string"`).

Not covered: `x-kubernetes-validations` (CEL), formats, list-type uniqueness, `oneOf`/`not`.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Schema = dict[str, Any]
Path = tuple[str, ...]
ROOT_KEPT = ("apiVersion", "kind", "metadata")
"""Kept at the root of every custom resource (and of embedded resources), whatever the schema."""


@dataclass(frozen=True)
class FieldError:
    """One field error, printed as apimachinery prints `field.Error`."""

    path: str
    kind: str
    detail: str = ""
    value: Any = None
    show_value: bool = True

    def __str__(self) -> str:
        if self.kind in ("Required value", "Forbidden", "Too long"):
            return f"{self.path}: {self.kind}" + (f": {self.detail}" if self.detail else "")
        shown = f": {go_value(self.value)}" if self.show_value else ""
        return f"{self.path}: {self.kind}{shown}" + (f": {self.detail}" if self.detail else "")


def go_value(value: Any) -> str:
    """A value as `field.Error` prints it: strings quoted, numbers and booleans bare."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def _preserves(schema: Schema) -> bool:
    return bool(schema.get("x-kubernetes-preserve-unknown-fields"))


def _dotted(path: Path) -> str:
    return ".".join(path).replace(".[", "[")


# -- pruning -----------------------------------------------------------------------------------


def unknown_fields(obj: Any, schema: Schema, path: Path = ()) -> Iterator[str]:
    """`.spec.notAField` for each field the schema does not declare (SSA's message paths)."""
    if isinstance(obj, dict):
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, value in obj.items():
            if (not path and key in ROOT_KEPT) or (path == ("metadata",)):
                continue
            if props is not None and key in props:
                yield from unknown_fields(value, props[key], (*path, key))
            elif isinstance(extra, dict):
                yield from unknown_fields(value, extra, (*path, key))
            elif not (_preserves(schema) or extra is True):
                yield "." + ".".join((*path, key))
    elif isinstance(obj, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(obj):
            yield from unknown_fields(item, schema["items"], (*path[:-1], f"{path[-1]}[{index}]"))


def prune(obj: Any, schema: Schema, *, root: bool = True) -> Any:
    """A copy of `obj` without the fields the schema does not declare."""
    if isinstance(obj, dict):
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        kept = ROOT_KEPT if root or schema.get("x-kubernetes-embedded-resource") else ()
        result = {}
        for key, value in obj.items():
            if key in kept:
                result[key] = copy.deepcopy(value)
            elif props is not None and key in props:
                result[key] = prune(value, props[key], root=False)
            elif isinstance(extra, dict):
                result[key] = prune(value, extra, root=False)
            elif _preserves(schema) or extra is True:
                result[key] = copy.deepcopy(value)
        return result
    if isinstance(obj, list) and isinstance(schema.get("items"), dict):
        return [prune(item, schema["items"], root=False) for item in obj]
    return copy.deepcopy(obj)


# -- defaulting --------------------------------------------------------------------------------


def apply_defaults(obj: Any, schema: Schema) -> None:
    """Fill in `default:` values of absent properties, recursively, in place."""
    if isinstance(obj, dict):
        for key, sub in (schema.get("properties") or {}).items():
            if key not in obj and "default" in sub:
                obj[key] = copy.deepcopy(sub["default"])
            if key in obj:
                apply_defaults(obj[key], sub)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key, value in obj.items():
                if key not in (schema.get("properties") or {}):
                    apply_defaults(value, extra)
    elif isinstance(obj, list) and isinstance(schema.get("items"), dict):
        for item in obj:
            apply_defaults(item, schema["items"])


# -- validation --------------------------------------------------------------------------------


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _type_matches(value: Any, schema: Schema) -> bool:
    wanted = schema.get("type")
    if schema.get("x-kubernetes-int-or-string"):
        return _type_of(value) in ("integer", "string")
    if not wanted:
        return True
    actual = _type_of(value)
    return actual == wanted or (wanted == "number" and actual == "integer")


def validate(obj: Any, schema: Schema, path: Path = ()) -> list[FieldError]:
    """Every field error of `obj` under `schema`, in document order."""
    name = _dotted(path)
    if obj is None:
        if schema.get("nullable"):
            return []
        if schema.get("type"):
            detail = f'{name} in body must be of type {schema["type"]}: "null"'
            return [FieldError(name, "Invalid value", detail, "null")]
        return []
    if not _type_matches(obj, schema):
        wanted = schema.get("type") or "integer,string"
        detail = f'{name} in body must be of type {wanted}: "{_type_of(obj)}"'
        return [FieldError(name, "Invalid value", detail, _type_of(obj))]
    errors = _value_errors(obj, schema, name)
    if isinstance(obj, dict):
        errors += _object_errors(obj, schema, path)
    elif isinstance(obj, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(obj):
            item_path = (*path[:-1], f"{path[-1]}[{index}]") if path else (f"[{index}]",)
            errors += validate(item, schema["items"], item_path)
    return errors


def _object_errors(obj: dict[str, Any], schema: Schema, path: Path) -> list[FieldError]:
    errors = [
        FieldError(_dotted((*path, key)), "Required value")
        for key in schema.get("required") or []
        if key not in obj
    ]
    props = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    for key, value in obj.items():
        if not path and key in ROOT_KEPT:
            continue
        sub = props.get(key) if key in props else (extra if isinstance(extra, dict) else None)
        if sub is not None:
            errors += validate(value, sub, (*path, key))
    return errors


def _value_errors(value: Any, schema: Schema, name: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if "enum" in schema and value not in schema["enum"]:
        supported = ", ".join(go_value(v) for v in schema["enum"])
        errors.append(
            FieldError(name, "Unsupported value", f"supported values: {supported}", value)
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        errors += _bound_errors(value, schema, name)
    if isinstance(value, str):
        errors += _string_errors(value, schema, name)
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            detail = f"{name} in body should have at least {schema['minItems']} items"
            errors.append(FieldError(name, "Invalid value", detail, len(value)))
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            detail = f"must have at most {schema['maxItems']} items"
            errors.append(FieldError(name, "Too many", detail, len(value)))
    return errors


def _bound_errors(value: float, schema: Schema, name: str) -> list[FieldError]:
    errors = []
    if "minimum" in schema and value < schema["minimum"]:
        detail = f"{name} in body should be greater than or equal to {schema['minimum']}"
        errors.append(FieldError(name, "Invalid value", detail, value))
    if "maximum" in schema and value > schema["maximum"]:
        detail = f"{name} in body should be less than or equal to {schema['maximum']}"
        errors.append(FieldError(name, "Invalid value", detail, value))
    return errors


def _string_errors(value: str, schema: Schema, name: str) -> list[FieldError]:
    errors = []
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        detail = f"may not be more than {schema['maxLength']} bytes"
        errors.append(FieldError(name, "Too long", detail))
    if "minLength" in schema and len(value) < schema["minLength"]:
        detail = f"{name} in body should be at least {schema['minLength']} chars long"
        errors.append(FieldError(name, "Invalid value", detail, value))
    if "pattern" in schema and not re.search(schema["pattern"], value):
        detail = f"{name} in body should match '{schema['pattern']}'"
        errors.append(FieldError(name, "Invalid value", detail, value))
    return errors


def ratcheted(errors: list[FieldError], old: Any, new: Any) -> list[FieldError]:
    """Validation ratcheting (GA in 1.33): an update may keep an invalid value it did not
    change. Errors at paths whose value is unchanged from `old` are dropped."""
    if old is None:
        return errors
    return [e for e in errors if _at(old, e.path) != _at(new, e.path) or _at(old, e.path) is _GONE]


_GONE = object()


def _at(obj: Any, dotted: str) -> Any:
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", dotted):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(obj, list) or index >= len(obj):
                return _GONE
            obj = obj[index]
        elif isinstance(obj, dict) and part in obj:
            obj = obj[part]
        else:
            return _GONE
    return obj
