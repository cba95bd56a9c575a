"""Leader election on a Lease, against an in-memory stand-in for the API."""

from __future__ import annotations

import asyncio
import copy
from types import SimpleNamespace
from typing import Any

import pytest

from spinkube.kube import Conflict, NotFound
from spinkube.manager import leader as leader_module
from spinkube.manager.config import LeaderElection
from spinkube.manager.leader import LeaderElector
from spinkube.manager.metrics import Metrics


class FakeLeases:
    """The three `Kube.aio` calls the elector makes, with the API's resourceVersion conflicts."""

    def __init__(self) -> None:
        self.lease: Any = None
        self.version = 0

    async def get(self, res: Any, name: str, *, namespace: str) -> Any:
        if self.lease is None:
            raise NotFound("not found")
        return copy.deepcopy(self.lease)

    async def create(self, lease: Any) -> Any:
        if self.lease is not None:
            raise Conflict("already exists")
        return self._store(lease)

    async def replace(self, lease: Any) -> Any:
        if lease.metadata.resourceVersion != str(self.version):
            raise Conflict("stale")
        return self._store(lease)

    def _store(self, lease: Any) -> Any:
        self.version += 1
        self.lease = copy.deepcopy(lease)
        self.lease.metadata.resourceVersion = str(self.version)
        return copy.deepcopy(self.lease)


class FakeKube:
    server = "fake"

    def __init__(self, leases: FakeLeases) -> None:
        self.aio = leases


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    # the module's clock only: asyncio's own timers keep the real one
    monkeypatch.setattr(leader_module, "time", SimpleNamespace(monotonic=fake))
    return fake


def elector(leases: FakeLeases, identity: str) -> LeaderElector:
    config = LeaderElection(enabled=True, identity=identity, lease_duration=15.0)
    return LeaderElector(FakeKube(leases), config, namespace="ns", metrics=Metrics(program="test"))  # type: ignore[arg-type]


def test_the_first_candidate_creates_the_lease(clock: Clock) -> None:
    leases = FakeLeases()

    assert asyncio.run(elector(leases, "a").try_acquire_or_renew()) is True
    assert leases.lease.spec.holderIdentity == "a"
    assert leases.lease.spec.leaseDurationSeconds == 15
    assert leases.lease.spec.leaseTransitions == 0


def test_a_held_lease_is_not_taken_until_it_expires_on_the_candidates_clock(
    clock: Clock,
) -> None:
    leases = FakeLeases()
    a, b = elector(leases, "a"), elector(leases, "b")

    async def scenario() -> list[bool]:
        results = [await a.try_acquire_or_renew(), await b.try_acquire_or_renew()]
        clock.now += 10
        results += [await a.try_acquire_or_renew(), await b.try_acquire_or_renew()]
        clock.now += 14  # b saw a's last renewal 14 s ago: still valid
        results.append(await b.try_acquire_or_renew())
        clock.now += 2  # now 16 s: expired
        results.append(await b.try_acquire_or_renew())
        return results

    assert asyncio.run(scenario()) == [True, False, True, False, False, True]
    assert leases.lease.spec.holderIdentity == "b"
    assert leases.lease.spec.leaseTransitions == 1


def test_the_leader_keeps_its_acquire_time_when_renewing(clock: Clock) -> None:
    leases = FakeLeases()
    a = elector(leases, "a")

    async def scenario() -> None:
        await a.try_acquire_or_renew()
        acquired = leases.lease.spec.acquireTime
        clock.now += 2
        await a.try_acquire_or_renew()
        assert leases.lease.spec.acquireTime == acquired

    asyncio.run(scenario())


def test_a_lost_race_is_not_leadership(clock: Clock) -> None:
    leases = FakeLeases()
    a = elector(leases, "a")

    async def scenario() -> bool:
        await a.try_acquire_or_renew()
        real_replace = leases.replace

        async def racing_replace(lease: Any) -> Any:
            leases.version += 1  # someone else wrote in between
            return await real_replace(lease)

        leases.replace = racing_replace  # type: ignore[method-assign]
        return await a.try_acquire_or_renew()

    assert asyncio.run(scenario()) is False


def test_release_frees_the_lease_for_the_next_candidate(clock: Clock) -> None:
    leases = FakeLeases()
    a, b = elector(leases, "a"), elector(leases, "b")

    async def scenario() -> bool:
        await a.acquire()
        await a.release()
        return await b.try_acquire_or_renew()

    assert asyncio.run(scenario()) is True
    assert a.is_leader is False
    assert leases.lease.spec.holderIdentity == "b"


def test_hold_ends_when_another_holder_appears(clock: Clock) -> None:
    leases = FakeLeases()
    config = LeaderElection(
        enabled=True, identity="a", lease_duration=3, renew_deadline=2, retry_period=0.01
    )
    a = LeaderElector(FakeKube(leases), config, namespace="ns", metrics=Metrics(program="test"))  # type: ignore[arg-type]

    async def scenario() -> str:
        await a.acquire()
        leases.lease.spec.holderIdentity = "intruder"
        leases.version += 1
        leases.lease.metadata.resourceVersion = str(leases.version)
        return await a.hold()

    assert "held by intruder" in asyncio.run(scenario())
    assert a.is_leader is False
