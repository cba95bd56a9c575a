"""Outbound HTTP against a real loopback server: allowed, denied, timeouts, self and chaining."""

from __future__ import annotations

import pytest

from spinkube.runtime.hostapi import (
    DnsError,
    HttpRequestDeniedError,
    OutboundHttp,
    OutboundRequest,
    OutboundResponse,
    Timeouts,
    parse_allowed_hosts,
)
from spinkube.runtime.hostapi.http_errors import (
    ConnectionReadTimeoutError,
    HttpConnectionRefusedError,
    HttpRequestMethodInvalidError,
    HttpRequestUriInvalidError,
    HttpResponseBodySizeError,
)
from spinkube.runtime.hostapi.outbound_http import MAX_RESPONSE_BYTES, ChainDispatch, SelfDispatch
from spinkube.testing import free_port

from .conftest import HttpServer


def outbound(
    *patterns: str,
    self_dispatch: SelfDispatch | None = None,
    chain_dispatch: ChainDispatch | None = None,
    max_response_bytes: int = MAX_RESPONSE_BYTES,
) -> OutboundHttp:
    allowed = parse_allowed_hosts(patterns, {}, component_id="web")
    return OutboundHttp(
        allowed,
        component_id="web",
        self_dispatch=self_dispatch,
        chain_dispatch=chain_dispatch,
        max_response_bytes=max_response_bytes,
    )


def test_allowed_request_returns_the_response(http_server: HttpServer) -> None:
    http = outbound(f"http://127.0.0.1:{http_server.port}")
    response = http.send(
        OutboundRequest("POST", http_server.base_url + "/echo?q=1", [("x-a", b"1")], b"body")
    )
    assert response.status == 200
    assert response.body == b"POST /echo?q=1 body"
    assert ("content-length", b"19") in [(k.lower(), v) for k, v in response.headers]
    assert http_server.seen[-1]["x-a"] == "1"


def test_status_and_headers_pass_through(http_server: HttpServer) -> None:
    http = outbound("http://127.0.0.1:*")
    response = http.send(OutboundRequest("GET", http_server.base_url + "/teapot"))
    assert (response.status, response.body) == (418, b"short and stout")
    assert ("x-pot", b"yes") in [(k.lower(), v) for k, v in response.headers]


def test_only_the_guests_headers_are_sent(http_server: HttpServer) -> None:
    http = outbound("http://127.0.0.1:*")
    http.send(OutboundRequest("GET", http_server.base_url + "/", [("accept", b"text/plain")]))
    seen = http_server.seen[-1]
    assert seen["accept"] == "text/plain"
    assert "user-agent" not in seen
    assert "accept-encoding" not in seen


def test_host_not_allowed_is_denied_without_a_request(
    http_server: HttpServer, caplog: pytest.LogCaptureFixture
) -> None:
    http = outbound("http://example.com")
    with pytest.raises(HttpRequestDeniedError) as err:
        http.send(OutboundRequest("GET", http_server.base_url + "/secret?token=abc"))
    assert err.value.case == "HTTP-request-denied"
    assert http_server.seen == []
    assert f"component web: request to {http_server.base_url} denied" in caplog.text
    assert "token=abc" not in caplog.text + str(err.value)


def test_nothing_is_allowed_by_default(http_server: HttpServer) -> None:
    with pytest.raises(HttpRequestDeniedError):
        outbound().send(OutboundRequest("GET", http_server.base_url + "/"))


def test_other_port_is_denied(http_server: HttpServer) -> None:
    with pytest.raises(HttpRequestDeniedError):
        outbound("http://127.0.0.1").send(OutboundRequest("GET", http_server.base_url + "/"))


def test_first_byte_timeout_is_connection_read_timeout(http_server: HttpServer) -> None:
    http = outbound("http://127.0.0.1:*")
    timeouts = Timeouts(connect_s=5.0, first_byte_s=0.2, between_bytes_s=0.2)
    with pytest.raises(ConnectionReadTimeoutError) as err:
        http.send(OutboundRequest("GET", http_server.base_url + "/hang"), timeouts=timeouts)
    assert err.value.case == "connection-read-timeout"


def test_closed_port_is_connection_refused() -> None:
    http = outbound("http://127.0.0.1:*")
    with pytest.raises(HttpConnectionRefusedError) as err:
        http.send(OutboundRequest("GET", f"http://127.0.0.1:{free_port()}/"))
    assert err.value.case == "connection-refused"


def test_unknown_name_is_a_dns_error() -> None:
    http = outbound("http://*.invalid")
    with pytest.raises(DnsError) as err:
        http.send(OutboundRequest("GET", "http://nothing-here.invalid/"))
    assert (err.value.case, err.value.rcode, err.value.info_code) == (
        "DNS-error",
        "address not available",
        0,
    )


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "http:///nohost"], ids=["ftp", "no-host"])
def test_non_http_url_is_uri_invalid(url: str) -> None:
    with pytest.raises(HttpRequestUriInvalidError):
        outbound("*://*:*").send(OutboundRequest("GET", url))


def test_invalid_method_is_refused() -> None:
    with pytest.raises(HttpRequestMethodInvalidError):
        outbound("*://*:*").send(OutboundRequest("GE T", "http://127.0.0.1/"))


def test_relative_url_goes_to_the_apps_own_dispatch_when_self_is_allowed() -> None:
    calls: list[OutboundRequest] = []

    def dispatch(request: OutboundRequest) -> OutboundResponse:
        calls.append(request)
        return OutboundResponse(201, [("x-self", b"1")], b"from myself")

    http = outbound("http://self", self_dispatch=dispatch)
    response = http.send(OutboundRequest("GET", "/inner?x=1"))
    assert response == OutboundResponse(201, [("x-self", b"1")], b"from myself")
    assert [c.url for c in calls] == ["/inner?x=1"]


def test_relative_url_without_self_is_denied() -> None:
    http = outbound("http://example.com", self_dispatch=lambda r: OutboundResponse(200))
    with pytest.raises(HttpRequestDeniedError):
        http.send(OutboundRequest("GET", "/inner"))


def test_service_chaining_goes_to_the_named_component() -> None:
    seen: list[tuple[str, str]] = []

    def chain(component: str, request: OutboundRequest) -> OutboundResponse:
        seen.append((component, request.url))
        return OutboundResponse(200, [], b"chained")

    http = outbound("http://backend.spin.internal", chain_dispatch=chain)
    response = http.send(OutboundRequest("GET", "http://backend.spin.internal/api"))
    assert response.body == b"chained"
    assert seen == [("backend", "http://backend.spin.internal/api")]
    with pytest.raises(HttpRequestDeniedError):
        http.send(OutboundRequest("GET", "http://other.spin.internal/api"))


def test_response_larger_than_the_limit_is_body_size_error(http_server: HttpServer) -> None:
    http = outbound("http://127.0.0.1:*", max_response_bytes=10)
    with pytest.raises(HttpResponseBodySizeError) as err:
        http.send(OutboundRequest("GET", http_server.base_url + "/teapot"))
    assert err.value.case == "HTTP-response-body-size"


def test_timeouts_from_wasi_durations() -> None:
    timeouts = Timeouts.from_nanos(1_500_000_000, None, 250_000_000)
    assert timeouts == Timeouts(connect_s=1.5, first_byte_s=60.0, between_bytes_s=0.25)
