"""`kmatrix spc FILE` on real data: A&E attendances, NHS sickness absence and the MDC test series.

The command is run through ``call_command`` (and once as the console script); its JSON is checked
key by key against the engine's own result for the same values.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kmatrix.indicators import spc_cli
from kmatrix.indicators.spc import SpcResult, SpcSettings, analyse

REPO = Path(__file__).resolve().parents[3]
DATA = REPO.parent / "shared" / "data"
AE = DATA / "ae_attendances" / "ae_attendances.csv"
SICKNESS = DATA / "nhs_sickness_absence"
MDC = DATA / "mdc_spc_reference" / "xmr_test_series.csv"

TRUST = "RF4"  # 36 months (April 2016 to March 2019) of type 1 attendances
SEGMENT_KEYS = [
    "start",
    "points",
    "mean",
    "lower_limit",
    "upper_limit",
    "lower_two_sigma",
    "upper_two_sigma",
]
POINT_KEYS = ["period", "value", "type", "rules", "colour"]
TOP_KEYS = ["segments", "points", "variation_icon", "assurance_icon", "warnings"]
LIMIT_KEYS = SEGMENT_KEYS[3:]


# --- data -------------------------------------------------------------------------------------


def ae_rows(org_code: str = TRUST) -> list[tuple[str, str]]:
    """(period, attendances) for the trust's type 1 department, in the file's own order."""
    with AE.open(newline="", encoding="utf-8") as handle:
        return [
            (r["period"], r["attendances"])
            for r in csv.DictReader(handle)
            if r["org_code"] == org_code and r["type"] == "1"
        ]


def write_csv(path: Path, rows: list[tuple[str, str]], header: str = "period,value") -> Path:
    path.write_text(header + "\n" + "".join(f"{p},{v}\n" for p, v in rows), encoding="utf-8")
    return path


def mdc_charts() -> dict[str, list[tuple[str, str, str]]]:
    """(date dd/mm/yyyy, value, expected colour) per chart of the MDC test series."""
    charts: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    with MDC.open(newline="", encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            charts[r["Metric"]].append((r["Date"], r["Value"], r["Colour"]))
    return charts


@pytest.fixture
def trust_csv(tmp_path: Path) -> Path:
    rows = ae_rows()
    assert len(rows) == 36
    return write_csv(tmp_path / "rf4.csv", rows)


def trust_series() -> tuple[list[str], list[float]]:
    ordered = sorted(ae_rows())
    return [p for p, _ in ordered], [float(v) for _, v in ordered]


# --- running the command ------------------------------------------------------------------------


def run_spc(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("spc", *args, stdout=out, stderr=err)
    assert err.getvalue() == ""
    return out.getvalue()


def run_json(*args: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(run_spc(*args, "--format", "json"))
    return document


def spc_error(*args: str) -> str:
    """The message of the CommandError the command raises; stdout must stay empty."""
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("spc", *args, stdout=out, stderr=io.StringIO())
    assert caught.value.returncode == 2
    assert out.getvalue() == ""
    return str(caught.value)


def expected_json(periods: list[str], result: SpcResult) -> dict[str, Any]:
    """The documented JSON, built independently of spc_cli from the engine's result."""
    return {
        "segments": [
            {
                "start": periods[s.start],
                "points": s.points,
                "mean": s.mean,
                "lower_limit": s.lower_limit,
                "upper_limit": s.upper_limit,
                "lower_two_sigma": s.lower_two_sigma,
                "upper_two_sigma": s.upper_two_sigma,
            }
            for s in result.segments
        ],
        "points": [
            {
                "period": periods[p.index],
                "value": p.value,
                "type": p.type,
                "rules": list(p.rules),
                "colour": p.colour,
            }
            for p in result.points
        ],
        "variation_icon": result.variation_icon,
        "assurance_icon": result.assurance_icon,
        "warnings": list(result.warnings),
    }


# --- the JSON document ------------------------------------------------------------------------


def test_json_shape_is_exactly_the_documented_one(trust_csv: Path) -> None:
    document = run_json(str(trust_csv))
    assert list(document) == TOP_KEYS
    assert len(document["segments"]) == 1
    for segment in document["segments"]:
        assert list(segment) == SEGMENT_KEYS
        assert isinstance(segment["start"], str)
        assert type(segment["points"]) is int
        assert all(type(segment[k]) is float for k in ["mean", *LIMIT_KEYS])
    assert len(document["points"]) == 36
    for point in document["points"]:
        assert list(point) == POINT_KEYS
        assert type(point["value"]) is float
        assert point["type"] in {"common_cause", "improvement", "concern", "neutral"}
        assert point["colour"] in {"grey", "blue", "orange", "purple"}
        assert isinstance(point["rules"], list)
        assert set(point["rules"]) <= {"outside_limits", "shift", "trend", "two_of_three"}
        assert (point["rules"] == []) == (point["type"] == "common_cause")
        date.fromisoformat(point["period"])
    assert isinstance(document["variation_icon"], str)
    assert document["assurance_icon"] is None  # no target
    assert isinstance(document["warnings"], list)


def test_json_equals_the_engine_on_the_same_values(trust_csv: Path) -> None:
    periods, values = trust_series()
    # The file is in the source's order (not chronological): the command sorts it.
    assert [p for p, _ in ae_rows()] != periods
    assert run_json(str(trust_csv)) == expected_json(periods, analyse(values))


@pytest.mark.parametrize(
    ("args", "spc_settings"),
    [
        (
            ["--direction", "decrease", "--target", "20000"],
            SpcSettings(direction="decrease", target=20000.0),
        ),
        (
            ["--preset", "plotthedots", "--no-screen-outliers"],
            SpcSettings(preset="plotthedots", screen_outliers=False),
        ),
        (
            ["--run-length", "7", "--screen-outliers", "--direction", "neutral"],
            SpcSettings(run_length=7, screen_outliers=True, direction="neutral"),
        ),
        (["--baseline", "15", "--target", "25000"], SpcSettings(baseline=15, target=25000.0)),
        (
            ["--preset", "plotthedots", "--baseline", "12", "--recalculate-at", "2017-10-01"],
            SpcSettings(preset="plotthedots", baseline=12, recalculate_at=(18,)),
        ),
    ],
)
def test_options_reach_the_engine(
    trust_csv: Path, args: list[str], spc_settings: SpcSettings
) -> None:
    periods, values = trust_series()
    assert run_json(str(trust_csv), *args) == expected_json(periods, analyse(values, spc_settings))


def test_numbers_are_not_rounded(trust_csv: Path) -> None:
    segment = run_json(str(trust_csv))["segments"][0]
    _, values = trust_series()
    assert segment["mean"] == sum(values) / len(values)  # 19378.75, exactly


def test_too_few_points_give_null_limits(tmp_path: Path) -> None:
    rows = sorted(ae_rows())[:12]
    document = run_json(str(write_csv(tmp_path / "short.csv", rows)))
    segment = document["segments"][0]
    assert list(segment) == SEGMENT_KEYS
    assert all(segment[k] is None for k in LIMIT_KEYS)
    assert type(segment["mean"]) is float
    assert document["variation_icon"] is None
    assert document["warnings"] == ["Too few points (12) for SPC limits: at least 13 are needed."]


def test_stdin(trust_csv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(trust_csv.read_text(encoding="utf-8")))
    from_stdin = run_json("-")
    assert from_stdin == run_json(str(trust_csv))


def test_stdin_bytes_with_bom(trust_csv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A real stdin has a byte buffer underneath: the command reads UTF-8 from it, BOM or not.
    raw = b"\xef\xbb\xbf" + trust_csv.read_bytes()
    stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="latin-1")
    monkeypatch.setattr(sys, "stdin", stdin)
    assert run_json("-") == run_json(str(trust_csv))
    assert not stdin.buffer.closed


# --- periods ------------------------------------------------------------------------------------


def reformat(iso: str, style: str) -> str:
    day = date.fromisoformat(iso)
    return {"iso": iso, "month": iso[:7], "uk": day.strftime("%d/%m/%Y")}[style]


@pytest.mark.parametrize("style", ["iso", "month", "uk"])
def test_all_three_period_formats_give_iso_periods(tmp_path: Path, style: str) -> None:
    rows = [(reformat(p, style), v) for p, v in ae_rows()]
    path = write_csv(tmp_path / f"{style}.csv", rows)
    periods, values = trust_series()
    assert run_json(str(path)) == expected_json(periods, analyse(values))


def test_month_end_dates_from_nhs_digital(tmp_path: Path) -> None:
    # NHS Digital dates each month's sickness absence on its last day (30/04/2024, 31/05/2024).
    rows = []
    for path in sorted(SICKNESS.glob("nhs_sickness_absence_*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows += [
                (r["DATE"], r["SICKNESS_ABSENCE_RATE_PERCENT"])
                for r in csv.DictReader(handle)
                if r["ORG_CODE"] == "RXM"
            ]
    assert len(rows) == 12
    document = run_json(str(write_csv(tmp_path / "rxm.csv", rows)))
    periods = [p["period"] for p in document["points"]]
    assert periods[:3] == ["2024-04-30", "2024-05-31", "2024-06-30"]
    assert periods[-1] == "2025-03-31"
    # A missing month of a month-end series is named on its own last day.
    del rows[5]  # 30/09/2024
    message = spc_error(str(write_csv(tmp_path / "gap.csv", rows)))
    assert "Missing period in a monthly series: 2024-09-30" in message


@pytest.mark.parametrize(
    ("frequency", "step"),
    [
        ("daily", timedelta(days=1)),
        ("weekly", timedelta(weeks=1)),
        ("monthly", 1),
        ("quarterly", 3),
        ("annual", 12),
    ],
)
def test_frequencies_are_detected_and_gaps_named(
    tmp_path: Path, frequency: str, step: timedelta | int
) -> None:
    def period(i: int) -> date:
        if isinstance(step, timedelta):
            return date(2020, 1, 6) + step * i
        months = 2020 * 12 + 3 + step * i  # from April 2020
        return date(months // 12, months % 12 + 1, 1)

    _, values = trust_series()
    rows = [(period(i).isoformat(), str(v)) for i, v in enumerate(values[:20])]
    path = write_csv(tmp_path / "ok.csv", rows)
    assert len(run_json(str(path))["points"]) == 20
    with path.open(encoding="utf-8") as handle:
        observations = spc_cli.read_observations(handle)
    assert spc_cli.check_series(observations).frequency == frequency

    del rows[7:9]  # two consecutive periods
    message = spc_error(str(write_csv(tmp_path / "gap.csv", rows)))
    assert message.startswith(f"{tmp_path / 'gap.csv'}: Missing periods in a {frequency} series: ")
    assert f"{period(7)} and {period(8)} (between {period(6)} on line 8" in message


def test_every_gap_is_listed(tmp_path: Path) -> None:
    rows = sorted(ae_rows())
    del rows[30:34]  # four months: a range
    del rows[10]  # one month
    message = spc_error(str(write_csv(tmp_path / "gaps.csv", rows)))
    assert "Missing periods in a monthly series: 2017-02-01 (between 2017-01-01 on line 11 " in (
        message
    )
    assert "; 2018-10-01 to 2019-01-01 (4 periods, between 2018-09-01 on line 30 and " in message


def test_unsorted_input_is_sorted(tmp_path: Path) -> None:
    rows = sorted(ae_rows(), reverse=True)
    periods, values = trust_series()
    path = write_csv(tmp_path / "reversed.csv", rows)
    assert run_json(str(path)) == expected_json(periods, analyse(values))


def test_header_is_case_insensitive_with_bom_extra_columns_and_blank_rows(tmp_path: Path) -> None:
    rows = sorted(ae_rows())
    text = "\ufeffOrg, Value ,notes,PERIOD\n" + "".join(
        f'{TRUST},{v},"a note, with a comma",{p}\n' + ("\n,,,\n" if i == 3 else "")
        for i, (p, v) in enumerate(rows)
    )
    path = tmp_path / "excel.csv"
    path.write_text(text, encoding="utf-8")
    periods, values = trust_series()
    assert run_json(str(path)) == expected_json(periods, analyse(values))


def test_windows_1252_in_an_ignored_column_is_tolerated(tmp_path: Path) -> None:
    rows = sorted(ae_rows())
    text = "period,value,name\n" + "".join(f"{p},{v},Trust £ é\n" for p, v in rows)
    path = tmp_path / "cp1252.csv"
    path.write_bytes(text.encode("cp1252"))
    periods, values = trust_series()
    assert run_json(str(path)) == expected_json(periods, analyse(values))


# --- the MDC reference ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chart", "args"),
    [
        ("Special cause - High is good", []),
        ("Special cause - Low is good", ["--direction", "decrease"]),
        ("Special cause - Neither", ["--direction", "neutral"]),
        ("Recalculations - Recalculated", ["--recalculate-at", "16/01/2023"]),
        ("Baselines - Recalculated", ["--baseline", "15"]),
        ("Special cause - two-sigma - 1", []),
    ],
)
def test_mdc_reference_colours(tmp_path: Path, chart: str, args: list[str]) -> None:
    rows = mdc_charts()[chart]
    path = write_csv(tmp_path / "mdc.csv", [(d, v) for d, v, _ in rows], header="Date,Value")
    path.write_text(path.read_text().replace("Date,Value", "period,value", 1))
    document = run_json(str(path), *args)
    assert [p["colour"] for p in document["points"]] == [c for _, _, c in rows]
    assert document["points"][0]["period"] == "2023-01-01"  # dd/mm/yyyy, daily


def test_recalculate_at_splits_segments(trust_csv: Path) -> None:
    document = run_json(
        str(trust_csv), "--recalculate-at", "2017-10", "--recalculate-at", "2018-04"
    )
    segments = document["segments"]
    assert [(s["start"], s["points"]) for s in segments] == [
        ("2016-04-01", 18),
        ("2017-10-01", 6),
        ("2018-04-01", 12),
    ]
    # The last two are too short for mdc limits: a mean only, with a warning each.
    assert segments[0]["upper_limit"] is not None
    assert segments[1]["upper_limit"] is None
    assert segments[2]["lower_limit"] is None
    _, values = trust_series()
    assert segments[1]["mean"] == sum(values[18:24]) / 6
    assert len(document["warnings"]) == 2


def test_recalculate_at_accepts_any_period_format(trust_csv: Path) -> None:
    expected = run_json(str(trust_csv), "--recalculate-at", "2017-10-01")
    assert run_json(str(trust_csv), "--recalculate-at", "01/10/2017") == expected
    assert run_json(str(trust_csv), "--recalculate-at", "2017-10") == expected
    assert expected["segments"][1]["start"] == "2017-10-01"


# --- the table ----------------------------------------------------------------------------------


def test_table_shows_points_limits_icons_and_warnings(trust_csv: Path) -> None:
    table = run_spc(
        str(trust_csv), "--format", "table", "--target", "20000", "--recalculate-at", "2017-10"
    )
    lines = table.splitlines()
    assert lines[0] == (
        "SPC (mdc preset, direction increase, target 20000): 36 points, monthly, "
        "2016-04-01 to 2019-03-01"
    )
    header = next(line for line in lines if line.startswith("period"))
    assert header.split() == [
        *("period", "value", "mean", "lower", "limit", "upper", "limit", "type", "rules")
    ]
    assert "-- recalculated from 2017-10-01 --" in lines
    row = next(line for line in lines if line.startswith("2019-02-01"))
    assert row.split() == [
        "2019-02-01",
        "14569",
        "18688.5",
        "15566",
        "21811",
        "concern",
        "outside_limits,",
        "shift",
    ]
    assert "Variation icon: concern_low" in lines
    assert "Assurance icon: hit_or_miss" in lines
    assert "Warnings: none" in lines
    # Fixed width: the type column starts at the same place on every point row.
    rows = lines[lines.index(header) + 2 :]
    rows = [line for line in rows[: rows.index("")] if not line.startswith("--")]
    assert len(rows) == 36
    assert {line.index(" common_cause") if "common_cause" in line else None for line in rows} - {
        None
    } == {header.index("type") - 1}


def test_table_without_limits(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "short.csv", sorted(ae_rows())[:5])
    table = run_spc(str(path), "--format", "table")
    assert "Variation icon: none" in table
    assert "Assurance icon: none" in table
    assert "  - Too few points (5) for SPC limits: at least 13 are needed." in table


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "The file is empty"),
        ("\n\n", "The file is empty"),
        ("period,value\n", "The file has a header but no data rows."),
        ("date,value\n2020-01-01,1\n", "line 1: the header must have the columns 'period' and"),
        ("period;value\n2020-01-01;1\n", "The file must be comma-separated."),
        ("period,value,value\n2020-01-01,1,2\n", "names the column 'value' more than once"),
        (
            "period,value\n2020-01-01,1\n2020-02-01,\n",
            "line 3, column 2 (value): the value is blank",
        ),
        ("period,value\n2020-01-01,1\n2020-02-01\n", "line 3, column 2 (value): the value is"),
        ("period,value\n2020-01-01,1\n2020-02-01,n/a\n", "line 3, column 2 (value): 'n/a' is not"),
        ("period,value\n2020-01-01,nan\n", "line 2, column 2 (value): 'nan' is not a finite"),
        ("value,period\n1,2020-01-01\n2,\n", "line 3, column 2 (period): the period is blank."),
        ("period,value\n2020-13-01,1\n", "line 2, column 1 (period): '2020-13-01' is not a real"),
        ("period,value\n31/02/2020,1\n", "line 2, column 1 (period): '31/02/2020' is not a real"),
        ("period,value\nJan 2020,1\n", "'Jan 2020' is not a period: use YYYY-MM-DD, YYYY-MM or"),
        ("period,value\n2020-01-01 00:00,1\n", "line 2, column 1 (period): '2020-01-01 00:00'"),
        (
            "period,value\n2020-01,1\n2020-02,2\n2020-01,3\n",
            "line 4: the period 2020-01-01 appears twice (also on line 2)",
        ),
        (
            "period,value\n2020-01,1\n2020-03,2\n2020-05,3\n",
            "Periods 2020-01-01 and 2020-03-01 are 2 months apart",
        ),
        (
            "period,value\n2020-01-01,1\n2020-01-08,2\n2020-01-18,3\n",
            "Periods 2020-01-08 and 2020-01-18 are 10 days apart, which does not fit a weekly",
        ),
        (
            "period,value\n2020-01,1\n2020-04,2\n2020-08,3\n",
            "are 4 months apart, which does not fit a quarterly series",
        ),
        (
            'period,value\n2020-01-01,"1\n',
            "line 2: not valid CSV (unexpected end of data).",
        ),
    ],
)
def test_bad_files(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    message = spc_error(str(path))
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_missing_period_is_named(tmp_path: Path) -> None:
    rows = sorted(ae_rows())
    del rows[20]
    message = spc_error(str(write_csv(tmp_path / "gap.csv", rows)))
    assert message == (
        f"{tmp_path / 'gap.csv'}: Missing period in a monthly series: 2017-12-01 (between "
        "2017-11-01 on line 21 and 2018-01-01 on line 22). Every period needs a value: SPC "
        "cannot skip a gap (it would shrink the moving ranges), so add the missing rows or "
        "analyse the stretches either side separately."
    )


def test_values_too_large_for_limits(tmp_path: Path) -> None:
    rows = [(f"2020-{m:02}", "1e308" if m % 2 else "-1e308") for m in range(1, 13)]
    rows += [(f"2021-{m:02}", "1e308" if m % 2 else "-1e308") for m in range(1, 13)]
    message = spc_error(str(write_csv(tmp_path / "huge.csv", rows)))
    assert "The values are too large for SPC: the limits overflow." in message


def test_missing_file() -> None:
    message = spc_error("/nonexistent/spc.csv")
    assert message == "/nonexistent/spc.csv: Cannot read the file: No such file or directory."


def test_bad_input_on_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("period,value\n2020-01-01,x\n"))
    assert spc_error("-") == "stdin: line 2, column 2 (value): 'x' is not a number."


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--recalculate-at", "2020-01-01"], "--recalculate-at 2020-01-01: 2020-01-01 is not one"),
        (["--recalculate-at", "2017-10-15"], "2017-10-15 is not one of the series' periods"),
        (["--recalculate-at", "soon"], "--recalculate-at soon: 'soon' is not a period"),
        (["--recalculate-at", "2016-04"], "2016-04-01 is the first period, which already starts"),
        (
            ["--recalculate-at", "2017-10", "--recalculate-at", "01/10/2017"],
            "--recalculate-at 01/10/2017: the period 2017-10-01 is given twice.",
        ),
        (["--run-length", "7", "--preset", "plotthedots", "--run-length", "6"], "use 7."),
        (["--run-length", "8"], "A run length of 8 is not allowed for the mdc preset: use 6 or 7"),
        (["--baseline", "40"], "A baseline of 40 points is longer than the series (36 points)."),
        (["--preset", "plotthedots", "--baseline", "6"], "baseline needs at least 12 points"),
        (["--baseline", "0"], "A baseline needs at least 1 point, not 0."),
        (["--target", "nan"], "The target must be a finite number"),
    ],
)
def test_bad_options(trust_csv: Path, args: list[str], expected: str) -> None:
    assert expected in spc_error(str(trust_csv), *args)


def test_options_are_checked_before_the_file_is_read() -> None:
    # The engine's settings check comes first: no need to read a large file to reject them.
    message = spc_error("/nonexistent/spc.csv", "--run-length", "5")
    assert message == "A run length of 5 is not allowed for the mdc preset: use 6 or 7."


# --- scale and the console script -------------------------------------------------------------


def test_ten_thousand_rows(tmp_path: Path) -> None:
    start = date(2000, 1, 1)
    _, values = trust_series()
    rows = [
        ((start + timedelta(days=i)).strftime("%d/%m/%Y"), str(values[i % 36]))
        for i in range(10_000)
    ]
    path = write_csv(tmp_path / "large.csv", rows)
    began = time.perf_counter()
    document = run_json(str(path))
    table = run_spc(str(path), "--format", "table")
    assert time.perf_counter() - began < 10
    assert len(document["points"]) == 10_000
    assert document["points"][-1]["period"] == str(start + timedelta(days=9_999))
    assert len(table.splitlines()) > 10_000
    # A gap deep in a large daily series is still found and named.
    del rows[7_000]
    message = spc_error(str(write_csv(tmp_path / "large_gap.csv", rows)))
    assert f"Missing period in a daily series: {start + timedelta(days=7_000)}" in message


def console(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "kmatrix.cli", "spc", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
        check=False,
    )


def test_console_script(trust_csv: Path, tmp_path: Path) -> None:
    done = console(str(trust_csv))
    assert done.returncode == 0, done.stderr
    periods, values = trust_series()
    assert json.loads(done.stdout) == expected_json(periods, analyse(values))

    bad = tmp_path / "bad.csv"
    bad.write_text("period,value\n2020-01-01,1\n2020-02-01,\n", encoding="utf-8")
    failed = console(str(bad))
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert failed.stderr.strip() == (
        f"CommandError: {bad}: line 3, column 2 (value): the value is blank: "
        "every period needs a number."
    )
    assert "Traceback" not in failed.stderr


# --- the small functions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-01-31", date(2023, 1, 31)),
        ("2023-01", date(2023, 1, 1)),
        ("31/01/2023", date(2023, 1, 31)),
        ("1/2/2023", date(2023, 2, 1)),
        (" 2024-02-29 ", date(2024, 2, 29)),
    ],
)
def test_parse_period(text: str, expected: date) -> None:
    assert spc_cli.parse_period(text) == expected


@pytest.mark.parametrize("text", ["2023-1-5", "01/31/2023", "2023/01/31", "20230131", "", "2023"])
def test_parse_period_refuses(text: str) -> None:
    with pytest.raises(spc_cli.SpcInputError):
        spc_cli.parse_period(text)


def test_detect_frequency() -> None:
    days = [date(2023, 1, d) for d in (1, 2, 3)]
    assert spc_cli.detect_frequency(days) == "daily"
    with pytest.raises(spc_cli.SpcInputError, match="2 days apart"):
        spc_cli.detect_frequency([date(2023, 1, 1), date(2023, 1, 3)])
    assert spc_cli.detect_frequency([date(2023, 1, 31), date(2023, 2, 1)]) == "daily"
    assert spc_cli.detect_frequency([date(2023, 1, 31), date(2023, 2, 28)]) == "monthly"
    assert spc_cli.detect_frequency([date(2023, 4, 1), date(2024, 4, 1)]) == "annual"
    assert spc_cli.detect_frequency([date(2023, 4, 1)]) is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "-"),
        (0.0, "0"),
        (21289.0, "21289"),
        (19378.75, "19378.8"),
        (0.923456789, "0.923457"),
        (1234567.0, "1234567"),
        (-2.5, "-2.5"),
        (-0.0000001, "-0.0000001"),
    ],
)
def test_format_number(value: float | None, text: str) -> None:
    assert spc_cli.format_number(value) == text


def test_spc_cli_needs_no_django_settings() -> None:
    code = "import kmatrix.indicators.spc_cli, sys; print('django.conf' in sys.modules)"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env, check=True
    )
    assert done.stdout.strip() == "False"


def test_uk_dates_are_day_first(tmp_path: Path) -> None:
    # 01/02/2023 is the 1st of February, not 2 January: a US-style file reads as other dates.
    rows = [(datetime(2023, m, 1).strftime("%d/%m/%Y"), str(m)) for m in range(1, 4)]
    document = run_json(str(write_csv(tmp_path / "uk.csv", rows)))
    assert [p["period"] for p in document["points"]] == ["2023-01-01", "2023-02-01", "2023-03-01"]
