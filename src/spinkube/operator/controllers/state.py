"""What the SpinApp controller remembers between events, in memory only.

Nothing here is needed for correctness after a restart (the resume handler reconciles every
app again); it saves API calls and serialises the two paths that touch one app (its own
handler, and the watch on its Deployment and Service).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, NamedTuple


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

    def lock(self, key: AppKey) -> asyncio.Lock:
        return self.locks.setdefault(key, asyncio.Lock())

    def forget(self, key: AppKey) -> None:
        for table in (self.locks, self.status, self.reconciled, self.applied):
            table.pop(key, None)
        self.waiting.discard(key)
