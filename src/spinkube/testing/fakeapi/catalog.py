"""Which resource types the fake API serves: kmock's bundled built-ins plus registered CRDs.

kmock ships the discovery data of a k3s 1.26 cluster (`ResourcesArray.load_bundled`, public
API). It covers everything this project stores: core/v1, apps/v1, autoscaling, node.k8s.io
RuntimeClasses, events.k8s.io and coordination.k8s.io Leases, apiextensions CRDs.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import kmock

CRD_GROUP = "apiextensions.k8s.io"
CRD_PLURAL = "customresourcedefinitions"
ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class ResourceType:
    """One served group/version/plural."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    has_status: bool
    custom: bool = False
    """Served from a CustomResourceDefinition (no strategic merge patch, a schema)."""

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """How the API server names the resource in messages: `deployments.apps`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def qualified_kind(self) -> str:
        """How validation errors name the kind: `Event`, `SpinApp.core.spinoperator.dev`."""
        return f"{self.kind}.{self.group}" if self.group else self.kind

    @property
    def storage_key(self) -> tuple[str, str]:
        """Objects are shared between versions of a group (no conversion is done)."""
        return (self.group, self.plural)


class Catalog:
    """The served resource types, mirrored into kmock's `resources` so discovery lists them."""

    def __init__(self, discovery: kmock.ResourcesArray) -> None:
        self._discovery = discovery
        self._types: dict[tuple[str, str, str], ResourceType] = {}
        self._schemas: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._scales: dict[tuple[str, str, str], dict[str, str]] = {}
        with warnings.catch_warnings():  # kmock 0.8 uses the deprecated `read_binary`
            warnings.simplefilter("ignore", DeprecationWarning)
            discovery.load_bundled()
        for res in list(discovery):
            res = cast(kmock.resource, res)
            info = discovery[res]
            if res.group is None or res.version is None or res.plural is None:
                continue
            self._types[(res.group, res.version, res.plural)] = ResourceType(
                group=res.group,
                version=res.version,
                plural=res.plural,
                kind=info.kind or res.plural.capitalize(),
                namespaced=bool(info.namespaced),
                has_status="status" in info.subresources,
            )

    def find(self, group: str, version: str, plural: str) -> ResourceType | None:
        return self._types.get((group, version, plural))

    def by_kind(self, api_version: str, kind: str) -> ResourceType | None:
        return next(
            (t for t in self._types.values() if t.api_version == api_version and t.kind == kind),
            None,
        )

    def find_group_version(self, group: str, version: str) -> list[ResourceType]:
        return [t for t in self._types.values() if (t.group, t.version) == (group, version)]

    def schema_of(self, rtype: ResourceType) -> dict[str, Any] | None:
        """The structural schema (`openAPIV3Schema`) of a custom resource's version."""
        return self._schemas.get((rtype.group, rtype.version, rtype.plural))

    def scale_of(self, rtype: ResourceType) -> dict[str, str] | None:
        """The scale subresource's paths of a custom resource's version, if it has one."""
        return self._scales.get((rtype.group, rtype.version, rtype.plural))

    def versions_of(self, storage_key: tuple[str, str]) -> Iterator[ResourceType]:
        return (t for t in self._types.values() if t.storage_key == storage_key)

    def register_crd(self, crd: dict[str, Any]) -> list[ResourceType]:
        """Serve every `served` version of a CustomResourceDefinition."""
        spec = crd.get("spec", {})
        names = spec.get("names", {})
        registered = []
        for version in spec.get("versions", []):
            if not version.get("served", True):
                continue
            rtype = ResourceType(
                group=spec["group"],
                version=version["name"],
                plural=names["plural"],
                kind=names["kind"],
                namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                has_status="status" in (version.get("subresources") or {}),
                custom=True,
            )
            schema = (version.get("schema") or {}).get("openAPIV3Schema")
            if isinstance(schema, dict):
                self._schemas[(rtype.group, rtype.version, rtype.plural)] = schema
            scale = (version.get("subresources") or {}).get("scale")
            if isinstance(scale, dict):
                self._scales[(rtype.group, rtype.version, rtype.plural)] = scale
            self._add(rtype, names)
            registered.append(rtype)
        return registered

    def unregister_crd(self, crd: dict[str, Any]) -> None:
        spec = crd.get("spec", {})
        plural = spec.get("names", {}).get("plural")
        for key in [k for k in self._types if k[0] == spec.get("group") and k[2] == plural]:
            del self._types[key]
            self._schemas.pop(key, None)
            self._scales.pop(key, None)
            del self._discovery[f"{key[0]}/{key[1]}/{key[2]}"]

    def _add(self, rtype: ResourceType, names: dict[str, Any]) -> None:
        self._types[(rtype.group, rtype.version, rtype.plural)] = rtype
        self._discovery[f"{rtype.group}/{rtype.version}/{rtype.plural}"] = kmock.ResourceInfo(
            namespaced=rtype.namespaced,
            kind=rtype.kind,
            singular=names.get("singular") or rtype.kind.lower(),
            verbs=set(ALL_VERBS),
            shortnames=set(names.get("shortNames") or []),
            categories=set(names.get("categories") or []),
            subresources=(
                ({"status"} if rtype.has_status else set())
                | ({"scale"} if self.scale_of(rtype) else set())
            ),
        )
