"""SPC charts as Vega-Lite: built from stored results, valid against the schema, and rendered."""

from __future__ import annotations

import json
from datetime import date

import pytest

from kmatrix.indicators import charts, periods
from kmatrix.indicators.spc import SpcSettings, analyse
from kmatrix.indicators.stored import analysis_document, stored_analysis

START = date(2023, 1, 1)
# Twenty months around 10, then a step up: a shift after the recalculation at point 15.
VALUES = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 10, 12, 9, 11, 10, 14, 15, 14, 16, 15]


def series(values=VALUES, **settings):
    days = [periods.add(START, "monthly", i) for i in range(len(values))]
    result = analyse(values, SpcSettings(**settings))
    return list(zip(days, values, strict=True)), stored_analysis(result, START, "monthly")


def test_rows_join_each_point_to_its_segment_and_the_target_in_force():
    values, analysis = series(recalculate_at=(15,), target=12.0)
    targets = [(date(2022, 4, 1), 12.0), (date(2023, 10, 1), 13.5)]
    rows = charts.chart_rows(values, analysis, targets)
    first, second = analysis["segments"]
    assert [row.segment for row in rows] == [0] * 15 + [1] * 5
    assert rows[0].mean == pytest.approx(first["mean"])
    assert rows[14].upper_limit == first["upper_limit"]
    assert rows[15].mean == pytest.approx(second["mean"])
    assert rows[15].upper_limit is None  # five points: too few for limits under MDC
    assert rows[8].target == 12.0
    assert rows[9].target == 13.5  # October 2023 onwards
    assert charts.recalculation_periods(analysis) == [date(2024, 4, 1)]


def test_rows_without_an_analysis_show_the_values_untyped():
    values, _analysis = series()
    rows = charts.chart_rows(values, None)
    assert [row.value for row in rows] == VALUES
    assert {row.type for row in rows} == {""}
    assert rows[0].mean is None
    assert rows[0].type_label == "Not analysed"


def test_the_spc_spec_is_valid_vega_lite_with_the_limits_and_the_notes():
    values, analysis = series(target=12.0, recalculate_at=(15,))
    rows = charts.chart_rows(values, analysis, [(START, 12.0)])
    spec = charts.spc_spec(
        rows,
        title="Sickness absence rate: Derbyshire",
        unit="percent",
        y_title="Percentage",
        show_two_sigma=True,
        annotations=[charts.Marker(date(2023, 6, 1), "New policy")],
        recalculations=charts.recalculation_periods(analysis),
        validate=True,
    )
    json.dumps(spec, allow_nan=False)  # plain JSON, no NaN
    points = spec["datasets"]["points"]
    upper = analysis["segments"][0]["upper_limit"]
    assert points[0]["upper_limit"] == upper
    assert points[0]["lower_two_sigma"] == analysis["segments"][0]["lower_two_sigma"]
    assert spec["datasets"]["annotations"] == [{"period": "2023-06-01", "text": "New policy"}]
    assert spec["datasets"]["recalculations"][0]["period"] == "2024-04-01"
    assert spec["title"]["text"] == "Sickness absence rate: Derbyshire"
    assert "two-sigma" in spec["title"]["subtitle"]
    assert "20 points from January 2023 to August 2024" in spec["description"]
    fields = {layer.get("encoding", {}).get("y", {}).get("field") for layer in spec["layer"]}
    assert {"value", "mean", "upper_limit", "lower_limit", "upper_two_sigma", "target"} <= fields


def test_a_chart_leaves_out_lines_it_has_no_values_for():
    values, analysis = series(VALUES[:12])  # too few points for limits
    spec = charts.spc_spec(
        charts.chart_rows(values, analysis), title="t", unit="count", y_title="Count", validate=True
    )
    fields = {layer["encoding"]["y"]["field"] for layer in spec["layer"]}
    assert fields == {"value", "mean"}
    assert spec["title"]["subtitle"] == "Black line: mean."


def test_the_legend_lists_only_the_kinds_of_point_shown():
    values, analysis = series(direction="increase")
    spec = charts.spc_spec(
        charts.chart_rows(values, analysis), title="t", unit="count", y_title="Count"
    )
    colour = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    scale = colour["encoding"]["color"]["scale"]
    kinds = {p["type"] for p in analysis_document(analysis, values)["points"]}
    assert scale["domain"] == [charts.TYPE_LABELS[k] for k in charts.TYPE_LABELS if k in kinds]
    assert scale["range"] == [charts.TYPE_HEX[k] for k in charts.TYPE_LABELS if k in kinds]
    assert "#00B0F0" in scale["range"]  # the shift up is an improvement, in MDC blue


def test_small_multiples_keep_the_order_given_and_each_chart_its_own_scale():
    values, analysis = series()
    rows = charts.chart_rows(values, analysis)
    spec = charts.multiples_spec(
        [("Zeta Trust", "percent", rows), ("Alpha Trust", "count", rows[:5])], validate=True
    )
    assert spec["facet"]["sort"] == ["Zeta Trust", "Alpha Trust"]
    assert spec["resolve"]["scale"]["y"] == "independent"
    records = spec["datasets"]["points"]
    assert len(records) == 25
    assert records[0]["shown"] == "10.00%"
    assert records[-1]["shown"] == "12"


def test_png_and_svg_are_rendered_from_the_spec():
    values, analysis = series()
    spec = charts.spc_spec(
        charts.chart_rows(values, analysis), title="t", unit="count", y_title="Count"
    )
    assert charts.render(spec, "png").startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<svg" in charts.render(spec, "svg")[:200]


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (4.56789, "percent", "4.57"),
        (1234.5, "rate_per_1000_obd", "1,234.50"),
        (12.0, "count", "12"),
        (12.5, "count", "12.5"),
        (61.25, "days", "61.2"),
        (None, "percent", ""),
        (float("nan"), "percent", ""),
    ],
)
def test_numbers_are_shown_per_unit(value, unit, expected):
    assert charts.number(value, unit) == expected


def test_changes_carry_a_sign_and_a_real_minus():
    assert charts.change(0.4, "percent") == "+0.40"
    assert charts.change(-1.254, "percent") == "\u22121.25"
    assert charts.change(0.0001, "percent") == "0.00"
    assert charts.change(None, "percent") == ""
    assert charts.number(4.5, "percent", suffix=True) == "4.50%"


@pytest.mark.parametrize(
    ("day", "frequency", "label"),
    [
        (date(2025, 3, 1), "monthly", "March 2025"),
        (date(2024, 4, 1), "quarterly", "Q1 2024-25"),
        (date(2025, 1, 1), "quarterly", "Q4 2024-25"),
        (date(2024, 4, 1), "annual", "2024-25"),
    ],
)
def test_periods_read_the_nhs_way(day, frequency, label):
    assert charts.period_label(day, frequency) == label


def test_a_short_month_for_tight_spaces():
    assert charts.period_label(date(2024, 12, 1), short=True) == "Dec 2024"
