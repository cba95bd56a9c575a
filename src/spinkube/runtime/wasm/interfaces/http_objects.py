"""The host objects behind wasi:http/types resources (server side)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from spinkube.runtime.wasm.api import GuestRequest
from spinkube.runtime.wasm.interfaces.objects import InputStream, OutputStream


@dataclass(slots=True)
class Fields:
    entries: list[tuple[str, bytes]] = field(default_factory=list)
    mutable: bool = True

    def get(self, name: str) -> list[bytes]:
        key = name.lower()
        return [v for k, v in self.entries if k == key]

    def delete(self, name: str) -> None:
        key = name.lower()
        self.entries = [(k, v) for k, v in self.entries if k != key]


@dataclass(slots=True)
class IncomingRequest:
    request: GuestRequest
    headers: Fields
    consumed: bool = False


@dataclass(slots=True)
class IncomingBody:
    stream: InputStream
    taken: bool = False


@dataclass(slots=True)
class FutureTrailers:
    """Incoming requests carry no trailers: resolves to none at once."""


@dataclass(slots=True)
class OutgoingBody:
    stream: OutputStream = field(default_factory=OutputStream)
    written: bool = False
    finished: bool = False


@dataclass(slots=True)
class OutgoingResponse:
    headers: Fields
    status: int = 200
    body: OutgoingBody | None = None
    streaming: Callable[[bytes], None] | None = None
    """Set once the response was handed to a sink: body writes go straight there."""


@dataclass(slots=True)
class ResponseOutparam:
    response: OutgoingResponse | None = None
    error: str | None = None
    set: bool = False
