"""What every handler shares: the one API client, the metrics and the controllers' memory.

Built once by the manager and handed to kopf as its `memo`; handlers read it with
`context_of(memo)`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from spinkube.kube import Kube
from spinkube.manager.metrics import SPIN_OPERATOR, Metrics
from spinkube.operator.controllers.cache import Cache
from spinkube.operator.controllers.state import AppState

Recorder = Callable[[str, str, str], None]
"""Posts an event about one object: `record("Warning", "MissingExecutor", "message")`."""
RecorderFactory = Callable[[Mapping[str, Any]], Recorder]
"""The `Recorder` of one object (its body)."""

Logger = logging.Logger | logging.LoggerAdapter[Any]
"""What kopf hands handlers as `logger` (an adapter that prefixes `[namespace/name]`)."""

MAX_CONCURRENT_RECONCILES = 16

NORMAL = "Normal"
WARNING = "Warning"


@dataclass
class Context:
    kube: Kube
    metrics: Metrics = field(default_factory=lambda: Metrics(program=SPIN_OPERATOR))
    ca_bundle: str | None = None
    """The PEM bundle for executors with `installDefaultCACerts` (read once at start-up)."""
    apps: AppState = field(default_factory=AppState)
    cache: Cache = field(default_factory=Cache)
    """What exists: the children and executors as the watches last saw them."""
    namespace: str | None = None
    """The one namespace watched, or None for all."""
    events: RecorderFactory | None = None
    """Posts Events through `kube` (so they are counted with the operator's requests)."""
    reconcile_slots: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(MAX_CONCURRENT_RECONCILES)
    )
    """Bounds the reconciliations in flight (kopf runs one worker per object, unbounded):
    fewer requests and models alive at once keep the peak memory down when thousands of apps
    change together, without kopf's `worker_limit` and its idle-timeout trap."""


MEMO_KEY = "spinkube"


def context_of(memo: Any) -> Context:
    """The `Context` kopf hands every handler in its `memo`."""
    return cast(Context, memo[MEMO_KEY])


def to_json(obj: Any) -> dict[str, Any]:
    """A lightkube object as plain Kubernetes JSON."""
    return cast(dict[str, Any], obj.to_dict())
