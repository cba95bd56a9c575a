"""The host objects behind the client side of wasi:http/types (outbound requests)."""

from __future__ import annotations

from dataclasses import dataclass

from spinkube.runtime.hostapi import OutboundHttpError, OutboundResponse, Timeouts
from spinkube.runtime.wasm.interfaces.http_objects import Fields, OutgoingBody


@dataclass(slots=True)
class OutgoingRequest:
    headers: Fields
    method: str = "GET"
    scheme: str | None = None
    authority: str | None = None
    path_with_query: str | None = None
    body: OutgoingBody | None = None

    def url(self) -> str:
        """Absolute, or ``/path?query`` for a request without a host (to the app itself; the
        Python SDK sends ``:80`` as the authority of a relative URL)."""
        path = self.path_with_query or "/"
        authority = self.authority or ""
        if not authority or authority.startswith(":"):
            return path if path.startswith("/") else "/" + path
        return f"{self.scheme or 'https'}://{authority}{path}"


@dataclass(slots=True)
class RequestOptions:
    """``wasi:http`` durations in nanoseconds; None keeps the host's default."""

    connect: int | None = None
    first_byte: int | None = None
    between_bytes: int | None = None

    def timeouts(self) -> Timeouts:
        return Timeouts.from_nanos(self.connect, self.first_byte, self.between_bytes)


@dataclass(slots=True)
class FutureResponse:
    """Sent on the first ``get`` once the request body is finished (or was never opened): the
    Python SDK calls ``handle`` before it writes the body."""

    request: OutgoingRequest
    timeouts: Timeouts
    outcome: OutboundResponse | OutboundHttpError | None = None
    taken: bool = False

    def ready(self) -> bool:
        body = self.request.body
        return body is None or body.finished


@dataclass(slots=True)
class IncomingResponse:
    status: int
    headers: Fields
    body: bytes
    consumed: bool = False
