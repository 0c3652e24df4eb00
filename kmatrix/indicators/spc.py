"""Statistical process control (SPC) engine: XmR charts the NHS way.

The contract is ``SPC.md`` in the shared project folder; ``README.md`` beside this module records
the decisions that page leaves open. Pure Python on purpose: no Django, no numpy, so that it can be
run on thousands of series in a worker and tested on its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Final, Literal, get_args

Preset = Literal["mdc", "plotthedots"]
Direction = Literal["increase", "decrease", "neutral"]
PointType = Literal["common_cause", "improvement", "concern", "neutral"]
Colour = Literal["grey", "blue", "orange", "purple"]
Side = Literal["high", "low"]
Rule = Literal["outside_limits", "shift", "trend", "two_of_three"]
AssuranceIcon = Literal["pass", "fail", "hit_or_miss"]
VariationIcon = Literal[
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
]

COLOUR_HEX: Final[dict[Colour, str]] = {
    "blue": "#00B0F0",
    "orange": "#E46C0A",
    "purple": "#490092",
    "grey": "#A6A6A6",
}
TYPE_COLOUR: Final[dict[PointType, Colour]] = {
    "common_cause": "grey",
    "improvement": "blue",
    "concern": "orange",
    "neutral": "purple",
}

LIMIT_FACTOR: Final = 2.66
TWO_SIGMA_FACTOR: Final = LIMIT_FACTOR * 2 / 3
SCREENING_FACTOR: Final = 3.267
MINIMUM_POINTS: Final = 13
PLOTTHEDOTS_MINIMUM_BASELINE: Final = 12

RULES: Final[tuple[Rule, ...]] = ("outside_limits", "shift", "trend", "two_of_three")
# plotthedots gives each point one label; this is its order of precedence.
PLOTTHEDOTS_PRECEDENCE: Final[tuple[Rule, ...]] = ("outside_limits", "trend", "two_of_three", "shift")


class SpcError(ValueError):
    """Input the engine cannot analyse honestly; the message says what to fix."""


@dataclass(frozen=True)
class PresetDefaults:
    run_length: int
    allowed_run_lengths: tuple[int, ...]
    screen_outliers: bool


PRESETS: Final[dict[Preset, PresetDefaults]] = {
    "mdc": PresetDefaults(run_length=6, allowed_run_lengths=(6, 7), screen_outliers=False),
    "plotthedots": PresetDefaults(run_length=7, allowed_run_lengths=(7,), screen_outliers=True),
}


@dataclass(frozen=True)
class SpcSettings:
    preset: Preset = "mdc"
    direction: Direction = "increase"
    target: float | None = None
    run_length: int | None = None
    screen_outliers: bool | None = None
    baseline: int | None = None
    recalculate_at: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        _check_settings(self)
        # Order does not matter to callers, but it does to segmenting: store it sorted.
        object.__setattr__(self, "recalculate_at", tuple(sorted(self.recalculate_at)))

    @classmethod
    def preset_defaults(cls, preset: Preset) -> PresetDefaults:
        if preset not in PRESETS:
            raise SpcError(f"Unknown preset {preset!r}: use 'mdc' or 'plotthedots'.")
        return PRESETS[preset]

    @property
    def effective_run_length(self) -> int:
        return self.run_length or PRESETS[self.preset].run_length

    @property
    def effective_screen_outliers(self) -> bool:
        if self.screen_outliers is None:
            return PRESETS[self.preset].screen_outliers
        return self.screen_outliers


@dataclass(frozen=True)
class Segment:
    """One stretch of points sharing a mean and limits (``None`` where limits cannot be shown)."""

    start: int
    points: int
    mean: float
    lower_limit: float | None
    upper_limit: float | None
    lower_two_sigma: float | None
    upper_two_sigma: float | None
    average_moving_range: float | None
    calculation_points: int

    @property
    def has_limits(self) -> bool:
        return self.upper_limit is not None


@dataclass(frozen=True)
class PointSignal:
    """What a point shows; shared between points, since only a few hundred combinations exist."""

    type: PointType
    side: Side | None
    rules: tuple[Rule, ...]
    colour: Colour
    conflict: bool


@dataclass(frozen=True)
class PointResult:
    index: int
    value: float
    type: PointType
    rules: tuple[Rule, ...]
    colour: Colour
    side: Side | None
    conflict: bool


@dataclass(frozen=True)
class SpcResult:
    segments: tuple[Segment, ...]
    values: tuple[float, ...]
    signals: tuple[PointSignal, ...]
    variation_icon: VariationIcon | None
    assurance_icon: AssuranceIcon | None
    warnings: tuple[str, ...]

    @cached_property
    def points(self) -> tuple[PointResult, ...]:
        # Built on first use: a frozen object per point would dominate the cost of a bulk run
        # that only needs the icons or the colours.
        return tuple(
            PointResult(i, y, s.type, s.rules, s.colour, s.side, s.conflict)
            for i, (y, s) in enumerate(zip(self.values, self.signals, strict=True))
        )

    @property
    def colours(self) -> tuple[Colour, ...]:
        return tuple(s.colour for s in self.signals)

    @property
    def types(self) -> tuple[PointType, ...]:
        return tuple(s.type for s in self.signals)


# Bits of a point's signal mask: one per rule and side.
OUTSIDE_HIGH, SHIFT_HIGH, TREND_HIGH, TWO_HIGH = 1, 2, 4, 8
OUTSIDE_LOW, SHIFT_LOW, TREND_LOW, TWO_LOW = 16, 32, 64, 128
HIGH_BITS: Final = dict(zip(RULES, (OUTSIDE_HIGH, SHIFT_HIGH, TREND_HIGH, TWO_HIGH), strict=True))
LOW_BITS: Final = dict(zip(RULES, (OUTSIDE_LOW, SHIFT_LOW, TREND_LOW, TWO_LOW), strict=True))
BOTH_TRENDS: Final = TREND_HIGH | TREND_LOW

# A point's zone: 0 on the mean (or no limits), 1 beyond the mean, 2 near a limit (beyond the
# two-sigma line), 3 beyond the process limit; negative below the mean.
OUTSIDE_BITS_BY_ZONE: Final = (OUTSIDE_LOW, 0, 0, 0, 0, 0, OUTSIDE_HIGH)


# --- validation -------------------------------------------------------------------------------


def _check_settings(settings: SpcSettings) -> None:
    defaults = SpcSettings.preset_defaults(settings.preset)
    if settings.direction not in get_args(Direction):
        raise SpcError(
            f"Unknown direction {settings.direction!r}: use 'increase', 'decrease' or 'neutral'."
        )
    if settings.run_length is not None and settings.run_length not in defaults.allowed_run_lengths:
        allowed = " or ".join(str(n) for n in defaults.allowed_run_lengths)
        raise SpcError(
            f"A run length of {settings.run_length} is not allowed for the {settings.preset} "
            f"preset: use {allowed}."
        )
    if settings.target is not None and not _is_finite_number(settings.target):
        raise SpcError(f"The target must be a finite number, not {settings.target!r}.")
    _check_baseline(settings)
    _check_recalculations(settings.recalculate_at)


def _check_baseline(settings: SpcSettings) -> None:
    baseline = settings.baseline
    if baseline is None:
        return
    if not _is_whole_number(baseline) or baseline < 1:
        raise SpcError(f"A baseline must be a whole number of points, at least 1, not {baseline!r}.")
    if settings.preset == "plotthedots" and baseline < PLOTTHEDOTS_MINIMUM_BASELINE:
        raise SpcError(
            f"A plotthedots baseline needs at least {PLOTTHEDOTS_MINIMUM_BASELINE} points, "
            f"not {baseline}."
        )


def _check_recalculations(indexes: tuple[int, ...]) -> None:
    for index in indexes:
        if not _is_whole_number(index) or index < 0:
            raise SpcError(f"Recalculation index {index!r} must be a whole number from 1.")
        if index == 0:
            raise SpcError(
                "Recalculation index 0 is not allowed: the first point already starts a segment."
            )
    if len(set(indexes)) != len(indexes):
        raise SpcError(f"Recalculation indexes must not repeat: {indexes!r}.")


def _check_settings_fit(settings: SpcSettings, count: int) -> None:
    if settings.baseline is not None and settings.baseline > count:
        raise SpcError(
            f"A baseline of {settings.baseline} points is longer than the series ({count} points)."
        )
    if settings.recalculate_at and settings.recalculate_at[-1] >= count:
        raise SpcError(
            f"Recalculation index {settings.recalculate_at[-1]} is out of range for a series of "
            f"{count} points: use 1 to {count - 1}."
        )


def _checked_values(values: Sequence[float]) -> list[float]:
    try:
        ys = [float(v) for v in values]
    except (TypeError, ValueError) as error:
        raise SpcError(f"Every value must be a number: {error}.") from None
    if not ys:
        raise SpcError("There are no values to analyse.")
    # One sum checks every value at once; only look for the culprit when it fails.
    if not math.isfinite(sum(ys)):
        for index, y in enumerate(ys):
            if not math.isfinite(y):
                raise SpcError(f"Value {index} is {y}: every value must be a finite number.")
        raise SpcError("The values are too large to add up: rescale them before analysis.")
    return ys


def _is_finite_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- segments and limits ----------------------------------------------------------------------


def _segments(ys: list[float], settings: SpcSettings, warnings: list[str]) -> list[Segment]:
    plan = _segment_plan(len(ys), settings, warnings)
    screen = settings.effective_screen_outliers
    segments = []
    for number, (start, end, calc_end) in enumerate(plan, start=1):
        segment = _segment(ys, start, end, calc_end, screen)
        label = _segment_label(number, len(plan), calc_end < end)
        segment = _apply_minimum(segment, settings.preset, label, warnings)
        segments.append(segment)
    return segments


def _segment_plan(
    count: int, settings: SpcSettings, warnings: list[str]
) -> list[tuple[int, int, int]]:
    """(start, end, end of the points the limits come from) for each segment."""
    baseline = settings.baseline
    if settings.preset == "mdc" and baseline is not None:
        if settings.recalculate_at:
            warnings.append(
                "The recalculation points are ignored: with the mdc preset a baseline takes "
                "precedence over recalculation."
            )
        return [(0, count, baseline)]
    starts = [0, *settings.recalculate_at]
    ends = [*settings.recalculate_at, count]
    return [
        (start, end, end if baseline is None else min(end, start + baseline))
        for start, end in zip(starts, ends, strict=True)
    ]


def _segment(ys: list[float], start: int, end: int, calc_end: int, screen: bool) -> Segment:
    calc = ys[start:calc_end]
    mean = sum(calc) / len(calc)
    amr = _average_moving_range(calc, screen)
    if amr is None:
        return Segment(start, end - start, mean, None, None, None, None, None, len(calc))
    spread, near = LIMIT_FACTOR * amr, TWO_SIGMA_FACTOR * amr
    return Segment(
        start,
        end - start,
        mean,
        lower_limit=mean - spread,
        upper_limit=mean + spread,
        lower_two_sigma=mean - near,
        upper_two_sigma=mean + near,
        average_moving_range=amr,
        calculation_points=len(calc),
    )


def _average_moving_range(calc: list[float], screen: bool) -> float | None:
    if len(calc) < 2:
        return None
    ranges = [abs(b - a) for a, b in zip(calc, calc[1:])]  # noqa: RUF007 - faster than pairwise here
    amr = sum(ranges) / len(ranges)
    # With an average of zero every range is "unusually large" by the letter of the screen, which
    # would leave nothing to average; a flat series has no outlying range to drop.
    if screen and amr > 0:
        cutoff = SCREENING_FACTOR * amr
        kept = [r for r in ranges if r < cutoff]
        amr = sum(kept) / len(kept)
    return amr


def _segment_label(number: int, total: int, has_baseline: bool) -> str:
    if has_baseline:
        return "in the baseline" if total == 1 else f"in the baseline of segment {number}"
    return "" if total == 1 else f"in segment {number}"


def _apply_minimum(segment: Segment, preset: Preset, label: str, warnings: list[str]) -> Segment:
    where = f" {label}" if label else ""
    if preset == "mdc" and segment.calculation_points < MINIMUM_POINTS:
        warnings.append(
            f"Too few points ({segment.calculation_points}){where} for SPC limits: "
            f"at least {MINIMUM_POINTS} are needed."
        )
        return _without_limits(segment)
    if segment.calculation_points < 2:
        warnings.append(f"Only one point{where}: limits need at least two points to measure variation.")
        return segment
    if preset == "plotthedots" and segment.points < MINIMUM_POINTS:
        warnings.append(
            f"Trial limits{where}: only {segment.points} points, fewer than {MINIMUM_POINTS}; "
            "the limits will change as more points are added."
        )
    return segment


def _without_limits(segment: Segment) -> Segment:
    return Segment(
        segment.start,
        segment.points,
        segment.mean,
        lower_limit=None,
        upper_limit=None,
        lower_two_sigma=None,
        upper_two_sigma=None,
        average_moving_range=None,
        calculation_points=segment.calculation_points,
    )


# --- rules ------------------------------------------------------------------------------------


def _outside_masks(ys: list[float], segments: list[Segment]) -> tuple[list[int], list[int]]:
    """Each point's zone, and a signal mask holding the single-point rule so far."""
    zones: list[int] = []
    for segment in segments:
        chunk = ys[segment.start : segment.start + segment.points]
        zones.extend(_zones(chunk, segment) if segment.has_limits else [0] * len(chunk))
    return [OUTSIDE_BITS_BY_ZONE[z + 3] for z in zones], zones


def _zones(chunk: list[float], segment: Segment) -> list[int]:
    mean = segment.mean
    lower, upper = segment.lower_limit, segment.upper_limit
    lower_near, upper_near = segment.lower_two_sigma, segment.upper_two_sigma
    assert lower is not None and upper is not None
    assert lower_near is not None and upper_near is not None
    # Strict comparisons throughout: a point on a line is on the inner side of it.
    zones = []
    for y in chunk:
        if y > mean:
            zones.append(3 if y > upper else 2 if y > upper_near else 1)
        elif y < mean:
            zones.append(-3 if y < lower else -2 if y < lower_near else -1)
        else:
            zones.append(0)
    return zones


def _rule_stretches(segments: list[Segment], preset: Preset) -> list[tuple[int, int]]:
    """Stretches of points that multi-point rules may run through.

    Under mdc the rules run on across a recalculation (each point judged against its own
    segment's lines); under plotthedots each segment stands alone. Points without limits never
    take part, so they also break any run.
    """
    stretches: list[tuple[int, int]] = []
    for segment in segments:
        if not segment.has_limits:
            continue
        end = segment.start + segment.points
        if preset == "mdc" and stretches and stretches[-1][1] == segment.start:
            stretches[-1] = (stretches[-1][0], end)
        else:
            stretches.append((segment.start, end))
    return stretches


def _flag(masks: list[int], start: int, end: int, bit: int) -> None:
    for i in range(start, end):
        masks[i] |= bit


def _flag_shifts(zones: list[int], start: int, end: int, length: int, masks: list[int]) -> None:
    run_start, run_sign = start, 0
    for i in range(start, end):
        z = zones[i]
        sign = (z > 0) - (z < 0)
        if sign != run_sign:
            if run_sign and i - run_start >= length:
                _flag(masks, run_start, i, SHIFT_HIGH if run_sign > 0 else SHIFT_LOW)
            run_start, run_sign = i, sign
    if run_sign and end - run_start >= length:
        _flag(masks, run_start, end, SHIFT_HIGH if run_sign > 0 else SHIFT_LOW)


def _flag_trends(ys: list[float], start: int, end: int, length: int, masks: list[int]) -> None:
    # A run is the points from run_start up to the point before the step that ends it.
    run_start, run_step = start, 0
    for i in range(start + 1, end):
        step = (ys[i] > ys[i - 1]) - (ys[i] < ys[i - 1])
        if step != run_step:
            if run_step and i - run_start >= length:
                _flag(masks, run_start, i, TREND_HIGH if run_step > 0 else TREND_LOW)
            run_start, run_step = i - 1, step
    if run_step and end - run_start >= length:
        _flag(masks, run_start, end, TREND_HIGH if run_step > 0 else TREND_LOW)


def _flag_two_of_three(zones: list[int], start: int, end: int, masks: list[int]) -> None:
    # Points near a limit are rare, so work from pairs of them rather than from every window: a
    # window flags its near points exactly when it holds two that are near the same limit.
    near = [i for i in range(start, end) if zones[i] == 2 or zones[i] == -2]
    for a, b in zip(near, near[1:]):  # noqa: RUF007 - pairs of neighbours, as pairwise would give
        if b - a > 2 or zones[a] != zones[b]:
            continue
        if any(_same_side(zones, w) for w in range(max(start, b - 2), min(a, end - 3) + 1)):
            bit = TWO_HIGH if zones[a] > 0 else TWO_LOW
            masks[a] |= bit
            masks[b] |= bit


def _same_side(zones: list[int], first: int) -> bool:
    """Whether three points from ``first`` are all above, or all below, their means."""
    a, b, c = zones[first : first + 3]
    return (a > 0 and b > 0 and c > 0) or (a < 0 and b < 0 and c < 0)


def _keep_later_trend_at_junctions(ys: list[float], masks: list[int]) -> None:
    # Where a trend turns, the turning point ends one trend and starts the next; plotthedots
    # labels it with the trend that starts there.
    for i, mask in enumerate(masks):
        if (mask & BOTH_TRENDS) == BOTH_TRENDS:
            masks[i] = mask & ~(TREND_LOW if ys[i + 1] > ys[i] else TREND_HIGH)


# --- labelling and icons ----------------------------------------------------------------------


@cache
def _signal_table(preset: Preset, direction: Direction) -> tuple[PointSignal, ...]:
    """The signal for every possible mask, so that labelling a point is one lookup."""
    return tuple(_signal(mask, preset, direction) for mask in range(256))


def _signal(mask: int, preset: Preset, direction: Direction) -> PointSignal:
    high = tuple(rule for rule in RULES if mask & HIGH_BITS[rule])
    low = tuple(rule for rule in RULES if mask & LOW_BITS[rule])
    if not high and not low:
        return PointSignal("common_cause", None, (), "grey", conflict=False)
    if preset == "plotthedots":
        side, rules = _plotthedots_choice(high, low)
    else:
        side, rules = _mdc_choice(high, low, direction)
    point_type = _point_type(side, direction)
    return PointSignal(point_type, side, rules, TYPE_COLOUR[point_type], bool(high and low))


def _mdc_choice(
    high: tuple[Rule, ...], low: tuple[Rule, ...], direction: Direction
) -> tuple[Side, tuple[Rule, ...]]:
    # Improvement wins a conflict. With no direction the MDC tool reads a "high" signal first.
    if direction == "decrease":
        return ("low", low) if low else ("high", high)
    return ("high", high) if high else ("low", low)


def _plotthedots_choice(
    high: tuple[Rule, ...], low: tuple[Rule, ...]
) -> tuple[Side, tuple[Rule, ...]]:
    for rule in PLOTTHEDOTS_PRECEDENCE:
        if rule in high:
            return "high", (rule,)
        if rule in low:
            return "low", (rule,)
    raise AssertionError("a signal needs at least one rule")


def _point_type(side: Side, direction: Direction) -> PointType:
    if direction == "neutral":
        return "neutral"
    return "improvement" if (side == "high") == (direction == "increase") else "concern"


VARIATION_ICONS: Final[dict[tuple[PointType, Side | None], VariationIcon]] = {
    ("common_cause", None): "common_cause",
    ("improvement", "high"): "improvement_high",
    ("improvement", "low"): "improvement_low",
    ("concern", "high"): "concern_high",
    ("concern", "low"): "concern_low",
    ("neutral", "high"): "neutral_high",
    ("neutral", "low"): "neutral_low",
}


def _variation_icon(signal: PointSignal) -> VariationIcon:
    return VARIATION_ICONS[signal.type, signal.side]


def _assurance_icon(segment: Segment, settings: SpcSettings) -> AssuranceIcon | None:
    target, lower, upper = settings.target, segment.lower_limit, segment.upper_limit
    if target is None or settings.direction == "neutral" or lower is None or upper is None:
        return None
    # mdc counts a target on a limit as consistently met (or missed); plotthedots does not.
    if settings.preset == "mdc":
        below, above = target <= lower, target >= upper
    else:
        below, above = target < lower, target > upper
    passes, fails = (below, above) if settings.direction == "increase" else (above, below)
    if passes:
        return "pass"
    return "fail" if fails else "hit_or_miss"


# --- entry point ------------------------------------------------------------------------------


def analyse(values: Sequence[float], settings: SpcSettings = SpcSettings()) -> SpcResult:  # noqa: B008
    """Analyse an ordered series of values with no gaps (callers check periods first)."""
    ys = _checked_values(values)
    _check_settings_fit(settings, len(ys))
    warnings: list[str] = []
    segments = _segments(ys, settings, warnings)
    masks, zones = _outside_masks(ys, segments)
    run_length = settings.effective_run_length
    for start, end in _rule_stretches(segments, settings.preset):
        _flag_shifts(zones, start, end, run_length, masks)
        _flag_trends(ys, start, end, run_length, masks)
        _flag_two_of_three(zones, start, end, masks)
    if settings.preset == "plotthedots":
        _keep_later_trend_at_junctions(ys, masks)
    table = _signal_table(settings.preset, settings.direction)
    signals = tuple([table[m] for m in masks])
    last = segments[-1]
    return SpcResult(
        segments=tuple(segments),
        values=tuple(ys),
        signals=signals,
        variation_icon=_variation_icon(signals[-1]) if last.has_limits else None,
        assurance_icon=_assurance_icon(last, settings),
        warnings=tuple(warnings),
    )
