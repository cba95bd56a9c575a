"""The ``cron_expression`` of a ``[[trigger.cron]]``, read as the spin-trigger-cron plugin reads it.

The plugin schedules with tokio-cron-scheduler 0.13, which parses with the Rust ``croner`` crate
(2.x) with seconds required and day-of-month AND day-of-week. So an expression has exactly six
fields, seconds first::

    sec  min  hour  day-of-month  month  day-of-week
    0    1/2  11,12 5-10          *      *

* each field takes ``*``, values, ranges ``a-b``, steps ``a/n``, ``*/n``, ``a-b/n`` and lists;
  ``?`` is ``*``;
* months ``1-12`` or ``JAN``-``DEC``; weekdays ``0-7`` (0 and 7 are Sunday) or ``SUN``-``SAT``,
  case-insensitive;
* day-of-month ``L`` (the last day) and ``15W`` (the weekday nearest the 15th); day-of-week
  ``5#2`` (the second Friday) and ``5#L`` or ``5L`` (the last Friday);
* when both day fields are restricted, a day must match both (croner's ``with_dom_and_dow``);
* the whole expression may be ``@yearly``, ``@annually``, ``@monthly``, ``@weekly``, ``@daily``
  or ``@hourly`` (at second 0).

A five-field (no seconds) or seven-field (with a year, as the plugin's README still shows from
its ``cron``-crate days) expression is refused, as the plugin's parser refuses it. Times are UTC.
The schedule itself is computed by ``croniter`` (seconds first, day fields ANDed); this module
only checks the plugin's grammar and rewrites the few spellings croniter writes differently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from croniter import CroniterBadDateError, CroniterError, croniter

FIELDS = ("second", "minute", "hour", "day-of-month", "month", "day-of-week")
NICKNAMES = {
    "@yearly": "0 0 0 1 1 *",
    "@annually": "0 0 0 1 1 *",
    "@monthly": "0 0 0 1 * *",
    "@weekly": "0 0 0 * * 0",
    "@daily": "0 0 0 * * *",
    "@hourly": "0 0 * * * *",
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_BASE = re.compile(r"[0-9*/,\-]+")
_DAY_OF_MONTH = re.compile(r"[0-9*/,\-LW]+")
_DAY_OF_WEEK = re.compile(r"[0-9*/,\-#L]+")
_LAST_WEEKDAY = re.compile(r"^([0-7])(?:#L|L)$")
"""``5#L`` or ``5L``: croner's last Friday of the month, which croniter writes ``L5``."""
MAX_YEARS = 50
"""How far ahead the next tick is looked for; an expression with none is refused at load."""


class CronExpressionError(ValueError):
    """A ``cron_expression`` the plugin would refuse; the message says why."""


@dataclass(frozen=True, slots=True)
class CronSchedule:
    expression: str
    """As written in the manifest."""
    fields: str
    """The six fields as croniter takes them."""

    def next_after(self, moment: datetime) -> datetime | None:
        """The first tick strictly after ``moment`` (an aware UTC datetime), or None if there is
        none within :data:`MAX_YEARS`."""
        schedule = croniter(
            self.fields,
            moment,
            second_at_beginning=True,
            day_or=False,
            max_years_between_matches=MAX_YEARS,
        )
        try:
            tick: datetime = schedule.get_next(datetime)
        except CroniterBadDateError:
            return None
        return tick


def parse_cron_expression(expression: str, *, now: datetime) -> CronSchedule:
    """The schedule of ``expression``; :class:`CronExpressionError` if the plugin would refuse
    it or it never fires (no tick within :data:`MAX_YEARS` of ``now``)."""
    text = expression.strip()
    if not text:
        raise CronExpressionError("empty; expected six fields: " + " ".join(FIELDS))
    if text.startswith("@"):
        text = _nickname(text)
    parts = text.split()
    if len(parts) != len(FIELDS):
        raise CronExpressionError(_count_problem(len(parts)))
    fields = " ".join(_field(name, part) for name, part in zip(FIELDS, parts, strict=True))
    schedule = CronSchedule(expression, fields)
    try:
        first = schedule.next_after(now)
    except CroniterError as exc:
        raise CronExpressionError(f"{expression!r}: {_croniter_problem(exc)}") from None
    if first is None:
        raise CronExpressionError(f"{expression!r} never fires (no tick within {MAX_YEARS} years)")
    return schedule


def _nickname(text: str) -> str:
    fields = NICKNAMES.get(text.lower())
    if fields is None:
        raise CronExpressionError(
            f"unknown shorthand {text!r} (expected one of {', '.join(NICKNAMES)})"
        )
    return fields


def _count_problem(count: int) -> str:
    expected = "expected six fields: " + " ".join(FIELDS)
    if count == 5:
        return f"has 5 fields; the seconds field comes first and is required ({expected})"
    if count == 7:
        return f"has 7 fields; a year field is not accepted ({expected})"
    return f"has {count} fields; {expected}"


def _field(name: str, part: str) -> str:
    """One field checked against croner's characters, names and ``?`` replaced."""
    value = part.lower().replace("?", "*")
    if name == "month":
        value = _replace_names(value, _MONTHS, first=1)
    elif name == "day-of-week":
        value = _replace_names(value, _WEEKDAYS, first=0)
    value = value.upper()
    grammar = {"day-of-month": _DAY_OF_MONTH, "day-of-week": _DAY_OF_WEEK}.get(name, _BASE)
    if not grammar.fullmatch(value):
        raise CronExpressionError(f"{name} field {part!r}: not a value, range, step or list")
    if name == "day-of-week":
        value = ",".join(_LAST_WEEKDAY.sub(r"L\1", item) for item in value.split(","))
    return value


def _replace_names(value: str, names: tuple[str, ...], *, first: int) -> str:
    for number, name in enumerate(names, start=first):
        value = value.replace(name, str(number))
    return value


def _croniter_problem(exc: CroniterError) -> str:
    """croniter's reason without its echo of the rewritten fields or its own field numbers."""
    message = str(exc)
    if message.startswith("[") and "] " in message:
        message = message.split("] ", 1)[1]
    return re.sub(r" in field \d+", "", message)
