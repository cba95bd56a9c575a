"""What exists, as the watches report it: an informer-style cache of the operator's children
(Deployments, Services, runtime-config Secrets) and of the executors.

Filled once by a list of each kind in the operator's scope (`warm`, awaited by the first
reconciliation, so a restart knows what exists before it decides to write), then kept fresh
by every watch event and by the answers to the operator's own applies. The newest
`resourceVersion` wins, so a late watch event never hides a newer answer; a deleted object
leaves a tombstone until something newer comes. Bodies are kept as compact JSON without
`managedFields` (a few KB an object at most).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

from lightkube.core.resource import Resource
from lightkube.operators import exists
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.core_v1 import Secret, Service

from spinkube.api import APP_NAME_LABEL
from spinkube.kube import Kube
from spinkube.kube import SpinAppExecutor as ExecutorResource

Json = dict[str, Any]
Name = tuple[str, str]

DEPLOYMENT = "Deployment"
SERVICE = "Service"
SECRET = "Secret"
EXECUTOR = "SpinAppExecutor"
KINDS = (DEPLOYMENT, SERVICE, SECRET, EXECUTOR)
_LISTED: dict[str, tuple[type[Resource], bool]] = {
    DEPLOYMENT: (Deployment, True),
    SERVICE: (Service, True),
    SECRET: (Secret, True),
    EXECUTOR: (ExecutorResource, False),
}
"""The resource of each kind and whether only the ones with the app-name label are the
operator's (the executors are all read)."""


def _version(meta: Mapping[str, Any]) -> int | None:
    """etcd's resourceVersions are increasing integers; anything else is opaque (None)."""
    text = str(meta.get("resourceVersion") or "")
    return int(text) if text.isdigit() else None


class Observed:
    """The newest body seen of each object of one kind, by (namespace, name)."""

    def __init__(self) -> None:
        self._objects: dict[Name, tuple[int | None, bytes | None]] = {}

    def seen(self, body: Mapping[str, Any], *, deleted: bool = False) -> None:
        meta = body.get("metadata") or {}
        key = (str(meta.get("namespace") or "default"), str(meta.get("name")))
        version = _version(meta)
        known_version = self._objects.get(key, (None, None))[0]
        if version is not None and known_version is not None and version < known_version:
            return  # a late event (or list) behind what is known
        self._objects[key] = (version, None if deleted else _compact(body))

    def get(self, namespace: str, name: str) -> Json | None:
        found = self._objects.get((namespace, name))
        if found is None or found[1] is None:
            return None
        body: Json = json.loads(found[1])
        return body

    def __len__(self) -> int:
        return sum(1 for _, body in self._objects.values() if body is not None)


def _compact(body: Mapping[str, Any]) -> bytes:
    meta = {k: v for k, v in (body.get("metadata") or {}).items() if k != "managedFields"}
    return json.dumps({**body, "metadata": meta}, separators=(",", ":")).encode()


class Cache:
    """The observed children and executors; `warm` before the first use."""

    def __init__(self) -> None:
        self.kinds: dict[str, Observed] = {kind: Observed() for kind in KINDS}
        self._warm = asyncio.Lock()
        self.warmed = False

    def seen(self, kind: str, body: Mapping[str, Any], *, deleted: bool = False) -> None:
        self.kinds[kind].seen(body, deleted=deleted)

    def get(self, kind: str, namespace: str, name: str) -> Json | None:
        return self.kinds[kind].get(namespace, name)

    async def warm(self, kube: Kube, namespace: str | None) -> None:
        """List every kind in scope once (later calls return at once)."""
        if self.warmed:
            return
        async with self._warm:
            if self.warmed:
                return
            for kind, (resource, owned) in _LISTED.items():
                labels = {APP_NAME_LABEL: exists()} if owned else None
                found: list[Any] = await kube.aio.list(resource, namespace=namespace, labels=labels)
                for obj in found:
                    self.seen(kind, obj.to_dict())
            self.warmed = True
