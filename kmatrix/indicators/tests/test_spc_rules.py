"""Each special-cause rule and setting of the SPC engine, on series made by hand.

Most series start with BASELINE and fix the mean and limits on it, so that the points after it
are judged against known lines: mean 11, every moving range 2 (AMR 2), process limits
11 +/- 5.32 (5.68 to 16.32), two-sigma lines 11 +/- 3.547 (7.453 to 14.547). A point at 13 is
above the mean but not near a limit, 15 is near the upper limit, 17 beyond it.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

import pytest

from kmatrix.indicators.spc import (
    COLOUR_HEX,
    PointResult,
    SpcError,
    SpcResult,
    SpcSettings,
    analyse,
)

BASELINE = [12.0, 10.0] * 7
TAIL = len(BASELINE)  # index of the first point after the baseline


def after_baseline(tail: list[float], **settings: Any) -> SpcResult:
    return analyse(BASELINE + tail, SpcSettings(baseline=len(BASELINE), **settings))


def flagged(result: SpcResult) -> dict[int, tuple[str, ...]]:
    """Index -> rules, for every point showing special cause."""
    return {p.index: p.rules for p in result.points if p.type != "common_cause"}


def tail_colours(result: SpcResult) -> str:
    return "".join(colour[0] for colour in result.colours[TAIL:])


def test_the_baseline_fixture_has_the_lines_the_tests_assume() -> None:
    (segment,) = after_baseline([13.0]).segments
    assert segment.mean == 11
    assert segment.average_moving_range == 2
    assert segment.upper_limit == pytest.approx(16.32)
    assert segment.lower_limit == pytest.approx(5.68)
    assert segment.upper_two_sigma == pytest.approx(14.5467, abs=1e-4)
    assert segment.lower_two_sigma == pytest.approx(7.4533, abs=1e-4)


# --- shifts -----------------------------------------------------------------------------------


def test_six_points_above_the_mean_make_a_shift_under_mdc() -> None:
    result = after_baseline([13.0] * 6 + [10.0])
    assert flagged(result) == dict.fromkeys(range(TAIL, TAIL + 6), ("shift",))
    assert tail_colours(result) == "bbbbbbg"


def test_five_points_on_one_side_are_not_a_shift() -> None:
    assert flagged(after_baseline([13.0] * 5 + [10.0])) == {}


def test_a_run_length_of_seven_needs_seven_points_under_mdc() -> None:
    assert flagged(after_baseline([13.0] * 6 + [10.0], run_length=7)) == {}
    seven = after_baseline([13.0] * 7 + [10.0], run_length=7)
    assert set(flagged(seven)) == set(range(TAIL, TAIL + 7))


def test_plotthedots_needs_seven_points_for_a_shift() -> None:
    assert flagged(after_baseline([13.0] * 6 + [10.0], preset="plotthedots")) == {}
    seven = after_baseline([13.0] * 7 + [10.0], preset="plotthedots")
    assert set(flagged(seven)) == set(range(TAIL, TAIL + 7))


def test_a_point_exactly_on_the_mean_breaks_a_shift() -> None:
    result = after_baseline([13.0, 13.0, 13.0, 11.0, 13.0, 13.0, 13.0, 10.0])
    assert result.segments[0].mean == 11.0
    assert flagged(result) == {}


def test_a_shift_below_the_mean_is_a_concern_when_higher_is_better() -> None:
    result = after_baseline([12.0] + [9.0] * 6 + [12.0])
    assert tail_colours(result) == "goooooog"
    assert {result.points[i].side for i in flagged(result)} == {"low"}


def test_a_longer_run_is_flagged_whole() -> None:
    assert set(flagged(after_baseline([13.0] * 9 + [10.0]))) == set(range(TAIL, TAIL + 9))


# --- trends -----------------------------------------------------------------------------------


def test_six_rising_points_make_a_trend_even_across_the_mean() -> None:
    # 9 to 10.5 are below the mean and 11.5 and 12 above it: the trend ignores the mean.
    result = after_baseline([14.0, 9.0, 9.5, 10.0, 10.5, 11.5, 12.0, 11.0])
    assert flagged(result) == dict.fromkeys(range(TAIL + 1, TAIL + 7), ("trend",))
    assert tail_colours(result) == "gbbbbbbg"


def test_a_tie_breaks_a_trend() -> None:
    assert flagged(after_baseline([14.0, 9.0, 9.5, 10.0, 10.0, 10.5, 11.5, 12.0, 11.0])) == {}


def test_five_rising_points_are_not_a_trend() -> None:
    assert flagged(after_baseline([14.0, 9.0, 9.5, 10.5, 11.5, 12.0, 11.0])) == {}


def test_a_falling_trend_is_a_concern_when_higher_is_better() -> None:
    result = after_baseline([8.0, 13.0, 12.5, 12.0, 11.5, 10.5, 10.0, 11.0])
    assert flagged(result) == dict.fromkeys(range(TAIL + 1, TAIL + 7), ("trend",))
    assert tail_colours(result) == "goooooog"


# --- two of three -----------------------------------------------------------------------------


def test_two_of_three_points_near_the_upper_limit_are_flagged() -> None:
    result = after_baseline([15.0, 12.0, 15.0, 10.0])
    assert flagged(result) == {TAIL: ("two_of_three",), TAIL + 2: ("two_of_three",)}
    assert tail_colours(result) == "bgbg"


def test_two_of_three_near_the_lower_limit_is_a_concern() -> None:
    result = after_baseline([12.0, 7.0, 10.0, 7.0, 12.0])
    assert tail_colours(result) == "gogog"


def test_a_point_beyond_the_limit_does_not_count_as_near() -> None:
    beyond = after_baseline([15.0, 17.0, 12.0, 10.0])
    assert flagged(beyond) == {TAIL + 1: ("outside_limits",)}
    near = after_baseline([15.0, 16.0, 12.0, 10.0])
    assert flagged(near) == {TAIL: ("two_of_three",), TAIL + 1: ("two_of_three",)}


def test_two_of_three_needs_all_three_points_on_one_side_of_the_mean() -> None:
    assert flagged(after_baseline([15.0, 10.0, 15.0, 10.0])) == {}


def test_three_of_three_near_points_are_all_flagged() -> None:
    assert set(flagged(after_baseline([15.0, 15.5, 15.0, 10.0]))) == {TAIL, TAIL + 1, TAIL + 2}


# --- limits are strict ------------------------------------------------------------------------


def lines() -> tuple[float, float, float]:
    (segment,) = analyse(BASELINE).segments
    assert segment.lower_limit is not None
    assert segment.upper_limit is not None
    assert segment.upper_two_sigma is not None
    return segment.lower_limit, segment.upper_limit, segment.upper_two_sigma


def test_a_point_exactly_on_the_upper_limit_is_inside() -> None:
    _, upper, _ = lines()
    assert flagged(after_baseline([upper, 10.0])) == {}
    assert flagged(after_baseline([math.nextafter(upper, math.inf), 10.0])) == {
        TAIL: ("outside_limits",)
    }


def test_a_point_exactly_on_the_lower_limit_is_inside() -> None:
    lower, _, _ = lines()
    assert flagged(after_baseline([12.0, lower, 12.0])) == {}
    below = after_baseline([12.0, math.nextafter(lower, -math.inf), 12.0])
    assert flagged(below) == {TAIL + 1: ("outside_limits",)}


def test_a_point_exactly_on_a_two_sigma_line_is_not_near() -> None:
    _, _, two_sigma = lines()
    assert flagged(after_baseline([two_sigma, 12.0, two_sigma, 10.0])) == {}
    beyond = math.nextafter(two_sigma, math.inf)
    assert set(flagged(after_baseline([beyond, 12.0, beyond, 10.0]))) == {TAIL, TAIL + 2}


# --- too few points ---------------------------------------------------------------------------


def test_too_few_points_under_mdc_shows_the_mean_only() -> None:
    values = [10.0, 12.0] * 5 + [10.0, 100.0]
    result = analyse(values, SpcSettings(target=5))
    (segment,) = result.segments
    assert segment.mean == pytest.approx(sum(values) / 12)
    assert (segment.lower_limit, segment.upper_limit, segment.upper_two_sigma) == (None,) * 3
    assert set(result.colours) == {"grey"}
    assert (result.variation_icon, result.assurance_icon) == (None, None)
    assert result.warnings == ("Too few points (12) for SPC limits: at least 13 are needed.",)


def test_thirteen_points_are_enough_under_mdc() -> None:
    result = analyse([10.0, 12.0] * 6 + [11.0])
    assert result.segments[0].has_limits
    assert result.variation_icon == "common_cause"
    assert result.warnings == ()


def test_plotthedots_computes_trial_limits_for_few_points() -> None:
    result = analyse([10.0, 12.0] * 5 + [10.0, 20.0], SpcSettings(preset="plotthedots"))
    assert result.segments[0].has_limits
    assert flagged(result) == {11: ("outside_limits",)}
    assert result.warnings == (
        "Trial limits: only 12 points, fewer than 13; the limits will change as more points "
        "are added.",
    )


def test_a_short_recalculated_segment_under_mdc_has_no_limits_and_breaks_runs() -> None:
    values = [10.0, 12.0] * 8 + [30.0, 30.0, 30.0, 30.0, 30.0]
    result = analyse(values, SpcSettings(recalculate_at=(16,)))
    first, second = result.segments
    assert first.has_limits
    assert not second.has_limits
    assert second.mean == 30
    assert set(result.colours) == {"grey"}
    assert result.variation_icon is None
    assert result.warnings == (
        "Too few points (5) in segment 2 for SPC limits: at least 13 are needed.",
    )


def test_a_single_point_segment_has_no_limits_under_plotthedots() -> None:
    values = [10.0, 12.0] * 8 + [30.0]
    result = analyse(values, SpcSettings(preset="plotthedots", recalculate_at=(16,)))
    assert not result.segments[1].has_limits
    assert result.variation_icon is None
    assert result.warnings == (
        "Only one point in segment 2: limits need at least two points to measure variation.",
    )


# --- moving-range screening -------------------------------------------------------------------

# Moving ranges: 29 of 1, then 6 (1 to 7) and 100 (7 to 107). The average of all 31 is 135/31 =
# 4.35, so the screen (3.267 x 4.35 = 14.2) drops only the 100. Screened again, 6 would go too
# (3.267 x 35/30 = 3.8), but the screen runs once.
SCREENED = [0.0, 1.0] * 15 + [7.0, 107.0]


def test_plotthedots_drops_unusually_large_moving_ranges_once() -> None:
    (segment,) = analyse(SCREENED, SpcSettings(preset="plotthedots")).segments
    assert segment.average_moving_range == pytest.approx(35 / 30)


def test_screening_leaves_the_mean_alone() -> None:
    (segment,) = analyse(SCREENED, SpcSettings(preset="plotthedots")).segments
    assert segment.mean == pytest.approx(sum(SCREENED) / len(SCREENED))


def test_mdc_does_not_screen_unless_asked() -> None:
    (plain,) = analyse(SCREENED).segments
    assert plain.average_moving_range == pytest.approx(135 / 31)
    (screened,) = analyse(SCREENED, SpcSettings(screen_outliers=True)).segments
    assert screened.average_moving_range == pytest.approx(35 / 30)


def test_plotthedots_can_turn_screening_off() -> None:
    (segment,) = analyse(
        SCREENED, SpcSettings(preset="plotthedots", screen_outliers=False)
    ).segments
    assert segment.average_moving_range == pytest.approx(135 / 31)


# --- one label per point under plotthedots ----------------------------------------------------


def test_plotthedots_prefers_outside_limits_to_a_shift() -> None:
    tail = [13.0, 13.0, 13.0, 17.0, 13.0, 13.0, 13.0, 10.0]
    ptd = flagged(after_baseline(tail, preset="plotthedots"))
    assert ptd[TAIL + 3] == ("outside_limits",)
    assert ptd[TAIL] == ("shift",)
    mdc = flagged(after_baseline(tail, run_length=7))
    assert mdc[TAIL + 3] == ("outside_limits", "shift")


def test_plotthedots_prefers_a_trend_to_a_shift() -> None:
    # The baseline's last point (10) starts the rise; the seven points after it are above 11.
    tail = [11.5, 12.0, 12.5, 13.0, 13.5, 14.0, 14.2, 10.0]
    ptd = flagged(after_baseline(tail, preset="plotthedots"))
    assert ptd == dict.fromkeys(range(TAIL - 1, TAIL + 7), ("trend",))
    mdc = flagged(after_baseline(tail, run_length=7))
    assert mdc[TAIL] == ("shift", "trend")


def test_plotthedots_prefers_two_of_three_to_a_shift() -> None:
    tail = [13.0, 15.0, 13.0, 15.0, 13.0, 13.0, 13.0, 10.0]
    ptd = flagged(after_baseline(tail, preset="plotthedots"))
    assert ptd[TAIL + 1] == ptd[TAIL + 3] == ("two_of_three",)
    assert ptd[TAIL] == ("shift",)
    assert flagged(after_baseline(tail, run_length=7))[TAIL + 1] == ("shift", "two_of_three")


def test_plotthedots_prefers_outside_to_trend_and_trend_to_two_of_three() -> None:
    # A rise from 10 to 17: 15 and 16 are near the limit (two of three), 17 is beyond it.
    tail = [11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0]
    ptd = flagged(after_baseline(tail, preset="plotthedots"))
    assert ptd[TAIL + 6] == ("outside_limits",)
    assert ptd[TAIL + 4] == ptd[TAIL + 5] == ("trend",)
    mdc = flagged(after_baseline(tail))
    assert mdc[TAIL + 5] == ("shift", "trend", "two_of_three")
    assert mdc[TAIL + 6] == ("outside_limits", "shift", "trend")


def test_plotthedots_labels_a_turning_point_with_the_trend_that_starts_there() -> None:
    fall = [14.0, 13.5, 13.0, 12.0, 11.5, 10.5, 9.5]
    rise = [10.0, 10.8, 11.6, 12.4, 13.2, 14.0]
    trough = TAIL + 6
    ptd = after_baseline([*fall, *rise, 11.0], preset="plotthedots")
    assert (ptd.points[trough].type, ptd.points[trough].side) == ("improvement", "high")
    assert ptd.points[trough - 1].type == "concern"
    mdc = after_baseline([*fall, *rise, 11.0])
    assert (mdc.points[trough].type, mdc.points[trough].conflict) == ("improvement", True)


# --- conflicts --------------------------------------------------------------------------------

# Seven falling points (a concern when higher is better) all above the mean (an improvement),
# then one more above the mean.
CONFLICT = [14.0, 13.8, 13.6, 13.4, 13.2, 13.0, 12.8, 13.5, 10.0]


def test_improvement_wins_a_conflict_under_mdc() -> None:
    result = after_baseline(CONFLICT)
    point = result.points[TAIL]
    assert (point.type, point.rules, point.side, point.conflict) == (
        "improvement",
        ("shift",),
        "high",
        True,
    )
    assert tail_colours(result) == "bbbbbbbbg"


def test_improvement_wins_for_a_falling_trend_when_lower_is_better() -> None:
    result = after_baseline(CONFLICT, direction="decrease")
    assert (result.points[TAIL].type, result.points[TAIL].rules) == ("improvement", ("trend",))
    assert tail_colours(result) == "bbbbbbbog"


def test_plotthedots_settles_a_conflict_by_precedence_not_by_improvement() -> None:
    result = after_baseline(CONFLICT, preset="plotthedots")
    assert (result.points[TAIL].type, result.points[TAIL].rules) == ("concern", ("trend",))
    assert result.points[TAIL].conflict
    assert tail_colours(result) == "ooooooobg"


def test_a_neutral_direction_colours_every_signal_purple() -> None:
    result = after_baseline([13.0] * 6, direction="neutral", target=5)
    assert tail_colours(result) == "pppppp"
    assert {p.type for p in result.points[TAIL:]} == {"neutral"}
    assert result.variation_icon == "neutral_high"
    assert result.assurance_icon is None


def test_a_neutral_conflict_shows_the_high_signal() -> None:
    result = after_baseline(CONFLICT, direction="neutral")
    assert (result.points[TAIL].side, result.points[TAIL].rules) == ("high", ("shift",))


# --- recalculation ----------------------------------------------------------------------------

# Four points below the first segment's mean, then three below the second's: seven in all.
SHIFT_ACROSS = [12.0, 10.0] * 5 + [12.0, 9.0, 9.0, 9.0, 9.0] + [20.0] * 3 + [24.0, 22.0] * 5
# A rise of seven points, 8 to 14, with the recalculation at 12.
TREND_ACROSS = (
    [12.0, 10.0] * 5 + [12.0, 8.0, 9.0, 10.0, 11.0] + [12.0, 13.0, 14.0] + [10.0, 12.0] * 5
)


@pytest.mark.parametrize("values", [SHIFT_ACROSS, TREND_ACROSS], ids=["shift", "trend"])
def test_mdc_rules_run_across_a_recalculation(values: list[float]) -> None:
    result = analyse(values, SpcSettings(run_length=7, recalculate_at=(15,)))
    assert len(result.segments) == 2
    assert set(flagged(result)) == set(range(11, 18))


@pytest.mark.parametrize("values", [SHIFT_ACROSS, TREND_ACROSS], ids=["shift", "trend"])
def test_plotthedots_rules_stop_at_a_recalculation(values: list[float]) -> None:
    result = analyse(values, SpcSettings(preset="plotthedots", recalculate_at=(15,)))
    assert flagged(result) == {}


def test_each_point_is_judged_against_its_own_segments_mean() -> None:
    result = analyse(SHIFT_ACROSS, SpcSettings(recalculate_at=(15,)))
    first, second = result.segments
    assert (first.start, first.points, second.start, second.points) == (0, 15, 15, 13)
    assert first.mean < 12 < 20 < second.mean
    assert {result.points[i].side for i in range(11, 18)} == {"low"}


# --- baselines --------------------------------------------------------------------------------


def test_an_mdc_baseline_overrides_recalculation() -> None:
    values = [*BASELINE, *[13.0] * 6, *[10.0, 12.0] * 5]
    result = analyse(values, SpcSettings(baseline=14, recalculate_at=(20,)))
    (segment,) = result.segments
    assert (segment.start, segment.points, segment.calculation_points) == (0, 30, 14)
    assert segment.mean == 11
    assert set(flagged(result)) == set(range(14, 20))
    assert result.warnings == (
        "The recalculation points are ignored: with the mdc preset a baseline takes precedence "
        "over recalculation.",
    )


def test_a_plotthedots_baseline_applies_within_each_segment() -> None:
    first = [10.0, 12.0] * 6 + [30.0] * 8
    second = [50.0, 54.0] * 6 + [90.0] * 8
    result = analyse(
        first + second, SpcSettings(preset="plotthedots", baseline=12, recalculate_at=(20,))
    )
    assert [(s.start, s.points, s.calculation_points) for s in result.segments] == [
        (0, 20, 12),
        (20, 20, 12),
    ]
    assert [s.mean for s in result.segments] == [11, 52]
    assert [s.average_moving_range for s in result.segments] == [2, 4]


def test_an_mdc_baseline_shorter_than_thirteen_points_gives_no_limits() -> None:
    result = analyse([10.0, 12.0] * 10, SpcSettings(baseline=10))
    assert not result.segments[0].has_limits
    assert result.warnings == (
        "Too few points (10) in the baseline for SPC limits: at least 13 are needed.",
    )


# --- assurance --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "direction", "line", "icon"),
    [
        ("mdc", "increase", "lower", "pass"),
        ("mdc", "increase", "upper", "fail"),
        ("mdc", "decrease", "upper", "pass"),
        ("mdc", "decrease", "lower", "fail"),
        ("plotthedots", "increase", "lower", "hit_or_miss"),
        ("plotthedots", "increase", "upper", "hit_or_miss"),
        ("plotthedots", "decrease", "upper", "hit_or_miss"),
        ("plotthedots", "decrease", "lower", "hit_or_miss"),
    ],
)
def test_a_target_exactly_on_a_limit(preset: str, direction: str, line: str, icon: str) -> None:
    lower, upper, _ = lines()
    target = lower if line == "lower" else upper
    result = after_baseline([13.0], preset=preset, direction=direction, target=target)
    assert result.assurance_icon == icon


@pytest.mark.parametrize(
    ("preset", "target", "icon"),
    [("mdc", 5.0, "pass"), ("mdc", 11.0, "hit_or_miss"), ("plotthedots", 20.0, "fail")],
)
def test_a_target_clear_of_the_limits(preset: str, target: float, icon: str) -> None:
    assert after_baseline([13.0], preset=preset, target=target).assurance_icon == icon


def test_assurance_uses_the_latest_segment() -> None:
    values = [10.0, 12.0] * 8 + [30.0, 32.0] * 8
    result = analyse(values, SpcSettings(recalculate_at=(16,), target=20))
    assert result.assurance_icon == "pass"


# --- results ----------------------------------------------------------------------------------


def test_points_carry_their_index_value_and_signal() -> None:
    result = after_baseline([17.0])
    assert result.points[TAIL] == PointResult(
        index=TAIL,
        value=17.0,
        type="improvement",
        rules=("outside_limits",),
        colour="blue",
        side="high",
        conflict=False,
    )
    assert COLOUR_HEX[result.points[TAIL].colour] == "#00B0F0"
    assert result.variation_icon == "improvement_high"


def test_a_constant_series_is_all_common_cause() -> None:
    for preset in ("mdc", "plotthedots"):
        result = analyse([5.0] * 20, SpcSettings(preset=preset))
        (segment,) = result.segments
        assert segment.lower_limit == segment.mean == segment.upper_limit == 5
        assert set(result.types) == {"common_cause"}


def test_preset_defaults_are_exposed() -> None:
    assert SpcSettings.preset_defaults("mdc").run_length == 6
    assert SpcSettings.preset_defaults("plotthedots").run_length == 7
    assert SpcSettings(preset="plotthedots").effective_screen_outliers is True
    assert SpcSettings().effective_screen_outliers is False
    assert SpcSettings(run_length=7).effective_run_length == 7


def test_settings_accept_decimals_and_unsorted_indexes() -> None:
    settings = SpcSettings(target=Decimal("12.5"), recalculate_at=(30, 15))  # type: ignore[arg-type]
    assert settings.target == 12.5
    assert settings.recalculate_at == (15, 30)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "There are no values to analyse."),
        ([1.0, math.nan, 2.0], "Value 1 is nan: every value must be a finite number."),
        ([1.0, math.inf], "Value 1 is inf: every value must be a finite number."),
        ([1.0, None], "Every value must be a number"),
        ([1.0, "many"], "Every value must be a number"),
        ([1e308, 1e308], "The values are too large to add up"),
    ],
)
def test_bad_values_are_refused(values: list[Any], message: str) -> None:
    with pytest.raises(SpcError, match=_literal(message)):
        analyse(values)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"preset": "shewhart"}, "Unknown preset 'shewhart': use 'mdc' or 'plotthedots'."),
        ({"direction": "up"}, "Unknown direction 'up': use 'increase', 'decrease' or 'neutral'."),
        ({"run_length": 5}, "A run length of 5 is not allowed for the mdc preset: use 6 or 7."),
        (
            {"preset": "plotthedots", "run_length": 6},
            "A run length of 6 is not allowed for the plotthedots preset: use 7.",
        ),
        ({"baseline": 0}, "A baseline needs at least 1 point, not 0."),
        ({"baseline": 2.5}, "A baseline must be a whole number, not 2.5."),
        (
            {"preset": "plotthedots", "baseline": 11},
            "A plotthedots baseline needs at least 12 points, not 11.",
        ),
        (
            {"recalculate_at": (0,)},
            "Recalculation index 0 is not allowed: the first point already starts a segment.",
        ),
        ({"recalculate_at": (-2,)}, "Recalculation index -2 is out of range: indexes start at 1."),
        ({"recalculate_at": (5, 5)}, "Recalculation indexes must not repeat: (5, 5)."),
        ({"recalculate_at": 15}, "Recalculation indexes must be a tuple of whole numbers"),
        ({"recalculate_at": (None,)}, "A recalculation index must be a whole number, not None."),
        ({"target": math.nan}, "The target must be a finite number, not nan."),
        ({"target": "high"}, "The target must be a finite number, not 'high'."),
    ],
)
def test_bad_settings_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(SpcError, match=_literal(message)):
        SpcSettings(**options)


def test_a_baseline_longer_than_the_series_is_refused() -> None:
    with pytest.raises(SpcError, match=_literal("A baseline of 20 points is longer than")):
        analyse([1.0] * 15, SpcSettings(baseline=20))


def test_a_recalculation_past_the_end_is_refused() -> None:
    message = "Recalculation index 15 is out of range for a series of 15 points: use 1 to 14."
    with pytest.raises(SpcError, match=_literal(message)):
        analyse([1.0] * 15, SpcSettings(recalculate_at=(15,)))


def test_spc_errors_are_value_errors() -> None:
    assert issubclass(SpcError, ValueError)


def _literal(message: str) -> str:
    """A pattern matching messages that start with ``message``."""
    return "^" + re.escape(message)
