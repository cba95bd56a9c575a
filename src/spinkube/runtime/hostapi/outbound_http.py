"""Outbound HTTP (the client side of ``wasi:http``): policy, self-requests, the real request.

:meth:`OutboundHttp.send` takes a whole request and returns a whole response:

* a relative URL (``/path?query``) is a request to the app itself, allowed by a ``self`` (or
  ``*``) host pattern, and handed to ``self_dispatch`` (the trigger's own routing);
* ``http://<component>.spin.internal/...`` is service chaining, handed to ``chain_dispatch``;
* anything else must match ``allowed_outbound_hosts`` and goes out through httpx (one shared
  client per process, no proxies from the environment, redirects not followed, the body exactly
  as the server sent it).

Failures are :class:`~.http_errors.OutboundHttpError` subclasses named after the
``wasi:http`` error codes; a host the component may not reach is ``HTTP-request-denied``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from spinkube.runtime.hostapi.allowed_hosts import AllowedHosts
from spinkube.runtime.hostapi.http_errors import (
    HttpRequestDeniedError,
    HttpRequestMethodInvalidError,
    HttpRequestUriInvalidError,
    HttpResponseBodySizeError,
    InternalError,
    map_httpx_error,
)

if TYPE_CHECKING:
    import httpx

# httpx is imported on first use: it costs ~60 ms at start-up, and most apps never send a request.

log = logging.getLogger(__name__)

SERVICE_CHAINING_SUFFIX = ".spin.internal"
MAX_RESPONSE_BYTES = 128 * 1024 * 1024
"""Responses are buffered in the host; a larger one is ``HTTP-response-body-size``."""
_TOKEN = "!#$%&'*+-.^_`|~"
"""RFC 9110 token characters besides letters and digits (a method is a token)."""
_CLIENT_DEFAULT_HEADERS = ("accept", "accept-encoding", "connection", "user-agent")


@dataclass(frozen=True, slots=True)
class OutboundRequest:
    method: str
    url: str
    """Absolute, or relative (``/path?query``) for a request to the app itself."""
    headers: Sequence[tuple[str, bytes]] = ()
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class OutboundResponse:
    status: int
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class Timeouts:
    """``wasi:http`` request-options, in seconds; None waits for ever."""

    connect_s: float | None = 10.0
    first_byte_s: float | None = 60.0
    between_bytes_s: float | None = 60.0

    @classmethod
    def from_nanos(
        cls, connect: int | None, first_byte: int | None, between_bytes: int | None
    ) -> Timeouts:
        """From ``wasi:http`` request-options durations (nanoseconds); None keeps the default."""
        default = cls()
        return cls(
            connect_s=_seconds(connect, default.connect_s),
            first_byte_s=_seconds(first_byte, default.first_byte_s),
            between_bytes_s=_seconds(between_bytes, default.between_bytes_s),
        )

    def as_httpx(self) -> httpx.Timeout:
        import httpx

        reads = [t for t in (self.first_byte_s, self.between_bytes_s) if t is not None]
        read = max(reads) if len(reads) == 2 else None
        return httpx.Timeout(connect=self.connect_s, read=read, write=read, pool=self.connect_s)


def _seconds(nanos: int | None, default: float | None) -> float | None:
    return default if nanos is None else nanos / 1e9


SelfDispatch = Callable[[OutboundRequest], OutboundResponse]
ChainDispatch = Callable[[str, OutboundRequest], OutboundResponse]


class OutboundHttp:
    """One component's outbound HTTP."""

    def __init__(
        self,
        allowed: AllowedHosts,
        *,
        component_id: str,
        self_dispatch: SelfDispatch | None = None,
        chain_dispatch: ChainDispatch | None = None,
        client: Callable[[], httpx.Client] | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self._max_response_bytes = max_response_bytes
        self._allowed = allowed
        self._component_id = component_id
        self._self_dispatch = self_dispatch
        self._chain_dispatch = chain_dispatch
        self._client = client or shared_client

    def send(
        self, request: OutboundRequest, *, timeouts: Timeouts = Timeouts()
    ) -> OutboundResponse:
        if not _valid_method(request.method):
            raise HttpRequestMethodInvalidError(f"invalid method {request.method!r}")
        if request.url.startswith("/"):
            return self._to_self(request)
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise HttpRequestUriInvalidError(f"not an http(s) URL: {_origin(request.url)}")
        if not self._allowed.allows(request.url, "https"):
            raise self._denied(request.url)
        if parts.hostname.endswith(SERVICE_CHAINING_SUFFIX):
            return self._chain(parts.hostname.removesuffix(SERVICE_CHAINING_SUFFIX), request)
        return _send(self._client(), request, timeouts, self._max_response_bytes)

    def _to_self(self, request: OutboundRequest) -> OutboundResponse:
        if not self._allowed.allows_relative():
            raise self._denied(request.url)
        if self._self_dispatch is None:
            raise InternalError("requests to the app itself are not available here")
        return self._self_dispatch(request)

    def _chain(self, component: str, request: OutboundRequest) -> OutboundResponse:
        if self._chain_dispatch is None:
            raise InternalError("service chaining is not available here")
        return self._chain_dispatch(component, request)

    def _denied(self, url: str) -> HttpRequestDeniedError:
        origin = _origin(url)
        log.warning(
            "component %s: request to %s denied: not in allowed_outbound_hosts",
            self._component_id,
            origin,
        )
        return HttpRequestDeniedError(f"{origin} is not in the component's allowed_outbound_hosts")


def _send(
    client: httpx.Client, request: OutboundRequest, timeouts: Timeouts, max_body: int
) -> OutboundResponse:
    import httpx

    try:
        built = client.build_request(
            request.method,
            request.url,
            headers=[(k.encode("latin-1"), v) for k, v in request.headers],
            content=request.body,
            timeout=timeouts.as_httpx(),
        )
        _drop_client_defaults(built, request.headers)
        response = client.send(built, stream=True)
        try:
            body = _read_body(response, max_body)
        finally:
            response.close()
    except httpx.HTTPError as exc:
        raise map_httpx_error(exc) from None
    except UnicodeEncodeError:
        raise HttpRequestUriInvalidError("header names must be ASCII") from None
    headers = [(k.decode("latin-1"), v) for k, v in response.headers.raw]
    return OutboundResponse(status=response.status_code, headers=headers, body=body)


def _read_body(response: httpx.Response, limit: int) -> bytes:
    """The body as the server sent it (no content decoding), at most ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_raw():
        size += len(chunk)
        if size > limit:
            raise HttpResponseBodySizeError(f"response body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _drop_client_defaults(built: httpx.Request, sent: Sequence[tuple[str, bytes]]) -> None:
    """httpx adds Accept, User-Agent...: keep only what the guest set (and Host, length)."""
    names = {k.lower() for k, _ in sent}
    for name in _CLIENT_DEFAULT_HEADERS:
        if name not in names and name in built.headers:
            del built.headers[name]


def _valid_method(method: str) -> bool:
    return (
        bool(method)
        and method.isascii()
        and all(c.isalnum() or c in "!#$%&'*+-.^_`|~" for c in method)
    )


def _origin(url: str) -> str:
    """``scheme://host:port`` only: paths and query strings may hold secrets."""
    if url.startswith("/"):
        return "the app itself"
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "an unparsable URL"
    return f"{parts.scheme}://{parts.hostname or ''}{port}"


_lock = threading.Lock()
_client: httpx.Client | None = None
_client_pid = 0


def shared_client() -> httpx.Client:
    """The process's client, created on first use and again after a fork."""
    import httpx

    global _client, _client_pid
    with _lock:
        if _client is None or _client_pid != os.getpid():
            _client = httpx.Client(
                trust_env=False,
                follow_redirects=False,
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            )
            _client_pid = os.getpid()
        return _client
