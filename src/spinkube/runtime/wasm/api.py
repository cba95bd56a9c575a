"""The contract between the HTTP trigger and the Wasm host.

The trigger turns an HTTP request into a :class:`GuestRequest`, asks a :class:`ComponentHost`
(one per component, built once per worker process) to handle it in a fresh instance, and writes
the :class:`GuestResponse` back. Host-API state (variables, key-value, ...) reaches the guest
through :class:`ComponentContext`.

Given a :class:`ResponseSink`, ``handle`` streams a response the guest keeps writing while it
waits (see :class:`ResponseSink`).
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
    variable_names: Iterable[str] = ()
    """The component's variables, for ``wasi:config/store#get-all`` (values via get_variable)."""
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


class GuestExit(GuestError):  # noqa: N818 (an outcome, not a failure, for commands)
    """The guest called ``wasi:cli/exit``: ``code`` is 0 for ``ok``, 1 for ``err``."""

    def __init__(self, code: int, component_id: str) -> None:
        super().__init__(f"component {component_id} exited with code {code}")
        self.code = code


class ResponseSink(Protocol):
    """Where a streamed response goes, in order: ``start``, any ``write``/``flush``, ``finish``.

    The host starts the sink the first time the guest waits (a timer, a poll, an outbound
    request) after setting its response: ``start`` with the status and headers, ``write`` with
    the body so far, then ``flush``. Every later body write is a ``write``, every later wait a
    ``flush`` (what was written should reach the client now), and ``finish`` comes when the
    guest returns. A guest that never waits never touches the sink: ``handle`` returns its
    whole response as without a sink, so the common case costs nothing extra. The caller tells
    the two apart by whether ``start`` was called. When the guest fails ``handle`` raises
    :class:`GuestError` and ``finish`` is not called.
    """

    def start(self, status: int, headers: Headers) -> None: ...

    def write(self, chunk: bytes) -> None: ...

    def flush(self) -> None: ...

    def finish(self) -> None: ...


class ComponentHost(Protocol):
    """A compiled component ready to serve; ``handle`` runs one request in a fresh instance.

    Without a sink the whole response is returned; with one, a response the guest went on
    writing while it waited is streamed into the sink (see :class:`ResponseSink`) and the
    returned body is empty.
    """

    def handle(
        self,
        request: GuestRequest,
        *,
        deadline_s: float | None = None,
        sink: ResponseSink | None = None,
    ) -> GuestResponse: ...


class TriggerHost(ComponentHost, Protocol):
    """A component host that also serves the non-HTTP triggers, each call in a fresh instance."""

    def handle_redis_message(self, payload: bytes, *, deadline_s: float | None = None) -> None:
        """Runs ``fermyon:spin/inbound-redis#handle-message``; :class:`GuestError` when the
        guest traps or answers ``err``."""

    def handle_mqtt_message(
        self, payload: bytes, topic: str, *, deadline_s: float | None = None
    ) -> None:
        """Runs spin-trigger-mqtt's ``handle-message`` with the payload and its topic;
        :class:`GuestError` when the guest traps or answers ``err``."""

    def run_command(self, arguments: list[str]) -> int:
        """Runs ``wasi:cli/run#run`` with these arguments; the exit code (0 for ``ok``, 1 for
        ``err``, or what the guest passed to ``wasi:cli/exit``)."""

    def handle_cron_event(self, timestamp: int, *, deadline_s: float | None = None) -> None:
        """Runs the ``fermyon:spin-cron`` world's ``handle-cron-event`` with ``metadata
        {timestamp}``; :class:`GuestError` when the guest traps or answers ``err``."""
