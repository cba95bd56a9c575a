"""What the SpinApp controller remembers between events, in memory only.

Nothing here is needed for correctness after a restart (the resume handler reconciles every
app again); it saves API calls and serialises the two paths that touch one app (its own
handler, and the watch on its Deployment and Service).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from spinkube.operator.controllers.errors import backoff


class AppKey(NamedTuple):
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass
class Applied:
    """The children as the operator last applied them, and cheap markers of their versions.

    An event whose marker did not move (a Deployment's `generation`, another child's
    `resourceVersion`) cannot carry a change of what the operator applied; one whose marker
    moved is compared with the manifest (`drift.conforms`): kube-controller-manager's
    revision annotation bumps a Deployment's generation without being drift.
    """

    deployment_generation: int | None = None
    service_version: str | None = None
    secret_version: str | None = None
    deployment: dict[str, Any] | None = None
    service: dict[str, Any] | None = None
    secret: dict[str, Any] | None = None


class Requeue:
    """Retries of apps whose reconciliation failed, with a doubling backoff (1 s to 30 s).

    The operator retries by itself rather than through `kopf.TemporaryError`: kopf's retry
    needs a "touch" patch on the object, and the operator writes nothing on users' objects
    (`operator/storage.py`). A new retry for an app replaces the one pending.
    """

    def __init__(self) -> None:
        self._timers: dict[AppKey, asyncio.TimerHandle] = {}
        self._attempts: dict[AppKey, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def next_delay(self, key: AppKey) -> float:
        attempt = self._attempts.get(key, 0)
        self._attempts[key] = attempt + 1
        return backoff(attempt)

    def schedule(self, key: AppKey, delay: float, run: Callable[[], Awaitable[None]]) -> None:
        self.cancel(key)
        loop = asyncio.get_running_loop()
        self._timers[key] = loop.call_later(delay, self._start, key, run)

    def _start(self, key: AppKey, run: Callable[[], Awaitable[None]]) -> None:
        self._timers.pop(key, None)
        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def pending(self, key: AppKey) -> bool:
        return key in self._timers

    def done(self, key: AppKey) -> None:
        """The app reconciled (or needs a change first): no retry, the backoff starts over."""
        self.cancel(key)
        self._attempts.pop(key, None)

    def cancel(self, key: AppKey) -> None:
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()

    async def close(self) -> None:
        """Cancel every pending retry and wait for the running ones to stop."""
        for key in list(self._timers):
            self.cancel(key)
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


@dataclass
class AppState:
    locks: dict[AppKey, asyncio.Lock] = field(default_factory=dict)
    status: dict[AppKey, dict[str, Any]] = field(default_factory=dict)
    """The status last written (or read) per app: patch only when it changes."""
    reconciled: dict[AppKey, dict[str, Any]] = field(default_factory=dict)
    """The `Reconciled` condition per app, kept apart so the Deployment watch keeps it."""
    applied: dict[AppKey, Applied] = field(default_factory=dict)
    waiting: set[AppKey] = field(default_factory=set)
    """Apps whose last reconciliation failed and that wait for a retry."""
    requeue: Requeue = field(default_factory=Requeue)
    deployment_versions: dict[AppKey, int] = field(default_factory=dict)
    """The newest Deployment resourceVersion the app's status was computed from."""
    ca_secrets: set[tuple[str, str]] = field(default_factory=set)
    """The shared CA Secrets (namespace, name) known to exist."""
    ca_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def newest_deployment(self, key: AppKey, deployment: Mapping[str, Any]) -> bool:
        """Record `deployment` as the status source unless a newer one was used already.

        resourceVersions are opaque to clients, but etcd's are increasing integers; a
        version that is not one is always taken as new."""
        version = str((deployment.get("metadata") or {}).get("resourceVersion") or "")
        if not version.isdigit():
            return True
        if int(version) < self.deployment_versions.get(key, 0):
            return False
        self.deployment_versions[key] = int(version)
        return True

    def lock(self, key: AppKey) -> asyncio.Lock:
        return self.locks.setdefault(key, asyncio.Lock())

    def forget(self, key: AppKey) -> None:
        for table in (
            self.locks,
            self.status,
            self.reconciled,
            self.applied,
            self.deployment_versions,
        ):
            table.pop(key, None)
        self.waiting.discard(key)
        self.requeue.done(key)
