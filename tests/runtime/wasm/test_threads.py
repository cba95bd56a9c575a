"""Hosts may be called from several threads at once: every call has its own store, instance
and request state, so one host serves several requests together."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from spinkube.runtime.wasm.api import GuestError, GuestRequest
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


def test_one_host_answers_while_another_of_its_requests_sleeps(
    make_probe: Callable[[], WasmComponentHost], request_for: Callable[..., GuestRequest]
) -> None:
    host = make_probe()
    with ThreadPoolExecutor(max_workers=5) as pool:
        sleeper = pool.submit(host.handle, request_for("/zzz"), deadline_s=15.0)
        bodies = [f"answer {i}".encode() for i in range(16)]
        answers = pool.map(lambda b: host.handle(request_for("/echo", b, "POST")).body, bodies)
        assert list(answers) == bodies
        assert not sleeper.done()  # all of them answered while the 60 s sleeper slept
        with pytest.raises(GuestError, match="deadline"):
            sleeper.result()
    host.close()
