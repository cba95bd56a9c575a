"""Turn a model's pydantic JSON schema into a structural CRD schema.

pydantic writes `$ref`s, `anyOf [X, null]` for optional fields, titles and `default: null`;
the API server wants every type inlined, no nulls and no titles. Models marked as Kubernetes
types (`K8S_TYPE_KEY`) are replaced by the inlined Kubernetes definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from spinkube.api._base import K8S_TYPE_KEY

Schema = dict[str, Any]

_DROPPED = frozenset({"title", "$defs"})


class _Converter:
    def __init__(self, defs: Mapping[str, Any], kubernetes_types: Mapping[str, Any]) -> None:
        self.defs = defs
        self.kubernetes_types = kubernetes_types

    def convert(self, node: Mapping[str, Any]) -> Schema:
        if "$ref" in node:
            return self._overlay(self._resolve(node["$ref"]), node)
        if "anyOf" in node and not node.get("x-kubernetes-int-or-string"):
            return self._overlay(self._single_variant(node["anyOf"]), node)
        return self._convert_plain(node)

    def _resolve(self, ref: str) -> Schema:
        target = self.defs[ref.rsplit("/", 1)[-1]]
        kubernetes_type = target.get(K8S_TYPE_KEY)
        if kubernetes_type is not None:
            copied: Schema = _copy(self.kubernetes_types[kubernetes_type])
            return copied
        return self.convert(target)

    def _single_variant(self, variants: list[Mapping[str, Any]]) -> Schema:
        kept = [v for v in variants if v.get("type") != "null"]
        if len(kept) != 1:
            raise ValueError(f"cannot express union {variants!r} in a structural schema")
        return self.convert(kept[0])

    def _overlay(self, base: Schema, node: Mapping[str, Any]) -> Schema:
        """Field-level keywords (description, default) win over those of the field's type."""
        siblings = {k: v for k, v in node.items() if k not in ("$ref", "anyOf")}
        base.update(self._convert_plain(siblings, fill_type=False))
        return base

    def _convert_plain(self, node: Mapping[str, Any], *, fill_type: bool = True) -> Schema:
        out: Schema = {}
        for key, value in node.items():
            if key in _DROPPED or key == K8S_TYPE_KEY:
                continue
            if key == "default" and value is None:
                continue
            if key == "properties":
                out[key] = {k: self.convert(v) for k, v in value.items()}
            elif key in ("items", "additionalProperties"):
                if isinstance(value, Mapping):
                    out[key] = self.convert(value)
            else:
                out[key] = value
        if fill_type and "type" not in out and not out.get("x-kubernetes-int-or-string"):
            out["type"] = "object"
        return out


def _copy(schema: Any) -> Any:
    if isinstance(schema, Mapping):
        return {k: _copy(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_copy(v) for v in schema]
    return schema


def structural_schema(model: type[BaseModel], kubernetes_types: Mapping[str, Any]) -> Schema:
    """The structural CRD schema of `model`, with Kubernetes types inlined."""
    raw = model.model_json_schema(by_alias=True, mode="validation")
    return _Converter(raw.get("$defs", {}), kubernetes_types).convert(raw)


def kubernetes_type_names(model: type[BaseModel]) -> set[str]:
    """The Kubernetes definitions `model` embeds, i.e. what the generator must vendor."""
    raw = model.model_json_schema(by_alias=True, mode="validation")
    return {d[K8S_TYPE_KEY] for d in raw.get("$defs", {}).values() if K8S_TYPE_KEY in d}
