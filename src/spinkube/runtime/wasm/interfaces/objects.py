"""The host objects behind wasi:io resources: byte streams, pollables and errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(slots=True)
class InputStream:
    """Reads from bytes in memory (a request body, a file, an empty stdin)."""

    data: bytes
    pos: int = 0

    def read(self, size: int) -> bytes | None:
        """Up to ``size`` bytes, or None once everything was read (the stream is closed)."""
        if self.pos >= len(self.data):
            return None
        chunk = self.data[self.pos : self.pos + size]
        self.pos += len(chunk)
        return chunk


@dataclass(slots=True)
class OutputStream:
    """Collects writes: into ``chunks`` (a response body) or through ``sink`` (stdout).

    ``on_full`` is called after every collected write once ``collected`` reaches ``limit``
    (a response body: the host then streams it, see ``streamer``, and sets ``sink``).
    """

    chunks: list[bytes] = field(default_factory=list)
    sink: Callable[[bytes], None] | None = None
    closed: bool = False
    limit: int = 0
    on_full: Callable[[], None] | None = None
    collected: int = 0

    def write(self, data: bytes) -> None:
        if self.sink is not None:
            self.sink(data)
            return
        self.chunks.append(data)
        self.collected += len(data)
        if self.on_full is not None and self.collected >= self.limit:
            self.on_full()


@dataclass(slots=True)
class Pollable:
    """Ready at once (streams and futures: the host never waits for data), or at ``due_ns``
    (``time.monotonic_ns()``) for the timers of ``wasi:clocks/monotonic-clock``."""

    due_ns: int | None = None


@dataclass(slots=True)
class IoError:
    message: str


WRITE_BUDGET = 1 << 20
"""What ``check-write`` allows per write; the host never pushes back."""
