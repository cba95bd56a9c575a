"""Requests a guest makes to its own app, served in-process by this worker's trigger.

These are the ``self_dispatch`` and ``chain_dispatch`` callables of
:class:`spinkube.runtime.hostapi.HostApis`: a relative URL (``/path``, allowed by ``self`` in
``allowed_outbound_hosts``) goes through the app's routes; ``http://<id>.spin.internal/path``
(service chaining) goes to that component directly. No socket is involved, so a worker never
waits on itself.
"""

from __future__ import annotations

from spinkube.runtime.hostapi import OutboundRequest, OutboundResponse
from spinkube.runtime.hostapi.http_errors import InternalError
from spinkube.runtime.server.messages import Request, Response
from spinkube.runtime.trigger.http import HttpTrigger

INTERNAL_CLIENT = "127.0.0.1:0"
"""``spin-client-addr`` of a request the app makes to itself."""


class InProcessDispatch:
    __slots__ = ("_authority", "_trigger")

    def __init__(self, trigger: HttpTrigger, *, authority: str) -> None:
        self._trigger = trigger
        self._authority = authority

    def self_request(self, request: OutboundRequest) -> OutboundResponse:
        return _outbound(self._trigger(self._inbound(request, request.url, self._authority)))

    def chain(self, component_id: str, request: OutboundRequest) -> OutboundResponse:
        authority, target = _split_url(request.url)
        inbound = self._inbound(request, target, authority)
        return _outbound(self._trigger.chain(component_id, inbound))

    @staticmethod
    def _inbound(request: OutboundRequest, target: str, authority: str) -> Request:
        return Request(
            request.method, target, list(request.headers), request.body, authority, INTERNAL_CLIENT
        )


def _split_url(url: str) -> tuple[str, str]:
    """``http://a.spin.internal/p?q`` as (``a.spin.internal``, ``/p?q``)."""
    authority, _, rest = url.partition("://")[2].partition("/")
    return authority, "/" + rest


def _outbound(response: Response) -> OutboundResponse:
    return OutboundResponse(response.status, list(response.headers), response.body)


class LateDispatch:
    """The dispatch the host APIs are built with before the trigger exists (the trigger needs the
    component hosts, and the hosts need the host APIs): :meth:`bind` it once the trigger is made."""

    __slots__ = ("_target",)

    def __init__(self) -> None:
        self._target: InProcessDispatch | None = None

    def bind(self, target: InProcessDispatch) -> None:
        self._target = target

    def self_request(self, request: OutboundRequest) -> OutboundResponse:
        return self._bound().self_request(request)

    def chain(self, component_id: str, request: OutboundRequest) -> OutboundResponse:
        return self._bound().chain(component_id, request)

    def _bound(self) -> InProcessDispatch:
        if self._target is None:
            raise InternalError("requests to the app itself are not available yet")
        return self._target
