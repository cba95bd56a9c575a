"""The scaffold inputs, with upstream's defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Autoscaler = Literal["", "hpa", "keda"]

DEFAULT_EXECUTOR = "containerd-shim-spin"
DEFAULT_REPLICAS = 2
DEFAULT_MAX_REPLICAS = 3
DEFAULT_TARGET_UTILIZATION = 60


@dataclass(frozen=True)
class ScaffoldOptions:
    """Everything `scaffold` renders from. `runtime_config` is the raw file content, if any."""

    image: str
    name: str = ""
    replicas: int = DEFAULT_REPLICAS
    max_replicas: int = DEFAULT_MAX_REPLICAS
    autoscaler: str = ""
    target_cpu_utilization: int = DEFAULT_TARGET_UTILIZATION
    target_memory_utilization: int = DEFAULT_TARGET_UTILIZATION
    executor: str = DEFAULT_EXECUTOR
    cpu_limit: str = ""
    cpu_request: str = ""
    memory_limit: str = ""
    memory_request: str = ""
    runtime_config: bytes | None = None
    image_pull_secrets: tuple[str, ...] = ()
    variables: dict[str, str] = field(default_factory=dict)
    components: tuple[str, ...] = ()
