"""The probe guest (guests/probe.wat) picks its behaviour by the path's whole first segment,
so routes that share a prefix (`/all`, `/all-config`; `/echo`, `/echoes`) never mix."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from spinkube.runtime.wasm.api import GuestRequest
from spinkube.runtime.wasm.host import WasmComponentHost


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param("/echo", b"sent", id="echo"),
        pytest.param("/echo/more/segments", b"sent", id="echo-subpath"),
        pytest.param("/echo?a=1", b"sent", id="echo-query"),
        pytest.param("/echoes", b"hello", id="longer-name"),
        pytest.param("/ech", b"hello", id="shorter-name"),
        pytest.param("/e", b"hello", id="first-letter"),
        pytest.param("/all-config", b"greeting=hello from a variable\nempty=\n", id="all-config"),
        pytest.param("/all-configs", b"hello", id="all-config-longer"),
        pytest.param("/al", b"hello", id="all-shorter"),
        pytest.param("/alive", b"hello", id="a-word"),
        pytest.param("/var/greeting", b"hello from a variable", id="var"),
        pytest.param("/variable/greeting", b"hello", id="var-longer"),
        pytest.param("/", b"hello", id="root"),
    ],
)
def test_the_whole_first_segment_picks_the_route(
    probe: WasmComponentHost, request_for: Callable[..., GuestRequest], path: str, body: bytes
) -> None:
    response = probe.handle(request_for(path, b"sent", "POST"))
    assert (response.status, response.body) == (200, body)


def test_all_is_the_16_mib_answer_not_all_config(
    probe: WasmComponentHost, request_for: Callable[..., GuestRequest]
) -> None:
    response = probe.handle(request_for("/all"))
    assert (response.status, len(response.body)) == (200, 16 << 20)
