"""`Kube`: one connection to one cluster, with one shared lightkube client of each flavour.

Creating a lightkube client reads the kubeconfig, builds an SSL context and opens a connection
pool; one per call cost +73 % operator CPU and 3x slower convergence at 1,000 apps
(`operator-scale-findings.md`). So a `Kube` creates its sync `Client` and its `AsyncClient` once,
on first use, and every helper reuses them. The async client belongs to the event loop that
first used it.

The helpers translate every lightkube/httpx2 error into `spinkube.kube.errors`.
"""

from __future__ import annotations

import builtins
import os
from typing import Any, TypeVar, cast

import httpx2
from lightkube import ALL_NS, AsyncClient, Client, KubeConfig
from lightkube.core.resource import Resource
from lightkube.types import CascadeType, PatchType

from spinkube.api.constants import FIELD_MANAGER
from spinkube.kube.config import load_kubeconfig
from spinkube.kube.errors import Target, translated
from spinkube.kube.requests import RequestObserver, classify
from spinkube.kube.resources import is_namespaced, load_manifest, qualified_name

R = TypeVar("R", bound=Resource)
Labels = dict[str, Any]
"""A label selector as lightkube takes it: `{"app": "x"}`, `{"tier": in_(["a", "b"])}`."""

DEFAULT_TIMEOUT_SECONDS = 10.0
VERSION_TIMEOUT_SECONDS = 5.0


class Kube:
    """A cluster connection: the shared clients plus the object helpers used across SpinKube.

    `field_manager` names this program in server-side apply (`managedFields`).
    """

    def __init__(
        self,
        config: KubeConfig,
        *,
        field_manager: str = FIELD_MANAGER,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        observer: RequestObserver | None = None,
    ) -> None:
        self.config = config
        self.field_manager = field_manager
        self.timeout = timeout
        self.observer = observer
        """Told `(verb, resource)` of every answered request of the async client (the
        operator counts its own requests with it)."""
        self._client: Client | None = None
        self._async_client: AsyncClient | None = None

    @classmethod
    def from_kubeconfig(
        cls, path: str | os.PathLike[str] | None = None, *, field_manager: str = FIELD_MANAGER
    ) -> Kube:
        """Connect with a kubeconfig file, `$KUBECONFIG`, or the in-cluster account."""
        return cls(load_kubeconfig(path), field_manager=field_manager)

    @property
    def server(self) -> str:
        """The API server URL, for messages."""
        single = self.config.get()
        return str(single.cluster.server) if single is not None else "<no current context>"

    @property
    def client(self) -> Client:
        """The shared sync client, created on first use."""
        if self._client is None:
            with translated(Target("kubeconfig"), server=self.server):
                self._client = Client(
                    self.config, field_manager=self.field_manager, timeout=self._timeout()
                )
        return self._client

    @property
    def async_client(self) -> AsyncClient:
        """The shared async client, created on first use (bound to that event loop)."""
        if self._async_client is None:
            with translated(Target("kubeconfig"), server=self.server):
                self._async_client = AsyncClient(
                    self.config, field_manager=self.field_manager, timeout=self._timeout()
                )
            if self.observer is not None:
                http: httpx2.AsyncClient = self._async_client._client._client
                http.event_hooks["response"].append(self._observe)
        return self._async_client

    async def _observe(self, response: httpx2.Response) -> None:
        if self.observer is None:  # pragma: no cover (hooked only with an observer)
            return
        request = response.request
        self.observer(
            *classify(
                request.method,
                request.url.path,
                content_type=request.headers.get("content-type", ""),
                watch=request.url.params.get("watch") in ("true", "1"),
            )
        )

    @property
    def _api(self) -> Any:
        """The sync client, untyped: lightkube's overloads do not accept a generic `type[R]`."""
        return self.client

    @property
    def aio(self) -> AsyncKube:
        """The same helpers, as coroutines on the shared async client."""
        return AsyncKube(self)

    @property
    def http(self) -> httpx2.Client:
        """The authenticated HTTP client under the shared sync client.

        For API paths lightkube has no helper for (`/version`, websocket subresources such as
        port-forward): TLS and credentials come from the same kubeconfig. lightkube keeps this
        client private; this is the one place that reaches for it.
        """
        client: httpx2.Client = self.client._client._client
        return client

    def server_version(self) -> str:
        """The API server's `gitVersion` (`GET /version`)."""
        with translated(Target("version"), server=self.server):
            response = self.http.get("/version", timeout=VERSION_TIMEOUT_SECONDS)
            response.raise_for_status()
            return str(response.json().get("gitVersion", ""))

    def _timeout(self) -> httpx2.Timeout:
        return httpx2.Timeout(self.timeout)

    def close(self) -> None:
        """Close the sync client (the async one is closed by `aclose`)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        if self._async_client is not None:
            await self._async_client.close()
            self._async_client = None
        self.close()

    @property
    def default_namespace(self) -> str:
        """The kubeconfig context's namespace, used when a namespaced call gives none."""
        single = self.config.get()
        return single.namespace if single is not None else "default"

    def _target(self, res: type[Resource], name: str | None, namespace: str | None) -> Target:
        if not is_namespaced(res):
            return Target(qualified_name(res), name)
        scope = namespace or (self.default_namespace if name is not None else None)
        return Target(qualified_name(res), name, scope)

    def _guard(self, res: type[Resource], name: str | None, namespace: str | None) -> Any:
        return translated(self._target(res, name, namespace), server=self.server)

    # -- sync helpers ------------------------------------------------------------------------

    def get(self, res: type[R], name: str, *, namespace: str | None = None) -> R:
        with self._guard(res, name, namespace):
            return cast(R, self._api.get(res, name, namespace=namespace))

    def list(
        self, res: type[R], *, namespace: str | None = None, labels: Labels | None = None
    ) -> builtins.list[R]:
        """Every object of a type; namespaced types list all namespaces when `namespace` is None."""
        scope = (namespace or ALL_NS) if is_namespaced(res) else None
        with self._guard(res, None, namespace):
            return list(self._api.list(res, namespace=scope, labels=labels))

    def apply(
        self,
        obj: R,
        *,
        namespace: str | None = None,
        field_manager: str | None = None,
        force: bool = True,
    ) -> R:
        """Server-side apply: create or update the fields this manager owns, taking them over
        from other managers when `force` (the operator's children converge every time)."""
        name = _name_of(obj)
        with self._guard(type(obj), name, namespace or _namespace_of(obj)):
            return cast(
                R,
                self._api.apply(
                    obj,
                    namespace=namespace,
                    field_manager=field_manager or self.field_manager,
                    force=force,
                ),
            )

    def apply_manifest(
        self, manifest: dict[str, Any], *, namespace: str | None = None, force: bool = True
    ) -> Resource:
        """Server-side apply a manifest given as a plain dict (its kind must be known)."""
        return self.apply(load_manifest(manifest), namespace=namespace, force=force)

    def create(self, obj: R, *, namespace: str | None = None) -> R:
        name = _name_of(obj)
        with self._guard(type(obj), name, namespace or _namespace_of(obj)):
            return cast(R, self._api.create(obj, namespace=namespace))

    def replace(self, obj: R, *, namespace: str | None = None) -> R:
        """PUT the whole object; a stale `metadata.resourceVersion` raises `Conflict`."""
        name = _name_of(obj)
        with self._guard(type(obj), name, namespace or _namespace_of(obj)):
            return cast(R, self._api.replace(obj, namespace=namespace))

    def patch(
        self,
        res: type[R],
        name: str,
        patch: dict[str, Any] | builtins.list[dict[str, Any]],
        *,
        namespace: str | None = None,
        patch_type: PatchType = PatchType.MERGE,
    ) -> R:
        with self._guard(res, name, namespace):
            return cast(
                R, self._api.patch(res, name, patch, namespace=namespace, patch_type=patch_type)
            )

    def patch_status(
        self, res: type[R], name: str, status: dict[str, Any], *, namespace: str | None = None
    ) -> R:
        """JSON-merge-patch `status` through the status subresource (`res` needs a `.Status`).

        A merge patch, not lightkube's default strategic merge: custom resources answer that
        with 415 Unsupported Media Type."""
        status_res = getattr(res, "Status")  # noqa: B009 (generic resources only)
        with self._guard(res, name, namespace):
            self._api.patch(
                status_res,
                name,
                {"status": status},
                namespace=namespace,
                patch_type=PatchType.MERGE,
            )
        return self.get(res, name, namespace=namespace)

    def delete(
        self,
        res: type[Resource],
        name: str,
        *,
        namespace: str | None = None,
        cascade: CascadeType | None = None,
    ) -> None:
        """`cascade` None is the kind's default (Orphan for batch/v1 Jobs: pass BACKGROUND)."""
        with self._guard(res, name, namespace):
            self._api.delete(res, name, namespace=namespace, cascade=cascade)


class AsyncKube:
    """The `Kube` helpers as coroutines, sharing the connection's one `AsyncClient`."""

    def __init__(self, kube: Kube) -> None:
        self._kube = kube

    @property
    def client(self) -> AsyncClient:
        return self._kube.async_client

    @property
    def _api(self) -> Any:
        return self._kube.async_client

    async def get(self, res: type[R], name: str, *, namespace: str | None = None) -> R:
        with self._kube._guard(res, name, namespace):
            return cast(R, await self._api.get(res, name, namespace=namespace))

    async def list(
        self, res: type[R], *, namespace: str | None = None, labels: Labels | None = None
    ) -> builtins.list[R]:
        scope = (namespace or ALL_NS) if is_namespaced(res) else None
        with self._kube._guard(res, None, namespace):
            return [obj async for obj in self._api.list(res, namespace=scope, labels=labels)]

    async def apply(
        self,
        obj: R,
        *,
        namespace: str | None = None,
        field_manager: str | None = None,
        force: bool = True,
    ) -> R:
        name = _name_of(obj)
        with self._kube._guard(type(obj), name, namespace or _namespace_of(obj)):
            return cast(
                R,
                await self._api.apply(
                    obj,
                    namespace=namespace,
                    field_manager=field_manager or self._kube.field_manager,
                    force=force,
                ),
            )

    async def create(self, obj: R, *, namespace: str | None = None) -> R:
        name = _name_of(obj)
        with self._kube._guard(type(obj), name, namespace or _namespace_of(obj)):
            return cast(R, await self._api.create(obj, namespace=namespace))

    async def replace(self, obj: R, *, namespace: str | None = None) -> R:
        """PUT the whole object; a stale `metadata.resourceVersion` raises `Conflict`."""
        name = _name_of(obj)
        with self._kube._guard(type(obj), name, namespace or _namespace_of(obj)):
            return cast(R, await self._api.replace(obj, namespace=namespace))

    async def patch(
        self,
        res: type[R],
        name: str,
        patch: dict[str, Any] | builtins.list[dict[str, Any]],
        *,
        namespace: str | None = None,
        patch_type: PatchType = PatchType.MERGE,
    ) -> R:
        with self._kube._guard(res, name, namespace):
            return cast(
                R,
                await self._api.patch(res, name, patch, namespace=namespace, patch_type=patch_type),
            )

    async def patch_status(
        self, res: type[R], name: str, status: dict[str, Any], *, namespace: str | None = None
    ) -> R:
        status_res = getattr(res, "Status")  # noqa: B009 (generic resources only)
        with self._kube._guard(res, name, namespace):
            await self._api.patch(
                status_res,
                name,
                {"status": status},
                namespace=namespace,
                patch_type=PatchType.MERGE,
            )
        return await self.get(res, name, namespace=namespace)

    async def delete(
        self,
        res: type[Resource],
        name: str,
        *,
        namespace: str | None = None,
        cascade: CascadeType | None = None,
    ) -> None:
        with self._kube._guard(res, name, namespace):
            await self._api.delete(res, name, namespace=namespace, cascade=cascade)


def _namespace_of(obj: Resource) -> str | None:
    metadata = getattr(obj, "metadata", None)
    return getattr(metadata, "namespace", None) if metadata is not None else None


def _name_of(obj: Resource) -> str | None:
    metadata = getattr(obj, "metadata", None)
    return getattr(metadata, "name", None) if metadata is not None else None
