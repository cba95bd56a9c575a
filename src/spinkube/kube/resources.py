"""lightkube resource classes for the SpinKube CRDs and for manifests given as plain dicts."""

from __future__ import annotations

from typing import Any, cast

from lightkube import LoadResourceError
from lightkube.codecs import from_dict, resource_registry
from lightkube.core.resource import NamespacedResource, Resource
from lightkube.generic_resource import (
    GenericGlobalResource,
    GenericNamespacedResource,
    create_global_resource,
    create_namespaced_resource,
)

from spinkube.api.constants import (
    EXECUTOR_KIND,
    EXECUTOR_PLURAL,
    GROUP,
    SHIM_GROUP,
    SHIM_KIND,
    SHIM_PLURAL,
    SHIM_VERSION,
    SPINAPP_KIND,
    SPINAPP_PLURAL,
    VERSION,
)
from spinkube.kube.errors import NotFound

SpinApp: type[GenericNamespacedResource] = create_namespaced_resource(
    GROUP, VERSION, SPINAPP_KIND, SPINAPP_PLURAL
)
SpinAppExecutor: type[GenericNamespacedResource] = create_namespaced_resource(
    GROUP, VERSION, EXECUTOR_KIND, EXECUTOR_PLURAL
)

Shim: type[GenericGlobalResource] = create_global_resource(
    SHIM_GROUP, SHIM_VERSION, SHIM_KIND, SHIM_PLURAL
)


def qualified_name(res: type[Resource]) -> str:
    """The resource as the API server names it in messages: `deployments.apps`, `configmaps`."""
    info: Any = res._api_info
    group = info.parent.group if info.parent else info.resource.group
    return f"{info.plural}.{group}" if group else str(info.plural)


def is_namespaced(res: type[Resource]) -> bool:
    return issubclass(res, NamespacedResource)


def register_custom_resource(
    *, group: str, version: str, kind: str, plural: str, namespaced: bool = True
) -> type[Resource]:
    """Make a custom resource type known, so that manifests of that kind can be loaded."""
    factory = create_namespaced_resource if namespaced else create_global_resource
    return cast(type[Resource], factory(group, version, kind, plural))


def register_crd(crd: dict[str, Any]) -> list[type[Resource]]:
    """Register every served version of a CustomResourceDefinition given as a plain dict."""
    spec = crd["spec"]
    names = spec["names"]
    return [
        register_custom_resource(
            group=spec["group"],
            version=version["name"],
            kind=names["kind"],
            plural=names["plural"],
            namespaced=spec.get("scope", "Namespaced") == "Namespaced",
        )
        for version in spec.get("versions", [])
    ]


def load_manifest(manifest: dict[str, Any]) -> Resource:
    """A typed lightkube object for a manifest; its kind must be built in or registered."""
    try:
        return cast(Resource, from_dict(manifest))
    except (LoadResourceError, KeyError) as error:
        kind = f"{manifest.get('apiVersion')}/{manifest.get('kind')}"
        raise NotFound(f"unknown kind {kind}: register its CRD first") from error


def resource_of(api_version: str, kind: str) -> type[Resource]:
    """The lightkube resource class for an apiVersion and kind (built in or registered)."""
    try:
        return cast(type[Resource], resource_registry.load(api_version, kind))
    except LoadResourceError as error:
        raise NotFound(f"unknown kind {api_version}/{kind}: register its CRD first") from error
