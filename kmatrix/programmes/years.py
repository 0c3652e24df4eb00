"""NHS financial years, which run from 1 April to 31 March and are written "2022/23".

A year is held as the calendar year it starts in (2022 for 2022/23), so years sort and compare
as numbers. ``parse`` reads what people write ("2022/23", "2022-23", "2022/2023") and refuses a
range that is not one April-to-March year ("2022/24", "2022") with a message saying why.
"""

from __future__ import annotations

import re
from datetime import date

FIRST = 1990
LAST = 2100
_YEAR = re.compile(r"^(?:FY)?\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})$", re.IGNORECASE)


class FinancialYearError(ValueError):
    """Text that is not one financial year; the message says why."""


def label(start: int) -> str:
    """2022 -> "2022/23"."""
    return f"{start}/{(start + 1) % 100:02d}"


def parse(text: str) -> int:
    """The starting calendar year of the financial year ``text`` names."""
    cleaned = text.strip()
    found = _YEAR.match(cleaned)
    if found is None:
        raise FinancialYearError(
            f"“{cleaned}” is not a financial year: write it as 2022/23 (April 2022 to March 2023)."
        )
    start, end = int(found.group(1)), found.group(2)
    following = start + 1
    expected = f"{following % 100:02d}" if len(end) == 2 else str(following)
    if end != expected:
        raise FinancialYearError(
            f"“{cleaned}” is not a financial year: they run from April to March, "
            f"so the year starting April {start} is {label(start)}."
        )
    if not FIRST <= start <= LAST:
        raise FinancialYearError(f"{label(start)} is outside the years this service records.")
    return start


def of(day: date) -> int:
    """The financial year a date falls in: 31 March 2023 is in 2022/23, 1 April in 2023/24."""
    return day.year if day.month >= 4 else day.year - 1


def bounds(start: int) -> tuple[date, date]:
    """The first and last days of the financial year starting in April ``start``."""
    return date(start, 4, 1), date(start + 1, 3, 31)


def span(first: int | None, last: int | None) -> str:
    """ "2022/23", "2021/22 to 2023/24", or "" when not recorded."""
    if first is None:
        return ""
    if last is None or last == first:
        return label(first)
    return f"{label(first)} to {label(last)}"
