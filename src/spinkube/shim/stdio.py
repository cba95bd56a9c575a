"""A container's stdout and stderr: a pipe per stream whose write end the workload gets, and a
thread per stream copying into what containerd asked for: a FIFO path, ``file://`` URI, or
nothing. FIFOs are opened read-write and non-blocking so that opening never waits for a reader
and a workload never stalls because ``ctr run -d`` went away; a full FIFO is retried for a
second, then the chunk is dropped."""

from __future__ import annotations

import contextlib
import errno
import os
import select
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

STALL_S = 1.0


@dataclass
class Stdio:
    stdout: str = ""
    stderr: str = ""

    _workload_fds: list[int] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)

    def open(self) -> tuple[int, int, int]:
        """Starts the copy threads; the (stdin, stdout, stderr) fds the workload gets."""
        stdin = os.open(os.devnull, os.O_RDONLY)
        out = self._stream(self.stdout)
        err = self._stream(self.stderr) if self.stderr else os.dup(out)
        self._workload_fds = [stdin, out, err]
        return stdin, out, err

    def close_workload_ends(self) -> None:
        """Once the workload holds them, the shim's copies go (so EOF reaches the copiers)."""
        for fd in self._workload_fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._workload_fds = []

    def wait_drained(self, timeout: float = 2.0) -> None:
        for thread in self._threads:
            thread.join(timeout)

    def _stream(self, target: str) -> int:
        sink = open_sink(target)
        if sink is None:
            return os.open(os.devnull, os.O_WRONLY)
        read_end, write_end = os.pipe()
        thread = threading.Thread(target=copy, args=(read_end, sink), daemon=True)
        thread.start()
        self._threads.append(thread)
        return write_end


def open_sink(target: str) -> int | None:
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme == "file":
        Path(parsed.path).parent.mkdir(parents=True, exist_ok=True)
        return os.open(parsed.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    if parsed.scheme in ("", "fifo"):
        return os.open(parsed.path or target, os.O_RDWR | os.O_NONBLOCK)
    raise ValueError(f"unsupported stdio URI {target!r} (FIFO paths and file:// only)")


def copy(source: int, sink: int) -> None:
    try:
        while chunk := os.read(source, 65536):
            _write_all(sink, chunk)
    except OSError:
        pass
    finally:
        os.close(source)
        os.close(sink)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view) :]
        except BlockingIOError:
            _ready, writable, _x = select.select([], [fd], [], STALL_S)
            if not writable:
                return  # nobody reads: drop rather than stall the workload
        except OSError as exc:
            if exc.errno in (errno.EPIPE, errno.EBADF):
                return
            raise
