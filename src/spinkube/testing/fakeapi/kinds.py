"""Per-kind rules the API server applies on every write: which kinds have a `generation` and
what bumps it, the Event namespace rule, and the structural schema of custom resources.

Generation, as the registry strategies of kube-apiserver set it: only the kinds below track
one; each bumps it when the listed parts change (a Deployment also on annotation changes,
because they are copied to its ReplicaSets). Custom resources bump it on any change outside
`metadata`, and outside `status` too when the status subresource is on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spinkube.testing.fakeapi import errors, schema
from spinkube.testing.fakeapi.catalog import ResourceType

Obj = dict[str, Any]
Tracked = Callable[[Obj], Any]


def _spec(obj: Obj) -> Any:
    return obj.get("spec")


def _spec_and_annotations(obj: Obj) -> Any:
    return (obj.get("spec"), (obj.get("metadata") or {}).get("annotations") or {})


def _webhooks(obj: Obj) -> Any:
    return obj.get("webhooks")


GENERATION_TRACKED: dict[tuple[str, str], Tracked] = {
    ("apps", "deployments"): _spec_and_annotations,
    ("apps", "replicasets"): _spec,
    ("apps", "statefulsets"): _spec,
    ("apps", "daemonsets"): _spec,
    ("batch", "jobs"): _spec,
    ("batch", "cronjobs"): _spec,
    ("policy", "poddisruptionbudgets"): _spec,
    ("networking.k8s.io", "ingresses"): _spec,
    ("networking.k8s.io", "networkpolicies"): _spec,
    ("apiextensions.k8s.io", "customresourcedefinitions"): _spec,
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"): _webhooks,
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"): _webhooks,
    ("", "pods"): _spec,
}


def _custom_tracked(rtype: ResourceType) -> Tracked:
    skipped = ("metadata", "status") if rtype.has_status else ("metadata",)
    return lambda obj: {k: v for k, v in obj.items() if k not in (*skipped, "apiVersion", "kind")}


def tracked_part(rtype: ResourceType) -> Tracked | None:
    """What bumps the kind's generation; None for kinds without one (ConfigMap, Service...)."""
    if rtype.custom:
        return _custom_tracked(rtype)
    return GENERATION_TRACKED.get(rtype.storage_key)


def set_generation(rtype: ResourceType, old: Obj | None, new: Obj) -> None:
    """Stamp `metadata.generation` on `new`: 1 on create, +1 when the tracked part changed."""
    meta = new["metadata"]
    tracked = tracked_part(rtype)
    if tracked is None:
        meta.pop("generation", None)
        return
    generation = 1 if old is None else int(old["metadata"].get("generation") or 1)
    if old is not None and tracked(old) != tracked(new):
        generation += 1
    meta["generation"] = generation


# -- Events ------------------------------------------------------------------------------------

EVENT_KINDS = {("", "events"): "involvedObject", ("events.k8s.io", "events"): "regarding"}
_UNSCOPED_OK = ("default", "kube-system")


def check_event(rtype: ResourceType, obj: Obj) -> None:
    """The API server's rule: an Event without `eventTime` lives in its object's namespace;
    one with `eventTime` about an object without a namespace lives in default or kube-system."""
    reference_field = EVENT_KINDS.get(rtype.storage_key)
    if reference_field is None:
        return
    namespace = (obj.get("metadata") or {}).get("namespace") or ""
    referenced = (obj.get(reference_field) or {}).get("namespace") or ""
    if obj.get("eventTime"):
        bad = not referenced and namespace not in _UNSCOPED_OK
    else:
        bad = referenced != namespace if referenced else namespace not in ("", "default")
    if bad:
        error = schema.FieldError(
            "involvedObject.namespace",
            "Invalid value",
            "does not match event.namespace",
            referenced,
        )
        raise errors.invalid_fields(rtype, obj["metadata"].get("name"), [error])


# -- custom resources --------------------------------------------------------------------------


def admit_custom_resource(
    rtype: ResourceType, structural: schema.Schema | None, old: Obj | None, new: Obj
) -> Obj:
    """Prune, default and validate a custom resource; returns the object to store."""
    if structural is None:
        return new
    pruned: Obj = schema.prune(new, structural)
    schema.apply_defaults(pruned, structural)
    found = schema.ratcheted(schema.validate(pruned, structural), old, pruned)
    if found:
        raise errors.invalid_fields(rtype, (new.get("metadata") or {}).get("name"), found)
    return pruned


def refuse_undeclared_fields(
    rtype: ResourceType,
    structural: schema.Schema | None,
    config: Obj,
    name: str,
    namespace: str | None,
) -> None:
    """Server-side apply converts the configuration to the schema's type first; an undeclared
    field fails that (a 500 on kube-apiserver up to at least 1.36, kubernetes#139253)."""
    if structural is None:
        return
    unknown = list(schema.unknown_fields(config, structural))
    if unknown:
        gvk = f"{rtype.api_version}, Kind={rtype.kind}"
        raise errors.internal(
            f"failed to create typed patch object ({namespace or ''}/{name}; {gvk}): "
            f"{unknown[0]}: field not declared in schema"
        )
