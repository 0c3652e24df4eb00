"""Meeting dates from a group's cadence, at a wall-clock time in Europe/London.

Dates are worked out on the calendar (a fortnightly meeting is 14 days on; a monthly one keeps
its place in the month, "the second Tuesday", with a fifth weekday becoming the last), and each
is then given its local time, so a 10:00 meeting stays at 10:00 in London when the clocks
change (09:00 UTC in summer, 10:00 UTC in winter). A local time the clocks skip (01:30 on the
last Sunday in March) or pass twice (01:30 on the last Sunday in October) is refused rather
than moved. Pure Python: no Django.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
MAX_MEETINGS = 100  # in one schedule: about four years of fortnightly meetings

EVERY_DAYS = {"weekly": 7, "fortnightly": 14}
EVERY_MONTHS = {"monthly": 1, "bimonthly": 2, "quarterly": 3, "twice_yearly": 6, "annual": 12}


class ScheduleError(ValueError):
    """A schedule that cannot be made; the message says why."""


def local(day: date, at: time) -> datetime:
    """``at`` on ``day`` in London, as an aware datetime; ScheduleError if that wall-clock
    time does not happen that day, or happens twice."""
    first = datetime.combine(day, at, tzinfo=LONDON)
    if first.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != first.replace(tzinfo=None):
        raise ScheduleError(
            f"{at:%H:%M} does not happen on {day:%-d %B %Y} in the UK, when the clocks go "
            "forward: choose another time."
        )
    if first.utcoffset() != first.replace(fold=1).utcoffset():
        raise ScheduleError(
            f"{at:%H:%M} happens twice on {day:%-d %B %Y} in the UK, when the clocks go back: "
            "choose another time."
        )
    return first


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The nth (1-4) weekday of a month, or the last one when nth is 5."""
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    day = first + timedelta(days=offset + 7 * (nth - 1))
    if nth == 5:
        following = date(year + month // 12, month % 12 + 1, 1)
        day = following - timedelta(days=((following.weekday() - weekday) % 7) or 7)
    return day


def _months_on(first: date, months: int) -> date:
    nth = min((first.day - 1) // 7 + 1, 5)
    index = first.month - 1 + months
    return _nth_weekday(first.year + index // 12, index % 12 + 1, first.weekday(), nth)


def dates(cadence: str, first: date, until: date) -> list[date]:
    """Meeting days from ``first`` to ``until`` (inclusive) for a cadence."""
    if until < first:
        raise ScheduleError("The last date must be on or after the first meeting.")
    if cadence not in EVERY_DAYS and cadence not in EVERY_MONTHS:
        raise ScheduleError(
            "The group has no regular cadence to schedule from (it meets as needed, or none is "
            "recorded): set one on the group first, or add meetings one at a time."
        )
    found = list(islice(_days(cadence, first, until), MAX_MEETINGS + 1))
    if len(found) > MAX_MEETINGS:
        raise ScheduleError(
            f"That is more than {MAX_MEETINGS} meetings: schedule at most {MAX_MEETINGS} at a time."
        )
    return found


def _days(cadence: str, first: date, until: date) -> Iterator[date]:
    step = 0
    while True:
        if cadence in EVERY_DAYS:
            day = first + timedelta(days=EVERY_DAYS[cadence] * step)
        else:
            day = _months_on(first, EVERY_MONTHS[cadence] * step)
        if day > until:
            return
        yield day
        step += 1


def meetings(
    cadence: str, first: date, until: date, starts: time, ends: time
) -> list[tuple[datetime, datetime]]:
    """Start and end of each meeting in London time; ScheduleError for any that cannot be."""
    if ends <= starts:
        raise ScheduleError("The meeting must end after it starts.")
    return [(local(day, starts), local(day, ends)) for day in dates(cadence, first, until)]
