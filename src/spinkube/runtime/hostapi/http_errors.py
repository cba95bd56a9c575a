"""``wasi:http/types.error-code`` cases for outbound requests, and httpx errors mapped to them.

``case`` is the WIT case name (``HTTP-request-denied``, ``DNS-error``...); ``DnsError`` also
carries the ``DNS-error-payload`` fields and ``InternalError`` its optional string.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from typing import TYPE_CHECKING

from spinkube.runtime.hostapi.errors import HostApiError

if TYPE_CHECKING:
    import httpx


class OutboundHttpError(HostApiError):
    case = "internal-error"


class HttpRequestDeniedError(OutboundHttpError):
    case = "HTTP-request-denied"


class HttpRequestUriInvalidError(OutboundHttpError):
    case = "HTTP-request-URI-invalid"


class HttpRequestMethodInvalidError(OutboundHttpError):
    case = "HTTP-request-method-invalid"


class DnsError(OutboundHttpError):
    case = "DNS-error"

    def __init__(
        self, detail: str = "", *, rcode: str | None = None, info_code: int | None = None
    ) -> None:
        super().__init__(detail)
        self.rcode = rcode
        self.info_code = info_code


class HttpConnectionRefusedError(OutboundHttpError):
    case = "connection-refused"


class ConnectionTerminatedError(OutboundHttpError):
    case = "connection-terminated"


class ConnectionTimeoutError(OutboundHttpError):
    case = "connection-timeout"


class ConnectionReadTimeoutError(OutboundHttpError):
    case = "connection-read-timeout"


class ConnectionWriteTimeoutError(OutboundHttpError):
    case = "connection-write-timeout"


class ConnectionLimitReachedError(OutboundHttpError):
    case = "connection-limit-reached"


class DestinationUnavailableError(OutboundHttpError):
    case = "destination-unavailable"


class TlsProtocolError(OutboundHttpError):
    case = "TLS-protocol-error"


class TlsCertificateError(OutboundHttpError):
    case = "TLS-certificate-error"


class HttpProtocolError(OutboundHttpError):
    case = "HTTP-protocol-error"


class HttpResponseBodySizeError(OutboundHttpError):
    case = "HTTP-response-body-size"


class InternalError(OutboundHttpError):
    case = "internal-error"


def _timeouts() -> dict[type[httpx.TimeoutException], type[OutboundHttpError]]:
    import httpx

    return {
        httpx.ConnectTimeout: ConnectionTimeoutError,
        httpx.ReadTimeout: ConnectionReadTimeoutError,
        httpx.WriteTimeout: ConnectionWriteTimeoutError,
        httpx.PoolTimeout: ConnectionLimitReachedError,
    }


def map_httpx_error(exc: httpx.HTTPError) -> OutboundHttpError:
    import httpx  # imported on first use: outbound HTTP is rare, and httpx costs ~60 ms to load

    detail = str(exc) or type(exc).__name__
    for kind, mapped in _timeouts().items():
        if isinstance(exc, kind):
            return mapped(detail)
    if isinstance(exc, httpx.ConnectError):
        return _connect_error(exc, detail)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return HttpRequestUriInvalidError(detail)
    if isinstance(exc, httpx.RemoteProtocolError):
        return HttpProtocolError(detail)
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return ConnectionTerminatedError(detail)
    return InternalError(detail)


def _connect_error(exc: BaseException, detail: str) -> OutboundHttpError:
    for cause in _chain(exc):
        if isinstance(cause, socket.gaierror):
            # wasmtime-wasi-http reports a failed name lookup with this payload.
            return DnsError(detail, rcode="address not available", info_code=0)
        if isinstance(cause, ConnectionRefusedError):
            return HttpConnectionRefusedError(detail)
        if isinstance(cause, ssl.SSLCertVerificationError):
            return TlsCertificateError(detail)
        if isinstance(cause, ssl.SSLError):
            return TlsProtocolError(detail)
        if isinstance(cause, OSError) and cause.errno is not None:
            return DestinationUnavailableError(detail)
    if "Name or service not known" in detail or "nodename nor servname" in detail:
        return DnsError(detail, rcode="address not available", info_code=0)
    return HttpConnectionRefusedError(detail)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
