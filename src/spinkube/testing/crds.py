"""CustomResourceDefinitions for the API tier: applied, registered with lightkube, and waited
for until they are served (a real API server serves a new CRD a moment after it is applied;
the fake API at once)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition

from spinkube.kube import Kube, NotFound, register_crd, resource_of
from spinkube.testing import eventually

SERVED_TIMEOUT = 60.0


def crds_in(directory: Path) -> list[dict[str, Any]]:
    """Every CustomResourceDefinition in the YAML files of `directory` (the other documents,
    such as a Namespace a generated file starts with, are skipped)."""
    return [
        doc
        for path in sorted(directory.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc and doc.get("kind") == "CustomResourceDefinition"
    ]


def established(kube: Kube, name: str) -> bool:
    crd = kube.get(CustomResourceDefinition, name)
    conditions = (crd.status.conditions if crd.status else None) or []
    return any(c.type == "Established" and c.status == "True" for c in conditions)


def served(kube: Kube, crd: dict[str, Any]) -> bool:
    """The CRD is Established and a list of its kind (in `default`, or cluster-wide for a
    cluster-scoped kind) answers."""
    if not established(kube, crd["metadata"]["name"]):
        return False
    spec = crd["spec"]
    version = next(v["name"] for v in spec["versions"] if v.get("served", True))
    res = resource_of(f"{spec['group']}/{version}", spec["names"]["kind"])
    namespace = "default" if spec.get("scope", "Namespaced") == "Namespaced" else None
    try:
        kube.list(res, namespace=namespace)
    except NotFound:
        return False
    return True


def apply_crds(kube: Kube, crds: Iterable[dict[str, Any]]) -> None:
    """Apply each CRD, register its kinds, and wait until every one is served."""
    applied = list(crds)
    for crd in applied:
        kube.apply_manifest(crd)
        register_crd(crd)
    names = [crd["metadata"]["name"] for crd in applied]
    assert eventually(lambda: all(served(kube, crd) for crd in applied), timeout=SERVED_TIMEOUT), (
        f"CRDs not served after {SERVED_TIMEOUT:.0f} s: {names}"
    )
