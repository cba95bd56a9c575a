"""Leader election on a `coordination.k8s.io/v1` Lease, as client-go's `leaderelection`.

A candidate tries every `retry_period` to take the Lease: it may when the Lease does not
exist, is free, is its own, or has not changed for `lease_duration` as measured on the
candidate's own clock (so clock skew between nodes does not matter). The leader renews every
`retry_period`; if it cannot renew for `renew_deadline`, or sees another holder, it has lost
and the manager exits non-zero so that Kubernetes restarts it (controller-runtime does the
same). On a clean shutdown the leader releases the Lease so that another takes over at once.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import time
from dataclasses import dataclass

from lightkube.models.coordination_v1 import LeaseSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.coordination_v1 import Lease

from spinkube.kube import Conflict, Kube, KubeError, NotFound
from spinkube.manager.config import LeaderElection
from spinkube.manager.metrics import Metrics

logger = logging.getLogger(__name__)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True)
class Observed:
    """The Lease as last seen, and when (monotonic): what expiry is judged by."""

    holder: str
    renew_time: object
    duration: float
    at: float


class LeaderElector:
    def __init__(
        self, kube: Kube, config: LeaderElection, *, namespace: str, metrics: Metrics
    ) -> None:
        self._kube = kube
        self._config = config
        self._namespace = namespace
        self._metrics = metrics
        self._observed: Observed | None = None
        self.is_leader = False

    @property
    def identity(self) -> str:
        return self._config.identity

    def _spec(self, previous: LeaseSpec | None) -> LeaseSpec:
        now = _now()
        ours = previous is not None and previous.holderIdentity == self.identity
        transitions = (previous.leaseTransitions or 0) if previous else 0
        return LeaseSpec(
            holderIdentity=self.identity,
            leaseDurationSeconds=max(1, round(self._config.lease_duration)),
            acquireTime=previous.acquireTime if ours and previous else now,
            renewTime=now,
            leaseTransitions=transitions if ours or previous is None else transitions + 1,
        )

    def _observe(self, spec: LeaseSpec) -> None:
        holder = spec.holderIdentity or ""
        seen = self._observed
        if seen is None or (seen.holder, seen.renew_time) != (holder, spec.renewTime):
            duration = float(spec.leaseDurationSeconds or self._config.lease_duration)
            self._observed = Observed(holder, spec.renewTime, duration, time.monotonic())

    def _held_by_other(self) -> bool:
        seen = self._observed
        if seen is None or seen.holder in ("", self.identity):
            return False
        return time.monotonic() < seen.at + seen.duration

    async def try_acquire_or_renew(self) -> bool:
        """One attempt; True when this candidate holds the Lease afterwards."""
        kube = self._kube.aio
        name, ns = self._config.lease_name, self._namespace
        try:
            lease = await kube.get(Lease, name, namespace=ns)
        except NotFound:
            fresh = self._spec(None)
            lease = Lease(metadata=ObjectMeta(name=name, namespace=ns), spec=fresh)
            try:
                await kube.create(lease)
            except Conflict:
                return False
            self._observe(fresh)
            return True
        self._observe(lease.spec or LeaseSpec())
        if self._held_by_other():
            return False
        spec = lease.spec = self._spec(lease.spec)
        try:
            await kube.replace(lease)
        except Conflict:
            return False
        self._observe(spec)
        return True

    def _set_leader(self, value: bool) -> None:
        self.is_leader = value
        self._metrics.leader.labels(self._config.lease_name).set(1 if value else 0)

    async def _attempt(self) -> bool:
        try:
            return await self.try_acquire_or_renew()
        except KubeError as error:
            logger.warning("leader election: %s", error)
            return False

    async def acquire(self) -> None:
        """Wait until this candidate holds the Lease."""
        logger.info(
            "attempting to acquire leader lease %s/%s as %s",
            self._namespace,
            self._config.lease_name,
            self.identity,
        )
        while not await self._attempt():
            await asyncio.sleep(self._config.retry_period)
        self._set_leader(True)
        logger.info("successfully acquired lease %s/%s", self._namespace, self._config.lease_name)

    async def hold(self) -> str:
        """Renew until leadership is lost; returns why."""
        renewed = time.monotonic()
        while True:
            await asyncio.sleep(self._config.retry_period)
            if await self._attempt():
                renewed = time.monotonic()
                continue
            if self._held_by_other():
                reason = f"the lease is held by {self._observed.holder if self._observed else '?'}"
                break
            if time.monotonic() - renewed > self._config.renew_deadline:
                reason = f"failed to renew the lease within {self._config.renew_deadline} s"
                break
        self._set_leader(False)
        return reason

    async def release(self) -> None:
        """Give the Lease up (only if this candidate still holds it)."""
        if not self.is_leader:
            return
        self._set_leader(False)
        kube = self._kube.aio
        try:
            lease = await kube.get(Lease, self._config.lease_name, namespace=self._namespace)
            if lease.spec is None or lease.spec.holderIdentity != self.identity:
                return
            now = _now()
            lease.spec.holderIdentity = None
            lease.spec.leaseDurationSeconds = 1
            lease.spec.renewTime = now
            lease.spec.acquireTime = now
            await kube.replace(lease)
        except KubeError as error:
            logger.warning("cannot release the leader lease: %s", error)
            return
        logger.info("released leader lease %s/%s", self._namespace, self._config.lease_name)
