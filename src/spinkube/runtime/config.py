"""``spinkube-runtime up`` configuration: read once, from flags and the environment, at the edge.

The environment rules are containerd-shim-spin's (upstream-behaviour §5.3):
``SPIN_HTTP_LISTEN_ADDR`` (default ``0.0.0.0:80``), ``SPIN_COMPONENTS_TO_RETAIN``
(comma-separated), ``SPIN_MAX_INSTANCE_MEMORY`` (bytes) and ``/runtime-config.toml`` when the file
exists. Flags win over the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from spinkube.runtime.errors import UsageError

DEFAULT_LISTEN = "0.0.0.0:80"
DEFAULT_RUNTIME_CONFIG = Path("/runtime-config.toml")
DEFAULT_MAX_REQUEST_BODY = 64 * 1024 * 1024
DEFAULT_GRACE_S = 10.0
DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 16
"""The pooling allocator's instance slots per process (``EngineSettings.pooling_instances``):
more guests at once could not instantiate."""
DEFAULT_MAX_REQUEST_HEADERS = 100
DEFAULT_REQUEST_HEAD_TIMEOUT_S = 10.0
DEFAULT_MAX_BUFFERED_RESPONSE = 1 << 20


@dataclass(frozen=True, slots=True)
class ServerConfig:
    listen: str = DEFAULT_LISTEN
    workers: int = 1
    max_request_body: int = DEFAULT_MAX_REQUEST_BODY
    """Larger request bodies are refused with 413."""
    request_timeout_s: float | None = None
    """Deadline for one guest call (the host interrupts the guest); None: no deadline."""
    grace_s: float = DEFAULT_GRACE_S
    """How long in-flight requests may take to finish after SIGTERM."""
    access_log: bool = True
    concurrency: int = DEFAULT_CONCURRENCY
    """Requests one worker answers at once (guest instances running in its threads)."""
    max_request_headers: int = DEFAULT_MAX_REQUEST_HEADERS
    """More header lines in a request head are refused with 431."""
    request_head_timeout_s: float = DEFAULT_REQUEST_HEAD_TIMEOUT_S
    """A request head must arrive whole this long after its first byte, else 408."""
    max_buffered_response: int = DEFAULT_MAX_BUFFERED_RESPONSE
    """Unsent response bytes per connection past which a streaming guest waits for the client;
    a guest body larger than this is streamed rather than collected."""


@dataclass(frozen=True, slots=True)
class AppConfig:
    source: str = "spin.toml"
    """An OCI reference, an app directory or a spin.toml (or spin.lock / spin.json) file."""
    runtime_config_file: Path | None = None
    components: tuple[str, ...] = ()
    """Components to retain (``--component-id``); empty: all of them."""
    state_dir: Path | None = None
    """Where key-value stores, materialised files and pulled apps live; None: a default."""
    cache_dir: Path | None = None
    """The compile and registry cache; None: the platform default."""
    max_instance_memory: int | None = None
    environ: Mapping[str, str] = field(default_factory=dict)
    """The process environment, for the variable providers."""
    health_checks: tuple[tuple[str, str], ...] = ()
    """(field, path) of the probes the app must answer (a SpinApp's ``spec.checks``)."""


@dataclass(frozen=True, slots=True)
class UpConfig:
    server: ServerConfig
    app: AppConfig
    log_format: str = "plain"
    guest_args: tuple[str, ...] = ()
    """The command line's arguments after the flags: the command trigger's guest arguments."""


def listen_address(flag: str | None, environ: Mapping[str, str]) -> str:
    return flag or environ.get("SPIN_HTTP_LISTEN_ADDR") or DEFAULT_LISTEN


def retained_components(flags: tuple[str, ...], environ: Mapping[str, str]) -> tuple[str, ...]:
    if flags:
        return flags
    text = environ.get("SPIN_COMPONENTS_TO_RETAIN", "")
    return tuple(part.strip() for part in text.split(",") if part.strip())


def runtime_config_file(flag: Path | None, default: Path = DEFAULT_RUNTIME_CONFIG) -> Path | None:
    """The flag's file (which must exist), else ``/runtime-config.toml`` when it exists."""
    if flag is not None:
        if not flag.is_file():
            # The operator always passes the flag while the mount is optional: match the shim,
            # which uses the file only when it is there.
            return None
        return flag
    return default if default.is_file() else None


def max_instance_memory(flag: int | None, environ: Mapping[str, str]) -> int | None:
    if flag is not None:
        return flag
    text = environ.get("SPIN_MAX_INSTANCE_MEMORY", "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) <= 0:
        raise UsageError(f"SPIN_MAX_INSTANCE_MEMORY: expected a number of bytes, got {text!r}")
    return int(text)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
