"""Importing data points: the real NHS sickness absence files, the long format, every bad input.

The five NHS trusts of the East Midlands Alliance are imported from NHS Digital's monthly files
exactly as published (../shared/data/nhs_sickness_absence).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from kmatrix.indicators import services, tasks
from kmatrix.indicators.imports import ERRORS_KEPT
from kmatrix.indicators.models import (
    DataPoint,
    DataPointRevision,
    ImportBatch,
    Indicator,
    SeriesResult,
)
from kmatrix.indicators.services import datapoint_save, datapoints_import
from kmatrix.networks import models as m
from kmatrix.networks.tests import factories as f

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
SICKNESS_FILES = sorted((DATA / "nhs_sickness_absence").glob("nhs_sickness_absence_*.csv"))
TRUSTS = {
    "RXM": "Derbyshire Healthcare NHS Foundation Trust",
    "RT5": "Leicestershire Partnership NHS Trust",
    "RP7": "Lincolnshire Partnership NHS Foundation Trust",
    "RP1": "Northamptonshire Healthcare NHS Foundation Trust",
    "RHA": "Nottinghamshire Healthcare NHS Foundation Trust",
}
HEADER = "indicator_code,org_code,period,value,numerator,denominator,note"


@dataclass
class Alliance:
    network: m.Network
    orgs: dict[str, m.Organisation]
    sickness: Indicator
    restraint: Indicator  # a count
    beds: Indicator  # a rate per 1,000 occupied bed days


def alliance_build() -> Alliance:
    """The Alliance, its five NHS trusts, and a sickness, a count and a rate indicator."""
    network = f.NetworkFactory(name="East Midlands Alliance", slug="alliance")
    orgs = {
        code: m.Organisation.objects.create(ods_code=code, name=name, sector="nhs_trust")
        for code, name in TRUSTS.items()
    }
    for org in orgs.values():
        m.NetworkOrganisation.objects.create(network=network, organisation=org)

    def indicator(code: str, unit: str, direction: str) -> Indicator:
        return Indicator.objects.create(
            network=network,
            code=code,
            name=code.replace("-", " ").title(),
            unit=unit,
            direction=direction,
        )

    return Alliance(
        network=network,
        orgs=orgs,
        sickness=indicator("sickness-rate", "percent", "decrease"),
        restraint=indicator("restraint", "count", "decrease"),
        beds=indicator("restraint-rate", "rate_per_1000_obd", "decrease"),
    )


@pytest.fixture
def alliance(db) -> Alliance:
    return alliance_build()


def run(alliance: Alliance, source, filename: str = "points.csv", **options) -> ImportBatch:
    return datapoints_import(network=alliance.network, source=source, filename=filename, **options)


def long_csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def published(path: Path, code: str) -> dict[str, str]:
    """One organisation's row of a sickness file, read independently of the importer."""
    with path.open(newline="", encoding="utf-8-sig") as file:
        return next(row for row in csv.DictReader(file) if row["ORG_CODE"] == code)


def errors(batch: ImportBatch) -> list[tuple[int | None, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in batch.errors]


# --- The real sickness absence files ------------------------------------------------------


def test_the_files_are_the_twelve_published_months():
    assert [p.name[-11:-4] for p in SICKNESS_FILES] == [
        f"{y}-{mo:02d}"
        for y, mo in [(2024, n) for n in range(4, 13)] + [(2025, n) for n in range(1, 4)]
    ]


def test_it_imports_twelve_months_for_the_five_trusts(alliance):
    batches = [run(alliance, path, path.name) for path in SICKNESS_FILES]

    assert {b.status for b in batches} == {"done"}
    assert [b.file_format for b in batches] == ["nhs-sickness"] * 12
    assert [(b.created, b.changed, b.unchanged) for b in batches] == [(5, 0, 0)] * 12
    # Every other organisation in the national file is skipped, not an error.
    assert batches[0].rows_total == 285
    assert DataPoint.objects.count() == 60
    for path in SICKNESS_FILES:
        for code, org in alliance.orgs.items():
            row = published(path, code)
            point = DataPoint.objects.get(
                organisation=org, period=date(int(path.name[-11:-7]), int(path.name[-6:-4]), 1)
            )
            assert point.numerator == float(row["FTE_DAYS_LOST"])
            assert point.denominator == float(row["FTE_DAYS_AVAILABLE"])
            assert point.value == 100 * (
                float(row["FTE_DAYS_LOST"]) / float(row["FTE_DAYS_AVAILABLE"])
            )
            assert round(point.value, 2) == float(row["SICKNESS_ABSENCE_RATE_PERCENT"])


def test_one_value_checked_by_hand(alliance):
    # 30/04/2024 RXM: 5138.87056 FTE days lost of 87661.66937 available, published as 5.86%.
    # By hand: 0.05862 x 87661.66937 = 5138.72706, leaving 0.14350 / 87661.66937 = 0.0000016370,
    # so the rate is 5.862164%.
    run(alliance, SICKNESS_FILES[0])

    point = DataPoint.objects.get(organisation=alliance.orgs["RXM"], period=date(2024, 4, 1))
    assert (point.numerator, point.denominator) == (5138.87056, 87661.66937)
    assert point.value == pytest.approx(5.862164, abs=1e-6)
    assert point.indicator == alliance.sickness
    assert point.batch is not None


def test_importing_the_same_files_again_changes_nothing(alliance):
    for path in SICKNESS_FILES:
        run(alliance, path)
    again = [run(alliance, path) for path in SICKNESS_FILES]

    assert [(b.status, b.created, b.changed, b.unchanged) for b in again] == [
        ("done", 0, 0, 5)
    ] * 12
    assert DataPoint.objects.count() == 60
    assert not DataPointRevision.objects.exists()


def test_a_changed_value_keeps_a_revision_of_the_old_one(alliance, tmp_path):
    run(alliance, SICKNESS_FILES[0])
    text = SICKNESS_FILES[0].read_text(encoding="utf-8")
    assert text.count(",5138.87056,87661.66937,5.86") == 1
    revised = tmp_path / "revised.csv"
    revised.write_text(
        text.replace(",5138.87056,87661.66937,5.86", ",5000,87661.66937,5.70"), encoding="utf-8"
    )

    batch = run(alliance, revised)

    assert (batch.created, batch.changed, batch.unchanged) == (0, 1, 4)
    point = DataPoint.objects.get(organisation=alliance.orgs["RXM"], period=date(2024, 4, 1))
    assert point.numerator == 5000
    assert point.value == 100 * (5000 / 87661.66937)
    assert point.batch == batch
    revision = DataPointRevision.objects.get()
    assert (revision.point, revision.numerator, revision.denominator) == (
        point,
        5138.87056,
        87661.66937,
    )
    assert revision.value == 100 * (5138.87056 / 87661.66937)
    assert revision.replaced_by_batch == batch


def test_series_results_have_twelve_points_and_say_too_few_for_limits(alliance):
    for path in SICKNESS_FILES:
        run(alliance, path)

    results = SeriesResult.objects.filter(indicator=alliance.sickness)
    assert results.count() == 5
    for result in results:
        assert result.points == 12
        assert (result.first_period, result.latest_period) == (date(2024, 4, 1), date(2025, 3, 1))
        assert result.missing_periods == []
        assert result.variation_icon == result.assurance_icon == ""
        assert any("Too few points (12)" in w for w in result.analysis["warnings"])
        assert len(result.analysis["types"]) == 12
        assert result.analysis["segments"][0]["upper_limit"] is None


def test_a_month_missing_from_a_series_is_reported_not_skipped(alliance):
    for path in SICKNESS_FILES[:5] + SICKNESS_FILES[6:]:  # no September 2024
        run(alliance, path)

    result = SeriesResult.objects.get(
        indicator=alliance.sickness, organisation=alliance.orgs["RP7"]
    )
    assert result.points == 11
    assert result.missing_periods == ["2024-09-01"]
    assert any("2024-09-01" in w for w in result.analysis["warnings"])


def test_a_dry_run_counts_but_writes_nothing(alliance):
    run(alliance, SICKNESS_FILES[0])

    first = run(alliance, SICKNESS_FILES[1], dry_run=True)
    again = run(alliance, SICKNESS_FILES[0], dry_run=True)

    assert (first.status, first.dry_run, first.created, first.changed, first.unchanged) == (
        "done",
        True,
        5,
        0,
        0,
    )
    assert (again.created, again.changed, again.unchanged) == (0, 0, 5)
    assert DataPoint.objects.count() == 5
    assert SeriesResult.objects.get(organisation=alliance.orgs["RXM"]).points == 1


def test_sickness_rows_of_other_organisations_are_skipped_even_when_malformed(alliance):
    text = SICKNESS_FILES[0].read_text(encoding="utf-8")
    broken = text.replace(",1868.54684,", ",lots,")  # 0AR, not in the Alliance

    batch = run(alliance, broken.encode())

    assert batch.status == "done"
    assert batch.created == 5
    assert batch.rows_total - batch.created == 280


RXM_ROW = 142  # Derbyshire Healthcare's row in April 2024's file, the header being row 1


@pytest.mark.parametrize(
    ("old", "new", "column", "message"),
    [
        (",5138.87056,", ",,", "FTE_DAYS_LOST", "the numerator is blank"),
        (",87661.66937,", ",0,", "FTE_DAYS_AVAILABLE", "must be more than 0"),
        (",87661.66937,", ",5000,", "FTE_DAYS_LOST", "above the denominator"),
        (",5138.87056,", ",-3,", "FTE_DAYS_LOST", "cannot be negative"),
        (
            ",87661.66937,5.86",
            ",87661.66937,7.5",
            "SICKNESS_ABSENCE_RATE_PERCENT",
            "does not agree",
        ),
        (
            "30/04/2024,Y60,Midlands,QJ2,Derby and Derbyshire,RXM",
            "31/04/2024,Y60,Midlands,QJ2,Derby and Derbyshire,RXM",
            "DATE",
            "not a real date",
        ),
        (
            "30/04/2024,Y60,Midlands,QJ2,Derby and Derbyshire,RXM",
            "30/04/2099,Y60,Midlands,QJ2,Derby and Derbyshire,RXM",
            "DATE",
            "in the future",
        ),
    ],
)
def test_a_bad_sickness_row_of_a_member_fails_the_file(alliance, old, new, column, message):
    text = SICKNESS_FILES[0].read_text(encoding="utf-8")
    assert text.count(old) == 1

    batch = run(alliance, text.replace(old, new).encode())

    assert batch.status == "failed"
    [(row, col, text_)] = errors(batch)
    assert (row, col) == (RXM_ROW, column)
    assert message in text_
    assert not DataPoint.objects.exists()


def test_a_sickness_file_repeating_an_organisation_is_refused(alliance):
    lines = SICKNESS_FILES[0].read_text(encoding="utf-8").splitlines()
    rxm = next(line for line in lines if ",RXM," in line)

    batch = run(alliance, "\n".join([*lines, rxm]).encode())

    assert errors(batch) == [
        (
            len(lines) + 1,
            "ORG_CODE",
            f"a duplicate of row {RXM_ROW} (same indicator, organisation and period)",
        )
    ]
    assert not DataPoint.objects.exists()


def test_a_sickness_file_needs_its_indicator(alliance):
    batch = run(alliance, SICKNESS_FILES[0], indicator_code="sickness-long-term")

    assert batch.status == "failed"
    assert "no indicator 'sickness-long-term'" in batch.errors[0]["message"]


def test_the_sickness_indicator_can_be_named(alliance):
    Indicator.objects.create(
        network=alliance.network,
        code="sickness",
        name="Sickness",
        unit="percent",
        direction="decrease",
    )

    batch = run(alliance, SICKNESS_FILES[0], file_format="nhs-sickness", indicator_code="sickness")

    assert batch.created == 5
    assert DataPoint.objects.filter(indicator__code="sickness").count() == 5


def test_the_sickness_indicator_must_be_a_percentage(alliance):
    batch = run(alliance, SICKNESS_FILES[0], indicator_code="restraint")

    assert "is a percentage" in batch.errors[0]["message"]


# --- The long format ----------------------------------------------------------------------


def test_it_imports_a_long_csv(alliance):
    data = long_csv(
        "sickness-rate,RXM,2024-04,5.86,5138.87056,87661.66937,",
        "sickness-rate,rt5,2024-04-01,5.2,,,estimated",
        "restraint,RP7,30/04/2024,12,,,",
        "restraint-rate,RP1,2024-04,3.25,13,4000,",
        "sickness-rate,RHA,2024-04,,15285.71183,251505.70983,",
    )

    batch = run(alliance, data)

    assert (batch.status, batch.file_format, batch.created) == ("done", "long", 5)
    points = {
        (p.indicator.code, p.organisation.ods_code): p
        for p in DataPoint.objects.select_related("indicator", "organisation")
    }
    assert points["sickness-rate", "RXM"].value == 5.86  # as given; it agrees with the fraction
    assert points["sickness-rate", "RT5"].note == "estimated"
    assert points["restraint", "RP7"].period == date(2024, 4, 1)
    assert points["restraint-rate", "RP1"].denominator == 4000
    # A blank value is worked out from the numerator and denominator.
    assert points["sickness-rate", "RHA"].value == 100 * (15285.71183 / 251505.70983)


def test_headers_are_read_in_any_case_after_a_byte_order_mark(alliance):
    data = "\ufeffIndicator_Code, ORG_CODE ,Period,VALUE\r\nrestraint,RXM,2024-04,3\r\n".encode()

    batch = run(alliance, data)

    assert (batch.status, batch.created) == ("done", 1)


def test_a_windows_1252_csv_is_read(alliance):
    # Excel's curly apostrophe is one byte, 0x92, in Windows-1252 and invalid as UTF-8.
    data = long_csv("restraint,RXM,2024-04,3,,,Ward\u2019s review").decode().encode("cp1252")
    assert b"\x92" in data

    batch = run(alliance, data)

    assert batch.status == "done"
    assert DataPoint.objects.get().note == "Ward\u2019s review"


def test_blank_rows_are_ignored(alliance):
    batch = run(alliance, long_csv("", "restraint,RXM,2024-04,3,,,", ",,,,,,", ""))

    assert (batch.status, batch.rows_total, batch.created) == ("done", 1, 1)


def test_a_quarterly_indicator_takes_the_quarter_a_date_falls_in(alliance):
    Indicator.objects.create(
        network=alliance.network,
        code="q",
        name="Q",
        unit="count",
        direction="neutral",
        frequency="quarterly",
    )

    run(alliance, long_csv("q,RXM,2024-05-17,3,,,"))

    assert DataPoint.objects.get().period == date(2024, 4, 1)


GOOD = "restraint,RXM,2024-04,3,,,"


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (
            "restrain,RXM,2024-04,3,,,",
            "indicator_code",
            "unknown indicator 'restrain' in this network",
        ),
        (",RXM,2024-04,3,,,", "indicator_code", "the indicator code is blank"),
        ("restraint,ZZZ,2024-04,3,,,", "org_code", "unknown organisation code 'ZZZ'"),
        ("restraint,,2024-04,3,,,", "org_code", "the organisation code is blank"),
        ("restraint,RXM,April 2024,3,,,", "period", "'April 2024' is not a period"),
        ("restraint,RXM,2024-13,3,,,", "period", "'2024-13' is not a real date"),
        ("restraint,RXM,,3,,,", "period", "the period is blank"),
        ("restraint,RXM,2099-01,3,,,", "period", "2099-01-01 is in the future"),
        ("restraint,RXM,2024-04,three,,,", "value", "'three' is not a number"),
        ("restraint,RXM,2024-04,nan,,,", "value", "'nan' is not a number"),
        ("restraint,RXM,2024-04,,,,", "value", "a count cannot be blank"),
        ("restraint,RXM,2024-04,-1,,,", "value", "a count cannot be negative (-1)"),
        ("restraint,RXM,2024-04,2.5,,,", "value", "a count must be a whole number (2.5)"),
        ("sickness-rate,RXM,2024-04,100.5,,,", "value", "a percentage cannot be over 100 (100.5)"),
        ("sickness-rate,RXM,2024-04,-0.5,,,", "value", "a percentage cannot be negative (-0.5)"),
        ("sickness-rate,RXM,2024-04,,,,", "value", "the value cannot be blank"),
        ("restraint-rate,RXM,2024-04,-2,,,", "value", "a rate cannot be negative (-2)"),
        (
            "sickness-rate,RXM,2024-04,,12,10,",
            "numerator",
            "the numerator (12) is above the denominator (10)",
        ),
        (
            "sickness-rate,RXM,2024-04,,1,0,",
            "denominator",
            "the denominator must be more than 0, not 0",
        ),
        (
            "restraint-rate,RXM,2024-04,,1,-5,",
            "denominator",
            "the denominator must be more than 0, not -5",
        ),
        ("sickness-rate,RXM,2024-04,,-1,10,", "numerator", "the numerator cannot be negative (-1)"),
        (
            "sickness-rate,RXM,2024-04,5,1,,",
            "denominator",
            "the denominator is blank but the other is given",
        ),
        (
            "sickness-rate,RXM,2024-04,50,1,10,",
            "value",
            "50 does not agree with the numerator and denominator (10)",
        ),
        ("sickness-rate,RXM,2024-04,5,x,10,", "numerator", "'x' is not a number"),
        (
            "restraint,RXM,2024-04,3,,,note,extra",
            "",
            "the row has 8 cells but the header has 7 columns",
        ),
        ("restraint,RXM,2024-04,3,,," + "n" * 301, "note", "a note is at most 300 characters"),
    ],
)
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_written(
    alliance, row, column, message
):
    before = DataPoint.objects.count()

    batch = run(alliance, long_csv(GOOD, row))

    assert batch.status == "failed"
    [(number, col, text)] = errors(batch)
    assert (number, col) == (3, column)
    assert message in text
    assert DataPoint.objects.count() == before == 0
    assert not SeriesResult.objects.exists()


def test_an_organisation_outside_the_network_is_an_error_in_a_long_file(alliance):
    f.OrganisationFactory(ods_code="NYA", name="St Andrew's Healthcare")

    batch = run(alliance, long_csv("restraint,NYA,2024-04,3,,,"))

    assert errors(batch) == [(2, "org_code", "organisation NYA is not in this network")]


def test_an_indicator_of_another_network_is_unknown(alliance):
    other = f.NetworkFactory(slug="other")
    Indicator.objects.create(
        network=other, code="elsewhere", name="E", unit="count", direction="neutral"
    )

    batch = run(alliance, long_csv("elsewhere,RXM,2024-04,3,,,"))

    assert errors(batch) == [(2, "indicator_code", "unknown indicator 'elsewhere' in this network")]


def test_a_duplicate_key_names_the_first_row(alliance):
    batch = run(
        alliance, long_csv(GOOD, "restraint,RP1,2024-04,3,,,", "restraint,RXM,30/04/2024,4,,,")
    )

    assert errors(batch) == [
        (4, "period", "a duplicate of row 2 (same indicator, organisation and period)")
    ]


def test_every_bad_row_is_reported_with_every_bad_column(alliance):
    batch = run(
        alliance,
        long_csv("nope,ZZZ,someday,x,,,", GOOD, "restraint,RXM,2024-05,-4,,,"),
    )

    assert errors(batch) == [
        (2, "indicator_code", "unknown indicator 'nope' in this network"),
        (2, "org_code", "unknown organisation code 'ZZZ'"),
        (2, "period", "'someday' is not a period: use YYYY-MM-DD, YYYY-MM or dd/mm/yyyy"),
        (2, "value", "'x' is not a number"),
        (4, "value", "a count cannot be negative (-4)"),
    ]


def test_a_quoted_comma_and_a_quoted_newline_keep_the_row_numbers(alliance):
    batch = run(
        alliance,
        long_csv('restraint,RXM,2024-04,3,,,"ward, moved\nin May"', "restraint,RXM,2024-05,x,,,"),
    )

    assert errors(batch) == [(3, "value", "'x' is not a number")]


def test_the_stored_errors_are_capped_with_a_count_of_the_rest(alliance):
    rows = [f"restraint,RXM,2024-04,bad{n},,," for n in range(ERRORS_KEPT + 234)]

    batch = run(alliance, long_csv(*rows))

    assert len(batch.errors) == ERRORS_KEPT + 1
    assert batch.errors[-1] == {
        "row": None,
        "column": "",
        "message": "and 234 more problems not listed",
    }


# --- Whole-file problems ------------------------------------------------------------------


def workbook_bytes(*sheets: list[list[object]], merge: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for number, rows in enumerate(sheets, start=1):
        sheet = book.create_sheet(f"Sheet{number}")
        for row in rows:
            sheet.append(row)
    if merge:
        book.worksheets[0].merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


XLSX_ROWS: list[list[object]] = [
    ["indicator_code", "org_code", "period", "value", "numerator", "denominator"],
    ["sickness-rate", "RXM", date(2024, 4, 30), 5.86, 5138.87056, 87661.66937],
    ["restraint", "RT5", "2024-04", 7, None, None],
]


def test_it_imports_an_xlsx_workbook(alliance, tmp_path):
    path = tmp_path / "points.xlsx"
    path.write_bytes(workbook_bytes(XLSX_ROWS))

    batch = run(alliance, path, path.name)

    assert (batch.status, batch.created) == ("done", 2)
    assert DataPoint.objects.get(indicator=alliance.sickness).period == date(2024, 4, 1)


def test_an_xlsx_percentage_cell_means_what_excel_shows(alliance):
    book = openpyxl.Workbook()
    book.active.append(["indicator_code", "org_code", "period", "value"])
    book.active.append(["sickness-rate", "RXM", "2024-04", 0.0586])
    book.active["D2"].number_format = "0.00%"
    buffer = io.BytesIO()
    book.save(buffer)

    run(alliance, buffer.getvalue(), "points.xlsx")

    assert DataPoint.objects.get().value == 5.86


def test_an_xlsx_bad_row_is_reported_with_the_sheets_row_number(alliance):
    rows = [*XLSX_ROWS, ["restraint", "RP7", "2024-04", -2, None, None]]

    batch = run(alliance, workbook_bytes(rows), "points.xlsx")

    assert errors(batch) == [(4, "value", "a count cannot be negative (-2)")]


def file_error(alliance, data: bytes, filename: str = "points.csv", **options) -> str:
    batch = run(alliance, data, filename, **options)
    assert batch.status == "failed"
    assert not DataPoint.objects.exists()
    [(row, column, message)] = errors(batch)
    assert (row, column) == (None, "")
    return message


def test_an_xlsx_with_two_sheets_is_refused_naming_them(alliance):
    data = workbook_bytes(XLSX_ROWS, [["notes"]])

    assert file_error(alliance, data, "points.xlsx") == (
        "The workbook has 2 sheets (Sheet1, Sheet2): keep only the one with the data."
    )


def test_an_xlsx_with_merged_cells_is_refused(alliance):
    data = workbook_bytes(XLSX_ROWS, merge="E3:F3")

    assert "merged cells (E3:F3)" in file_error(alliance, data, "points.xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused(alliance):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("points.csv", long_csv(GOOD))

    message = file_error(alliance, buffer.getvalue(), "points.xlsx")

    assert message == "This is a ZIP archive, not an XLSX workbook or a CSV file."


def test_a_png_renamed_csv_is_refused(alliance):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)

    assert file_error(alliance, png, "points.csv") == "This is a PNG image, not a CSV or XLSX file."


def test_other_binary_content_is_refused(alliance):
    assert "binary file" in file_error(alliance, b"abc\x00\x01\x02" * 20)


def test_a_file_over_the_size_limit_is_refused(alliance, settings, tmp_path):
    settings.KMATRIX_MAX_UPLOAD_BYTES = 1000
    path = tmp_path / "big.csv"
    path.write_bytes(long_csv(*[GOOD] * 100))

    assert "larger than the limit" in file_error(alliance, path, "big.csv")
    with path.open("rb") as stream:
        assert "larger than the limit" in file_error(alliance, stream, "big.csv")


@pytest.mark.parametrize("content", [b"", b"  \n\n"])
def test_an_empty_file_is_refused(alliance, content):
    assert file_error(alliance, content) == "The file is empty."


def test_a_header_without_rows_is_refused(alliance):
    assert file_error(alliance, long_csv()) == "The file has a header but no data rows."


def test_missing_columns_are_named(alliance):
    data = long_csv("restraint,RXM,3", header="indicator_code,org_code,value")

    assert file_error(alliance, data, file_format="long") == "The header lacks the column period."


def test_an_unknown_header_cannot_be_told_apart(alliance):
    assert "cannot be told from the header" in file_error(alliance, b"a,b,c\n1,2,3\n")


def test_an_unknown_format_is_refused(alliance):
    assert "Unknown format 'wide'" in file_error(alliance, long_csv(GOOD), file_format="wide")


# --- Progress, background task, unexpected failures ---------------------------------------


def test_progress_counts_rows_up_to_the_total(alliance):
    rows = [
        f"restraint,{code},{year}-{month:02d},{month},,,"
        for code in TRUSTS
        for year in range(2014, 2024)
        for month in range(1, 13)
    ]
    calls: list[tuple[int, int]] = []

    run(alliance, long_csv(*rows), progress=lambda done, total: calls.append((done, total)))

    assert len(calls) > 3
    fractions = [done / total for done, total in calls]
    assert fractions == sorted(fractions)
    assert calls[-1] == (600, 600)


@pytest.fixture
def immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def upload(data: bytes, name: str = "points.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_the_task_marks_progress_and_finishes_done(
    alliance, immediate_tasks, monkeypatch, django_capture_on_commit_callbacks
):
    marks: list[tuple[int, int]] = []
    original = tasks.BatchProgress.__call__

    def spy(self, done, total):
        marks.append((done, total))
        original(self, done, total)

    monkeypatch.setattr(tasks.BatchProgress, "__call__", spy)
    rows = [
        f"restraint,{code},{year}-{month:02d},{month},,,"
        for code in TRUSTS
        for year in range(2010, 2024)
        for month in range(1, 13)
    ]
    user = f.UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        batch = tasks.import_enqueue(
            network=alliance.network,
            upload=upload(long_csv(*rows)),
            user=user,
            file_format="auto",
            dry_run=False,
        )
        assert batch.status == "queued"

    batch.refresh_from_db()
    assert (batch.status, batch.created, batch.uploaded_by) == ("done", 840, user)
    assert batch.rows_done == batch.rows_total == 840
    assert len(marks) > 10
    assert marks[-1] == (840, 840)
    assert DataPoint.objects.count() == 840
    assert not default_storage.listdir("imports")[1]  # the stored upload is gone


def test_the_task_dry_run_changes_nothing(
    alliance, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = tasks.import_enqueue(
            network=alliance.network,
            upload=upload(long_csv(GOOD)),
            user=None,
            file_format="long",
            dry_run=True,
        )

    batch.refresh_from_db()
    assert (batch.status, batch.dry_run, batch.created) == ("done", True, 1)
    assert not DataPoint.objects.exists()


def test_the_task_reports_the_files_problems(
    alliance, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = tasks.import_enqueue(
            network=alliance.network,
            upload=upload(long_csv("restraint,RXM,2024-04,-1,,,")),
            user=None,
        )

    batch.refresh_from_db()
    assert errors(batch) == [(2, "value", "a count cannot be negative (-1)")]


def test_an_exception_inside_the_task_marks_the_batch_failed(
    alliance, immediate_tasks, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services.series, "series_refresh", broken)

    with django_capture_on_commit_callbacks(execute=True):
        batch = tasks.import_enqueue(
            network=alliance.network, upload=upload(long_csv(GOOD)), user=None
        )

    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.errors == [
        {
            "row": None,
            "column": "",
            "message": "The import stopped unexpectedly and nothing was applied "
            "(RuntimeError: disk on fire).",
        }
    ]
    assert batch.finished_at is not None
    assert not DataPoint.objects.exists()  # the points written before the failure were rolled back


def test_a_task_whose_file_has_gone_marks_the_batch_failed(alliance, immediate_tasks):
    batch = ImportBatch.objects.create(
        network=alliance.network, filename="gone.csv", file_format="auto"
    )

    tasks.import_run.enqueue(batch.pk, "imports/gone.csv")

    batch.refresh_from_db()
    assert batch.status == "failed"
    assert "The import could not run" in batch.errors[0]["message"]


def test_an_upload_over_the_limit_fails_without_a_task(
    alliance, immediate_tasks, django_capture_on_commit_callbacks
):
    immediate_tasks.KMATRIX_MAX_UPLOAD_BYTES = 10

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch = tasks.import_enqueue(
            network=alliance.network, upload=upload(long_csv(GOOD)), user=None
        )

    assert batch.status == "failed"
    assert "larger than the limit" in batch.errors[0]["message"]
    assert callbacks == []


# --- One point at a time (the API) --------------------------------------------------------


def test_datapoint_save_adds_a_point_and_refreshes_its_series(alliance):
    user = f.UserFactory()

    point = datapoint_save(
        indicator=alliance.sickness,
        organisation=alliance.orgs["RXM"],
        period="2024-04",
        value=None,
        numerator=5138.87056,
        denominator=87661.66937,
        user=user,
    )

    assert point.value == 100 * (5138.87056 / 87661.66937)
    assert point.batch.uploaded_by == user
    assert point.batch.file_format == "api"
    assert SeriesResult.objects.get(organisation=alliance.orgs["RXM"]).points == 1


def test_datapoint_save_keeps_a_revision_and_ignores_a_repeat(alliance):
    org = alliance.orgs["RT5"]
    datapoint_save(indicator=alliance.restraint, organisation=org, period=date(2024, 4, 1), value=3)
    datapoint_save(indicator=alliance.restraint, organisation=org, period=date(2024, 4, 1), value=3)
    point = datapoint_save(
        indicator=alliance.restraint,
        organisation=org,
        period="30/04/2024",
        value="4",
        note="recount",
    )

    assert (point.value, point.note) == (4, "recount")
    assert DataPointRevision.objects.get().value == 3
    assert ImportBatch.objects.count() == 2  # the repeat wrote nothing


def test_datapoint_save_checks_like_an_import(alliance):
    outsider = f.OrganisationFactory(ods_code="NYA")

    with pytest.raises(ValidationError) as caught:
        datapoint_save(
            indicator=alliance.sickness,
            organisation=outsider,
            period="2099-01",
            value=120,
            numerator=5,
            denominator=0,
        )

    assert caught.value.message_dict == {
        "organisation": [f"{outsider} is not in this indicator's network."],
        "period": ["2099-01-01 is in the future."],
        "denominator": ["The denominator must be more than 0, not 0."],
    }
    assert not DataPoint.objects.exists()


def test_datapoint_save_refuses_impossible_values(alliance):
    org = alliance.orgs["RP1"]
    with pytest.raises(ValidationError) as caught:
        datapoint_save(indicator=alliance.restraint, organisation=org, period="2024-04", value=-1)
    assert caught.value.message_dict == {"value": ["A count cannot be negative (-1)."]}
    with pytest.raises(ValidationError) as caught:
        datapoint_save(
            indicator=alliance.sickness, organisation=org, period="2024-04", value=float("nan")
        )
    assert caught.value.message_dict == {"value": ["'nan' is not a number."]}
