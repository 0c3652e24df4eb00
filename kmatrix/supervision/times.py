"""Dates and times of the service: Europe/London, months and NHS financial years.

Pure functions, no Django models: sessions are stored as aware datetimes, shown and repeated
in London time, and paid by calendar month; totals are by financial year (April to March).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def at_london(day: date, clock: time) -> datetime | None:
    """``day`` at ``clock`` London time, or None when that time does not exist (the hour the
    clocks go forward). An ambiguous time (the hour they go back) is the first of the two."""
    naive = datetime.combine(day, clock)
    moment = naive.replace(tzinfo=LONDON)
    round_trip = moment.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None)
    return moment if round_trip == naive else None


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The start of ``month`` and of the next one, as aware London midnights."""
    start = datetime.combine(first_of_month(month), time(0), tzinfo=LONDON)
    end = datetime.combine(next_month(month), time(0), tzinfo=LONDON)
    return start, end


def month_label(month: date) -> str:
    return month.strftime("%B %Y")


def parse_month(text: str) -> date | None:
    """``2026-03`` (or ``2026-03-01``) as the first of the month; None if it is not one."""
    parts = text.strip().split("-")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        return None
    try:
        return date(int(parts[0]), int(parts[1]), 1)
    except ValueError:
        return None


def financial_year(day: date) -> int:
    """The NHS financial year (April to March) of ``day``, by the year it starts: 2025 for
    2025/26."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def financial_year_bounds(year: int) -> tuple[date, date]:
    """The first day of the financial year and of the next one."""
    return date(year, 4, 1), date(year + 1, 4, 1)


def weekly(first: date, last: date, weekday: int, every_weeks: int = 1) -> Iterator[date]:
    """Every ``every_weeks`` weeks on ``weekday`` (Monday 0) from ``first`` to ``last``."""
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    while day <= last:
        yield day
        day += timedelta(weeks=every_weeks)
