"""The stored form of an analysis expands to exactly what `kmatrix spc` prints, and an import
stores the same result whether it reuses the file's points or reads the series back."""

from __future__ import annotations

import importlib
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kmatrix.indicators import periods, series
from kmatrix.indicators.models import DataPoint, SeriesResult
from kmatrix.indicators.services import datapoints_import
from kmatrix.indicators.spc import SpcSettings, analyse
from kmatrix.indicators.spc_cli import result_json
from kmatrix.indicators.stored import analysis_document, point_signals, stored_analysis
from kmatrix.indicators.tests.test_imports import alliance_build, long_csv
from kmatrix.indicators.tests.test_spc_properties import series_and_settings

START = date(2021, 4, 1)
compact_migration = importlib.import_module(
    "kmatrix.indicators.migrations.0004_seriesresult_compact_analysis"
)


@given(series_and_settings(), st.sampled_from(["monthly", "quarterly", "annual"]))
def test_the_stored_form_expands_to_the_kmatrix_spc_document(
    case: tuple[list[float], SpcSettings], frequency: str
) -> None:
    values, settings = case
    days = [periods.add(START, frequency, i) for i in range(len(values))]
    result = analyse(values, settings)

    stored = stored_analysis(result, START, frequency)

    assert analysis_document(stored, list(zip(days, values, strict=True))) == result_json(
        result, days
    )
    # The migration turns the old stored form (the full document) into the same thing.
    assert compact_migration.compact(result_json(result, days)) == stored
    # Only the points that broke a rule carry rules.
    assert all(stored["rules"][key] for key in stored["rules"])


def test_points_are_untyped_when_the_analysis_does_not_cover_them() -> None:
    values = [float(v) for v in range(20)]
    stored = stored_analysis(analyse(values, SpcSettings()), START, "monthly")

    assert point_signals(stored, 21) == [("", ())] * 21
    assert point_signals(None, 2) == [("", ()), ("", ())]
    assert point_signals(stored, 20)[-1] == ("improvement", ("outside_limits", "shift", "trend"))


@pytest.fixture
def alliance(db: Any) -> Any:
    return alliance_build()


def rows(org: str, start: date, values: list[float]) -> list[str]:
    return [
        f"restraint,{org},{periods.add(start, 'monthly', i).isoformat()},{value},,,"
        for i, value in enumerate(values)
    ]


def stored_results(alliance: Any) -> dict[str, tuple[Any, ...]]:
    return {
        r.organisation.ods_code: (
            r.points,
            r.first_period,
            r.latest_period,
            r.latest_value,
            r.variation_icon,
            r.assurance_icon,
            r.missing_periods,
            r.analysis,
        )
        for r in SeriesResult.objects.filter(indicator=alliance.restraint).select_related(
            "organisation"
        )
    }


STEP = [10.0, 11.0] * 8 + [20.0, 21.0] * 6


def test_a_whole_file_gives_the_result_a_read_back_would(alliance: Any) -> None:
    # The file holds every point of its series, out of order: the import uses its points.
    lines = rows("RXM", START, STEP) + rows("RHA", START, list(reversed(STEP)))
    batch = datapoints_import(
        network=alliance.network, source=long_csv(*reversed(lines)), filename="a.csv"
    )
    assert batch.status == "done", batch.errors
    from_file = stored_results(alliance)

    series.series_refresh(indicator=alliance.restraint)

    assert stored_results(alliance) == from_file
    assert from_file["RXM"][4] == "concern_high"  # restraint: lower is better


def test_a_file_of_recent_months_is_analysed_with_the_stored_history(alliance: Any) -> None:
    first = datapoints_import(
        network=alliance.network, source=long_csv(*rows("RXM", START, STEP[:20])), filename="a"
    )
    assert first.status == "done", first.errors
    later = periods.add(START, "monthly", 20)

    batch = datapoints_import(
        network=alliance.network, source=long_csv(*rows("RXM", later, STEP[20:])), filename="b"
    )

    assert batch.status == "done", batch.errors
    result = SeriesResult.objects.get(indicator=alliance.restraint)
    assert (result.points, result.first_period) == (len(STEP), START)
    assert len(result.analysis["types"]) == len(STEP)
    assert DataPoint.objects.filter(indicator=alliance.restraint).count() == len(STEP)


def test_a_file_that_leaves_a_gap_in_a_series_reports_it(alliance: Any) -> None:
    datapoints_import(
        network=alliance.network, source=long_csv(*rows("RXM", START, STEP[:10])), filename="a"
    )
    later = periods.add(START, "monthly", 12)

    datapoints_import(
        network=alliance.network, source=long_csv(*rows("RXM", later, STEP[12:])), filename="b"
    )

    result = SeriesResult.objects.get(indicator=alliance.restraint)
    assert result.missing_periods == ["2022-02-01", "2022-03-01"]
    assert result.analysis["types"] == ""
    assert "SPC is not shown" in result.analysis["warnings"][0]
