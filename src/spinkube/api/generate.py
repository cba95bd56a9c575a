"""Everything generated from the models, as file contents keyed by path from the repo root.

Pure: the caller passes in the Kubernetes definitions (`scripts/gen-crds.py` takes them from
the `kubernetes-validate` package) and writes or compares the files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from spinkube.api.constants import GROUP
from spinkube.api.crd import KINDS, KUBERNETES_TYPES_FILE, RCM_KINDS, Kind, build_crd, dump_yaml
from spinkube.api.docs import render_api_docs
from spinkube.api.kubernetes_schema import inline_definitions
from spinkube.api.schema import kubernetes_type_names

KUBERNETES_TYPES_PATH = f"src/spinkube/api/{KUBERNETES_TYPES_FILE}"
RELEASE_CRDS_PATH = "spin-operator.crds.yaml"
API_DOCS_PATH = "docs/api.md"


def crd_path(plural: str) -> str:
    """Where the CRD of one operator kind lives, named like kubebuilder names it."""
    return f"config/crd/{GROUP}_{plural}.yaml"


def rcm_crd_path(kind: Kind) -> str:
    """Where the CRD of one runtime-class-manager kind lives."""
    return f"config/rcm/crd/{kind.group}_{kind.plural}.yaml"


def vendored_kubernetes_types(definitions: Mapping[str, Any]) -> dict[str, Any]:
    """The structural schemas of the Kubernetes types the models embed."""
    models: list[type[BaseModel]] = [
        m for kind in KINDS + RCM_KINDS for m in (kind.spec, kind.status)
    ]
    names = set().union(*(kubernetes_type_names(m) for m in models))
    return inline_definitions(definitions, names)


def render_all(definitions: Mapping[str, Any]) -> dict[str, str]:
    """Every generated file, from the Kubernetes `$defs` of one Kubernetes version."""
    types = vendored_kubernetes_types(definitions)
    crds = [build_crd(kind, types) for kind in KINDS]
    files = {KUBERNETES_TYPES_PATH: json.dumps(types, indent=1, sort_keys=True) + "\n"}
    for kind, crd in zip(KINDS, crds, strict=True):
        files[crd_path(kind.plural)] = dump_yaml([crd])
    files[RELEASE_CRDS_PATH] = dump_yaml(crds)
    for kind in RCM_KINDS:
        files[rcm_crd_path(kind)] = dump_yaml([build_crd(kind, types)])
    files[API_DOCS_PATH] = render_api_docs(types)
    return files
