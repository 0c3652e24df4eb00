"""Reading and checking indicator files before anything is written.

Two formats, in a CSV or an XLSX workbook:

- ``long``: one row per point, with the columns indicator_code, org_code, period, value and,
  optionally, numerator, denominator and note (headers in any case).
- ``nhs-sickness``: NHS Digital's monthly sickness absence CSV exactly as published. FTE days
  lost and available become the numerator and denominator of one percentage indicator, and rows
  of organisations outside the network are skipped (and counted), not errors.

``file_parse`` checks every row and returns a ``ParsedFile``: the points grouped by indicator,
or the problems, each with its row (as a spreadsheet numbers it: the header is row 1) and the
column as the file names it. Nothing here writes to the database; ``services.datapoints_import``
applies a file only when it has no problems at all.
"""

from __future__ import annotations

import csv
import io
import math
import re
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Final

from django.conf import settings
from django.utils import timezone

from kmatrix.indicators import periods
from kmatrix.indicators.models import UNIT_MULTIPLIER, DataPoint, Indicator, Unit
from kmatrix.networks.models import Network, Organisation

FORMATS: Final = ("auto", "long", "nhs-sickness")
SICKNESS_INDICATOR: Final = "sickness-rate"
LONG_REQUIRED: Final = ("indicator_code", "org_code", "period", "value")
LONG_OPTIONAL: Final = ("numerator", "denominator", "note")
SICKNESS_REQUIRED: Final = ("DATE", "ORG_CODE", "FTE_DAYS_LOST", "FTE_DAYS_AVAILABLE")
SICKNESS_RATE: Final = "SICKNESS_ABSENCE_RATE_PERCENT"
ERRORS_KEPT: Final = 1000
NOTE_MAX: Final = DataPoint._meta.get_field("note").max_length or 300
# A workbook is a zip; one that expands to far more than the upload limit is refused unopened.
XLSX_EXPANSION_LIMIT: Final = 20

Source = str | Path | bytes | IO[bytes]
Progress = Callable[[int, int], None]
# value, numerator, denominator, note, row
PointRow = tuple[float, float | None, float | None, str, int]

_BINARY_SIGNATURES: Final = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word (.doc) file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d*)?$")
_MERGED = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([^"]+)"')


class ImportFileError(ValueError):
    """A problem with the file as a whole (type, size, sheets, columns): nothing is imported."""


@dataclass(frozen=True, slots=True)
class RowError:
    row: int | None  # None for a problem with the whole file
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        where += [f"column {self.column}"] if self.column else []
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class ParsedFile:
    """A checked file: its points by indicator id and (organisation id, period), or its errors."""

    file_format: str
    rows: int = 0  # data rows read, blank rows aside
    skipped: int = 0  # rows of organisations outside the network (sickness format only)
    points: dict[int, dict[tuple[int, date], PointRow]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)  # the first ERRORS_KEPT
    error_count: int = 0

    def error(self, row: int | None, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(RowError(row, column, message))

    @property
    def point_count(self) -> int:
        return sum(len(by_key) for by_key in self.points.values())


@dataclass
class Table:
    """A sheet of text cells: the header (row 1) and the rows after it (2 onwards)."""

    header: list[str]
    rows: Iterable[list[str]]  # row 2 onwards, blank rows included
    size: int  # data rows, estimated for CSV (for progress)


# --- Reading the file ---------------------------------------------------------------------


def source_read(source: Source, *, max_bytes: int | None = None) -> bytes:
    """The file's bytes, refusing one over the upload limit before reading it all."""
    limit = settings.KMATRIX_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | Path):
        if Path(source).stat().st_size > limit:
            raise ImportFileError(_too_large(limit))
        data = Path(source).read_bytes()
    else:
        data = source.read(limit + 1)
    if len(data) > limit:
        raise ImportFileError(_too_large(limit))
    return data


def _too_large(limit: int) -> str:
    return f"The file is larger than the limit of {limit / 1024 / 1024:,.0f} MB: split it."


def table_read(data: bytes, *, max_bytes: int | None = None) -> Table:
    """Sniff the content (not the name) and read it as a CSV or an XLSX workbook."""
    if not data.strip():
        raise ImportFileError("The file is empty.")
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _xlsx_table(
            data, settings.KMATRIX_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
        )
    for signature, kind in _BINARY_SIGNATURES:
        if data.startswith(signature):
            hint = ": save it as XLSX or CSV" if "Excel" in kind else ""
            raise ImportFileError(f"This is {kind}, not a CSV or XLSX file{hint}.")
    if b"\x00" in data[:65536]:
        raise ImportFileError("This is a binary file, not a CSV or XLSX file.")
    return _csv_table(data)


def _csv_table(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # Excel on Windows saves "CSV" in Windows-1252 unless asked for UTF-8.
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportFileError("This is not a text file in UTF-8 or Windows-1252.") from None
    first_line = text.partition("\n")[0]
    delimiter = ","
    if "," not in first_line:
        delimiter = "\t" if "\t" in first_line else ";" if ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise ImportFileError(f"The header row cannot be read: {error}") from None
    lines = text.count("\n") + (not text.endswith("\n"))
    return Table(header, reader, size=max(lines - 1, 1))


def _xlsx_table(data: bytes, max_bytes: int) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except zipfile.BadZipFile:
        raise ImportFileError("This looks like a ZIP archive but it cannot be opened.") from None
    if "xl/workbook.xml" not in names:
        raise ImportFileError("This is a ZIP archive, not an XLSX workbook or a CSV file.")
    if sum(info.file_size for info in archive.infolist()) > XLSX_EXPANSION_LIMIT * max_bytes:
        raise ImportFileError(
            "The workbook expands to more than the upload limit allows: split it."
        )
    merged = [
        ref.decode()
        for name in names
        if name.startswith("xl/worksheets/") and name.endswith(".xml")
        for ref in _MERGED.findall(archive.read(name))
    ]
    import openpyxl  # type: ignore[import-untyped]  # imported late: it is slow to import

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a broken file
        raise ImportFileError(f"The workbook cannot be read: {error}") from None
    try:
        sheets = workbook.sheetnames
        if len(sheets) > 1:
            raise ImportFileError(
                f"The workbook has {len(sheets)} sheets ({', '.join(sheets)}): "
                "keep only the one with the data."
            )
        if merged:
            shown = ", ".join(merged[:5]) + (" and more" if len(merged) > 5 else "")
            raise ImportFileError(
                f"The workbook has merged cells ({shown}): unmerge them and fill every cell."
            )
        sheet = workbook[sheets[0]]
        sheet.reset_dimensions()  # some writers record a wrong size; read every row there is
        rows = [[_cell_text(cell) for cell in row] for row in sheet.iter_rows()]
    finally:
        workbook.close()
    if not rows:
        raise ImportFileError("The sheet is empty.")
    return Table(rows[0], rows[1:], size=max(len(rows) - 1, 1))


def _cell_text(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int | float):
        if "%" in (cell.number_format or ""):
            # Excel stores 5.86% as 0.0586; the user sees, and means, 5.86.
            return f"{value * 100:.12g}"
        return repr(value)
    return str(value)


# --- Checking -----------------------------------------------------------------------------


class IndicatorInfo:
    """An indicator as the checks need it, with the periods and points read for it so far."""

    __slots__ = (
        "code", "frequency", "high", "multiplier", "periods", "pk", "points", "unit", "whole"
    )  # fmt: skip

    def __init__(self, pk: int, code: str, unit: str, frequency: str) -> None:
        self.pk, self.code, self.unit, self.frequency = pk, code, unit, frequency
        self.multiplier: float | None = UNIT_MULTIPLIER.get(unit)  # type: ignore[call-overload]
        # The quick path's bounds; anything outside goes the slow way, to be named exactly.
        self.high = 100.0 if unit == Unit.PERCENT else sys.float_info.max
        self.whole = unit == Unit.COUNT
        self.periods: dict[str, date | str] = {}  # the period's start, or what is wrong with it
        self.points: dict[tuple[int, date], PointRow] = {}


def number_read(text: str) -> float | None:
    """A finite number, or None when blank; ValueError with a message for anything else."""
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        if not _THOUSANDS.match(text):
            raise ValueError(f"{text!r} is not a number") from None
        number = float(text.replace(",", ""))
    if not math.isfinite(number):
        raise ValueError(f"{text!r} is not a number")
    return number


def _decimals(text: str) -> int:
    mantissa = text.lower().partition("e")[0]
    return len(mantissa.partition(".")[2])


Values = tuple[float, float | None, float | None]
Problems = list[tuple[str, str]]


def point_values(
    unit: str, value: str, numerator: str, denominator: str
) -> tuple[Values | None, Problems]:
    """Check one point's numbers (as text) for ``unit`` ("" when unknown: numbers only).

    Problems come as (field, message) with field one of value, numerator, denominator. A blank
    value is worked out from the numerator and denominator where the unit defines how.
    """
    problems: Problems = []
    read: dict[str, float | None] = {}
    for name, text in (("value", value), ("numerator", numerator), ("denominator", denominator)):
        try:
            read[name] = number_read(text)
        except ValueError as error:
            problems.append((name, str(error)))
    if problems:
        return None, problems
    num, den = read["numerator"], read["denominator"]
    if (num is None) != (den is None):
        missing = "denominator" if den is None else "numerator"
        return None, [
            (missing, f"the {missing} is blank but the other is given: give both or neither")
        ]
    multiplier = UNIT_MULTIPLIER.get(unit)  # type: ignore[call-overload]
    if num is not None and den is not None:
        problems += _fraction_problems(unit, num, den)
        if problems:
            return None, problems
    number = read["value"]
    if number is None:
        if not unit:
            return None, problems
        if multiplier is None or num is None or den is None:
            noun = "a count" if unit == Unit.COUNT else "the value"
            return None, [("value", f"{noun} cannot be blank")]
        number = multiplier * (num / den)
    elif multiplier is not None and num is not None and den is not None:
        problems += _agreement_problems(value, number, multiplier * (num / den))
    if unit:
        problems += _unit_problems(unit, number)
    return (None if problems else (number, num, den)), problems


def _fraction_problems(unit: str, num: float, den: float) -> Problems:
    problems: Problems = []
    if den <= 0:
        problems.append(("denominator", f"the denominator must be more than 0, not {den:g}"))
    if num < 0:
        problems.append(("numerator", f"the numerator cannot be negative ({num:g})"))
    elif unit == Unit.PERCENT and num > den > 0:
        problems.append(
            ("numerator", f"the numerator ({num:g}) is above the denominator ({den:g})")
        )
    return problems


def _agreement_problems(text: str, value: float, computed: float) -> Problems:
    # The value may be rounded as written (5.86 for 5.8621...), but no further.
    tolerance = 0.5 * 10 ** -_decimals(text) + 1e-9 * abs(computed)
    if abs(value - computed) <= tolerance:
        return []
    return [("value", f"{text} does not agree with the numerator and denominator ({computed:.6g})")]


def _unit_problems(unit: str, value: float) -> Problems:
    if value < 0:
        noun = {Unit.PERCENT: "a percentage", Unit.COUNT: "a count", Unit.DAYS: "days"}
        return [("value", f"{noun.get(unit, 'a rate')} cannot be negative ({value:g})")]  # type: ignore[call-overload]
    if unit == Unit.PERCENT and value > 100:
        return [("value", f"a percentage cannot be over 100 ({value:g})")]
    if unit == Unit.COUNT and not value.is_integer():
        return [("value", f"a count must be a whole number ({value:g})")]
    return []


def period_read(text: str | date, frequency: str, today: date) -> date:
    """The start of the period ``text`` falls in; PeriodError if unreadable or in the future."""
    day = text if isinstance(text, date) else periods.parse(text) if text.strip() else None
    if day is None:
        raise periods.PeriodError("the period is blank")
    start = periods.start_of(day, frequency)
    if start > today:
        raise periods.PeriodError(f"{day.isoformat()} is in the future")
    return start


class _Checker:
    """What every row is checked against, loaded once per file."""

    def __init__(self, network: Network, parsed: ParsedFile, today: date) -> None:
        self.parsed = parsed
        self.today = today
        self.indicators = {
            code: IndicatorInfo(pk, code, unit, frequency)
            for pk, code, unit, frequency in Indicator.objects.filter(network=network).values_list(
                "pk", "code", "unit", "frequency"
            )
        }
        self.lower_codes = {code.lower(): info for code, info in self.indicators.items()}
        self.organisations: dict[str, int] = dict(
            Organisation.objects.filter(network_links__network=network)
            .exclude(ods_code="")
            .values_list("ods_code", "pk")
        )
        self._directory: set[str] | None = None

    def indicator(self, code: str) -> IndicatorInfo | None:
        return self.indicators.get(code) or self.lower_codes.get(code.lower())

    def organisation_problem(self, code: str) -> str:
        if not code:
            return "the organisation code is blank"
        if self._directory is None:
            self._directory = set(
                Organisation.objects.exclude(ods_code="").values_list("ods_code", flat=True)
            )
        if code in self._directory:
            return f"organisation {code} is not in this network"
        return f"unknown organisation code {code!r}"

    def period(self, indicator: IndicatorInfo, text: str) -> date | str:
        """The period's start, or a message; cached, as a file repeats a few periods."""
        found = indicator.periods.get(text)
        if found is None:
            try:
                found = period_read(text, indicator.frequency, self.today)
            except periods.PeriodError as error:
                found = str(error)
            indicator.periods[text] = found
        return found

    def add(
        self, indicator: IndicatorInfo, key: tuple[int, date], point: PointRow, column: str
    ) -> None:
        earlier = indicator.points.get(key)
        if earlier is not None:
            self.parsed.error(
                point[4],
                column,
                f"a duplicate of row {earlier[4]} (same indicator, organisation and period)",
            )
        else:
            indicator.points[key] = point

    def finish(self) -> None:
        self.parsed.points = {i.pk: i.points for i in self.indicators.values() if i.points}


def _columns(header: list[str], required: Iterable[str], optional: Iterable[str]) -> dict[str, int]:
    """Where each known column is, by its name in lower case; ImportFileError if one is missing."""
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        found.setdefault(name.strip().lstrip("\ufeff").lower(), index)
    missing = [name for name in required if name.lower() not in found]
    if missing:
        raise ImportFileError(
            f"The header lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}."
        )
    wanted = [name.lower() for name in (*required, *optional)]
    return {name: found[name] for name in wanted if name in found}


def format_detect(header: list[str]) -> str:
    names = {name.strip().lstrip("\ufeff").lower() for name in header}
    if {"fte_days_lost", "fte_days_available"} <= names:
        return "nhs-sickness"
    if names & {"indicator_code", "value"}:
        return "long"
    raise ImportFileError(
        "The format cannot be told from the header: a long file has the columns "
        f"{', '.join(LONG_REQUIRED)}; NHS Digital's sickness file has "
        f"{', '.join(SICKNESS_REQUIRED)}."
    )


def _fitted(number: int, cells: list[str], width: int, parsed: ParsedFile) -> list[str] | None:
    """The row's cells padded to the header's width; None (and an error) if it has too many."""
    if len(cells) < width:
        return cells + [""] * (width - len(cells))
    if any(cell.strip() for cell in cells[width:]):
        parsed.error(
            number,
            "",
            f"the row has {len(cells)} cells but the header has {width} columns "
            "(a comma inside a value needs quotes)",
        )
        return None
    return cells


def _report_every(table: Table) -> int:
    # About a hundred reports a file, and never so many that they cost time.
    return max(1, min(8192, table.size // 100))


@dataclass(frozen=True)
class _LongColumns:
    """Where the long format's columns are, and their names as the file spells them."""

    code: int
    org: int
    period: int
    value: int
    numerator: int | None
    denominator: int | None
    note: int | None
    names: dict[str, str]

    @classmethod
    def find(cls, header: list[str]) -> _LongColumns:
        at = _columns(header, LONG_REQUIRED, LONG_OPTIONAL)
        names = {key: header[index].strip().lstrip("\ufeff") for key, index in at.items()}
        code, org, period, value = (at[name] for name in LONG_REQUIRED)
        numerator, denominator, note = (at.get(name) for name in LONG_OPTIONAL)
        return cls(code, org, period, value, numerator, denominator, note, names)


def _long_rows(table: Table, checker: _Checker, report: Callable[[int], None]) -> None:
    """Check every row. Rows that are plainly fine take a quick path; the rest, and any row
    the quick path is unsure of, go through ``_long_row`` to be checked and reported in full."""
    at = _LongColumns.find(table.header)
    width, parsed, every = len(table.header), checker.parsed, _report_every(table)
    indicators, organisations = checker.indicators, checker.organisations
    i_code, i_org, i_period, i_value = at.code, at.org, at.period, at.value
    i_num, i_den, i_note = at.numerator, at.denominator, at.note
    number = quick = 0
    with _csv_errors(lambda: number):
        for number, cells in enumerate(table.rows, start=2):
            if number % every == 0:
                report(number - 1)
            if len(cells) == width:
                indicator = indicators.get(cells[i_code])
                org = organisations.get(cells[i_org])
                if indicator is not None and org is not None:
                    period = indicator.periods.get(cells[i_period])
                    numerator = "" if i_num is None else cells[i_num]
                    denominator = "" if i_den is None else cells[i_den]
                    note = "" if i_note is None else cells[i_note].strip()
                    if isinstance(period, date) and len(note) <= NOTE_MAX:
                        point = _quick_values(indicator, cells[i_value], numerator, denominator)
                        key = (org, period)
                        if point is not None and key not in indicator.points:
                            indicator.points[key] = (*point, note, number)
                            quick += 1
                            continue
            _long_row(number, cells, at, width, checker)
    parsed.rows += quick
    checker.finish()


def _quick_values(
    info: IndicatorInfo, value: str, numerator: str, denominator: str
) -> Values | None:
    """The numbers of a row that is plainly fine: a value alone, or a fraction with no value.

    None means "not sure": the row is then checked in full, so nothing wrong gets through.
    """
    try:
        if not numerator and not denominator:
            number = float(value)
            num = den = None
        elif value or info.multiplier is None:
            return None
        else:
            num, den = float(numerator), float(denominator)
            if not (0.0 <= num <= sys.float_info.max and 0.0 < den <= sys.float_info.max):
                return None
            number = info.multiplier * (num / den)
    except ValueError:
        return None
    if not 0.0 <= number <= info.high or (info.whole and not number.is_integer()):
        return None  # also NaN and infinity, which fail every comparison
    return number, num, den


def _long_row(
    number: int, cells: list[str], at: _LongColumns, width: int, checker: _Checker
) -> None:
    """Check one row in full, recording each problem by column, or add its point."""
    parsed, names = checker.parsed, at.names
    fitted = cells if len(cells) == width else _fitted(number, cells, width, parsed)
    if fitted is None:
        return
    code = fitted[at.code].strip()
    if not code and not any(cell.strip() for cell in fitted):
        return  # a blank row
    parsed.rows += 1
    errors = parsed.error_count
    indicator = checker.indicator(code)
    if indicator is None:
        message = "the indicator code is blank"
        if code:
            message = f"unknown indicator {code!r} in this network"
        parsed.error(number, names["indicator_code"], message)
    org_code = fitted[at.org].strip().upper()
    org = checker.organisations.get(org_code)
    if org is None:
        parsed.error(number, names["org_code"], checker.organisation_problem(org_code))
    # With the indicator unknown, the period and numbers are still read (its unit unknown).
    guess = indicator or IndicatorInfo(0, code, "", "monthly")
    period = checker.period(guess, fitted[at.period])
    if isinstance(period, str):
        parsed.error(number, names["period"], period)
    values, problems = point_values(
        guess.unit,
        fitted[at.value].strip(),
        "" if at.numerator is None else fitted[at.numerator].strip(),
        "" if at.denominator is None else fitted[at.denominator].strip(),
    )
    for name, message in problems:
        parsed.error(number, names.get(name, name), message)
    note = "" if at.note is None else fitted[at.note].strip()
    if len(note) > NOTE_MAX:
        parsed.error(number, names["note"], f"a note is at most {NOTE_MAX} characters")
    if parsed.error_count > errors or indicator is None or org is None or values is None:
        return
    assert isinstance(period, date)
    checker.add(indicator, (org, period), (*values, note, number), names["period"])


@contextmanager
def _csv_errors(row: Callable[[], int]) -> Iterator[None]:
    try:
        yield
    except csv.Error as error:
        raise ImportFileError(f"Row {row() + 1} cannot be read as CSV: {error}.") from None


def _sickness_rows(
    table: Table, checker: _Checker, indicator_code: str, report: Callable[[int], None]
) -> None:
    indicator = checker.indicator(indicator_code)
    if indicator is None:
        raise ImportFileError(
            f"There is no indicator {indicator_code!r} in this network for the sickness rate: "
            "create it (unit: percentage) or choose another indicator."
        )
    if indicator.unit != Unit.PERCENT:
        raise ImportFileError(
            f"The sickness rate is a percentage, but indicator {indicator.code!r} is measured "
            f"as {Unit(indicator.unit).label.lower()}."
        )
    at = _SickColumns.find(table.header)
    width, parsed, every = len(table.header), checker.parsed, _report_every(table)
    number = 0
    with _csv_errors(lambda: number):
        for number, raw in enumerate(table.rows, start=2):
            if number % every == 0:
                report(number - 1)
            cells = raw if len(raw) == width else _fitted(number, raw, width, parsed)
            if cells is not None and any(cell.strip() for cell in cells):
                _sickness_row(number, cells, at, indicator, checker)
    checker.finish()


@dataclass(frozen=True)
class _SickColumns:
    """Where the sickness file's columns are; ``names`` maps value, numerator and denominator
    (and the file's own columns, in lower case) to the names the file gives them."""

    date: int
    org: int
    lost: int
    available: int
    rate: int | None
    names: dict[str, str]

    @classmethod
    def find(cls, header: list[str]) -> _SickColumns:
        at = _columns(header, SICKNESS_REQUIRED, (SICKNESS_RATE,))
        names = {key: header[index].strip().lstrip("\ufeff") for key, index in at.items()}
        names["value"] = names.get(SICKNESS_RATE.lower(), SICKNESS_RATE)
        names["numerator"] = names["fte_days_lost"]
        names["denominator"] = names["fte_days_available"]
        date_, org, lost, available = (at[name.lower()] for name in SICKNESS_REQUIRED)
        return cls(date_, org, lost, available, at.get(SICKNESS_RATE.lower()), names)


def _sickness_row(
    number: int, cells: list[str], at: _SickColumns, indicator: IndicatorInfo, checker: _Checker
) -> None:
    parsed = checker.parsed
    parsed.rows += 1
    org = checker.organisations.get(cells[at.org].strip().upper())
    if org is None:
        parsed.skipped += 1
        return
    errors = parsed.error_count
    period = checker.period(indicator, cells[at.date])
    if isinstance(period, str):
        parsed.error(number, at.names["date"], period)
    values, problems = point_values(
        Unit.PERCENT,
        "" if at.rate is None else cells[at.rate].strip(),
        cells[at.lost].strip(),
        cells[at.available].strip(),
    )
    for name, message in problems:
        parsed.error(number, at.names[name], message)
    if parsed.error_count > errors or values is None or isinstance(period, str):
        return
    num, den = values[1], values[2]
    assert num is not None
    assert den is not None
    # The published rate is rounded; the stored value is worked out from the days.
    point = (100 * (num / den), num, den, "", number)
    checker.add(indicator, (org, period), point, at.names["org_code"])


def file_parse(
    data: bytes,
    *,
    network: Network,
    file_format: str = "auto",
    indicator_code: str = SICKNESS_INDICATOR,
    today: date | None = None,
    progress: Progress | None = None,
    max_bytes: int | None = None,
) -> ParsedFile:
    """Read and check every row of a file; ImportFileError for a problem with the whole file."""
    if file_format not in FORMATS:
        raise ImportFileError(f"Unknown format {file_format!r}: use {', '.join(FORMATS)}.")
    table = table_read(data, max_bytes=max_bytes)
    chosen = format_detect(table.header) if file_format == "auto" else file_format
    parsed = ParsedFile(chosen)
    checker = _Checker(network, parsed, today or timezone.localdate())

    def report(done: int) -> None:
        if progress is not None:
            progress(min(done, table.size), table.size)

    if chosen == "long":
        _long_rows(table, checker, report)
    else:
        _sickness_rows(table, checker, indicator_code, report)
    if parsed.rows == 0 and not parsed.error_count:
        raise ImportFileError("The file has a header but no data rows.")
    report(table.size)
    return parsed
