"""Request and response bodies cross the host byte for byte."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spinkube.runtime.wasm.api import GuestRequest
from spinkube.runtime.wasm.host import WasmComponentHost

SIZES = [0, 1, 4095, 65536, 65537, 1 << 20, 8 << 20]


@pytest.mark.parametrize("size", SIZES, ids=[f"{s}B" for s in SIZES])
def test_echo_is_byte_identical(
    probe: WasmComponentHost, request_for: Callable[..., GuestRequest], size: int
) -> None:
    body = os.urandom(size)
    response = probe.handle(request_for("/echo", body, "POST"))
    assert response.status == 200
    assert len(response.body) == size
    assert response.body == body


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=4096))
def test_any_small_body_echoes(
    probe: WasmComponentHost, request_for: Callable[..., GuestRequest], body: bytes
) -> None:
    assert probe.handle(request_for("/echo", body, "PUT")).body == body
