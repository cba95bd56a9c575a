"""The object store behind the fake API, with the semantics tests rely on.

Every write goes through `_commit`, which stamps what the API server stamps (uid,
creationTimestamp, resourceVersion from one global counter, generation as each kind tracks
it: `kinds.py`), prunes, defaults and validates custom resources against their CRD's schema
(`schema.py`), refuses Events outside their object's namespace, skips no-op writes (no
resourceVersion bump), keeps the status subresource apart, records managedFields, finishes
deletions whose finalizers are gone, garbage-collects the dependents of removed owners, and
tells watchers. The store is plain synchronous code: the aiohttp loop calls it one request at
a time, so it needs no lock.
"""

from __future__ import annotations

import base64
import copy
import datetime
import secrets
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from spinkube.testing.fakeapi import errors, fields, kinds
from spinkube.testing.fakeapi.catalog import CRD_GROUP, CRD_PLURAL, Catalog, ResourceType
from spinkube.testing.fakeapi.patching import APPLY, PatchError, apply_patch
from spinkube.testing.fakeapi.selectors import Predicate

Obj = dict[str, Any]
Key = tuple[str, str, str | None, str]  # group, plural, namespace, name
Listener = Callable[[str, ResourceType, Obj], None]

INITIAL_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _comparable(obj: Obj) -> Obj:
    """The parts of an object a write can change (not the served type, not the counters)."""
    skipped = ("resourceVersion", "generation")
    meta = {k: v for k, v in obj.get("metadata", {}).items() if k not in skipped}
    return {**{k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}, "metadata": meta}


class Store:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.objects: dict[Key, Obj] = {}
        self.revision = 0
        self.listeners: list[Listener] = []
        namespaces = self.catalog.find("", "v1", "namespaces")
        assert namespaces is not None
        for name in INITIAL_NAMESPACES:
            self.create(namespaces, None, {"metadata": {"name": name}}, manager="fakeapi")

    # -- reads -------------------------------------------------------------------------------

    def get(self, rtype: ResourceType, namespace: str | None, name: str) -> Obj:
        obj = self.objects.get(self._key(rtype, namespace, name))
        if obj is None:
            raise errors.not_found(rtype, name)
        return self._view(rtype, obj)

    def list(
        self, rtype: ResourceType, namespace: str | None, *selectors: Predicate
    ) -> tuple[list[Obj], str]:
        items = [
            self._view(rtype, obj)
            for obj in self._objects_of(rtype, namespace)
            if all(selector(obj) for selector in selectors)
        ]
        return items, str(self.revision)

    def _objects_of(self, rtype: ResourceType, namespace: str | None) -> Iterator[Obj]:
        for (group, plural, ns, _), obj in list(self.objects.items()):
            if (group, plural) == rtype.storage_key and namespace in (None, ns):
                yield obj

    # -- writes ------------------------------------------------------------------------------

    def create(
        self,
        rtype: ResourceType,
        namespace: str | None,
        body: Obj,
        *,
        manager: str,
        dry_run: bool = False,
    ) -> Obj:
        obj = copy.deepcopy(body)
        meta = obj.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + secrets.token_hex(3)[:5]
        if not meta.get("name"):
            raise errors.invalid(rtype, None, "metadata.name", "Required value: name is required")
        namespace = self._namespace_for(rtype, namespace, meta)
        key = self._key(rtype, namespace, meta["name"])
        if key in self.objects:
            raise errors.already_exists(rtype, meta["name"])
        meta.update(uid=str(uuid.uuid4()), creationTimestamp=_now())
        for server_owned in ("resourceVersion", "deletionTimestamp", "generation"):
            meta.pop(server_owned, None)
        meta["managedFields"] = fields.record_update(None, obj, manager=manager)
        return self._commit(rtype, key, None, obj, dry_run=dry_run)

    def replace(
        self,
        rtype: ResourceType,
        namespace: str | None,
        name: str,
        body: Obj,
        *,
        subresource: str | None,
        manager: str,
        dry_run: bool = False,
    ) -> Obj:
        key = self._key(rtype, namespace, name)
        old = self.objects.get(key)
        if old is None:
            if subresource is None:  # PUT creates, as on the real API server
                return self.create(rtype, namespace, body, manager=manager, dry_run=dry_run)
            raise errors.not_found(rtype, name)
        self._check_identity(rtype, name, body)
        self._check_version(rtype, old, body)
        new = self._merge_into(rtype, old, body, subresource)
        new["metadata"]["managedFields"] = fields.record_update(
            old, new, manager=manager, subresource=subresource or ""
        )
        return self._commit(rtype, key, old, new, dry_run=dry_run)

    def patch(
        self,
        rtype: ResourceType,
        namespace: str | None,
        name: str,
        body: Any,
        content_type: str,
        *,
        subresource: str | None,
        manager: str,
        force: bool = False,
        dry_run: bool = False,
    ) -> Obj:
        key = self._key(rtype, namespace, name)
        old = self.objects.get(key)
        if content_type == APPLY:
            return self._apply(rtype, key, old, body, subresource, manager, force, dry_run)
        if old is None:
            raise errors.not_found(rtype, name)
        try:
            patched = apply_patch(self._view(rtype, old), body, content_type)
        except PatchError as error:
            raise errors.invalid(rtype, name, "patch", str(error)) from error
        self._check_identity(rtype, name, patched)
        self._check_version(rtype, old, patched)
        new = self._merge_into(rtype, old, patched, subresource)
        new["metadata"]["managedFields"] = fields.record_update(
            old, new, manager=manager, subresource=subresource or ""
        )
        return self._commit(rtype, key, old, new, dry_run=dry_run)

    def _apply(
        self,
        rtype: ResourceType,
        key: Key,
        old: Obj | None,
        config: Any,
        subresource: str | None,
        manager: str,
        force: bool,
        dry_run: bool,
    ) -> Obj:
        if not isinstance(config, dict):
            raise errors.bad_request("an apply patch must be an object")
        name = key[3]
        self._check_identity(rtype, name, config)
        kinds.refuse_undeclared_fields(rtype, self.catalog.schema_of(rtype), config, name, key[2])
        config = self._applicable_part(rtype, config, subresource)
        if old is None:
            if subresource is not None:
                raise errors.not_found(rtype, name)
            config.setdefault("metadata", {}).update(name=name)
            created = self.create(rtype, key[2], config, manager=manager, dry_run=True)
            created["metadata"].pop("managedFields", None)
            created["metadata"].pop("resourceVersion", None)
            return self._apply_to(rtype, key, None, created, config, manager, force, dry_run, "")
        self._check_version(rtype, old, config)
        sub = subresource or ""
        return self._apply_to(rtype, key, old, old, config, manager, force, dry_run, sub)

    def _apply_to(
        self,
        rtype: ResourceType,
        key: Key,
        old: Obj | None,
        base: Obj,
        config: Obj,
        manager: str,
        force: bool,
        dry_run: bool,
        subresource: str,
    ) -> Obj:
        config.get("metadata", {}).pop("resourceVersion", None)
        try:
            new = fields.server_side_apply(
                base, config, manager=manager, force=force, subresource=subresource
            )
        except fields.ApplyConflict as conflict:
            raise _apply_conflict(rtype, key[3], conflict) from conflict
        return self._commit(rtype, key, old, new, dry_run=dry_run)

    def delete(
        self,
        rtype: ResourceType,
        namespace: str | None,
        name: str,
        *,
        options: Obj | None = None,
        propagation: str | None = None,
        dry_run: bool = False,
    ) -> Obj:
        key = self._key(rtype, namespace, name)
        old = self.objects.get(key)
        if old is None:
            raise errors.not_found(rtype, name)
        options = options or {}
        self._check_preconditions(rtype, old, options.get("preconditions") or {})
        policy = propagation or options.get("propagationPolicy") or "Background"
        if dry_run:
            return self._view(rtype, old)
        if old["metadata"].get("finalizers"):
            if old["metadata"].get("deletionTimestamp"):
                return self._view(rtype, old)
            new = copy.deepcopy(old)
            new["metadata"]["deletionTimestamp"] = _now()
            new["metadata"]["deletionGracePeriodSeconds"] = 0
            return self._commit(rtype, key, old, new, policy=policy)
        return self._remove(rtype, key, policy)

    # -- the write path ----------------------------------------------------------------------

    def _commit(
        self,
        rtype: ResourceType,
        key: Key,
        old: Obj | None,
        new: Obj,
        *,
        dry_run: bool = False,
        policy: str = "Background",
    ) -> Obj:
        new = self._admit(rtype, old, new)
        if old is not None and _comparable(old) == _comparable(new):
            return self._view(rtype, old)  # a no-op write changes nothing, not even the version
        kinds.set_generation(rtype, old, new)
        meta = new["metadata"]
        if dry_run:
            return self._view(rtype, new)
        self.revision += 1
        meta["resourceVersion"] = str(self.revision)
        new.pop("apiVersion", None)
        new.pop("kind", None)
        self.objects[key] = new
        self._after_write(rtype, new)
        self._notify("ADDED" if old is None else "MODIFIED", rtype, new)
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            return self._remove(rtype, key, policy)
        return self._view(rtype, new)

    def _remove(self, rtype: ResourceType, key: Key, policy: str) -> Obj:
        obj = self.objects.pop(key)
        self.revision += 1
        obj["metadata"]["resourceVersion"] = str(self.revision)
        self._notify("DELETED", rtype, obj)
        if rtype.storage_key == (CRD_GROUP, CRD_PLURAL):
            self._remove_custom_resources(obj)
        if rtype.storage_key == ("", "namespaces"):
            self._remove_namespace_contents(key[3])
        self._collect_garbage(obj["metadata"]["uid"], policy)
        return self._view(rtype, obj)

    def _admit(self, rtype: ResourceType, old: Obj | None, obj: Obj) -> Obj:
        """What decoding, defaulting and validation would do, for the kinds the tests use."""
        if rtype.custom:
            return kinds.admit_custom_resource(rtype, self.catalog.schema_of(rtype), old, obj)
        kinds.check_event(rtype, obj)
        if rtype.storage_key == ("", "secrets") and "stringData" in obj:
            encoded = {
                k: base64.b64encode(str(v).encode()).decode()
                for k, v in obj.pop("stringData").items()
            }
            obj["data"] = {**(obj.get("data") or {}), **encoded}
        if rtype.storage_key == ("", "namespaces"):
            obj.setdefault("spec", {"finalizers": ["kubernetes"]})
            obj["status"] = {"phase": "Active"}
        if rtype.storage_key == (CRD_GROUP, CRD_PLURAL) and not _is_established(obj):
            obj["status"] = _established(obj)
        return obj

    def _after_write(self, rtype: ResourceType, obj: Obj) -> None:
        if rtype.storage_key == (CRD_GROUP, CRD_PLURAL):
            self.catalog.register_crd(obj)

    def _notify(self, event: str, rtype: ResourceType, obj: Obj) -> None:
        for listener in list(self.listeners):
            listener(event, rtype, obj)

    # -- cascades ----------------------------------------------------------------------------

    def _collect_garbage(self, owner_uid: str, policy: str) -> None:
        """Delete (or, with policy Orphan, release) the dependents of a removed owner."""
        live_uids = {obj["metadata"]["uid"] for obj in self.objects.values()}
        for key, obj in list(self.objects.items()):
            refs = obj["metadata"].get("ownerReferences") or []
            if key not in self.objects or not any(ref.get("uid") == owner_uid for ref in refs):
                continue
            rtype = self._type_of(key)
            if policy == "Orphan":
                new = copy.deepcopy(obj)
                new["metadata"]["ownerReferences"] = [r for r in refs if r.get("uid") != owner_uid]
                self._commit(rtype, key, obj, new)
            elif not any(ref.get("uid") in live_uids for ref in refs):
                self.delete(rtype, key[2], key[3], propagation="Background")

    def _remove_custom_resources(self, crd: Obj) -> None:
        spec = crd.get("spec", {})
        storage = (spec.get("group"), spec.get("names", {}).get("plural"))
        rtypes = list(self.catalog.versions_of(storage))
        for key in [k for k in self.objects if k[:2] == storage]:
            if rtypes:
                self._remove(rtypes[0], key, "Background")
        self.catalog.unregister_crd(crd)

    def _remove_namespace_contents(self, namespace: str) -> None:
        for key in [k for k in self.objects if k[2] == namespace]:
            if key in self.objects:
                self._remove(self._type_of(key), key, "Background")

    # -- helpers -----------------------------------------------------------------------------

    def _type_of(self, key: Key) -> ResourceType:
        return next(self.catalog.versions_of(key[:2]))

    def _key(self, rtype: ResourceType, namespace: str | None, name: str) -> Key:
        return (rtype.group, rtype.plural, namespace if rtype.namespaced else None, name)

    def _namespace_for(self, rtype: ResourceType, namespace: str | None, meta: Obj) -> str | None:
        if not rtype.namespaced:
            meta.pop("namespace", None)
            return None
        namespace = namespace or meta.get("namespace") or "default"
        if meta.get("namespace") not in (None, namespace):
            raise errors.bad_request(
                "the namespace of the provided object does not match the namespace sent on "
                "the request"
            )
        if ("", "namespaces", None, namespace) not in self.objects:
            raise errors.namespace_not_found(namespace)
        meta["namespace"] = namespace
        return namespace

    def _view(self, rtype: ResourceType, obj: Obj) -> Obj:
        """A copy as served in the requested version."""
        return {"apiVersion": rtype.api_version, "kind": rtype.kind, **copy.deepcopy(obj)}

    def _check_identity(self, rtype: ResourceType, name: str, body: Obj) -> None:
        given = (body.get("metadata") or {}).get("name")
        if given not in (None, name):
            raise errors.bad_request(
                f"the name of the object ({given}) does not match the name on the URL ({name})"
            )

    def _check_version(self, rtype: ResourceType, old: Obj, body: Obj) -> None:
        wanted = (body.get("metadata") or {}).get("resourceVersion")
        if wanted and wanted != old["metadata"]["resourceVersion"]:
            raise errors.modified(rtype, old["metadata"]["name"])

    def _check_preconditions(self, rtype: ResourceType, old: Obj, preconditions: Obj) -> None:
        for field in ("resourceVersion", "uid"):
            wanted = preconditions.get(field)
            if wanted and wanted != old["metadata"].get(field):
                raise errors.modified(rtype, old["metadata"]["name"])

    def _merge_into(self, rtype: ResourceType, old: Obj, body: Obj, subresource: str | None) -> Obj:
        """The new object for a PUT or a patch: server-owned metadata kept; with a status
        subresource, `/status` changes only status and the main resource never does."""
        if subresource == "status":
            new = copy.deepcopy(old)
            new["status"] = copy.deepcopy(body.get("status"))
            if new["status"] is None:
                del new["status"]
            return new
        new = copy.deepcopy(body)
        meta = new.setdefault("metadata", {})
        for field in ("uid", "creationTimestamp", "deletionTimestamp", "namespace", "name"):
            if field in old["metadata"]:
                meta[field] = old["metadata"][field]
            else:
                meta.pop(field, None)
        meta["managedFields"] = old["metadata"].get("managedFields", [])
        meta.pop("resourceVersion", None)
        if rtype.has_status:
            new.pop("status", None)
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
        return new

    def _applicable_part(self, rtype: ResourceType, config: Obj, subresource: str | None) -> Obj:
        config = copy.deepcopy(config)
        if subresource == "status":
            return {k: v for k, v in config.items() if k in ("apiVersion", "kind", "status")}
        if rtype.has_status:
            config.pop("status", None)
        return config


def _is_established(crd: Obj) -> bool:
    conditions = (crd.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions)


def _established(crd: Obj) -> Obj:
    names = crd.get("spec", {}).get("names", {})
    condition = {"status": "True", "lastTransitionTime": _now()}
    return {
        "acceptedNames": names,
        "storedVersions": [
            v["name"] for v in crd.get("spec", {}).get("versions", []) if v.get("storage")
        ],
        "conditions": [
            {**condition, "type": "NamesAccepted", "reason": "NoConflicts", "message": ""},
            {**condition, "type": "Established", "reason": "InitialNamesAccepted", "message": ""},
        ],
    }


def _apply_conflict(rtype: ResourceType, name: str, conflict: fields.ApplyConflict) -> Exception:
    described = [f'conflict with "{manager}": .{".".join(p)}' for manager, p in conflict.conflicts]
    count = len(described)
    message = f"Apply failed with {count} conflict{'s' if count > 1 else ''}: " + "; ".join(
        described
    )
    return errors.ApiError(409, "Conflict", message, {"name": name, "kind": rtype.plural})
