"""The CustomResourceDefinitions of SpinApp, SpinAppExecutor and Shim, built from the models.

`scripts/gen-crds.py` writes them to `config/crd/`, `spin-operator.crds.yaml` and (the Shim,
runtime-class-manager's) `config/rcm/crd/`; a unit test
fails when those files differ from what this module builds. The Kubernetes core types the
CRDs embed come from `kubernetes-types.json`, vendored next to this module by the same script.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel

from spinkube.api import constants as c
from spinkube.api.executor import SpinAppExecutorSpec, SpinAppExecutorStatus
from spinkube.api.schema import Schema, structural_schema
from spinkube.api.shim import ShimSpec, ShimStatus
from spinkube.api.spinapp import SpinAppSpec, SpinAppStatus

KUBERNETES_TYPES_FILE = "kubernetes-types.json"

_API_VERSION_DOC = (
    "APIVersion defines the versioned schema of this representation of an object. Servers "
    "should convert recognized schemas to the latest internal value, and may reject "
    "unrecognized values. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"
)
_KIND_DOC = (
    "Kind is a string value representing the REST resource this object represents. Servers may "
    "infer this from the endpoint the client submits requests to. Cannot be updated. In "
    "CamelCase. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"
)


@dataclass(frozen=True)
class PrinterColumn:
    """A column of `kubectl get`."""

    name: str
    json_path: str
    type: str
    description: str = ""
    priority: int = 0

    def manifest(self) -> dict[str, Any]:
        out: dict[str, Any] = {"jsonPath": self.json_path, "name": self.name, "type": self.type}
        if self.description:
            out["description"] = self.description
        if self.priority:
            out["priority"] = self.priority
        return out


@dataclass(frozen=True)
class Kind:
    """What a CRD needs to know about one kind besides its schema."""

    kind: str
    list_kind: str
    plural: str
    singular: str
    description: str
    spec: type[BaseModel]
    status: type[BaseModel]
    columns: tuple[PrinterColumn, ...]
    scale: dict[str, str] | None = None
    """The scale subresource's paths (`kubectl scale`, HorizontalPodAutoscalers, KEDA)."""
    group: str = c.GROUP
    namespaced: bool = True

    @property
    def crd_name(self) -> str:
        return f"{self.plural}.{self.group}"


SPINAPP = Kind(
    kind=c.SPINAPP_KIND,
    list_kind=c.SPINAPP_LIST_KIND,
    plural=c.SPINAPP_PLURAL,
    singular=c.SPINAPP_SINGULAR,
    description="SpinApp is the Schema for the spinapps API",
    spec=SpinAppSpec,
    status=SpinAppStatus,
    columns=(
        PrinterColumn("Ready", ".status.readyReplicas", "integer"),
        PrinterColumn("Desired", ".spec.replicas", "integer"),
        PrinterColumn("Executor", ".spec.executor", "string"),
    ),
    scale={
        "specReplicasPath": ".spec.replicas",
        "statusReplicasPath": ".status.readyReplicas",
        "labelSelectorPath": ".status.selector",
    },
)

EXECUTOR = Kind(
    kind=c.EXECUTOR_KIND,
    list_kind=c.EXECUTOR_LIST_KIND,
    plural=c.EXECUTOR_PLURAL,
    singular=c.EXECUTOR_SINGULAR,
    description="SpinAppExecutor is the Schema for the spinappexecutors API",
    spec=SpinAppExecutorSpec,
    status=SpinAppExecutorStatus,
    columns=(
        PrinterColumn("Create-Deployment", ".spec.createDeployment", "boolean"),
        PrinterColumn("Runtime-Class", ".spec.deploymentConfig.runtimeClassName", "string"),
        PrinterColumn("Spin-Image", ".spec.deploymentConfig.spinImage", "string", priority=1),
        PrinterColumn("Age", ".metadata.creationTimestamp", "date"),
    ),
)

KINDS = (SPINAPP, EXECUTOR)
"""The Spin Operator's kinds (`spin-operator.crds.yaml`)."""

SHIM = Kind(
    kind=c.SHIM_KIND,
    list_kind=c.SHIM_LIST_KIND,
    plural=c.SHIM_PLURAL,
    singular=c.SHIM_SINGULAR,
    description="Shim is the Schema for the shims API",
    spec=ShimSpec,
    status=ShimStatus,
    columns=(
        PrinterColumn("RuntimeClass", ".spec.runtimeClass.name", "string"),
        PrinterColumn("Ready", ".status.nodesReady", "integer"),
        PrinterColumn("Nodes", ".status.nodes", "integer"),
    ),
    group=c.SHIM_GROUP,
    namespaced=False,
)
"""runtime-class-manager's kind. Unlike upstream's it has a status subresource (the Kubernetes
convention: users cannot write status by accident, and status writes do not bump generation)."""

RCM_KINDS = (SHIM,)


def load_kubernetes_types() -> dict[str, Any]:
    """The vendored Kubernetes core type schemas, by definition name."""
    text = resources.files("spinkube.api").joinpath(KUBERNETES_TYPES_FILE).read_text("utf-8")
    types: dict[str, Any] = json.loads(text)
    return types


def open_api_schema(kind: Kind, kubernetes_types: Mapping[str, Any]) -> Schema:
    """The `openAPIV3Schema` of one kind."""
    return {
        "description": kind.description,
        "properties": {
            "apiVersion": {"description": _API_VERSION_DOC, "type": "string"},
            "kind": {"description": _KIND_DOC, "type": "string"},
            "metadata": {"type": "object"},
            "spec": structural_schema(kind.spec, kubernetes_types),
            "status": structural_schema(kind.status, kubernetes_types),
        },
        "type": "object",
    }


def build_crd(kind: Kind, kubernetes_types: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The CustomResourceDefinition of one kind as plain Kubernetes JSON."""
    types = load_kubernetes_types() if kubernetes_types is None else kubernetes_types
    version = {
        "additionalPrinterColumns": [col.manifest() for col in kind.columns],
        "name": c.VERSION,
        "schema": {"openAPIV3Schema": open_api_schema(kind, types)},
        "served": True,
        "storage": True,
        "subresources": {"status": {}, **({"scale": kind.scale} if kind.scale else {})},
    }
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": kind.crd_name},
        "spec": {
            "group": kind.group,
            "names": {
                "kind": kind.kind,
                "listKind": kind.list_kind,
                "plural": kind.plural,
                "singular": kind.singular,
            },
            "scope": "Namespaced" if kind.namespaced else "Cluster",
            "versions": [version],
        },
    }


def build_crds(kubernetes_types: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Both CRDs, SpinApp first."""
    types = load_kubernetes_types() if kubernetes_types is None else kubernetes_types
    return [build_crd(kind, types) for kind in KINDS]


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line descriptions, indented lists, sorted keys."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)

GENERATED_HEADER = "# Generated from spinkube.api by scripts/gen-crds.py. Do not edit.\n"


def dump_yaml(documents: list[dict[str, Any]]) -> str:
    """Deterministic multi-document YAML, as checked in."""
    body = "---\n".join(
        yaml.dump(doc, Dumper=_Dumper, sort_keys=True, width=100, allow_unicode=True)
        for doc in documents
    )
    return GENERATED_HEADER + "---\n" + body
