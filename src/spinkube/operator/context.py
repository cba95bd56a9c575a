"""What every handler shares: the one API client, the metrics and the controllers' memory.

Built once by the manager and handed to kopf as its `memo`; handlers read it with
`context_of(memo)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from spinkube.kube import Kube
from spinkube.operator.controllers.state import AppState
from spinkube.operator.metrics import Metrics

Recorder = Callable[[str, str, str], None]
"""Posts an event about one object: `record("Warning", "MissingExecutor", "message")`."""

NORMAL = "Normal"
WARNING = "Warning"


@dataclass
class Context:
    kube: Kube
    metrics: Metrics = field(default_factory=Metrics)
    ca_bundle: str | None = None
    """The PEM bundle for executors with `installDefaultCACerts` (read once at start-up)."""
    apps: AppState = field(default_factory=AppState)


MEMO_KEY = "spinkube"


def context_of(memo: Any) -> Context:
    """The `Context` kopf hands every handler in its `memo`."""
    return cast(Context, memo[MEMO_KEY])
