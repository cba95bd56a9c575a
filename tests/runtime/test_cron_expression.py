"""The cron trigger's expressions, read as the spin-trigger-cron plugin reads them (croner 2 with
seconds required and day-of-month AND day-of-week): the ticks they give in UTC, and the ones it
refuses, each with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spinkube.runtime.trigger.cron_expression import (
    CronExpressionError,
    CronSchedule,
    parse_cron_expression,
)

START = datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)  # a Thursday


def next_ticks(expression: str, count: int = 3, start: datetime = START) -> list[str]:
    schedule = parse_cron_expression(expression, now=start)
    out: list[str] = []
    moment: datetime | None = start
    for _ in range(count):
        assert moment is not None
        moment = schedule.next_after(moment)
        assert moment is not None
        out.append(moment.strftime("%Y-%m-%d %H:%M:%S %a"))
    return out


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("* * * * * *", ["2026-01-01 00:00:01 Thu", "2026-01-01 00:00:02 Thu",
                         "2026-01-01 00:00:03 Thu"]),
        ("1/2 * * * * *", ["2026-01-01 00:00:01 Thu", "2026-01-01 00:00:03 Thu",
                           "2026-01-01 00:00:05 Thu"]),
        ("30 * * * * *", ["2026-01-01 00:00:30 Thu", "2026-01-01 00:01:30 Thu",
                          "2026-01-01 00:02:30 Thu"]),
        ("0 1/2 11,12 5-10 * *", ["2026-01-05 11:01:00 Mon", "2026-01-05 11:03:00 Mon",
                                  "2026-01-05 11:05:00 Mon"]),
        ("0 0 12 * * MON-FRI", ["2026-01-01 12:00:00 Thu", "2026-01-02 12:00:00 Fri",
                                "2026-01-05 12:00:00 Mon"]),
        ("0 0 0 31 12 FRI", ["2027-12-31 00:00:00 Fri", "2032-12-31 00:00:00 Fri",
                             "2038-12-31 00:00:00 Fri"]),
        ("0 0 0 1 jan mon", ["2029-01-01 00:00:00 Mon", "2035-01-01 00:00:00 Mon",
                             "2046-01-01 00:00:00 Mon"]),
        ("0 0 0 L * *", ["2026-01-31 00:00:00 Sat", "2026-02-28 00:00:00 Sat",
                         "2026-03-31 00:00:00 Tue"]),
        ("0 0 0 15W * *", ["2026-01-15 00:00:00 Thu", "2026-02-16 00:00:00 Mon",
                           "2026-03-16 00:00:00 Mon"]),
        ("0 0 0 * * 5#2", ["2026-01-09 00:00:00 Fri", "2026-02-13 00:00:00 Fri",
                           "2026-03-13 00:00:00 Fri"]),
        ("0 0 0 * * 5#L", ["2026-01-30 00:00:00 Fri", "2026-02-27 00:00:00 Fri",
                           "2026-03-27 00:00:00 Fri"]),
        ("0 0 0 * * FRIL", ["2026-01-30 00:00:00 Fri", "2026-02-27 00:00:00 Fri",
                            "2026-03-27 00:00:00 Fri"]),
        ("0 0 0 * * 7", ["2026-01-04 00:00:00 Sun", "2026-01-11 00:00:00 Sun",
                         "2026-01-18 00:00:00 Sun"]),
        ("0 0 0 ? * THU", ["2026-01-08 00:00:00 Thu", "2026-01-15 00:00:00 Thu",
                           "2026-01-22 00:00:00 Thu"]),
        ("@hourly", ["2026-01-01 01:00:00 Thu", "2026-01-01 02:00:00 Thu",
                     "2026-01-01 03:00:00 Thu"]),
        ("@WEEKLY", ["2026-01-04 00:00:00 Sun", "2026-01-11 00:00:00 Sun",
                     "2026-01-18 00:00:00 Sun"]),
    ],
    ids=["every-second", "odd-seconds", "second-30", "plugin-readme", "weekdays",
         "dom-and-dow", "names", "last-day", "nearest-weekday", "second-friday",
         "last-friday", "last-friday-short", "sunday-7", "question-mark", "hourly", "weekly"],
)  # fmt: skip
def test_ticks_follow_the_plugins_grammar_in_utc(expression: str, expected: list[str]) -> None:
    assert next_ticks(expression) == expected


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("", "empty; expected six fields"),
        ("*/5 * * * *", "has 5 fields; the seconds field comes first and is required"),
        ("0 0 12 * * MON 2030", "has 7 fields; a year field is not accepted"),
        ("@reboot", "unknown shorthand '@reboot'"),
        ("H * * * * *", "second field 'H': not a value, range, step or list"),
        ("0 0 0 * * 1W", "day-of-week field '1W': not a value, range, step or list"),
        ("0 0 0 * FOO *", "month field 'FOO': not a value, range, step or list"),
        ("60 * * * * *", "'60 * * * * *': is not acceptable, out of range"),
        ("*/0 * * * * *", "'*/0 * * * * *': step '0' is not acceptable"),
        ("0 0 0 30 2 *", "'0 0 0 30 2 *' never fires (no tick within 50 years)"),
    ],
    ids=["empty", "five-fields", "year", "reboot", "hash", "weekday-w", "month-name",
         "out-of-range", "zero-step", "never"],
)  # fmt: skip
def test_expressions_the_plugin_refuses_are_refused_with_a_reason(
    expression: str, reason: str
) -> None:
    with pytest.raises(CronExpressionError) as err:
        parse_cron_expression(expression, now=START)
    assert str(err.value).startswith(reason)


def test_a_schedule_without_ticks_ahead_gives_none() -> None:
    """February 30th never comes: the runner is told there is no next tick (and the loader
    refuses such an expression before)."""
    assert CronSchedule("0 0 0 30 2 *", "0 0 0 30 2 *").next_after(START) is None


def _matches(field: str, value: int) -> bool:
    if field == "*":
        return True
    if "/" in field:
        first, step = field.split("/")
        return value >= int(first) and (value - int(first)) % int(step) == 0
    return value == int(field)


@settings(max_examples=40, deadline=None)
@given(
    second=st.one_of(st.just("*"), st.integers(0, 59).map(str),
                     st.tuples(st.integers(0, 59), st.integers(1, 30)).map("{0[0]}/{0[1]}".format)),
    minute=st.one_of(st.just("*"), st.integers(0, 59).map(str)),
    hour=st.one_of(st.just("*"), st.integers(0, 23).map(str)),
    offset=st.integers(0, 86_399),
)  # fmt: skip
def test_the_first_field_is_seconds(second: str, minute: str, hour: str, offset: int) -> None:
    """Against a second-by-second search: the next tick is the first moment whose second,
    minute and hour match the first three fields, in that order (croniter alone would read the
    first field as minutes)."""
    expression = f"{second} {minute} {hour} * * *"
    start = START + timedelta(seconds=offset)
    tick = parse_cron_expression(expression, now=start).next_after(start)
    moment = start + timedelta(seconds=1)
    while not (
        _matches(second, moment.second)
        and _matches(minute, moment.minute)
        and _matches(hour, moment.hour)
    ):
        moment += timedelta(seconds=1)
    assert tick == moment
