"""Statistical process control (SPC) engine: XmR charts the NHS way.

The contract is the shared ``SPC.md``; ``README.md`` beside this module records the decisions it
leaves open. Pure Python, no Django: it runs on thousands of series and is tested on its own.
"""

from __future__ import annotations

import math
import operator
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property, partial
from itertools import pairwise
from operator import gt, lt, sub
from typing import Final, Literal, cast, get_args

Preset = Literal["mdc", "plotthedots"]
Direction = Literal["increase", "decrease", "neutral"]
PointType = Literal["common_cause", "improvement", "concern", "neutral"]
Colour = Literal["grey", "blue", "orange", "purple"]
Side = Literal["high", "low"]
Rule = Literal["outside_limits", "shift", "trend", "two_of_three"]
Rules = tuple[Rule, ...]
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

RULES: Final[Rules] = ("outside_limits", "shift", "trend", "two_of_three")
# plotthedots gives each point one label; this is its order of precedence.
PRECEDENCE: Final[Rules] = ("outside_limits", "trend", "two_of_three", "shift")


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
    """How to read a series. ``None`` means the preset's default.

    ``baseline`` is a number of points; ``recalculate_at`` holds the indexes of the points that
    start a new segment. Numbers are normalised on creation (target to float, indexes to int).
    """

    preset: Preset = "mdc"
    direction: Direction = "increase"
    target: float | None = None
    run_length: int | None = None
    screen_outliers: bool | None = None
    baseline: int | None = None
    recalculate_at: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        # Callers pass Decimals from the database and numpy integers from arrays; normalise them
        # once here so that the engine and equality see plain numbers.
        normalise = partial(object.__setattr__, self)
        if self.target is not None:
            normalise("target", _finite_target(self.target))
        if self.baseline is not None:
            normalise("baseline", _whole_number(self.baseline, "A baseline"))
        normalise("recalculate_at", _recalculation_indexes(self.recalculate_at))
        _check_settings(self)

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
    """What a point shows; shared between points, as there are at most 256 combinations."""

    type: PointType
    side: Side | None
    rules: Rules
    colour: Colour
    conflict: bool


@dataclass(frozen=True)
class PointResult:
    """One point: ``side`` is the side of the signal shown (None for common cause), ``rules``
    the rules behind it, and ``conflict`` whether signals on both sides met on the point."""

    index: int
    value: float
    type: PointType
    rules: Rules
    colour: Colour
    side: Side | None
    conflict: bool


@dataclass(frozen=True)
class SpcResult:
    """The analysis. Bulk callers should read ``signals`` or ``colours``: ``points`` builds an
    object per point on first use."""

    segments: tuple[Segment, ...]
    values: tuple[float, ...]
    signals: tuple[PointSignal, ...]
    variation_icon: VariationIcon | None
    assurance_icon: AssuranceIcon | None
    warnings: tuple[str, ...]

    @cached_property
    def points(self) -> tuple[PointResult, ...]:
        # Lazy because a frozen object per point would cost more than the analysis itself.
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

# A point's zone, counted upwards from below the lower limit: 0 beyond the lower limit, 1 near
# it (beyond the lower two-sigma line), 2 below the mean, 3 on the mean (or in a segment without
# limits), 4 above the mean, 5 near the upper limit, 6 beyond it. Zones are kept as bytes and
# masks as a bytearray so that the rules can use bytes.translate and regular expressions, which
# run in C: across thousands of series that is most of the engine's speed.
ZONE_MEAN: Final = 3
OUTSIDE_BITS: Final = bytes(
    OUTSIDE_LOW if zone == 0 else OUTSIDE_HIGH if zone == 6 else 0 for zone in range(256)
)
IS_JUNCTION: Final = bytes(int(mask & BOTH_TRENDS == BOTH_TRENDS) for mask in range(256))
NEAR_LIMIT: Final = re.compile(b"[\x01\x05]")


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
    _check_baseline(settings)
    _check_recalculations(settings.recalculate_at)


def _check_baseline(settings: SpcSettings) -> None:
    baseline = settings.baseline
    if baseline is None:
        return
    if baseline < 1:
        raise SpcError(f"A baseline needs at least 1 point, not {baseline}.")
    if settings.preset == "plotthedots" and baseline < PLOTTHEDOTS_MINIMUM_BASELINE:
        raise SpcError(
            f"A plotthedots baseline needs at least {PLOTTHEDOTS_MINIMUM_BASELINE} points, "
            f"not {baseline}."
        )


def _check_recalculations(indexes: tuple[int, ...]) -> None:
    for index in indexes:
        if index < 0:
            raise SpcError(f"Recalculation index {index} is out of range: indexes start at 1.")
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
        ys = list(map(float, values))
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


def _finite_target(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool | str) or not math.isfinite(number):
        raise SpcError(f"The target must be a finite number, not {value!r}.")
    return number


def _whole_number(value: object, what: str) -> int:
    if not isinstance(value, bool):
        try:
            return operator.index(value)  # type: ignore[arg-type]
        except TypeError:
            pass
    raise SpcError(f"{what} must be a whole number, not {value!r}.")


def _recalculation_indexes(indexes: object) -> tuple[int, ...]:
    if not isinstance(indexes, tuple | list):
        raise SpcError("Recalculation indexes must be a tuple of whole numbers, e.g. (15,).")
    return tuple(sorted(_whole_number(i, "A recalculation index") for i in indexes))


# --- segments and limits ----------------------------------------------------------------------

# A segment's first index, the index after it, and the index after the points its lines come from.
Bounds = tuple[int, int, int]


def _segments(ys: list[float], settings: SpcSettings, warnings: list[str]) -> list[Segment]:
    plan = _segment_plan(len(ys), settings, warnings)
    screen = settings.effective_screen_outliers
    segments = []
    for number, (start, end, calc_end) in enumerate(plan, start=1):
        where = _where(number, len(plan), calc_end < end)
        limits = _enough_points(end - start, calc_end - start, settings.preset, where, warnings)
        segments.append(_segment(ys, (start, end, calc_end), screen=screen, limits=limits))
    return segments


def _segment_plan(count: int, settings: SpcSettings, warnings: list[str]) -> list[Bounds]:
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


def _segment(ys: list[float], bounds: Bounds, *, screen: bool, limits: bool) -> Segment:
    start, end, calc_end = bounds
    calc = ys[start:calc_end]
    mean = sum(calc) / len(calc)
    amr = _average_moving_range(calc, screen) if limits else None
    if amr is None:
        return Segment(start, end - start, mean, None, None, None, None, None, len(calc))
    spread, near = LIMIT_FACTOR * amr, TWO_SIGMA_FACTOR * amr
    lines = (mean - spread, mean + spread, mean - near, mean + near)
    return Segment(start, end - start, mean, *lines, amr, len(calc))


def _average_moving_range(calc: list[float], screen: bool) -> float | None:
    if len(calc) < 2:
        return None
    ranges: list[float] = list(map(abs, map(sub, calc[1:], calc)))
    amr = sum(ranges) / len(ranges)
    # With an average of zero every range is "unusually large" by the letter of the screen, which
    # would leave nothing to average; a flat series has no outlying range to drop.
    if screen and amr > 0:
        cutoff = SCREENING_FACTOR * amr
        kept = [r for r in ranges if r < cutoff]
        amr = sum(kept) / len(kept)
    return amr


def _where(number: int, total: int, has_baseline: bool) -> str:
    """Where a warning applies, to follow its first words."""
    if has_baseline:
        return " in the baseline" if total == 1 else f" in the baseline of segment {number}"
    return "" if total == 1 else f" in segment {number}"


def _enough_points(
    points: int, calc_points: int, preset: Preset, where: str, warnings: list[str]
) -> bool:
    """Whether a segment may have limits, warning where it may not or where they are trial."""
    if preset == "mdc" and calc_points < MINIMUM_POINTS:
        warnings.append(
            f"Too few points ({calc_points}){where} for SPC limits: "
            f"at least {MINIMUM_POINTS} are needed."
        )
        return False
    if calc_points < 2:
        warnings.append(
            f"Only one point{where}: limits need at least two points to measure variation."
        )
        return False
    if preset == "plotthedots" and points < MINIMUM_POINTS:
        warnings.append(
            f"Trial limits{where}: only {points} points, fewer than {MINIMUM_POINTS}; "
            "the limits will change as more points are added."
        )
    return True


# --- rules ------------------------------------------------------------------------------------


def _outside_masks(ys: list[float], segments: list[Segment]) -> tuple[bytearray, bytes]:
    """A signal mask per point holding the single-point rule so far, and each point's zone."""
    zones = bytearray()
    for segment in segments:
        chunk = ys[segment.start : segment.start + segment.points]
        zones += _zones(chunk, segment) if segment.has_limits else bytes([ZONE_MEAN]) * len(chunk)
    return bytearray(zones.translate(OUTSIDE_BITS)), bytes(zones)


def _zones(chunk: list[float], segment: Segment) -> bytes:
    lower, upper = segment.lower_limit, segment.upper_limit
    lower_near, upper_near = segment.lower_two_sigma, segment.upper_two_sigma
    if lower is None or upper is None or lower_near is None or upper_near is None:
        raise AssertionError("zones need limits")
    # A zone counts the lines a point is beyond, so a point exactly on a line stays on its inner
    # side: it must be strictly above an upper line but only at or above a lower one. For floats
    # "y >= x" is "y > the float just below x", so one bisection per point gives the zone.
    lines = [
        math.nextafter(lower, -math.inf),
        math.nextafter(lower_near, -math.inf),
        math.nextafter(segment.mean, -math.inf),
        segment.mean,
        upper_near,
        upper,
    ]
    return bytes(map(partial(bisect_left, lines), chunk))


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


def _flag(masks: bytearray, start: int, end: int, bit: int) -> None:
    masks[start:end] = bytes(mask | bit for mask in masks[start:end])


@cache
def _run_pattern(first: int, last: int, length: int) -> re.Pattern[bytes]:
    """Runs of at least ``length`` bytes valued from ``first`` to ``last``."""
    return re.compile(b"[%c-%c]{%d,}" % (first, last, length))


def _flag_shifts(zones: bytes, start: int, end: int, length: int, masks: bytearray) -> None:
    for first, last, bit in ((ZONE_MEAN + 1, 6, SHIFT_HIGH), (0, ZONE_MEAN - 1, SHIFT_LOW)):
        for run in _run_pattern(first, last, length).finditer(zones, start, end):
            _flag(masks, run.start(), run.end(), bit)


def _flag_trends(ys: list[float], start: int, end: int, length: int, masks: bytearray) -> None:
    later, earlier = ys[start + 1 : end], ys[start : end - 1]
    # Byte k is 1 when point k + 1 is strictly beyond point k; a tie breaks a trend. A trend of
    # N points is a run of N - 1 such steps.
    for steps, bit in ((map(gt, later, earlier), TREND_HIGH), (map(lt, later, earlier), TREND_LOW)):
        for run in _run_pattern(1, 1, length - 1).finditer(bytes(steps)):
            _flag(masks, start + run.start(), start + run.end() + 1, bit)


def _flag_two_of_three(zones: bytes, start: int, end: int, masks: bytearray) -> None:
    # Points near a limit are rare, so work from pairs of them rather than from every window: a
    # window flags its near points exactly when it holds two that are near the same limit.
    near = [match.start() for match in NEAR_LIMIT.finditer(zones, start, end)]
    for a, b in pairwise(near):
        if b - a > 2 or zones[a] != zones[b]:
            continue
        if any(_same_side(zones, w) for w in range(max(start, b - 2), min(a, end - 3) + 1)):
            bit = TWO_HIGH if zones[a] > ZONE_MEAN else TWO_LOW
            masks[a] |= bit
            masks[b] |= bit


def _same_side(zones: bytes, first: int) -> bool:
    """Whether three points from ``first`` are all above, or all below, their means."""
    a, b, c = zones[first : first + 3]
    m = ZONE_MEAN
    return (a > m and b > m and c > m) or (a < m and b < m and c < m)


def _keep_later_trend_at_junctions(ys: list[float], masks: bytearray) -> None:
    # Where a trend turns, the turning point ends one trend and starts the next; plotthedots
    # labels it with the trend that starts there.
    junctions = masks.translate(IS_JUNCTION)
    i = junctions.find(1)
    while i >= 0:
        masks[i] &= ~(TREND_LOW if ys[i + 1] > ys[i] else TREND_HIGH)
        i = junctions.find(1, i + 1)


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


def _mdc_choice(high: Rules, low: Rules, direction: Direction) -> tuple[Side, Rules]:
    # Improvement wins a conflict. With no direction the MDC tool reads a "high" signal first.
    if direction == "decrease":
        return ("low", low) if low else ("high", high)
    return ("high", high) if high else ("low", low)


def _plotthedots_choice(high: Rules, low: Rules) -> tuple[Side, Rules]:
    for rule in PRECEDENCE:
        if rule in high:
            return "high", (rule,)
        if rule in low:
            return "low", (rule,)
    raise AssertionError("a signal needs at least one rule")


def _point_type(side: Side, direction: Direction) -> PointType:
    if direction == "neutral":
        return "neutral"
    return "improvement" if (side == "high") == (direction == "increase") else "concern"


def _variation_icon(signal: PointSignal) -> VariationIcon:
    if signal.side is None:
        return "common_cause"
    return cast(VariationIcon, f"{signal.type}_{signal.side}")


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


def analyse(values: Sequence[float], settings: SpcSettings = SpcSettings()) -> SpcResult:
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
    signals = tuple(map(table.__getitem__, masks))
    last = segments[-1]
    return SpcResult(
        segments=tuple(segments),
        values=tuple(ys),
        signals=signals,
        variation_icon=_variation_icon(signals[-1]) if last.has_limits else None,
        assurance_icon=_assurance_icon(last, settings),
        warnings=tuple(warnings),
    )
