"""The contract between the HTTP trigger and the Wasm host.

The trigger turns an HTTP request into a :class:`GuestRequest`, asks a :class:`ComponentHost`
(one per component, built once per worker process) to handle it in a fresh instance, and writes
the :class:`GuestResponse` back. Host-API state (variables, key-value, ...) reaches the guest
through :class:`ComponentContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from spinkube.runtime.hostapi import ComponentApis

Headers = list[tuple[str, bytes]]
"""Header name (lower-case) and raw value, in order; names may repeat."""


@dataclass(frozen=True, slots=True)
class GuestRequest:
    method: str
    path_with_query: str
    scheme: str
    authority: str
    headers: Headers
    body: bytes


@dataclass(slots=True)
class GuestResponse:
    status: int
    headers: Headers
    body: bytes


@dataclass(frozen=True, slots=True)
class ComponentContext:
    """What one component may see and use, fixed at load time."""

    component_id: str
    environment: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, Path] = field(default_factory=dict)
    """Guest directory (e.g. ``/``) to the host directory mounted there, read-only."""
    get_variable: Callable[[str], str | None] = lambda _name: None
    """Resolves a Spin variable for this component; None when it is not defined."""
    key_value_stores: Iterable[str] = ()
    sqlite_databases: Iterable[str] = ()
    allowed_outbound_hosts: Iterable[str] = ()
    apis: ComponentApis | None = None
    """Key-value, SQLite, outbound HTTP and Redis with this component's grants applied (built
    per worker process). None: every store or database open answers ``access-denied`` and
    outbound requests are denied."""


class GuestError(Exception):
    """The guest trapped, timed out or answered nothing; the message says which and why."""


class GuestTimeoutError(GuestError):
    """The guest ran past its ``deadline_s`` and was interrupted."""


class ComponentHost(Protocol):
    """A compiled component ready to serve; ``handle`` runs one request in a fresh instance."""

    def handle(
        self, request: GuestRequest, *, deadline_s: float | None = None
    ) -> GuestResponse: ...
