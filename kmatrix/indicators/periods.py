"""Reporting periods: each stored as the first day of its month, quarter or year."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from itertools import pairwise

_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_UK_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

STEP_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}


class PeriodError(ValueError):
    pass


def parse(text: str) -> date:
    """Read YYYY-MM-DD, YYYY-MM or the UK's dd/mm/yyyy."""
    raw = text.strip()
    try:
        if m := _ISO_DAY.match(raw):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _ISO_MONTH.match(raw):
            return date(int(m[1]), int(m[2]), 1)
        if m := _UK_DAY.match(raw):
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        raise PeriodError(f"{raw!r} is not a real date") from None
    raise PeriodError(f"{raw!r} is not a period: use YYYY-MM-DD, YYYY-MM or dd/mm/yyyy")


def start_of(day: date, frequency: str) -> date:
    if frequency == "annual":
        # NHS years run April to March; an annual period starts on 1 April.
        return date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    if frequency == "quarterly":
        return date(day.year, day.month - (day.month - 1) % 3, 1)
    return date(day.year, day.month, 1)


def add(day: date, frequency: str, steps: int = 1) -> date:
    months = day.year * 12 + day.month - 1 + STEP_MONTHS[frequency] * steps
    return date(months // 12, months % 12 + 1, 1)


def missing(dates: Sequence[date], frequency: str) -> list[date]:
    """Periods absent between the first and last of a sorted series."""
    gaps: list[date] = []
    for earlier, later in pairwise(dates):
        expected = add(earlier, frequency)
        while expected < later:
            gaps.append(expected)
            expected = add(expected, frequency)
    return gaps
