"""CSV exports that are safe to open in a spreadsheet (OWASP "CSV injection")."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from kmatrix.core.exports import csv_response, neutralise


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+44 115 000 0000", "'+44 115 000 0000"),
        ("-5", "'-5"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+2", "'\t=1+2"),
        ("\r=1+2", "'\r=1+2"),
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_apostrophe(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Derbyshire Healthcare", "Derbyshire Healthcare"),
        ("a=b", "a=b"),
        ("RXM", "RXM"),
        ("", ""),
        (None, ""),
        (3, "3"),
        (Decimal("1.5"), "1.5"),
        (date(2024, 4, 1), "2024-04-01"),
        ("'quoted", "'quoted"),
    ],
)
def test_ordinary_cells_are_left_alone(value, expected):
    assert neutralise(value) == expected


def test_a_number_stays_a_number_even_when_negative():
    # A number is data: a spreadsheet reads -5 as minus five, not as a formula to run.
    assert neutralise(-5) == "-5"
    assert neutralise(-0.3) == "-0.3"


def test_text_that_looks_like_a_negative_number_is_still_neutralised():
    assert neutralise("-5") == "'-5"


def test_the_response_is_a_utf8_csv_attachment_with_every_cell_neutralised():
    response = csv_response("people.csv", ["Name", "Note"], [("=cmd", "+1"), ("Zoë Smith", None)])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows == [["Name", "Note"], ["'=cmd", "'+1"], ["Zoë Smith", ""]]


def test_rows_are_streamed_as_they_are_read():
    consumed = []

    def rows():
        for i in range(3):
            consumed.append(i)
            yield (f"row {i}",)

    response = csv_response("x.csv", ["Row"], rows())
    assert consumed == []  # nothing read before the response is sent
    assert b"".join(response.streaming_content).count(b"row") == 3
    assert consumed == [0, 1, 2]
