"""`FakeKubernetes`: kmock's Kubernetes scaffold with our object store behind resource URLs.

kmock 0.8 (pinned: `kmock==0.8`) provides the HTTP side: the aiohttp server (`kmock.Server`),
API discovery (`/api`, `/apis`, `/apis/{group}/{version}`, fed from `kmock.resources`), the
bundled list of built-in resources and its request DSL for anything that is not an object URL.

Its stateful `KubernetesEmulator` could not be adapted: it mutates its store in `_handle` before
any reaction runs, so stale resourceVersions, missing namespaces and status-only writes cannot
be refused, and its URL parser fails on `/api/v1/namespaces`. So this class builds on the
emulator's public base, `KubernetesScaffold`, and answers object URLs (create, get, list,
watch, PUT, PATCH in all four flavours, delete, deletecollection) from `Store`. It overrides
`RawHandler.__call__`, the documented entry point for servers, and nothing private.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
from typing import Any

import aiohttp.web
import kmock
import yaml

from spinkube.testing.fakeapi import errors, reviews, scale
from spinkube.testing.fakeapi.catalog import ALL_VERBS, Catalog, ResourceType
from spinkube.testing.fakeapi.patching import APPLY, STRATEGIC, PatchError, apply_patch
from spinkube.testing.fakeapi.paths import Route, parse_route
from spinkube.testing.fakeapi.selectors import SelectorError, field_selector, label_selector
from spinkube.testing.fakeapi.store import Obj, Store

SERVER_VERSION = {
    "major": "1",
    "minor": "37",
    "gitVersion": "v1.37.0-spinkube-fakeapi",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z",
    "goVersion": "go1.26",
    "compiler": "gc",
    "platform": "linux/amd64",
}
_TRUE = {"true", "1", "True"}


def json_response(body: Any, status: int = 200) -> aiohttp.web.Response:
    """JSON with exactly `application/json`: lightkube only parses errors with that type."""
    return aiohttp.web.Response(
        body=json.dumps(body).encode(), status=status, content_type="application/json"
    )


class FakeKubernetes(kmock.KubernetesScaffold):
    """A fake Kubernetes API server handler; serve it with `kmock.Server` or `FakeApiServer`."""

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        self.catalog = Catalog(self.resources)
        self.store = Store(self.catalog)
        self.authenticator = reviews.Authenticator()
        self._watch_queues: set[asyncio.Queue[tuple[str, Obj] | None]] = set()
        self["get /version"] << SERVER_VERSION
        self["get /version/"] << SERVER_VERSION
        self["get /api/v1"] << self._core_discovery  # kmock 0.8 says groupVersion "/v1"

    async def __call__(self, raw_request: aiohttp.web.BaseRequest) -> aiohttp.web.StreamResponse:
        route = parse_route(raw_request.path)
        if route is None:
            return await super().__call__(raw_request)
        try:
            return await self._serve(route, raw_request)
        except errors.ApiError as error:
            return json_response(error.status(), error.code)
        except SelectorError as error:
            return json_response(errors.bad_request(str(error)).status(), 400)

    def _core_discovery(self) -> dict[str, Any]:
        """`/api/v1`: the core resources, with `groupVersion: v1` as kubectl requires."""
        resources = []
        for res in self.catalog.find_group_version("", "v1"):
            entry = {
                "name": res.plural,
                "singularName": res.kind.lower(),
                "namespaced": res.namespaced,
                "kind": res.kind,
                "verbs": list(ALL_VERBS),
            }
            resources.append(entry)
            if res.has_status:
                resources.append({**entry, "name": f"{res.plural}/status", "verbs": []})
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": "v1",
            "resources": resources,
        }

    def close_watches(self) -> None:
        """End every open watch stream, so that the server can stop at once."""
        for queue in list(self._watch_queues):
            queue.put_nowait(None)

    async def _serve(
        self, route: Route, request: aiohttp.web.BaseRequest
    ) -> aiohttp.web.StreamResponse:
        rtype = self.catalog.find(route.group, route.version, route.plural)
        if rtype is None or (route.namespace and not rtype.namespaced):
            raise errors.unknown_resource()
        if route.subresource == "token" and rtype.storage_key == ("", "serviceaccounts"):
            return await self._token_request(rtype, route, request)
        if route.subresource == "scale" and self.catalog.scale_of(rtype):
            return json_response(await self._scale(rtype, route, request))
        if route.subresource not in (None, "status"):
            raise errors.method_not_allowed(f"subresource {route.subresource} is not served")
        query = request.query
        if request.method == "GET" and query.get("watch") in _TRUE:
            return await self._watch(rtype, route, request)
        if route.name is None:
            return await self._serve_collection(rtype, route, request)
        return await self._serve_object(rtype, route, request)

    async def _serve_collection(
        self, rtype: ResourceType, route: Route, request: aiohttp.web.BaseRequest
    ) -> aiohttp.web.StreamResponse:
        query = request.query
        if request.method == "GET":
            return json_response(self._list(rtype, route, query))
        if request.method == "POST" and rtype.storage_key in reviews.REVIEWS:
            return json_response(self._review(rtype, await _json_body(request)), 201)
        if request.method == "POST":
            body = await _json_body(request)
            created = self.store.create(
                rtype,
                route.namespace,
                body,
                manager=_manager(request),
                dry_run=_dry_run(request),
            )
            return json_response(created, 201)
        if request.method == "DELETE":
            return json_response(self._delete_collection(rtype, route, query))
        raise errors.method_not_allowed(f"{request.method} is not allowed on a collection")

    async def _serve_object(
        self, rtype: ResourceType, route: Route, request: aiohttp.web.BaseRequest
    ) -> aiohttp.web.StreamResponse:
        assert route.name is not None
        common: dict[str, Any] = {"manager": _manager(request), "dry_run": _dry_run(request)}
        if request.method == "GET":
            return json_response(self.store.get(rtype, route.namespace, route.name))
        if request.method == "PUT":
            body = await _json_body(request)
            replaced = self.store.replace(
                rtype, route.namespace, route.name, body, subresource=route.subresource, **common
            )
            return json_response(replaced)
        if request.method == "PATCH":
            return json_response(await self._patch(rtype, route, request, common))
        if request.method == "DELETE":
            body = await _json_body(request, required=False)
            deleted = self.store.delete(
                rtype,
                route.namespace,
                route.name,
                options=body,
                propagation=request.query.get("propagationPolicy"),
                dry_run=common["dry_run"],
            )
            return json_response(deleted)
        raise errors.method_not_allowed(f"{request.method} is not allowed on an object")

    async def _patch(
        self,
        rtype: ResourceType,
        route: Route,
        request: aiohttp.web.BaseRequest,
        common: dict[str, Any],
    ) -> Obj:
        assert route.name is not None
        content_type = request.content_type
        if content_type == STRATEGIC and rtype.custom:
            raise errors.unsupported_media_type()
        if content_type == APPLY:
            body = yaml.safe_load(await request.text())
            if "fieldManager" not in request.query:
                raise errors.invalid(
                    rtype, route.name, "fieldManager", "Required value: is required for apply"
                )
        else:
            body = await _json_body(request)
        return self.store.patch(
            rtype,
            route.namespace,
            route.name,
            body,
            content_type,
            subresource=route.subresource,
            force=request.query.get("force") in _TRUE,
            **common,
        )

    async def _token_request(
        self, rtype: ResourceType, route: Route, request: aiohttp.web.BaseRequest
    ) -> aiohttp.web.StreamResponse:
        if request.method != "POST" or route.name is None or route.namespace is None:
            raise errors.method_not_allowed("a token is requested with POST on one account")
        account = self.store.get(rtype, route.namespace, route.name)
        body = await _json_body(request, required=False) or {}
        return json_response(self.authenticator.issue(route.namespace, account, body), 201)

    async def _scale(
        self, rtype: ResourceType, route: Route, request: aiohttp.web.BaseRequest
    ) -> Obj:
        """GET, PUT or PATCH (merge or JSON Patch) the Scale; writes go to the main resource,
        with its validation, generation and watch events."""
        assert route.name is not None
        paths = self.catalog.scale_of(rtype) or {}
        current = self.store.get(rtype, route.namespace, route.name)
        if request.method == "GET":
            return scale.scale_view(current, paths)
        if request.method not in ("PUT", "PATCH"):
            raise errors.method_not_allowed(f"{request.method} is not allowed on scale")
        body = await _json_body(request)
        wanted = body
        if request.method == "PATCH":
            try:
                wanted = apply_patch(scale.scale_view(current, paths), body, request.content_type)
            except PatchError as error:
                raise errors.invalid(rtype, route.name, "patch", str(error)) from error
        replicas = (wanted.get("spec") or {}).get("replicas")
        updated = scale.with_replicas(current, paths, replicas)
        stored = self.store.replace(
            rtype,
            route.namespace,
            route.name,
            updated,
            subresource=None,
            manager=_manager(request),
            dry_run=_dry_run(request),
        )
        return scale.scale_view(stored, paths)

    def _review(self, rtype: ResourceType, body: Obj) -> Obj:
        """TokenReviews and SubjectAccessReviews are answered, not stored."""
        if rtype.storage_key == reviews.TOKEN_REVIEWS:
            return self.authenticator.review(body)
        rbac = (
            (plural, ns, obj)
            for (group, plural, ns, _), obj in self.store.objects.items()
            if group == reviews.RBAC
        )
        return reviews.access_review(body, rbac)

    def _list(self, rtype: ResourceType, route: Route, query: Any) -> Obj:
        labels = label_selector(query.get("labelSelector"))
        fields = field_selector(query.get("fieldSelector"))
        items, revision = self.store.list(rtype, route.namespace, labels, fields)
        return {
            "apiVersion": rtype.api_version,
            "kind": f"{rtype.kind}List",
            "metadata": {"resourceVersion": revision},
            "items": items,
        }

    def _delete_collection(self, rtype: ResourceType, route: Route, query: Any) -> Obj:
        listing = self._list(rtype, route, query)
        for item in listing["items"]:
            meta = item["metadata"]
            with contextlib.suppress(errors.ApiError):
                self.store.delete(rtype, meta.get("namespace"), meta["name"])
        return listing

    async def _watch(
        self, rtype: ResourceType, route: Route, request: aiohttp.web.BaseRequest
    ) -> aiohttp.web.StreamResponse:
        """Stream events. Without `resourceVersion` (or with "0") every current object comes
        first as ADDED; with one, only objects changed after it. The snapshot and the
        subscription happen in one step of the event loop, so no event falls between them."""
        query = request.query
        labels = label_selector(query.get("labelSelector"))
        fields = field_selector(query.get("fieldSelector"))
        version = query.get("resourceVersion")
        since = int(version) if version is not None and _is_int(version) else 0

        def wanted(obj: Obj) -> bool:
            meta = obj.get("metadata", {})
            return (
                route.namespace in (None, meta.get("namespace"))
                and route.name in (None, meta.get("name"))
                and labels(obj)
                and fields(obj)
            )

        queue: asyncio.Queue[tuple[str, Obj] | None] = asyncio.Queue()
        items, _ = self.store.list(rtype, route.namespace)
        for item in items:
            if wanted(item) and int(item["metadata"]["resourceVersion"]) > since:
                queue.put_nowait(("ADDED", item))

        def listener(event: str, etype: ResourceType, obj: Obj) -> None:
            if etype.storage_key == rtype.storage_key and wanted(obj):
                view = {"apiVersion": rtype.api_version, "kind": rtype.kind, **copy.deepcopy(obj)}
                queue.put_nowait((event, view))

        self.store.listeners.append(listener)
        self._watch_queues.add(queue)
        try:
            return await self._stream(request, queue, _timeout(query.get("timeoutSeconds")))
        finally:
            self.store.listeners.remove(listener)
            self._watch_queues.discard(queue)

    async def _stream(
        self,
        request: aiohttp.web.BaseRequest,
        queue: asyncio.Queue[tuple[str, Obj] | None],
        timeout: float | None,
    ) -> aiohttp.web.StreamResponse:
        response = aiohttp.web.StreamResponse(status=200)
        response.content_type = "application/json"
        await response.prepare(request)
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while True:
                remaining = None if deadline is None else max(0.0, deadline - loop.time())
                item = await asyncio.wait_for(queue.get(), remaining)
                if item is None:
                    break
                event, obj = item
                await response.write(json.dumps({"type": event, "object": obj}).encode() + b"\n")
        with contextlib.suppress(ConnectionResetError):
            await response.write_eof()
        return response


async def _json_body(request: aiohttp.web.BaseRequest, *, required: bool = True) -> Any:
    text = await request.text()
    if not text.strip():
        if required:
            raise errors.bad_request("the request body is empty")
        return None
    try:
        return json.loads(text)
    except ValueError as error:
        raise errors.bad_request(f"the request body is not JSON: {error}") from error


def _manager(request: aiohttp.web.BaseRequest) -> str:
    """`fieldManager`, else the User-Agent's product name, as the API server does."""
    agent = request.headers.get("User-Agent", "unknown")
    return request.query.get("fieldManager") or agent.split("/")[0] or "unknown"


def _dry_run(request: aiohttp.web.BaseRequest) -> bool:
    return request.query.get("dryRun") == "All"


def _is_int(value: str | None) -> bool:
    return value is not None and value.isdigit()


def _timeout(value: str | None) -> float | None:
    return float(value) if value is not None and _is_int(value) else None


__all__ = ["FakeKubernetes"]
