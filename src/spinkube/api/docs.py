"""Render the API reference (`docs/api.md`) from the models and their CRD schemas.

One section per object path, like the documented CRD reference: a table of the fields with
type, requirement, default and description. Embedded Kubernetes core types are named, not
expanded; `kubectl explain` shows them in full.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel

from spinkube.api._base import K8S_TYPE_KEY, K8sModel
from spinkube.api.crd import KINDS, RCM_KINDS, Kind
from spinkube.api.schema import Schema, structural_schema

_INTRO = """\
# API reference

Group `core.spinoperator.dev`, version `v1alpha1`, both kinds namespaced; and the
runtime-class-manager's `Shim` (group `runtime.kwasm.sh`, cluster-scoped). Generated from the
models in `src/spinkube/api/` (the single source of truth) together with the CRDs in
`config/crd/`, `spin-operator.crds.yaml` and `config/rcm/crd/`. Do not edit by hand; regenerate
with:

```sh
.venv/bin/python scripts/gen-crds.py
```

`tests/unit/api/test_crds.py` fails when this file or the CRDs are out of date.
Embedded Kubernetes types (Volume, VolumeMount, key selectors) are validated with their full
upstream schema; `kubectl explain spinapp.spec.volumes` prints every field.
"""


def _type_name(schema: Mapping[str, Any]) -> str:
    if schema.get("x-kubernetes-int-or-string"):
        return "int or string"
    kind = schema.get("type", "object")
    if kind == "array":
        return "[]" + _type_name(schema.get("items", {}))
    if kind == "object" and "additionalProperties" in schema:
        return "map[string]" + _type_name(schema["additionalProperties"])
    if "enum" in schema:
        return "enum: " + ", ".join(str(v) for v in schema["enum"])
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside `X | None`, `list[X]` or `dict[str, X]`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _kubernetes_type(model: type[BaseModel]) -> str | None:
    extra = model.model_config.get("json_schema_extra")
    if isinstance(extra, Mapping) and issubclass(model, K8sModel):
        name = extra.get(K8S_TYPE_KEY)
        return str(name).rsplit(".", 1)[-1] if name else None
    return None


def _sections(
    path: str, model: type[BaseModel], schema: Schema
) -> Iterator[tuple[str, str, list[str]]]:
    rows = []
    children = []
    required = set(schema.get("required", []))
    for name, field in model.model_fields.items():
        alias = field.alias or name
        prop = schema["properties"][alias]
        nested = _nested_model(field.annotation)
        description = prop.get("description", "")
        k8s = _kubernetes_type(nested) if nested else None
        if k8s:
            description += f" (Kubernetes `{k8s}`.)"
        elif nested is not None:
            item = prop.get("items", prop)
            suffix = "[index]" if prop.get("type") == "array" else ""
            children.append((f"{path}.{alias}{suffix}", nested, item))
        default = f"`{str(prop['default']).lower()}`" if "default" in prop else ""
        rows.append(
            f"| `{alias}` | {_type_name(prop)} | {'yes' if alias in required else ''} "
            f"| {default} | {_cell(description)} |"
        )
    yield path, schema.get("description", ""), rows
    for child_path, child, child_schema in children:
        yield from _sections(child_path, child, child_schema)


def _kind_section(kind: Kind, kubernetes_types: Mapping[str, Any]) -> list[str]:
    scope = "namespaced" if kind.namespaced else "cluster-scoped"
    lines = [f"## {kind.kind}", "", f"{kind.description} (`{kind.group}`, {scope}).", ""]
    lines.append(
        "`kubectl get` columns: " + ", ".join(f"{c.name} (`{c.json_path}`)" for c in kind.columns)
    )
    lines.append("")
    if kind.scale:
        paths = ", ".join(f"{k} `{v}`" for k, v in kind.scale.items())
        lines += [
            "Scale subresource (`kubectl scale`, HorizontalPodAutoscalers and KEDA can target "
            f"the {kind.kind}): {paths}.",
            "",
        ]
    for part, model in (("spec", kind.spec), ("status", kind.status)):
        schema = structural_schema(model, kubernetes_types)
        for path, description, rows in _sections(f"{kind.kind}.{part}", model, schema):
            lines += [f"### {path}", "", _cell(description), ""]
            if rows:
                lines += ["| Field | Type | Required | Default | Description |"]
                lines += ["|---|---|---|---|---|", *rows]
                lines.append("")
    return lines


def render_api_docs(kubernetes_types: Mapping[str, Any]) -> str:
    """The whole of `docs/api.md`."""
    lines = [_INTRO]
    for kind in KINDS + RCM_KINDS:
        lines += _kind_section(kind, kubernetes_types)
    return "\n".join(lines).rstrip("\n") + "\n"
