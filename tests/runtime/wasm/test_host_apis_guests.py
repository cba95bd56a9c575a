"""Spin's host APIs from inside real Python guests, in process (no server): the interface
modules over :class:`spinkube.runtime.hostapi.HostApis`, or with no host APIs at all."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest

from spinkube.runtime.hostapi import (
    HostApis,
    OutboundRequest,
    OutboundResponse,
    build_catalogue,
    parse_allowed_hosts,
)
from spinkube.runtime.wasm.api import ComponentContext, GuestRequest
from spinkube.runtime.wasm.host import WasmComponentHost
from spinkube.runtime.wasm.runtime import WasmRuntime

APPS = Path(__file__).parents[3] / "apps"
pytestmark = pytest.mark.apps
VARIABLES = {"redis_address": "redis://127.0.0.1:1", "target_url": "/from-variable"}


def app_wasm(name: str) -> Path:
    wasm = APPS / name / "app.wasm"
    if not wasm.is_file():
        pytest.skip(f"{wasm} is not built (run scripts/build-apps.sh)")
    return wasm


Load = Callable[..., WasmComponentHost]


@pytest.fixture
def load(apps_runtime: WasmRuntime, tmp_path: Path) -> Load:
    """``load(app, apis=True, allowed=(), self_dispatch=None)``: the app's component, with host
    APIs over stores in a temp dir (granted ``default``), or with none (``apis=False``)."""
    catalogue = build_catalogue(
        key_value_stores={}, sqlite_databases={}, state_dir=tmp_path, work_dir=tmp_path
    )

    def make(
        name: str,
        *,
        apis: bool = True,
        allowed: tuple[str, ...] = (),
        self_dispatch: Callable[[OutboundRequest], OutboundResponse] | None = None,
    ) -> WasmComponentHost:
        granted = None
        if apis:
            granted = HostApis(catalogue, self_dispatch=self_dispatch).for_component(
                name,
                key_value_stores=["default"],
                sqlite_databases=["default"],
                allowed_hosts=parse_allowed_hosts(allowed, {}, component_id=name),
            )
        context = ComponentContext(component_id=name, get_variable=VARIABLES.get, apis=granted)
        return apps_runtime.load(app_wasm(name), context)

    return make


def answer(host: WasmComponentHost, request: GuestRequest) -> tuple[int, str]:
    response = host.handle(request)
    return response.status, response.body.decode()


@pytest.mark.parametrize(
    ("app", "path", "expected"),
    [
        ("kv-redis", "/api?key=x", (500, "AccessDenied")),
        ("kv-redis", "/api/keys", (500, "AccessDenied")),
        ("sqlite-notes", "/", (500, "AccessDenied")),
        ("outbound-http", "/", (502, "error: HTTP-request-denied")),
        ("redis-outbound", "/get?key=x", (502, "error: InvalidAddress")),
    ],
    ids=["spin-kv", "wasi-kv", "sqlite", "http", "redis"],
)
def test_without_host_apis_everything_is_refused(
    load: Load, request_for: Callable[..., GuestRequest], app: str, path: str, expected
) -> None:
    assert answer(load(app, apis=False), request_for(path)) == expected


def test_sqlite_text_round_trips(load: Load, request_for: Callable[..., GuestRequest]) -> None:
    host = load("sqlite-notes")
    assert answer(host, request_for("/", "héllo ✓".encode(), "POST")) == (201, "1")
    assert answer(host, request_for("/", b"", "POST")) == (201, "2")
    status, body = answer(host, request_for("/"))
    assert (status, json.loads(body)) == (
        200,
        [{"id": 1, "text": "héllo ✓"}, {"id": 2, "text": ""}],
    )


def test_a_relative_url_goes_to_the_self_dispatch(
    load: Load, request_for: Callable[..., GuestRequest]
) -> None:
    seen: list[OutboundRequest] = []

    def dispatch(request: OutboundRequest) -> OutboundResponse:
        seen.append(request)
        return OutboundResponse(201, [("X-Answer", b"yes")], b"from the app itself")

    host = load("outbound-http", allowed=("http://self",), self_dispatch=dispatch)
    assert answer(host, request_for("/")) == (200, "201\nfrom the app itself")
    assert answer(host, request_for("/?url=" + quote("/p?q=1", safe=""))) == (
        200,
        "201\nfrom the app itself",
    )
    assert [(r.method, r.url, r.body) for r in seen] == [
        ("GET", "/from-variable", b""),
        ("GET", "/p?q=1", b""),
    ]
    assert ("content-length", b"0") in list(seen[0].headers)


def test_a_refused_connection_is_its_error_code(
    load: Load, request_for: Callable[..., GuestRequest]
) -> None:
    host = load("outbound-http", allowed=("http://127.0.0.1:1",))
    url = quote("http://127.0.0.1:1/", safe="")
    assert answer(host, request_for("/?url=" + url)) == (502, "error: connection-refused")


def test_an_unsupported_api_answers_its_error(
    load: Load, request_for: Callable[..., GuestRequest]
) -> None:
    status, body = answer(load("unsupported-apis"), request_for("/llm"))
    assert (status, body) == (
        501,
        "RuntimeError: LLM inferencing (fermyon:spin/llm) is not supported by spinkube-runtime",
    )
