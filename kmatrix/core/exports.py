"""CSV and XLSX exports that are safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpResponse, StreamingHttpResponse

# A cell starting with one of these is read as a formula by Excel and LibreOffice
# (OWASP "CSV injection"); a leading apostrophe makes it plain text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # a number, negative or not, is data and not a formula
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterable[str]:
        yield "\ufeff"  # byte order mark so Excel reads UTF-8 names correctly
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([neutralise(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_cell(value: Any) -> Any:
    if value is None or isinstance(value, int | float | Decimal | date):
        return value
    # Text that a spreadsheet would read as a formula is neutralised as in the CSV downloads.
    return neutralise(value)


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """One sheet, "Data": numbers, decimals and dates stay numbers and dates."""
    from openpyxl import Workbook  # type: ignore[import-untyped]  # imported late: it is slow

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append([_xlsx_cell(cell) for cell in header])
    for row in rows:
        sheet.append([_xlsx_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def table_download(
    fmt: str | None, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse | StreamingHttpResponse | None:
    """A page's table as ``?format=csv`` or ``xlsx`` (``filename`` without its extension);
    None when no format is asked for, and a 404 for any other format."""
    if fmt is None:
        return None
    if fmt == "csv":
        return csv_response(f"{filename}.csv", header, rows)
    if fmt == "xlsx":
        return xlsx_response(filename, header, rows)
    raise Http404("Downloads come as csv or xlsx.")
