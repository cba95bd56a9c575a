"""The cron trigger: one schedule per ``[[trigger.cron]]``; every tick runs the component's
``handle-cron-event`` export (the spin-trigger-cron plugin's ``fermyon:spin-cron@2.0.0`` world)
in a fresh instance, with the tick's time as ``metadata.timestamp`` (seconds since the Unix
epoch). Schedules are in UTC.

A handler that traps (or answers ``err``) is logged and the schedule goes on. Runs of one trigger
never overlap: a tick that falls while the previous run is still going is skipped (logged with
how many were), so a slow handler cannot pile up instances. (The plugin starts every tick as a
new task, whether or not the last one finished.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from spinkube.runtime.trigger.cron_expression import CronSchedule
from spinkube.runtime.trigger.threads import ThreadPerJob
from spinkube.runtime.wasm.api import GuestError, TriggerHost

log = logging.getLogger(__name__)

MAX_COUNTED_SKIPS = 1000
"""Skipped ticks are counted up to this many (an every-second schedule behind a slow handler)."""

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CronJob:
    trigger_id: str
    component_id: str
    schedule: CronSchedule


class CronTrigger(ThreadPerJob[CronJob]):
    """Runs a scheduler thread per job until :meth:`stop`."""

    kind = "cron"

    def __init__(
        self,
        jobs: tuple[CronJob, ...],
        hosts: Mapping[str, TriggerHost],
        *,
        on_fatal: Callable[[BaseException], None],
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(jobs, on_fatal=on_fatal)
        self._hosts = hosts
        self._clock = clock

    def _run(self, job: CronJob) -> None:
        log.info(
            "cron trigger %r: %r (UTC) -> %s",
            job.trigger_id,
            job.schedule.expression,
            job.component_id,
        )
        tick = job.schedule.next_after(self._clock())
        while tick is not None and self._wait_until(tick):
            self._fire(job, tick)
            tick = self._next_tick(job, tick)
        if tick is None:
            log.info("cron trigger %r: the schedule has no more ticks", job.trigger_id)

    def _wait_until(self, tick: datetime) -> bool:
        """Sleeps until ``tick`` (re-checking the wall clock); False when stopping."""
        while True:
            remaining = (tick - self._clock()).total_seconds()
            if remaining <= 0:
                return not self._stopping.is_set()
            if self._stopping.wait(remaining):
                return False

    def _next_tick(self, job: CronJob, fired: datetime) -> datetime | None:
        """The first tick after now; the ticks missed while ``fired`` ran are logged."""
        upcoming = job.schedule.next_after(max(fired, self._clock()))
        skipped = _count_between(job.schedule, fired, upcoming)
        if skipped:
            more = "+" if skipped >= MAX_COUNTED_SKIPS else ""
            log.warning(
                "cron trigger %r: skipped %d%s tick(s) while the run of %s was still going",
                job.trigger_id,
                skipped,
                more,
                fired.isoformat(),
            )
        return upcoming

    def _fire(self, job: CronJob, tick: datetime) -> None:
        timestamp = int(tick.timestamp())
        try:
            self._hosts[job.component_id].handle_cron_event(timestamp)
        except GuestError as exc:
            log.error(
                "cron trigger %r: component %r failed on the tick at %s: %s",
                job.trigger_id,
                job.component_id,
                tick.isoformat(),
                exc,
            )


def _count_between(schedule: CronSchedule, fired: datetime, upcoming: datetime | None) -> int:
    """Ticks strictly between ``fired`` and ``upcoming`` (all of them when it is None), up to
    :data:`MAX_COUNTED_SKIPS`."""
    count = 0
    tick = schedule.next_after(fired)
    while tick is not None and (upcoming is None or tick < upcoming):
        count += 1
        if count >= MAX_COUNTED_SKIPS:
            break
        tick = schedule.next_after(tick)
    return count
