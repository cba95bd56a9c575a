"""Turn Kubernetes JSON-schema definitions into self-contained structural CRD schemas.

The input is the `$defs` map of the Kubernetes OpenAPI definitions (as shipped by the
`kubernetes-validate` package, which only the generator script imports). The output inlines
every `$ref`, drops `null` from types, writes quantities and int-or-strings the way the API
server wants them, and keeps only the keywords a CRD schema may carry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from spinkube.api._base import INT_OR_STRING_SCHEMA, QUANTITY_PATTERN

Schema = dict[str, Any]

QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

_KEPT = frozenset(
    {
        "description",
        "type",
        "format",
        "properties",
        "items",
        "additionalProperties",
        "required",
        "enum",
        "default",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "x-kubernetes-map-type",
        "x-kubernetes-list-type",
        "x-kubernetes-list-map-keys",
        "x-kubernetes-int-or-string",
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-embedded-resource",
    }
)

# The metadata of an embedded object template: what controller-gen emits with
# generateEmbeddedObjectMeta, so labels and annotations are not pruned.
_EMBEDDED_META_FIELDS = ("annotations", "finalizers", "labels", "name", "namespace")


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _without_null(kind: Any) -> Any:
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        return kinds[0] if len(kinds) == 1 else kinds
    return kind


class _Inliner:
    def __init__(self, definitions: Mapping[str, Any]) -> None:
        self.definitions = definitions
        self.stack: list[str] = []

    def definition(self, name: str) -> Schema:
        if name == QUANTITY:
            return {**INT_OR_STRING_SCHEMA, "pattern": QUANTITY_PATTERN}
        if name == INT_OR_STRING:
            return dict(INT_OR_STRING_SCHEMA)
        if name == OBJECT_META:
            return self._embedded_meta()
        if name in self.stack:
            raise ValueError(f"recursive Kubernetes type {' -> '.join([*self.stack, name])}")
        self.stack.append(name)
        try:
            return self.convert(self.definitions[name])
        finally:
            self.stack.pop()

    def _embedded_meta(self) -> Schema:
        meta = self.convert(self.definitions[OBJECT_META])
        props = meta["properties"]
        meta["properties"] = {k: props[k] for k in _EMBEDDED_META_FIELDS}
        return meta

    def convert(self, node: Mapping[str, Any]) -> Schema:
        if "$ref" in node:
            resolved = self.definition(_ref_name(node["$ref"]))
            if "description" in node:
                resolved["description"] = node["description"]
            return resolved
        out: Schema = {}
        for key, value in node.items():
            if key not in _KEPT:
                continue
            if key == "properties":
                out[key] = {k: self.convert(v) for k, v in value.items()}
            elif key == "items":
                out[key] = self.convert(value)
            elif key == "additionalProperties":
                if isinstance(value, Mapping):
                    out[key] = self.convert(value)
            elif key == "type":
                out[key] = _without_null(value)
            elif key == "enum":
                out[key] = [v for v in value if v is not None]
            else:
                out[key] = value
        return _fill_type(out)


def _fill_type(schema: Schema) -> Schema:
    """Structural schemas need a type everywhere; free-form objects must say so."""
    if "type" in schema or schema.get("x-kubernetes-int-or-string"):
        return schema
    if "properties" in schema or "additionalProperties" in schema:
        schema["type"] = "object"
    else:
        schema["type"] = "object"
        schema["x-kubernetes-preserve-unknown-fields"] = True
    return schema


def inline_definitions(definitions: Mapping[str, Any], names: Iterable[str]) -> dict[str, Schema]:
    """Self-contained structural schemas of the named Kubernetes definitions."""
    inliner = _Inliner(definitions)
    return {name: inliner.definition(name) for name in sorted(set(names))}
