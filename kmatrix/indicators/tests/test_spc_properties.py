"""Properties the SPC engine must keep for any series, checked with hypothesis."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from kmatrix.indicators.spc import Direction, Preset, SpcResult, SpcSettings, analyse

# Whole numbers keep sums and means exact, so that only the limits carry rounding error.
values_strategy = st.lists(st.integers(-1000, 1000).map(float), min_size=13, max_size=80)
presets: st.SearchStrategy[Preset] = st.sampled_from(["mdc", "plotthedots"])
directions: st.SearchStrategy[Direction] = st.sampled_from(["increase", "decrease", "neutral"])


@st.composite
def series_and_settings(draw: st.DrawFn) -> tuple[list[float], SpcSettings]:
    values = draw(values_strategy)
    preset = draw(presets)
    direction = draw(directions)
    options: dict[str, Any] = {}
    if draw(st.booleans()):
        options["recalculate_at"] = (draw(st.integers(1, len(values) - 1)),)
    return values, SpcSettings(preset=preset, direction=direction, **options)


def lines_of(result: SpcResult) -> list[float]:
    return [
        line
        for s in result.segments
        for line in (s.lower_limit, s.lower_two_sigma, s.upper_two_sigma, s.upper_limit)
        if line is not None
    ]


@given(series_and_settings())
def test_limits_are_symmetric_about_the_mean(case: tuple[list[float], SpcSettings]) -> None:
    result = analyse(*case)
    for s in result.segments:
        if s.lower_limit is None or s.upper_limit is None:
            continue
        assert s.lower_two_sigma is not None
        assert s.upper_two_sigma is not None
        tolerance = 1e-9 * (1 + abs(s.mean) + s.upper_limit - s.lower_limit)
        assert math.isclose(s.upper_limit - s.mean, s.mean - s.lower_limit, abs_tol=tolerance)
        assert math.isclose(
            s.upper_two_sigma - s.mean, s.mean - s.lower_two_sigma, abs_tol=tolerance
        )
        assert s.lower_limit <= s.lower_two_sigma <= s.mean <= s.upper_two_sigma <= s.upper_limit


@given(series_and_settings(), st.integers(1, 50), st.integers(-10_000, 10_000))
def test_scaling_and_shifting_moves_the_lines_and_keeps_the_colours(
    case: tuple[list[float], SpcSettings], scale: int, shift: int
) -> None:
    values, settings = case
    before = analyse(values, settings)
    # A point within rounding error of a line may fall either side of it once transformed.
    assume(all(abs(y - line) > 1e-6 for y in values for line in lines_of(before)))
    after = analyse([scale * y + shift for y in values], settings)
    for old, new in zip(before.segments, after.segments, strict=True):
        assert math.isclose(new.mean, scale * old.mean + shift, rel_tol=1e-9, abs_tol=1e-6)
        if old.upper_limit is not None:
            assert new.upper_limit is not None
            assert math.isclose(
                new.upper_limit, scale * old.upper_limit + shift, rel_tol=1e-9, abs_tol=1e-6
            )
    assert after.colours == before.colours
    assert after.variation_icon == before.variation_icon


@given(series_and_settings())
def test_mirroring_the_values_and_the_direction_keeps_the_colours(
    case: tuple[list[float], SpcSettings],
) -> None:
    # Negating a float is exact, so the mirrored chart must match exactly, point for point.
    values, settings = case
    flipped: dict[str, Direction] = {
        "increase": "decrease",
        "decrease": "increase",
        "neutral": "neutral",
    }
    mirrored = SpcSettings(
        preset=settings.preset,
        direction=flipped[settings.direction],
        recalculate_at=settings.recalculate_at,
    )
    assert analyse([-y for y in values], mirrored).colours == analyse(values, settings).colours


@given(values_strategy, presets, st.booleans())
def test_reversing_the_direction_swaps_improvement_and_concern(
    values: list[float], preset: Preset, recalculate: bool
) -> None:
    recalculate_at = (len(values) // 2,) if recalculate else ()
    up = analyse(values, SpcSettings(preset=preset, recalculate_at=recalculate_at))
    down = analyse(
        values, SpcSettings(preset=preset, direction="decrease", recalculate_at=recalculate_at)
    )
    swapped = {"improvement": "concern", "concern": "improvement", "common_cause": "common_cause"}
    for a, b in zip(up.points, down.points, strict=True):
        if preset == "mdc" and a.conflict:
            # Under mdc improvement wins a conflict whichever way improvement points.
            assert a.type == b.type == "improvement"
        else:
            assert b.type == swapped[a.type]
            assert a.side == b.side


@given(
    st.integers(-1000, 1000).map(float),
    st.integers(1, 80),
    presets,
    directions,
)
def test_a_constant_series_has_no_special_cause(
    value: float, length: int, preset: Preset, direction: Direction
) -> None:
    result = analyse([value] * length, SpcSettings(preset=preset, direction=direction))
    assert set(result.types) == {"common_cause"}
    assert result.variation_icon in (None, "common_cause")


@given(series_and_settings())
def test_the_result_covers_every_point_once(case: tuple[list[float], SpcSettings]) -> None:
    values, settings = case
    result = analyse(values, settings)
    assert len(result.points) == len(result.signals) == len(values)
    assert [p.index for p in result.points] == list(range(len(values)))
    assert [p.value for p in result.points] == values
    assert sum(s.points for s in result.segments) == len(values)
    starts = [s.start for s in result.segments]
    assert starts == [0, *settings.recalculate_at]


@given(series_and_settings())
def test_colours_follow_types_and_neutral_charts_are_never_blue_or_orange(
    case: tuple[list[float], SpcSettings],
) -> None:
    values, settings = case
    result = analyse(values, settings)
    colour_of = {"common_cause": "grey", "improvement": "blue", "concern": "orange"}
    colour_of["neutral"] = "purple"
    assert all(p.colour == colour_of[p.type] for p in result.points)
    if settings.direction == "neutral":
        assert set(result.colours) <= {"grey", "purple"}
    if settings.preset == "plotthedots":
        assert all(len(p.rules) <= 1 for p in result.points)


@given(st.lists(st.integers(-1000, 1000).map(float), min_size=1, max_size=12), directions)
def test_mdc_never_signals_with_fewer_than_thirteen_points(
    values: list[float], direction: Direction
) -> None:
    result = analyse(values, SpcSettings(direction=direction, target=0))
    assert set(result.colours) == {"grey"}
    assert (result.variation_icon, result.assurance_icon) == (None, None)
    assert len(result.warnings) == 1
