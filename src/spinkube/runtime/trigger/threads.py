"""A trigger that runs each of its jobs (a Redis subscription, a cron schedule) on a thread of
its own until it is stopped."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

log = logging.getLogger(__name__)


class Job(Protocol):
    @property
    def trigger_id(self) -> str: ...


J = TypeVar("J", bound=Job)


class ThreadPerJob(Generic[J]):
    """Runs :meth:`_run` for each job on a daemon thread until :meth:`stop`.

    ``_run`` returns when ``_stopping`` is set. An exception escaping it is a bug, not a guest
    failure or an outage (those are handled inside): it is logged and ends the app through
    ``on_fatal``.
    """

    kind = "event"
    """The trigger type, for thread names and log lines."""

    def __init__(self, jobs: tuple[J, ...], *, on_fatal: Callable[[BaseException], None]) -> None:
        self._jobs = jobs
        self._on_fatal = on_fatal
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for job in self._jobs:
            thread = threading.Thread(
                target=self._guarded, args=(job,), name=f"{self.kind}-{job.trigger_id}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stops every job; a guest call in progress is waited for up to ``timeout_s``."""
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout_s)

    def _guarded(self, job: J) -> None:
        try:
            self._run(job)
        except BaseException as exc:
            log.exception("%s trigger %r stopped", self.kind, job.trigger_id)
            self._on_fatal(exc)

    def _run(self, job: J) -> None:
        raise NotImplementedError
