"""The state host functions reach: the component's context and the request being served."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from spinkube.runtime.wasm.api import ComponentContext, GuestRequest
from spinkube.runtime.wasm.resources import ResourceTable

HostFn = Callable[[int, int, int], None]
"""A host function body: (store context, args address, results address) -> None.

It reads its arguments and writes its result at fixed offsets (see ``vals``); raising
:class:`GuestTrapError` traps the guest with the message.
"""

Provider = Callable[["Session"], Mapping[str, HostFn]]
"""Builds one interface's host functions (by WIT function name) bound to a session."""


class GuestTrapError(Exception):
    """Raised by a host function to trap the guest; the message names what went wrong."""


@dataclass(slots=True)
class ResponseParts:
    """What the guest set through ``response-outparam.set``, and the body it wrote."""

    status: int = 200
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)
    error: str | None = None


@dataclass(slots=True)
class RequestState:
    """Everything one request's host calls share; dropped with the request."""

    request: GuestRequest
    table: ResourceTable = field(default_factory=ResourceTable)
    response: ResponseParts | None = None
    output: dict[str, bytearray] = field(default_factory=dict)
    on_wait: Callable[[], None] | None = None
    """Called before the guest waits (see ``before_wait``); set when the response streams."""
    deadline_ns: int | None = None
    """``time.monotonic_ns()`` at which the request's deadline passes; waits stop there."""
    timed_out: bool = False
    """A wait stopped at the deadline: the trap that follows is a timeout."""
    exit_code: int | None = None
    """The guest called ``wasi:cli/exit``: the trap that follows is that exit."""
    arguments: tuple[str, ...] = ()
    """What ``wasi:cli/environment#get-arguments`` answers (a command's arguments)."""

    def before_wait(self) -> None:
        """The guest is about to wait: the response it set so far goes out to the client now."""
        if self.on_wait is not None:
            self.on_wait()


class Session:
    """One component's link between its host functions and the requests in flight.

    A component serves several requests at once, one per thread: ``state`` is the calling
    thread's request, set for the duration of its export call (wasmtime runs a host function
    on the thread that called into the guest).
    """

    __slots__ = ("_local", "context", "log_line")

    def __init__(self, context: ComponentContext, log_line: Callable[[str, str], None]) -> None:
        self.context = context
        self.log_line = log_line
        """Writes one line of guest output: (stream name ``stdout``/``stderr``, text)."""
        self._local = threading.local()

    @property
    def state(self) -> RequestState | None:
        state: RequestState | None = getattr(self._local, "state", None)
        return state

    @state.setter
    def state(self, state: RequestState | None) -> None:
        self._local.state = state

    @property
    def current(self) -> RequestState:
        state = self.state
        if state is None:
            raise GuestTrapError("no request in flight")
        return state
