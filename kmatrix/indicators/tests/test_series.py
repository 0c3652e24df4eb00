"""Stored SPC results (series.series_refresh): hand-checked series, targets, recalculations."""

from __future__ import annotations

from datetime import date

import pytest

from kmatrix.indicators import periods, series, stored
from kmatrix.indicators.models import Annotation, DataPoint, SeriesResult, Target
from kmatrix.indicators.services import datapoints_import
from kmatrix.indicators.tests.test_imports import alliance_build, long_csv

START = date(2023, 1, 1)
# Ten 10s and nine 11s, alternating, then 20. By hand: the mean is 219 / 20 = 10.95; the moving
# ranges are eighteen 1s and one 10, so the average moving range is 28 / 19; 2.66 x 28 / 19 =
# 3.92 exactly, so the limits are 7.03 and 14.87, and the two-sigma lines 10.95 -/+ 2.61333.
# Only the last point is outside the limits; the alternation starts no shift, trend or
# two-of-three.
HAND_CHECKED = [10 if i % 2 == 0 else 11 for i in range(19)] + [20]


def points_of(result):
    """The stored analysis expanded as `kmatrix spc` prints it."""
    values = DataPoint.objects.filter(
        indicator=result.indicator, organisation=result.organisation
    ).values_list("period", "value")
    return stored.analysis_document(result.analysis, list(values.order_by("period")))["points"]


@pytest.fixture
def alliance(db):
    return alliance_build()


def load(alliance, values, org="RXM", code="restraint", start=START, skip=()):
    rows = [
        f"{code},{org},{periods.add(start, 'monthly', i).isoformat()},{value},,,"
        for i, value in enumerate(values)
        if i not in skip
    ]
    batch = datapoints_import(network=alliance.network, source=long_csv(*rows), filename="s.csv")
    assert batch.status == "done", batch.errors
    return SeriesResult.objects.get(indicator__code=code, organisation__ods_code=org)


def test_a_hand_checked_series_has_the_right_limits_and_one_point_outside(alliance):
    result = load(alliance, HAND_CHECKED)

    [segment] = result.analysis["segments"]
    assert segment["start"] == "2023-01-01"
    assert segment["points"] == 20
    assert segment["mean"] == pytest.approx(10.95)
    assert segment["upper_limit"] == pytest.approx(14.87)
    assert segment["lower_limit"] == pytest.approx(7.03)
    assert segment["upper_two_sigma"] == pytest.approx(10.95 + 2 / 3 * 3.92)
    assert segment["lower_two_sigma"] == pytest.approx(10.95 - 2 / 3 * 3.92)
    points = points_of(result)
    assert [p["type"] for p in points] == ["common_cause"] * 19 + ["concern"]
    assert points[-1] == {
        "period": "2024-08-01",
        "value": 20,
        "type": "concern",  # restraint: lower is better
        "rules": ["outside_limits"],
        "colour": "orange",
    }
    assert (result.points, result.first_period, result.latest_period) == (
        20,
        START,
        date(2024, 8, 1),
    )
    assert (result.latest_value, result.variation_icon, result.assurance_icon) == (
        20,
        "concern_high",
        "",
    )
    assert result.missing_periods == []
    assert result.analysis["warnings"] == []


def test_the_improvement_direction_turns_the_signal_blue(alliance):
    alliance.restraint.direction = "increase"
    alliance.restraint.save()

    result = load(alliance, HAND_CHECKED)

    assert points_of(result)[-1]["colour"] == "blue"
    assert result.variation_icon == "improvement_high"


@pytest.mark.parametrize(
    ("target", "icon"),
    [(16, "pass"), (14.87, "pass"), (12, "hit_or_miss"), (5, "fail")],
)
def test_the_current_target_gives_the_assurance_icon(alliance, target, icon):
    # Lower is better: a target above the upper limit is met every time (on it: still met).
    Target.objects.create(indicator=alliance.restraint, value=target, applies_from=date(2020, 4, 1))
    Target.objects.create(indicator=alliance.restraint, value=1, applies_from=date(2030, 4, 1))

    result = load(alliance, HAND_CHECKED)

    assert result.assurance_icon == icon


def test_a_new_target_applies_once_it_starts(alliance):
    result = load(alliance, HAND_CHECKED)
    Target.objects.create(indicator=alliance.restraint, value=16, applies_from=date(2023, 1, 1))
    Target.objects.create(indicator=alliance.restraint, value=5, applies_from=date(2024, 6, 1))

    series.series_refresh(indicator=alliance.restraint)

    # Refreshing replaces the stored result.
    assert SeriesResult.objects.get(organisation=result.organisation).assurance_icon == "fail"


STEP = [10 if i % 2 == 0 else 11 for i in range(13)] + [20 if i % 2 == 0 else 21 for i in range(13)]


def test_without_a_recalculation_a_step_change_is_a_shift(alliance):
    result = load(alliance, STEP)

    assert len(result.analysis["segments"]) == 1
    assert {"shift"} <= {rule for p in points_of(result) for rule in p["rules"]}


def test_an_annotation_that_recalculates_starts_a_new_segment(alliance):
    fourteenth = periods.add(START, "monthly", 13)
    Annotation.objects.create(
        indicator=alliance.restraint,
        period=fourteenth,
        text="New restraint policy",
        recalculate=True,
    )
    Annotation.objects.create(indicator=alliance.restraint, period=START, text="Note only")
    other = alliance.orgs["RT5"]
    Annotation.objects.create(
        indicator=alliance.restraint,
        organisation=other,
        period=periods.add(START, "monthly", 5),
        text="Another trust's change",
        recalculate=True,
    )

    result = load(alliance, STEP)

    first, second = result.analysis["segments"]
    assert (first["start"], first["points"], second["start"], second["points"]) == (
        "2023-01-01",
        13,
        fourteenth.isoformat(),
        13,
    )
    assert first["mean"] == pytest.approx(136 / 13)
    assert second["mean"] == pytest.approx(266 / 13)
    # Each segment's average moving range is 1, so the limits are the mean -/+ 2.66.
    assert first["upper_limit"] == pytest.approx(136 / 13 + 2.66)
    assert second["lower_limit"] == pytest.approx(266 / 13 - 2.66)
    assert {p["type"] for p in points_of(result)} == {"common_cause"}


def test_an_annotation_added_later_takes_effect_on_refresh(alliance):
    assert len(load(alliance, STEP).analysis["segments"]) == 1
    Annotation.objects.create(
        indicator=alliance.restraint,
        organisation=alliance.orgs["RXM"],
        period=periods.add(START, "monthly", 13),
        text="New policy",
        recalculate=True,
    )

    series.series_refresh(indicator=alliance.restraint, organisation_ids=[alliance.orgs["RXM"].pk])

    result = SeriesResult.objects.get(organisation=alliance.orgs["RXM"])
    assert len(result.analysis["segments"]) == 2


def test_a_gap_is_reported_and_no_limits_are_drawn_over_it(alliance):
    result = load(alliance, HAND_CHECKED, skip={4, 5})

    assert result.points == 18
    assert result.missing_periods == ["2023-05-01", "2023-06-01"]
    assert result.analysis["warnings"] == [
        "Missing periods: 2023-05-01, 2023-06-01. SPC is not shown until they are filled."
    ]
    assert (result.variation_icon, result.assurance_icon) == ("", "")


def test_only_the_series_an_import_touches_are_refreshed(alliance):
    load(alliance, HAND_CHECKED, org="RXM")
    load(alliance, HAND_CHECKED, org="RT5")
    untouched = SeriesResult.objects.get(organisation__ods_code="RT5")

    load(alliance, [*HAND_CHECKED[:-1], 12], org="RXM")

    assert (
        SeriesResult.objects.get(organisation__ods_code="RT5").computed_at == untouched.computed_at
    )
    assert SeriesResult.objects.get(organisation__ods_code="RXM").variation_icon == "common_cause"
