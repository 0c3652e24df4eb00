"""SPC charts as Vega-Lite specs, built with Altair from stored results, and their renderings.

The browser draws the specs with vega-embed; downloads (PNG, SVG) are rendered on the server by
vl-convert from the same spec, so what people save is what they saw. Nothing here computes SPC:
the mean, limits and point types come from ``SeriesResult.analysis``.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Literal

import altair as alt
import vl_convert

from kmatrix.indicators.spc import COLOUR_HEX, TYPE_COLOUR
from kmatrix.indicators.stored import point_signals

# The Vega-Lite version of the npm bundle the browser uses (package.json) and of Altair's schema.
VEGA_LITE_VERSION = "6.4"

TYPE_LABELS: dict[str, str] = {
    "common_cause": "Common cause variation",
    "improvement": "Special cause: improvement",
    "concern": "Special cause: concern",
    "neutral": "Special cause: neither",
    "": "Not analysed",
}
TYPE_HEX: dict[str, str] = {
    **{kind: COLOUR_HEX[colour] for kind, colour in TYPE_COLOUR.items()},
    "": "#4C6272",
}
RULE_LABELS: dict[str, str] = {
    "outside_limits": "Outside the limits",
    "shift": "Shift",
    "trend": "Trend",
    "two_of_three": "Two of three near a limit",
}
VARIATION_LABELS: dict[str, str] = {
    "common_cause": "Common cause variation",
    "improvement_high": "Special cause improvement (high)",
    "improvement_low": "Special cause improvement (low)",
    "concern_high": "Special cause concern (high)",
    "concern_low": "Special cause concern (low)",
    "neutral_high": "Special cause, neither improvement nor concern (high)",
    "neutral_low": "Special cause, neither improvement nor concern (low)",
}
ASSURANCE_LABELS: dict[str, str] = {
    "pass": "Consistently meets the target",
    "fail": "Consistently misses the target",
    "hit_or_miss": "Hits and misses the target at random",
}
# Decimal places shown per unit (downloads keep full precision).
DECIMALS: dict[str, int] = {"percent": 2, "rate_per_1000_obd": 2, "count": 1, "days": 1}
UNIT_SUFFIX: dict[str, str] = {"percent": "%", "days": " days"}

LINE = "#425563"  # NHS dark grey
MEAN = "#212B32"
LIMIT = "#768692"
TARGET = "#DA291C"  # NHS red
MARKER = "#005EB8"  # NHS blue


def number(value: float | None, unit: str, *, suffix: bool = False) -> str:
    """A value as the tables show it: fixed decimals per unit, thousands separated."""
    if value is None or not math.isfinite(value):
        return ""
    text = f"{value:,.{DECIMALS.get(unit, 2)}f}"
    if unit == "count" and text.endswith(".0"):
        text = text[:-2]
    return text + (UNIT_SUFFIX.get(unit, "") if suffix else "")


def change(value: float | None, unit: str) -> str:
    """A signed difference: +0.40, -1.25 (with a real minus sign), 0.00."""
    if value is None:
        return ""
    text = number(abs(value), unit)
    if text.strip("0.,") == "":
        return text
    return ("+" if value > 0 else "\u2212") + text


def period_label(day: date, frequency: str = "monthly", *, short: bool = False) -> str:
    """March 2025 (Mar 2025 short); Q1 2024-25 (April to June); 2024-25 (NHS years run April
    to March)."""
    if frequency == "annual":
        return f"{day.year}-{(day.year + 1) % 100:02d}"
    if frequency == "quarterly":
        year = day.year if day.month >= 4 else day.year - 1
        quarter = ((day.month - 4) % 12) // 3 + 1
        return f"Q{quarter} {year}-{(year + 1) % 100:02d}"
    return day.strftime("%b %Y" if short else "%B %Y")


def rounded(value: float | None) -> float | None:
    """Numbers for downloads: floating-point noise removed, precision kept."""
    return None if value is None else round(value, 6)


@dataclass(frozen=True)
class ChartRow:
    """One point of a chart and of its data table."""

    period: date
    value: float
    segment: int
    mean: float | None
    lower_limit: float | None
    upper_limit: float | None
    lower_two_sigma: float | None
    upper_two_sigma: float | None
    type: str
    rules: tuple[str, ...]
    target: float | None

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)

    @property
    def rule_labels(self) -> str:
        return ", ".join(RULE_LABELS.get(rule, rule) for rule in self.rules)


def chart_rows(
    values: Sequence[tuple[date, float]],
    analysis: dict[str, Any] | None,
    targets: Sequence[tuple[date, float]] = (),
) -> list[ChartRow]:
    """Join a series' values with its stored analysis and the target in force at each period.

    ``values`` are (period, value) in order; a series with gaps has no analysis, so its points
    are shown without a type.
    """
    analysis = analysis or {}
    segments = analysis.get("segments") or []
    starts = [date.fromisoformat(s["start"]) for s in segments]
    signals = point_signals(analysis, len(values))
    target_dates = [d for d, _v in targets]
    rows = []
    for (period, value), (kind, rules) in zip(values, signals, strict=True):
        index = bisect_right(starts, period) - 1
        segment = segments[index] if index >= 0 else {}
        at = bisect_right(target_dates, period) - 1
        rows.append(
            ChartRow(
                period=period,
                value=value,
                segment=max(index, 0),
                mean=segment.get("mean"),
                lower_limit=segment.get("lower_limit"),
                upper_limit=segment.get("upper_limit"),
                lower_two_sigma=segment.get("lower_two_sigma"),
                upper_two_sigma=segment.get("upper_two_sigma"),
                type=kind,
                rules=rules,
                target=targets[at][1] if at >= 0 else None,
            )
        )
    return rows


def recalculation_periods(analysis: dict[str, Any] | None) -> list[date]:
    segments = (analysis or {}).get("segments") or []
    return [date.fromisoformat(s["start"]) for s in segments[1:]]


def _records(rows: Sequence[ChartRow], unit: str, **extra: Any) -> list[dict[str, Any]]:
    return [
        {
            **extra,
            "period": row.period.isoformat(),
            "label": period_label(row.period),
            "value": row.value,
            "shown": number(row.value, unit, suffix=True),
            "segment": row.segment,
            "mean": row.mean,
            "lower_limit": row.lower_limit,
            "upper_limit": row.upper_limit,
            "lower_two_sigma": row.lower_two_sigma,
            "upper_two_sigma": row.upper_two_sigma,
            "target": row.target,
            "type": row.type_label,
            "rules": row.rule_labels or "None",
        }
        for row in rows
    ]


def _x() -> alt.X:
    return alt.X(
        "period:T",
        title=None,
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format="%b %Y", labelAngle=0, labelOverlap=True, tickCount=6),
    )


def _colour(types: set[str]) -> alt.Color:
    # Only the kinds of point the chart has, so the legend explains what is there.
    shown = [kind for kind in TYPE_LABELS if kind in types] or ["common_cause"]
    return alt.Color(
        "type:N",
        scale=alt.Scale(
            domain=[TYPE_LABELS[kind] for kind in shown], range=[TYPE_HEX[kind] for kind in shown]
        ),
        legend=alt.Legend(title=None, orient="bottom", columns=3, labelLimit=260),
    )


LINES = ("mean", "upper_limit", "lower_limit", "upper_two_sigma", "lower_two_sigma", "target")


def _lines_present(rows: Sequence[ChartRow], show_two_sigma: bool) -> frozenset[str]:
    """The lines a chart has: an empty layer draws nothing but makes Vega warn."""
    present = {name for name in LINES if any(getattr(row, name) is not None for row in rows)}
    if not show_two_sigma:
        present -= {"upper_two_sigma", "lower_two_sigma"}
    return frozenset(present)


def _layers(
    base: alt.Chart, *, y_title: str, lines: frozenset[str], point_size: int, types: set[str]
) -> list[alt.Chart]:
    x = _x()
    y_scale = alt.Scale(zero=False)

    def line(field: str, colour: str, dash: list[int], width: float = 1.0) -> alt.Chart:
        return (
            base.transform_filter(f"isValid(datum.{field})")
            .mark_line(color=colour, strokeDash=dash, strokeWidth=width)
            .encode(x=x, y=alt.Y(f"{field}:Q", scale=y_scale), detail="segment:N")
        )

    styles = {
        "mean": (MEAN, [], 1.5),
        "upper_limit": (LIMIT, [6, 4], 1.0),
        "lower_limit": (LIMIT, [6, 4], 1.0),
        "upper_two_sigma": (LIMIT, [2, 3], 1.0),
        "lower_two_sigma": (LIMIT, [2, 3], 1.0),
    }
    layers = [
        base.mark_line(color=LINE, strokeWidth=1.5).encode(
            x=x, y=alt.Y("value:Q", title=y_title, scale=y_scale)
        ),
        *(line(name, *styles[name]) for name in styles if name in lines),
    ]
    if "target" in lines:
        layers.append(
            base.transform_filter("isValid(datum.target)")
            .mark_line(color=TARGET, strokeDash=[8, 4], strokeWidth=1.5, interpolate="step-after")
            .encode(x=x, y=alt.Y("target:Q", scale=y_scale))
        )
    layers.append(
        base.mark_point(
            filled=True, size=point_size, opacity=1, stroke="#ffffff", strokeWidth=0.5
        ).encode(
            x=x,
            y=alt.Y("value:Q", scale=y_scale),
            color=_colour(types),
            tooltip=[
                alt.Tooltip("label:N", title="Period"),
                alt.Tooltip("shown:N", title="Value"),
                alt.Tooltip("type:N", title="Variation"),
                alt.Tooltip("rules:N", title="Rules"),
            ],
        )
    )
    return layers


@dataclass(frozen=True)
class Marker:
    """A dated vertical line: an annotation ("new policy") or a recalculation."""

    period: date
    text: str


def _marker_records(markers: Sequence[Marker]) -> list[dict[str, Any]]:
    return [{"period": m.period.isoformat(), "text": m.text} for m in markers]


def _markers(dataset: str, dash: list[int], *, labelled: bool) -> list[alt.Chart]:
    data = alt.NamedData(name=dataset)
    rule = (
        alt.Chart(data)
        .mark_rule(color=MARKER, strokeDash=dash, strokeWidth=1)
        .encode(x=_x(), tooltip=[alt.Tooltip("text:N", title="Note")])
    )
    if not labelled:
        return [rule]
    label = (
        alt.Chart(data)
        .mark_text(align="left", baseline="top", dx=3, dy=2, color=MARKER, fontSize=11, limit=140)
        .encode(x=_x(), y=alt.value(0), text="text:N")
    )
    return [rule, label]


def _spec(chart: alt.TopLevelMixin, *, validate: bool) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict(validate=validate)
    return spec


@cache
def _spc_layout(
    y_title: str,
    lines: frozenset[str],
    types: frozenset[str],
    recalculations: bool,
    annotations: bool,
    size: tuple[int, int],
    validate: bool,
) -> str:
    # Altair spends tens of milliseconds building and checking a layered chart, the same for
    # every series; so the layout is built once per shape and the data put in per request.
    base = alt.Chart(alt.NamedData(name="points"))
    layers: list[Any] = _layers(base, y_title=y_title, lines=lines, point_size=60, types=set(types))
    if recalculations:
        layers += _markers("recalculations", [2, 2], labelled=False)
    if annotations:
        layers += _markers("annotations", [4, 2], labelled=True)
    chart = alt.layer(*layers).properties(
        width=size[0], height=size[1], title=alt.Title("Title", anchor="start")
    )
    return json.dumps(_spec(chart, validate=validate))


def spc_spec(
    rows: Sequence[ChartRow],
    *,
    title: str,
    unit: str,
    y_title: str,
    show_two_sigma: bool = False,
    annotations: Sequence[Marker] = (),
    recalculations: Sequence[date] = (),
    width: int = 720,
    height: int = 320,
    validate: bool = False,
) -> dict[str, Any]:
    """The full chart: values, coloured points, mean, limits, target, recalculations, notes."""
    lines = _lines_present(rows, show_two_sigma)
    layout = _spc_layout(
        y_title,
        lines,
        frozenset(row.type for row in rows),
        bool(recalculations),
        bool(annotations),
        (width, height),
        validate,
    )
    spec: dict[str, Any] = json.loads(layout)
    spec["title"] = {"text": title, "subtitle": _key(lines), "anchor": "start"}
    first, last = (rows[0].period, rows[-1].period) if rows else (None, None)
    spec["description"] = (
        f"SPC chart of {title}, {len(rows)} points"
        + (f" from {period_label(first)} to {period_label(last)}" if first and last else "")
        + ". The data table with the chart holds every value."
    )
    # The data goes in after Altair has built the layout: Altair would otherwise walk and hash
    # every value.
    spec["datasets"] = {"points": _records(rows, unit)}
    if recalculations:
        spec["datasets"]["recalculations"] = _marker_records(
            [Marker(d, "Mean and limits recalculated") for d in recalculations]
        )
    if annotations:
        spec["datasets"]["annotations"] = _marker_records(annotations)
    return spec


def _key(lines: frozenset[str]) -> str:
    """The chart's subtitle: what its lines are."""
    parts = [
        ("mean", "Black line: mean"),
        ("upper_limit", "Grey dashes: process limits"),
        ("upper_two_sigma", "Grey dots: two-sigma lines"),
        ("target", "Red dashes: target"),
    ]
    said = [text for name, text in parts if name in lines]
    return ". ".join(said) + "." if said else ""


@cache
def _multiples_layout(
    lines: frozenset[str],
    types: frozenset[str],
    columns: int,
    size: tuple[int, int],
    shared_x: bool,
    validate: bool,
) -> str:
    layers = _layers(alt.Chart(), y_title="", lines=lines, point_size=18, types=set(types))
    chart = (
        alt.layer(*layers, data=alt.NamedData(name="points"))
        .properties(width=size[0], height=size[1])
        .facet(
            facet=alt.Facet(
                "series:N",
                title=None,
                sort=["Series"],
                header=alt.Header(labelFontSize=12, labelLimit=size[0], labelAnchor="start"),
            ),
            columns=columns,
        )
        .resolve_scale(y="independent", x="shared" if shared_x else "independent")
    )
    return json.dumps(_spec(chart, validate=validate))


def multiples_spec(
    series: Sequence[tuple[str, str, Sequence[ChartRow]]],
    *,
    columns: int = 3,
    width: int = 240,
    height: int = 130,
    shared_x: bool = True,
    validate: bool = False,
) -> dict[str, Any]:
    """One small SPC chart per series (a provider, or an indicator), each with its own y scale;
    the time axis is shared (one indicator across providers) or not (one provider's indicators,
    which may cover different periods).

    ``series`` holds (title, unit, rows); titles must differ.
    """
    records: list[dict[str, Any]] = []
    types: set[str] = set()
    lines: frozenset[str] = frozenset()
    for title, unit, rows in series:
        records += _records(rows, unit, series=title)
        types.update(row.type for row in rows)
        lines |= _lines_present(rows, show_two_sigma=False)
    spec: dict[str, Any] = json.loads(
        _multiples_layout(lines, frozenset(types), columns, (width, height), shared_x, validate)
    )
    spec["facet"]["sort"] = [title for title, _unit, _rows in series]
    spec["description"] = f"Small SPC charts of {len(series)} series, one each."
    spec["datasets"] = {"points": records}
    return spec


# --- Small multiples with their data ----------------------------------------------------


@dataclass(frozen=True)
class Pivot:
    """The small multiples' values as a table: a row per period, a column per chart, the
    numbers already formatted (a thousand-cell table is slow to format in the template)."""

    columns: list[str]
    rows: list[tuple[str, list[str]]]


def _pivot(series: Sequence[tuple[str, str, Sequence[ChartRow]]]) -> Pivot:
    values = [{row.period: row.value for row in rows} for _title, _unit, rows in series]
    units = [unit for _title, unit, _rows in series]
    days = sorted(set().union(*values)) if values else []
    return Pivot(
        columns=[title for title, _unit, _rows in series],
        rows=[
            (
                period_label(day),
                [
                    number(found.get(day), unit) or "\u2013"
                    for found, unit in zip(values, units, strict=True)
                ],
            )
            for day in days
        ],
    )


@dataclass(frozen=True)
class Multiples:
    """Small SPC charts, one per (title, unit, rows)."""

    series: list[tuple[str, str, list[ChartRow]]]
    shared_x: bool = True  # one indicator across providers shares its time axis

    def spec(self) -> dict[str, Any]:
        return multiples_spec(self.series, shared_x=self.shared_x)

    def pivot(self) -> Pivot:
        return _pivot(self.series)

    def table(self) -> tuple[list[str], list[list[Any]]]:
        header = [
            "Chart",
            "Period",
            "Value",
            "Mean",
            "Lower process limit",
            "Upper process limit",
            "Target",
            "Variation",
            "Rules",
        ]
        rows = [
            [
                title,
                row.period,
                rounded(row.value),
                rounded(row.mean),
                rounded(row.lower_limit),
                rounded(row.upper_limit),
                row.target,
                row.type_label,
                row.rule_labels,
            ]
            for title, _unit, rows in self.series
            for row in rows
        ]
        return header, rows


def render(spec: dict[str, Any], fmt: Literal["png", "svg"]) -> bytes:
    if fmt == "png":
        return bytes(vl_convert.vegalite_to_png(spec, vl_version=VEGA_LITE_VERSION, scale=2))
    return vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION).encode()
