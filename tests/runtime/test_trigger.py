"""The trigger with Python component hosts: headers, failures, service chaining, self requests."""

from __future__ import annotations

import json

import pytest

from spinkube.runtime.hostapi import OutboundRequest
from spinkube.runtime.server.messages import Request
from spinkube.runtime.trigger.dispatch import InProcessDispatch
from spinkube.runtime.trigger.http import AppInfo, HttpTrigger
from spinkube.runtime.trigger.router import Router
from spinkube.runtime.wasm.api import (
    GuestError,
    GuestRequest,
    GuestResponse,
    GuestTimeoutError,
    ResponseSink,
)
from spinkube.spinapp import Route


class EchoHost:
    """Answers with the request it got, as JSON."""

    def __init__(self, name: str) -> None:
        self.name = name

    def handle(
        self,
        request: GuestRequest,
        *,
        deadline_s: float | None = None,
        sink: ResponseSink | None = None,
    ) -> GuestResponse:
        seen = {
            "component": self.name,
            "target": request.path_with_query,
            "authority": request.authority,
            "deadline_s": deadline_s,
            "headers": {k: v.decode() for k, v in request.headers if k.startswith("spin-")},
        }
        return GuestResponse(
            200, [("content-type", b"application/json")], json.dumps(seen).encode()
        )


class FailingHost:
    def __init__(self, error: GuestError) -> None:
        self.error = error

    def handle(
        self,
        request: GuestRequest,
        *,
        deadline_s: float | None = None,
        sink: ResponseSink | None = None,
    ) -> GuestResponse:
        raise self.error


class CallbackHost:
    """Calls back into the app while it runs, like a guest's outbound request would."""

    def __init__(self) -> None:
        self.dispatch: InProcessDispatch | None = None
        self.target = ""

    def handle(
        self,
        request: GuestRequest,
        *,
        deadline_s: float | None = None,
        sink: ResponseSink | None = None,
    ) -> GuestResponse:
        assert self.dispatch is not None
        if self.target.startswith("http://"):
            component = self.target.split("//")[1].split(".")[0]
            answer = self.dispatch.chain(component, OutboundRequest("GET", self.target))
        else:
            answer = self.dispatch.self_request(OutboundRequest("GET", self.target))
        return GuestResponse(answer.status, answer.headers, answer.body)


def request(target: str, *, headers: list[tuple[str, bytes]] | None = None) -> Request:
    return Request("GET", target, headers or [], b"", "app.test", "10.0.0.1:4321")


def make_trigger(**hosts: object) -> HttpTrigger:
    routes = [
        (Route.parse("/echo/..."), "echo"),
        (Route.parse("/fail"), "fail"),
        (Route.parse("/slow"), "slow"),
        (Route.parse("/call"), "caller"),
        (Route.parse({"private": True}), "private"),
    ]
    return HttpTrigger(
        router=Router(routes),
        hosts={"echo": EchoHost("echo"), "private": EchoHost("private"), **hosts},  # type: ignore[dict-item]
        info=AppInfo("app", "1.0"),
        deadline_s=2.5,
    )


def body(response) -> dict:
    assert response.status == 200, response.body
    return json.loads(response.body)


def test_the_guest_sees_spin_headers_and_the_deadline() -> None:
    seen = body(make_trigger()(request("/echo/x?y=1", headers=[("spin-path-info", b"spoof")])))
    assert seen["deadline_s"] == 2.5
    assert seen["headers"]["spin-path-info"] == "/x"
    assert seen["headers"]["spin-full-url"] == "http://app.test/echo/x?y=1"
    assert seen["headers"]["spin-client-addr"] == "10.0.0.1:4321"


@pytest.mark.parametrize(
    "error", [GuestError("guest trapped: unreachable"), GuestTimeoutError("deadline")]
)
def test_guest_failures_are_500(error: GuestError) -> None:
    trigger = make_trigger(fail=FailingHost(error))
    assert trigger(request("/fail")).status == 500
    assert body(trigger(request("/echo/after")))["component"] == "echo"


def test_private_components_are_reachable_only_by_chaining() -> None:
    trigger = make_trigger()
    assert trigger(request("/private")).status == 404
    seen = body(trigger.chain("private", request("/anything?q")))
    assert seen["component"] == "private"
    assert seen["headers"]["spin-path-info"] == "/anything"
    assert seen["headers"]["spin-matched-route"] == "/..."
    assert trigger.chain("nobody", request("/")).status == 404


@pytest.mark.parametrize(
    ("target", "component", "authority"),
    [
        ("/echo/self", "echo", "app.test:80"),
        ("http://private.spin.internal/p", "private", "private.spin.internal"),
    ],
)
def test_in_process_dispatch(target: str, component: str, authority: str) -> None:
    caller = CallbackHost()
    trigger = make_trigger(caller=caller)
    caller.dispatch = InProcessDispatch(trigger, authority="app.test:80")
    caller.target = target
    seen = body(trigger(request("/call")))
    assert (seen["component"], seen["authority"]) == (component, authority)
    assert seen["headers"]["spin-client-addr"] == "127.0.0.1:0"


def test_a_component_calling_itself_is_refused_instead_of_deadlocking() -> None:
    caller = CallbackHost()
    trigger = make_trigger(caller=caller)
    caller.dispatch = InProcessDispatch(trigger, authority="app.test")
    caller.target = "/call"
    assert trigger(request("/call")).status == 508
    assert trigger(request("/echo/still")).status == 200
