"""The HTTP trigger: a request in, the component's response out, with Spin's headers and paths."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from spinkube.runtime.server.messages import Headers, Request, Response, plain
from spinkube.runtime.server.streaming import ResponseStream
from spinkube.runtime.trigger.router import Routed, Router, chained_entry
from spinkube.runtime.wasm.api import ComponentHost, GuestError, GuestRequest

log = logging.getLogger(__name__)

WELL_KNOWN_PREFIX = "/.well-known/spin/"
SPIN_HEADERS = frozenset(
    (
        "spin-full-url",
        "spin-path-info",
        "spin-matched-route",
        "spin-base-path",
        "spin-raw-component-route",
        "spin-component-route",
        "spin-client-addr",
    )
)
"""Set by the trigger; a client's own values for these are dropped, as Spin replaces them."""
PATH_MATCH_PREFIX = "spin-path-match-"
"""``spin-path-match-<param>``: set per route parameter; every client-sent one is dropped, so a
guest never sees a value the client made up (``spin-path-match-id: admin``)."""


def is_runtime_header(name: str) -> bool:
    """Whether the trigger owns header ``name`` (lower-case): a client may not send it."""
    return name in SPIN_HEADERS or name.startswith(PATH_MATCH_PREFIX)


@dataclass(frozen=True, slots=True)
class AppInfo:
    """What ``/.well-known/spin/info`` reports, as Spin's ``AppInfo``."""

    name: str
    version: str | None = None
    oci_image_digest: str | None = None

    def to_json(self) -> bytes:
        return json.dumps(
            {"name": self.name, "version": self.version, "oci_image_digest": self.oci_image_digest},
            indent=2,
        ).encode()


class HttpTrigger:
    """The request handler workers serve: routes a request to a component host and runs it."""

    __slots__ = ("_base", "_calls", "_deadline_s", "_hosts", "_info", "_router", "_scheme")

    def __init__(
        self,
        *,
        router: Router,
        hosts: Mapping[str, ComponentHost],
        info: AppInfo,
        base: str = "/",
        deadline_s: float | None = None,
        scheme: str = "http",
    ) -> None:
        self._router = router
        self._hosts = dict(hosts)
        self._info = info
        self._base = base.encode()
        self._deadline_s = deadline_s
        self._scheme = scheme
        self._calls = threading.local()
        """Per thread: the components whose guest is running on it (see ``_run``)."""

    def __call__(self, request: Request) -> Response:
        """The whole response, collected (HEAD requests, requests the app makes to itself)."""
        response = self.stream(request, None)
        assert response is not None  # without a sink the host always collects
        return response

    def stream(self, request: Request, out: ResponseStream | None) -> Response | None:
        """Streams the guest's response into ``out`` (see ``messages.StreamHandler``)."""
        path = request.target.partition("?")[0]
        if path.startswith(WELL_KNOWN_PREFIX):
            return self._well_known(path[len(WELL_KNOWN_PREFIX) :])
        routed = self._router.route(path)
        if routed is None:
            return _not_found()
        return self._run(request, routed, out)

    def chain(self, component_id: str, request: Request) -> Response:
        """Service chaining (``http://<component>.spin.internal/...``): the component directly,
        routes bypassed, as if it were routed at ``/...`` (private components included)."""
        if component_id not in self._hosts:
            return _not_found()
        path = request.target.partition("?")[0]
        response = self._run(request, Routed(chained_entry(component_id), path, {}), None)
        assert response is not None
        return response

    def _run(self, request: Request, routed: Routed, out: ResponseStream | None) -> Response | None:
        component_id = routed.entry.component_id
        host = self._hosts.get(component_id)
        if host is None:
            return _not_found()
        busy = self._busy()
        if component_id in busy:
            # A guest calling back into its own component (directly or through a chain) runs
            # on the same thread, whose request state that component's host is using.
            log.error("component %r called itself (self request or chain); refused", component_id)
            return plain(508, "a component cannot call itself in this runtime")
        guest = GuestRequest(
            request.method,
            request.target,
            self._scheme,
            request.authority,
            self._guest_headers(request, routed),
            request.body,
        )
        busy.add(component_id)
        try:
            answer = host.handle(guest, deadline_s=self._deadline_s, sink=out)
        except GuestError as exc:
            return _failed(component_id, exc, out)
        finally:
            busy.discard(component_id)
        if out is not None and out.started:
            return None  # streamed: the host finished it through ``out``
        return Response(answer.status, answer.headers, answer.body)

    def _busy(self) -> set[str]:
        busy: set[str] | None = getattr(self._calls, "components", None)
        if busy is None:
            busy = self._calls.components = set()
        return busy

    def _guest_headers(self, request: Request, routed: Routed) -> Headers:
        headers = [h for h in request.headers if not is_runtime_header(h[0])]
        entry = routed.entry
        full_url = f"{self._scheme}://{request.authority}{request.target}"
        headers += (
            ("spin-full-url", full_url.encode("latin-1")),
            ("spin-path-info", routed.path_info.encode("latin-1")),
            ("spin-matched-route", entry.matched_route),
            ("spin-base-path", self._base),
            ("spin-raw-component-route", entry.raw_route),
            ("spin-component-route", entry.component_route),
            ("spin-client-addr", request.client.encode()),
        )
        for name, value in routed.params.items():
            headers.append((PATH_MATCH_PREFIX + name.lower(), value.encode("latin-1")))
        return headers

    def _well_known(self, name: str) -> Response:
        if name == "health":
            return Response(200, [("content-type", b"text/plain")], b"OK")
        if name == "info":
            return Response(200, [("content-type", b"application/json")], self._info.to_json())
        return _not_found()


def _failed(component_id: str, exc: GuestError, out: ResponseStream | None) -> Response | None:
    """500, unless the response's head already went out: then the connection is cut."""
    if out is not None and out.abort():
        log.error(
            "component %r failed after its response began; connection aborted: %s",
            component_id,
            exc,
        )
        return None
    log.error("component %r failed: %s", component_id, exc)
    return plain(500)


def _not_found() -> Response:
    return Response(404, [], b"")
