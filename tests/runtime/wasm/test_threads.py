"""Hosts may be called from several threads: each host serialises its own requests."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from spinkube.runtime.wasm.api import GuestRequest
from spinkube.runtime.wasm.host import WasmComponentHost


def test_concurrent_requests_on_two_hosts_get_their_own_answers(
    make_probe: Callable[[], WasmComponentHost], request_for: Callable[..., GuestRequest]
) -> None:
    hosts = [make_probe(), make_probe()]

    def echo(i: int) -> bool:
        body = f"request {i} ".encode() * (i % 7 + 1) * 100
        return hosts[i % 2].handle(request_for("/echo", body, "POST")).body == body

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(echo, range(200)))
    for host in hosts:
        host.close()
    assert results == [True] * 200
