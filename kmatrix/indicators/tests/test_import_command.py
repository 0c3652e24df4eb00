"""`kmatrix import-indicators FILE... --network SLUG`: the real sickness files, dry runs, errors."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from kmatrix import cli
from kmatrix.indicators.models import DataPoint, ImportBatch
from kmatrix.indicators.tests.test_imports import SICKNESS_FILES, alliance_build, long_csv


@pytest.fixture
def alliance(db):
    return alliance_build()


def command(*args: object) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_indicators", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_the_twelve_sickness_files(alliance):
    out, _err = command(*SICKNESS_FILES, "--network", "alliance")

    lines = out.splitlines()
    assert len(lines) == 12
    assert lines[0] == (
        f"{SICKNESS_FILES[0]}: 5 new, 0 changed, 0 unchanged; "
        "280 rows skipped (organisations not in this network)."
    )
    assert DataPoint.objects.count() == 60
    assert {b.uploaded_by for b in ImportBatch.objects.all()} == {None}


def test_the_second_time_nothing_changes(alliance):
    command(SICKNESS_FILES[0], "--network", "alliance")

    out, _err = command(SICKNESS_FILES[0], "--network", "alliance", "--format", "nhs-sickness")

    assert out.startswith(f"{SICKNESS_FILES[0]}: 0 new, 0 changed, 5 unchanged;")


def test_a_dry_run_says_what_would_change_and_writes_nothing(alliance, tmp_path):
    command(SICKNESS_FILES[0], "--network", "alliance")
    path = tmp_path / "april.csv"
    path.write_text(
        SICKNESS_FILES[0]
        .read_text()
        .replace(",5138.87056,87661.66937,5.86", ",5000,87661.66937,5.70")
    )

    out, _err = command(path, SICKNESS_FILES[1], "--network", "alliance", "--dry-run")

    assert out.splitlines() == [
        f"{path}: dry run, nothing written; it would make 0 new, 1 changed, 4 unchanged; "
        "280 rows skipped (organisations not in this network).",
        f"{SICKNESS_FILES[1]}: dry run, nothing written; it would make 5 new, 0 changed, "
        "0 unchanged; 280 rows skipped (organisations not in this network).",
    ]
    assert DataPoint.objects.count() == 5
    assert DataPoint.objects.filter(numerator=5000).count() == 0


def test_errors_are_listed_by_row_and_column_and_exit_with_status_2(alliance, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        long_csv(
            "restraint,RXM,2024-04,3,,,", "restraint,RXM,2024-05,-1,,,", "nope,RXM,2024-06,1,,,"
        )
    )

    with pytest.raises(CommandError) as caught:
        command(bad, SICKNESS_FILES[0], "--network", "alliance")

    assert caught.value.returncode == 2
    assert str(caught.value) == "1 of 2 files had problems and were not applied."
    # The bad file changed nothing; the good one beside it was applied.
    assert DataPoint.objects.filter(indicator__code="restraint").count() == 0
    assert DataPoint.objects.filter(indicator__code="sickness-rate").count() == 5


def test_the_problems_are_printed(alliance, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(long_csv("restraint,RXM,2024-05,-1,,,", "nope,RXM,2024-06,1,,,"))
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_indicators", str(bad), "--network", "alliance", stderr=err)

    assert err.getvalue().splitlines() == [
        f"{bad}: not applied; problems:",
        "  row 2, column value: a count cannot be negative (-1)",
        "  row 3, column indicator_code: unknown indicator 'nope' in this network",
    ]


def test_a_file_level_problem_is_printed_plainly(alliance, tmp_path):
    png = tmp_path / "chart.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_indicators", str(png), "--network", "alliance", stderr=err)

    assert err.getvalue().splitlines()[1] == "  This is a PNG image, not a CSV or XLSX file."


def test_a_missing_file_is_a_problem(alliance, tmp_path):
    with pytest.raises(CommandError) as caught:
        command(tmp_path / "missing.csv", "--network", "alliance")

    assert caught.value.returncode == 2


def test_an_unknown_network_is_refused(alliance):
    with pytest.raises(CommandError, match="No network with the slug 'nowhere'"):
        command(SICKNESS_FILES[0], "--network", "nowhere")


def test_the_indicator_for_a_sickness_file_can_be_chosen(alliance):
    with pytest.raises(CommandError):
        command(SICKNESS_FILES[0], "--network", "alliance", "--indicator", "sickness-short-term")
    assert not DataPoint.objects.exists()


def test_the_progress_bar_goes_to_stderr(alliance, capsys):
    call_command("import_indicators", str(SICKNESS_FILES[0]), "--network", "alliance")

    captured = capsys.readouterr()
    assert "nhs_sickness_absence_2024-04.csv" in captured.err
    assert "row" in captured.err


def test_the_console_script_alias_exits_with_status_2_on_problems(alliance, tmp_path, monkeypatch):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(long_csv("restraint,RXM,2024-05,-1,,,"))
    # A command run from argv closes every connection at the end, the test's own included.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    with pytest.raises(SystemExit) as caught:
        cli.main(["kmatrix", "import-indicators", str(bad), "--network", "alliance"])

    assert caught.value.code == 2
    assert not DataPoint.objects.exists()
