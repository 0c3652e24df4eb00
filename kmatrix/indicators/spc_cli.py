"""`kmatrix spc FILE`: the SPC engine for analysts, on a CSV of ``period,value`` rows.

The management command (``management/commands/spc.py``) only parses options; everything else is
here, in small functions that need no Django: reading the CSV, parsing periods, checking that
the periods are one frequency with no gaps, building ``SpcSettings`` and formatting the result.
Every problem with the input raises ``SpcInputError`` with a message that says where (file,
line, column or option) and what to fix. See README.md, "`kmatrix spc` for analysts".
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any, Final, Literal, TextIO

from kmatrix.indicators.spc import (
    Direction,
    Preset,
    Segment,
    SpcResult,
    SpcSettings,
    analyse,
)

OutputFormat = Literal["json", "table"]
Frequency = Literal["daily", "weekly", "monthly", "quarterly", "annual"]

STDIN: Final = "-"
PERIOD_FORMATS: Final = "YYYY-MM-DD, YYYY-MM or dd/mm/yyyy"
# A frequency is a step of whole days or whole calendar months.
DAYS: Final[dict[Frequency, int]] = {"daily": 1, "weekly": 7}
MONTHS: Final[dict[Frequency, int]] = {"monthly": 1, "quarterly": 3, "annual": 12}
# How many gaps a "missing periods" error lists before summarising the rest.
MAX_GAPS_LISTED: Final = 10

ISO_DAY: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
ISO_MONTH: Final = re.compile(r"(\d{4})-(\d{2})")
UK_DAY: Final = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


class SpcInputError(ValueError):
    """A problem with the file or the options; the message says where it is and what to fix."""


@dataclass(frozen=True)
class Observation:
    """One data row: its period, its value and the line of the file it came from."""

    period: date
    value: float
    line: int


@dataclass(frozen=True)
class Series:
    """Observations in period order, checked: no duplicates, no gaps, one frequency."""

    observations: tuple[Observation, ...]
    frequency: Frequency | None  # None for a single point

    @property
    def periods(self) -> list[date]:
        return [o.period for o in self.observations]

    @property
    def values(self) -> list[float]:
        return [o.value for o in self.observations]


@dataclass(frozen=True)
class CliOptions:
    """The command's options, as given (``None`` where not given)."""

    preset: Preset = "mdc"
    direction: Direction = "increase"
    target: float | None = None
    run_length: int | None = None
    screen_outliers: bool | None = None
    baseline: int | None = None
    recalculate_at: tuple[str, ...] = ()
    output_format: OutputFormat = "json"


# --- periods --------------------------------------------------------------------------------


def parse_period(text: str) -> date:
    """A period as YYYY-MM-DD, YYYY-MM (the first day of the month) or dd/mm/yyyy."""
    text = text.strip()
    if match := ISO_DAY.fullmatch(text):
        year, month, day = map(int, match.groups())
    elif match := ISO_MONTH.fullmatch(text):
        (year, month), day = map(int, match.groups()), 1
    elif match := UK_DAY.fullmatch(text):
        day, month, year = map(int, match.groups())
    else:
        raise SpcInputError(f"{text!r} is not a period: use {PERIOD_FORMATS}.")
    try:
        return date(year, month, day)
    except ValueError as error:
        raise SpcInputError(f"{text!r} is not a real date ({error}).") from None


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def _is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def _is_month_based(periods: Sequence[date]) -> bool:
    """Whether the periods are months (or quarters, years): all on one day of the month, or
    all on the last day of their month (as NHS Digital dates its monthly statistics)."""
    first = periods[0].day
    return all(p.day == first for p in periods) or all(map(_is_month_end, periods))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def detect_frequency(periods: Sequence[date]) -> Frequency | None:
    """The frequency of sorted, distinct periods: the smallest step between them.

    Every step must be a whole number of that smallest step (a larger one is a gap, reported by
    ``find_gaps``); ``None`` for a single period, which has no frequency.
    """
    if len(periods) < 2:
        return None
    month_based = _is_month_based(periods)
    unit = "month" if month_based else "day"
    numbers = [_month_number(p) if month_based else p.toordinal() for p in periods]
    steps = [b - a for a, b in pairwise(numbers)]
    smallest = min(steps)
    by_step = {step: name for name, step in (MONTHS if month_based else DAYS).items()}
    frequency = by_step.get(smallest)
    if frequency is None:
        at = steps.index(smallest)
        raise SpcInputError(
            f"Periods {periods[at]} and {periods[at + 1]} are {_plural(smallest, unit)} apart: "
            "a series must be daily, weekly, monthly, quarterly or annual "
            "(one period per day, week, month, quarter or year)."
        )
    for (a, b), step in zip(pairwise(periods), steps, strict=True):
        if step % smallest:
            raise SpcInputError(
                f"Periods {a} and {b} are {_plural(step, unit)} apart, which does not fit a "
                f"{frequency} series: every period must be a whole number of "
                f"{_plural(smallest, unit)} after the one before."
            )
    return frequency


def add_periods(start: date, count: int, frequency: Frequency, month_end: bool = False) -> date:
    """The period ``count`` steps of ``frequency`` after ``start``."""
    if frequency in DAYS:
        return start + timedelta(days=DAYS[frequency] * count)
    months = MONTHS[frequency] * count
    year, month = divmod(_month_number(start) + months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, last_day if month_end else min(start.day, last_day))


def _steps_between(a: date, b: date, frequency: Frequency) -> int:
    if frequency in DAYS:
        return (b.toordinal() - a.toordinal()) // DAYS[frequency]
    return (_month_number(b) - _month_number(a)) // MONTHS[frequency]


@dataclass(frozen=True)
class Gap:
    """Periods missing between two observations."""

    before: Observation
    after: Observation
    first_missing: date
    last_missing: date
    count: int

    def describe(self) -> str:
        if self.count == 1:
            missing = f"{self.first_missing} ("
        elif self.count == 2:
            missing = f"{self.first_missing} and {self.last_missing} ("
        else:
            missing = f"{self.first_missing} to {self.last_missing} ({self.count} periods, "
        return (
            f"{missing}between {self.before.period} on line {self.before.line} "
            f"and {self.after.period} on line {self.after.line})"
        )


def find_gaps(observations: Sequence[Observation], frequency: Frequency | None) -> list[Gap]:
    """Every run of missing periods in sorted observations of one frequency."""
    if frequency is None:
        return []
    # A series dated on month ends keeps to month ends (30 April, then 31 May).
    month_end = frequency in MONTHS and all(_is_month_end(o.period) for o in observations)
    gaps = []
    for before, after in pairwise(observations):
        steps = _steps_between(before.period, after.period, frequency)
        if steps > 1:
            first = add_periods(before.period, 1, frequency, month_end)
            last = add_periods(before.period, steps - 1, frequency, month_end)
            gaps.append(Gap(before, after, first, last, steps - 1))
    return gaps


def _gap_error(gaps: Sequence[Gap], frequency: Frequency) -> SpcInputError:
    listed = "; ".join(gap.describe() for gap in gaps[:MAX_GAPS_LISTED])
    more = len(gaps) - MAX_GAPS_LISTED
    if more > 0:
        listed += f"; and {_plural(more, 'more gap')}"
    total = sum(gap.count for gap in gaps)
    label = "Missing period" if total == 1 else "Missing periods"
    return SpcInputError(
        f"{label} in a {frequency} series: {listed}. Every period needs a value: "
        "SPC cannot skip a gap (it would shrink the moving ranges), so add the missing "
        "rows or analyse the stretches either side separately."
    )


# --- reading the CSV --------------------------------------------------------------------------


@contextmanager
def open_source(name: str, stdin: TextIO) -> Iterator[TextIO]:
    """The CSV as text: the file ``name``, or standard input for ``-``.

    UTF-8 with or without a byte-order mark. Bytes that are not UTF-8 are replaced rather than
    refused, so that a file saved by Excel in Windows-1252 still reads: they can only matter in
    columns this command ignores, as periods and values are plain ASCII.
    """
    if name == STDIN:
        buffer = getattr(stdin, "buffer", None)
        if buffer is None:  # already text (a StringIO in tests, say)
            yield stdin
            return
        wrapper = io.TextIOWrapper(buffer, encoding="utf-8-sig", errors="replace", newline="")
        try:
            yield wrapper
        finally:
            wrapper.detach()  # leave the process's stdin open
        return
    try:
        with Path(name).open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            yield handle
    except OSError as error:
        raise SpcInputError(f"Cannot read the file: {error.strerror or error}.") from None


def _where(line: int, column: int | None = None, name: str | None = None) -> str:
    if column is None:
        return f"line {line}: "
    return f"line {line}, column {column} ({name}): "


def _header_columns(header: list[str], line: int) -> tuple[int, int]:
    """The positions of the ``period`` and ``value`` columns in the header row."""
    names = [cell.replace("\ufeff", "").strip().lower() for cell in header]
    found: dict[str, int] = {}
    for wanted in ("period", "value"):
        positions = [i for i, cell in enumerate(names) if cell == wanted]
        if len(positions) > 1:
            raise SpcInputError(
                f"{_where(line)}the header names the column {wanted!r} more than once."
            )
        if positions:
            found[wanted] = positions[0]
    if len(found) < 2:
        missing = " and ".join(repr(c) for c in ("period", "value") if c not in found)
        hint = ""
        if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
            hint = " The file must be comma-separated."
        raise SpcInputError(
            f"{_where(line)}the header must have the columns 'period' and 'value' (missing "
            f"{missing}; found {', '.join(repr(c) for c in header) or 'nothing'}).{hint}"
        )
    return found["period"], found["value"]


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _parse_value(text: str, line: int, column: int) -> float:
    where = _where(line, column + 1, "value")
    if not text:
        raise SpcInputError(f"{where}the value is blank: every period needs a number.")
    try:
        value = float(text)
    except ValueError:
        raise SpcInputError(f"{where}{text!r} is not a number.") from None
    if not math.isfinite(value):
        raise SpcInputError(f"{where}{text!r} is not a finite number.")
    return value


def read_observations(handle: Iterable[str]) -> list[Observation]:
    """The data rows of a ``period,value`` CSV, in file order.

    The first row is the header; rows that are entirely blank are skipped; extra columns are
    ignored. Line numbers are the file's own (1 is the header).
    """
    reader = csv.reader(handle, strict=True)
    header = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)
    if header is None:
        raise SpcInputError("The file is empty: expected a header 'period,value' and data rows.")
    period_at, value_at = _header_columns(header, reader.line_num)
    observations = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            period_text = _cell(row, period_at)
            if not period_text:
                raise SpcInputError(f"{_where(line, period_at + 1, 'period')}the period is blank.")
            try:
                period = parse_period(period_text)
            except SpcInputError as error:
                raise SpcInputError(f"{_where(line, period_at + 1, 'period')}{error}") from None
            value = _parse_value(_cell(row, value_at), line, value_at)
            observations.append(Observation(period, value, line))
    except csv.Error as error:
        raise SpcInputError(f"{_where(reader.line_num)}not valid CSV ({error}).") from None
    if not observations:
        raise SpcInputError("The file has a header but no data rows.")
    return observations


def check_series(observations: Iterable[Observation]) -> Series:
    """Sort the observations by period and check them: no duplicate, one frequency, no gap."""
    ordered = sorted(observations, key=lambda o: (o.period, o.line))
    for a, b in pairwise(ordered):
        if a.period == b.period:
            first, second = sorted((a.line, b.line))
            raise SpcInputError(
                f"{_where(second)}the period {b.period} appears twice (also on line {first}): "
                "each period needs exactly one value."
            )
    frequency = detect_frequency([o.period for o in ordered])
    gaps = find_gaps(ordered, frequency)
    if gaps and frequency is not None:
        raise _gap_error(gaps, frequency)
    return Series(tuple(ordered), frequency)


def read_series(name: str, stdin: TextIO) -> Series:
    """Read and check the CSV ``name`` (``-`` for standard input)."""
    with open_source(name, stdin) as handle:
        observations = read_observations(handle)
    return check_series(observations)


# --- settings -------------------------------------------------------------------------------


def base_settings(options: CliOptions) -> SpcSettings:
    """The settings from the options alone (checked before the file is read)."""
    return SpcSettings(
        preset=options.preset,
        direction=options.direction,
        target=options.target,
        run_length=options.run_length,
        screen_outliers=options.screen_outliers,
        baseline=options.baseline,
    )


def recalculation_indexes(series: Series, requested: Sequence[str]) -> tuple[int, ...]:
    """The index of the point each ``--recalculate-at PERIOD`` starts a segment at.

    PERIOD must be one of the series' periods, in any of the period formats; for a monthly,
    quarterly or annual series ``YYYY-MM`` names the period in that month whatever its day.
    """
    periods = series.periods
    index_of = {period: i for i, period in enumerate(periods)}
    by_month: dict[tuple[int, int], int] = {}
    if series.frequency in MONTHS or series.frequency is None:
        by_month = {(p.year, p.month): i for i, p in enumerate(periods)}
    indexes: dict[int, str] = {}
    for text in requested:
        option = f"--recalculate-at {text}"
        try:
            period = parse_period(text)
        except SpcInputError as error:
            raise SpcInputError(f"{option}: {error}") from None
        index = index_of.get(period)
        if index is None and ISO_MONTH.fullmatch(text.strip()):
            index = by_month.get((period.year, period.month))
        if index is None:
            raise SpcInputError(
                f"{option}: {period} is not one of the series' periods "
                f"({periods[0]} to {periods[-1]})."
            )
        if index == 0:
            raise SpcInputError(
                f"{option}: {periods[0]} is the first period, which already starts a segment."
            )
        if index in indexes:
            raise SpcInputError(f"{option}: the period {periods[index]} is given twice.")
        indexes[index] = text
    return tuple(sorted(indexes))


def build_settings(options: CliOptions, series: Series) -> SpcSettings:
    return replace(
        base_settings(options),
        recalculate_at=recalculation_indexes(series, options.recalculate_at),
    )


# --- output ---------------------------------------------------------------------------------


def segment_json(segment: Segment, start: date) -> dict[str, Any]:
    """A segment as printed; ``start`` is the period of its first point."""
    return {
        "start": start.isoformat(),
        "points": segment.points,
        "mean": segment.mean,
        "lower_limit": segment.lower_limit,
        "upper_limit": segment.upper_limit,
        "lower_two_sigma": segment.lower_two_sigma,
        "upper_two_sigma": segment.upper_two_sigma,
    }


def result_json(result: SpcResult, periods: Sequence[date]) -> dict[str, Any]:
    """The documented JSON document: keys exactly as listed, in order, floats unrounded."""
    return {
        "segments": [segment_json(s, periods[s.start]) for s in result.segments],
        "points": [
            {
                "period": period.isoformat(),
                "value": value,
                "type": signal.type,
                "rules": list(signal.rules),
                "colour": signal.colour,
            }
            for period, value, signal in zip(periods, result.values, result.signals, strict=True)
        ],
        "variation_icon": result.variation_icon,
        "assurance_icon": result.assurance_icon,
        "warnings": list(result.warnings),
    }


def format_json(result: SpcResult, periods: Sequence[date]) -> str:
    return json.dumps(result_json(result, periods), indent=2, allow_nan=False) + "\n"


def format_number(value: float | None) -> str:
    """About six significant figures, never in exponent form; ``-`` for no value."""
    if value is None:
        return "-"
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    magnitude = math.floor(math.log10(abs(value)))
    decimals = min(10, max(0, 5 - magnitude))
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _columns(rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def format_table(result: SpcResult, series: Series, settings: SpcSettings) -> str:
    """A fixed-width report: settings, segments, one row per point, icons and warnings."""
    periods = series.periods
    frequency = series.frequency or "single-period"
    lines = [
        f"SPC ({settings.preset} preset, direction {settings.direction}"
        + (f", target {format_number(settings.target)}" if settings.target is not None else "")
        + f"): {_plural(len(periods), 'point')}, {frequency}, "
        f"{periods[0]} to {periods[-1]}",
        "",
        "Segments",
    ]
    segment_rows: list[tuple[str, ...]] = [
        ("start", "points", "mean", "lower limit", "upper limit", "lower 2-sigma", "upper 2-sigma")
    ]
    segment_rows += [
        (
            periods[s.start].isoformat(),
            str(s.points),
            *map(
                format_number,
                (s.mean, s.lower_limit, s.upper_limit, s.lower_two_sigma, s.upper_two_sigma),
            ),
        )
        for s in result.segments
    ]
    lines += ["  " + line for line in _columns(segment_rows, right=set(range(1, 7)))]
    lines.append("")
    point_rows: list[tuple[str, ...]] = [
        ("period", "value", "mean", "lower limit", "upper limit", "type", "rules")
    ]
    for segment in result.segments:
        mean, lower, upper = map(
            format_number, (segment.mean, segment.lower_limit, segment.upper_limit)
        )
        for i in range(segment.start, segment.start + segment.points):
            signal = result.signals[i]
            point_rows.append(
                (
                    periods[i].isoformat(),
                    format_number(result.values[i]),
                    mean,
                    lower,
                    upper,
                    signal.type,
                    ", ".join(signal.rules),
                )
            )
    table = _columns(point_rows, right={1, 2, 3, 4})
    lines += [table[0], "-" * max(len(line) for line in table)]
    # A rule between segments shows where the limits were recalculated.
    starts = {s.start for s in result.segments[1:]}
    for i, line in enumerate(table[1:]):
        if i in starts:
            lines.append(f"-- recalculated from {periods[i]} --")
        lines.append(line)
    lines += [
        "",
        f"Variation icon: {result.variation_icon or 'none'}",
        f"Assurance icon: {result.assurance_icon or 'none'}",
    ]
    if result.warnings:
        lines += ["Warnings:", *(f"  - {warning}" for warning in result.warnings)]
    else:
        lines.append("Warnings: none")
    return "\n".join(lines) + "\n"


# --- the command ------------------------------------------------------------------------------


def _check_finite(result: SpcResult) -> None:
    # Values near the largest float can make the moving ranges overflow to infinity, which JSON
    # cannot carry and no chart can show.
    for segment in result.segments:
        lines = (segment.mean, segment.lower_limit, segment.upper_limit)
        if not all(math.isfinite(x) for x in lines if x is not None):
            raise SpcInputError(
                "The values are too large for SPC: the limits overflow. Rescale them "
                "(for example, to thousands) and run again."
            )


def run(name: str, options: CliOptions, stdin: TextIO) -> str:
    """The whole command: read ``name`` (``-`` for ``stdin``), analyse it, return the output.

    Raises ``SpcInputError`` for bad input or options and the engine's ``SpcError`` for
    settings that do not fit the series; nothing is printed until everything has succeeded.
    """
    base_settings(options)  # check the options before reading a large file
    try:
        series = read_series(name, stdin)
    except SpcInputError as error:
        source = "stdin" if name == STDIN else name
        raise SpcInputError(f"{source}: {error}") from None
    settings = build_settings(options, series)
    result = analyse(series.values, settings)
    _check_finite(result)
    if options.output_format == "table":
        return format_table(result, series, settings)
    return format_json(result, series.periods)
