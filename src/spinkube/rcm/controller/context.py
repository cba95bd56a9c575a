"""What every handler shares: the client, the metrics, the Job settings and one lock per Shim.

Reconciliations of one Shim are started by its own events, by Node events and by Job events
(kopf runs each in its own worker); the lock runs them one at a time, so two never start the
same install twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from spinkube.kube import Kube
from spinkube.manager.metrics import RUNTIME_CLASS_MANAGER, Metrics
from spinkube.rcm.desired import JobSettings

Logger = logging.Logger | logging.LoggerAdapter[Any]

MEMO_KEY = "rcm"


@dataclass
class Context:
    kube: Kube
    jobs: JobSettings
    metrics: Metrics = field(default_factory=lambda: Metrics(program=RUNTIME_CLASS_MANAGER))
    locks: defaultdict[str, asyncio.Lock] = field(default_factory=lambda: defaultdict(asyncio.Lock))
    node_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    """The labels of every Node as last seen, so that only label changes reconcile Shims."""


def context_of(memo: Any) -> Context:
    return cast(Context, memo[MEMO_KEY])
