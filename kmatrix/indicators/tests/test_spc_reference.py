"""The SPC engine against NHS England's Making Data Count test series (see shared SPC.md).

Each Metric in the reference file is one chart with the expected colour of every point under the
`mdc` preset. Settings come from the chart's name, exactly as SPC.md describes.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

import pytest

from kmatrix.indicators.spc import Direction, SpcResult, SpcSettings, analyse

REFERENCE = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "data"
    / "mdc_spc_reference"
    / "xmr_test_series.csv"
)

# The file already uses the engine's colour words; the map makes that an explicit check.
CSV_COLOURS = {"grey": "grey", "blue": "blue", "orange": "orange", "purple": "purple"}

TYPO_NAME = "Summary icons - variation - High is good2"
TYPO_CHART = "Summary icons - variation - High is good 2"
CONFLICT_CHART = "Special cause conflict - High is good"
# SPC.md, "Known discrepancy": the source colours point 15 of this chart blue, the written rules
# give grey. The engine keeps the rules; this test records the disagreement instead of hiding it.
KNOWN_DISCREPANCIES = {(CONFLICT_CHART, 15): ("blue", "grey")}


class Row(NamedTuple):
    day: date
    value: float
    colour: str


def _read_reference() -> dict[str, list[Row]]:
    charts: dict[str, list[Row]] = defaultdict(list)
    with REFERENCE.open(newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            # SPC.md: the single "High is good2" row is the 14th point of "High is good 2".
            name = TYPO_CHART if record["Metric"] == TYPO_NAME else record["Metric"]
            day = datetime.strptime(record["Date"], "%d/%m/%Y").date()
            charts[name].append(Row(day, float(record["Value"]), record["Colour"]))
    return {name: sorted(rows) for name, rows in charts.items()}


CHARTS = _read_reference()


def settings_for(chart: str, target: float | None = None) -> SpcSettings:
    lowered = chart.lower()
    direction: Direction
    if "low is good" in lowered:
        direction = "decrease"
    elif "neither" in lowered:
        direction = "neutral"
    else:
        direction = "increase"
    recalculated = chart == "Recalculations - Recalculated" or chart.startswith(
        "Special cause crossing recalculations - "
    )
    return SpcSettings(
        preset="mdc",
        direction=direction,
        target=target,
        recalculate_at=(15,) if recalculated else (),  # index 15 is the 16th point
        baseline=15 if chart == "Baselines - Recalculated" else None,
    )


def analyse_chart(chart: str, target: float | None = None) -> SpcResult:
    return analyse([row.value for row in CHARTS[chart]], settings_for(chart, target))


def test_the_reference_file_holds_35_charts_and_765_points() -> None:
    # The data README says 36 charts: that counts the misspelt "High is good2" name as its own.
    assert len(CHARTS) == 35
    assert sum(len(rows) for rows in CHARTS.values()) == 765


def test_every_reference_colour_is_one_the_engine_uses() -> None:
    colours = {row.colour for rows in CHARTS.values() for row in rows}
    assert colours <= set(CSV_COLOURS)


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_each_chart_has_daily_points_without_gaps(chart: str) -> None:
    days = [row.day for row in CHARTS[chart]]
    assert all(later - earlier == timedelta(days=1) for earlier, later in pairwise(days))


def test_the_misspelt_row_is_the_fourteenth_point_of_high_is_good_2() -> None:
    with REFERENCE.open(newline="", encoding="utf-8") as handle:
        typo_rows = [r for r in csv.DictReader(handle) if r["Metric"] == TYPO_NAME]
    assert len(typo_rows) == 1
    rows = CHARTS[TYPO_CHART]
    assert len(rows) == 18
    assert rows[13] == Row(date(2023, 1, 14), float(typo_rows[0]["Value"]), typo_rows[0]["Colour"])


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_every_point_has_the_reference_colour(chart: str) -> None:
    result = analyse_chart(chart)
    assert len(result.points) == len(CHARTS[chart])
    for number, (row, point) in enumerate(zip(CHARTS[chart], result.points, strict=True), start=1):
        expected = CSV_COLOURS[row.colour]
        if (chart, number) in KNOWN_DISCREPANCIES:
            expected = KNOWN_DISCREPANCIES[chart, number][1]
        assert point.colour == expected, f"{chart}, point {number} ({row.value})"


def test_the_documented_conflict_discrepancy_stands() -> None:
    # SPC.md: "in 'Special cause conflict - High is good' the source colours point 15 blue; the
    # written rules give grey. Keep the rules." Point 15 (27) follows the rising trend of points
    # 8 to 14, is below no limit and starts no run, so no written rule flags it.
    source, engine = KNOWN_DISCREPANCIES[CONFLICT_CHART, 15]
    assert CHARTS[CONFLICT_CHART][14].colour == source == "blue"
    point = analyse_chart(CONFLICT_CHART).points[14]
    assert (point.colour, point.rules) == (engine, ()) == ("grey", ())


def test_the_conflict_chart_lets_improvement_win() -> None:
    # Point 8 (13) ends the falling trend (a concern) and starts the rising one (an improvement).
    point = analyse_chart(CONFLICT_CHART).points[7]
    assert point.conflict
    assert (point.type, point.rules) == ("improvement", ("trend",))


@pytest.mark.parametrize(
    ("chart", "icon"),
    [
        ("Summary icons - variation - High is good", "improvement_high"),
        ("Summary icons - variation - Low is good", "concern_high"),
        ("Summary icons - variation - High is good 2", "common_cause"),
        ("Summary icons - variation - High is good 3", "concern_low"),
        ("Summary icons - variation - Low is good 3", "improvement_low"),
        ("Summary icons - variation - Neither", "neutral_high"),
        ("Summary icons - variation - Neither2", "common_cause"),
        ("Summary icons - variation - Too few points", None),
    ],
)
def test_variation_icons_follow_the_last_point(chart: str, icon: str | None) -> None:
    # Expected icons read from the last row: its colour gives the type, and its value against
    # the mean (45 and 5 either side of a mean near 24) gives the side.
    assert analyse_chart(chart).variation_icon == icon


def test_too_few_points_gives_no_icons_and_says_why() -> None:
    result = analyse_chart("Summary icons - variation - Too few points", target=20)
    assert result.assurance_icon is None
    assert result.warnings == ("Too few points (10) for SPC limits: at least 13 are needed.",)


ASSURANCE_HIGH = "Summary icons - assurance - high is good"
ASSURANCE_LOW = "Summary icons - assurance - low is good"


def test_the_assurance_charts_have_the_limits_the_icons_are_derived_from() -> None:
    # Both charts hold the same 30 values, with no recalculation: they sum to 755 and their 29
    # moving ranges to 129, so the mean is 755/30 = 25.17 and the limits are
    # 25.17 +/- 2.66 x 129/29, that is 13.33 to 37.00.
    for chart in (ASSURANCE_HIGH, ASSURANCE_LOW):
        (segment,) = analyse_chart(chart).segments
        assert segment.mean == pytest.approx(755 / 30)
        assert segment.lower_limit == pytest.approx(755 / 30 - 2.66 * 129 / 29)
        assert segment.upper_limit == pytest.approx(755 / 30 + 2.66 * 129 / 29)


@pytest.mark.parametrize(
    ("chart", "target", "icon"),
    [
        # Higher is better: 40 is above the upper limit (37.00), so the process consistently
        # fails it; 30 lies between the limits (hit or miss); 10 is below the lower limit
        # (13.33), so it is consistently met.
        (ASSURANCE_HIGH, 40, "fail"),
        (ASSURANCE_HIGH, 30, "hit_or_miss"),
        (ASSURANCE_HIGH, 10, "pass"),
        # Lower is better mirrors it.
        (ASSURANCE_LOW, 40, "pass"),
        (ASSURANCE_LOW, 30, "hit_or_miss"),
        (ASSURANCE_LOW, 10, "fail"),
    ],
)
def test_assurance_icons_compare_the_target_with_the_limits(
    chart: str, target: float, icon: str
) -> None:
    assert analyse_chart(chart, target=target).assurance_icon == icon


def test_a_neutral_chart_has_no_assurance_even_with_a_target() -> None:
    assert analyse_chart("Summary icons - variation - Neither", target=10).assurance_icon is None
