"""Indicator highlights for a period: what a Board paper says about each indicator.

Each member organisation's series is read as it stood at the end of the period: its points up to
that day, analysed with the indicator's settings, the target in force then and its notes, just as
an import would have stored it on that day. Where a series ends within the period the stored
result is exactly that, so it is used as it is; a series that goes on past the period is cut and
analysed again (``series.analyse_series``), so that a paper about last year does not show this
year's icons.

A series is highlighted with a chart when a point within the period shows special cause; up to
``MAX_CHARTS`` per indicator are charted (concerns first), and the rest are named. Nothing here
writes: a Board paper only reads.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.db.models import Q

from kmatrix.core.access import Viewer, visible
from kmatrix.indicators import periods
from kmatrix.indicators.charts import (
    ASSURANCE_LABELS,
    TYPE_LABELS,
    VARIATION_LABELS,
    ChartRow,
    number,
    period_label,
    spc_spec,
)
from kmatrix.indicators.models import (
    Annotation,
    DataPoint,
    Indicator,
    SeriesResult,
    Target,
)
from kmatrix.indicators.series import Series, analyse_series, stored_series
from kmatrix.indicators.stored import LETTER_TYPES
from kmatrix.networks.models import Network, NetworkOrganisation, Organisation

MAX_CHARTS = 6  # per indicator; the other series with special cause are named
CHART_POINTS = 36  # the chart shows the last three years up to the period's end
NONE = "\u2013"  # an en dash: no value
SPECIAL = frozenset({"improvement", "concern", "neutral"})
# Concerns first: they are what a Board most needs to see.
TYPE_ORDER = {"concern": 0, "neutral": 1, "improvement": 2}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ChartPoint:
    period: date
    value: float
    mean: float | None
    lower_limit: float | None
    upper_limit: float | None
    target: float | None
    type: str  # common_cause, improvement, concern, neutral, or "" where not analysed


@dataclass(frozen=True)
class SeriesHighlight:
    """One organisation's figure for the period and how its SPC chart reads at the period's end."""

    organisation_id: int
    organisation: str
    ods_code: str
    period: date  # the latest period with a figure within the paper's period
    period_text: str
    value: float
    value_text: str
    points: int  # in the series up to the end of the period
    variation: str  # the icon's key, "" when there is none
    assurance: str
    variation_label: str
    assurance_label: str
    special_cause: str  # the first special-cause type met in the period, or ""
    warnings: tuple[str, ...]
    chart: tuple[ChartPoint, ...] = ()  # only when charted
    chart_path: str = ""  # the full chart's page


@dataclass(frozen=True)
class IndicatorHighlight:
    indicator_id: int
    code: str
    name: str
    theme_id: int | None
    unit: str
    unit_label: str
    direction_label: str
    is_illustrative: bool
    source: str
    path: str  # the indicator's page
    series: tuple[SeriesHighlight, ...]
    without_data: tuple[str, ...]  # member organisations with no figure in the period
    uncharted: tuple[str, ...] = ()  # organisations with special cause beyond MAX_CHARTS

    frequency: str = "monthly"

    @property
    def charted(self) -> list[SeriesHighlight]:
        return [s for s in self.series if s.chart]

    def chart_table(self, series: SeriesHighlight) -> tuple[list[str], list[list[str]]]:
        """The data table behind a highlighted series' chart, its numbers as the pages show
        them."""
        header = [
            "Period",
            "Value",
            "Mean",
            "Lower process limit",
            "Upper process limit",
            "Target",
            "Variation",
        ]
        rows = [
            [
                period_label(p.period, self.frequency),
                number(p.value, self.unit),
                number(p.mean, self.unit) or NONE,
                number(p.lower_limit, self.unit) or NONE,
                number(p.upper_limit, self.unit) or NONE,
                number(p.target, self.unit) or NONE,
                TYPE_LABELS.get(p.type, p.type),
            ]
            for p in series.chart
        ]
        return header, rows


@dataclass
class _Found:
    """A series up to the end of the period, with its analysis. A stored series' values are
    read only when it is charted; its periods follow from its first one when it has no gaps."""

    organisation: Organisation
    dates: list[date] | None  # None: a stored series, whose periods run on from ``start``
    values: list[float] | None
    count: int
    latest: tuple[date, float]
    analysis: dict[str, Any]
    variation: str
    assurance: str
    start: date | None = None  # a stored series without gaps (one with gaps has no analysis)
    frequency: str = "monthly"

    def periods(self) -> list[date] | None:
        if self.dates is None and self.start is not None:
            self.dates = [periods.add(self.start, self.frequency, i) for i in range(self.count)]
        return self.dates

    def first_from(self, day: date) -> int | None:
        """The position of the first point on or after ``day``, without listing every period
        of a stored series (a national paper reads 12,000 of them)."""
        if self.dates is not None:
            return next((i for i, d in enumerate(self.dates) if d >= day), None)
        if self.start is None:
            return None
        step = periods.STEP_MONTHS[self.frequency]
        months = (day.year - self.start.year) * 12 + day.month - self.start.month
        index = max(0, months // step - 1)
        while index < self.count and periods.add(self.start, self.frequency, index) < day:
            index += 1
        return index if index < self.count else None


def board_highlights(
    viewer: Viewer,
    network: Network,
    first: date,
    last: date,
    *,
    theme_id: int | None,
    progress: Progress | None = None,
) -> list[IndicatorHighlight]:
    """The highlights of the network's indicators of one theme (``None``: those without a
    theme) that ``viewer`` may see and that have a figure between ``first`` and ``last``."""
    indicators = list(
        visible(
            viewer,
            Indicator.objects.filter(network=network).filter(
                Q(theme__isnull=True) if theme_id is None else Q(theme_id=theme_id)
            ),
        )
        .select_related("network")
        .order_by("name", "pk")
    )
    members = {
        o.pk: o
        for o in Organisation.objects.filter(
            pk__in=NetworkOrganisation.objects.filter(network=network, is_member=True).values(
                "organisation_id"
            )
        ).order_by("name", "pk")
    }
    ids = [i.pk for i in indicators]
    targets = _grouped(Target.objects.filter(indicator_id__in=ids).order_by("applies_from"))
    notes = _grouped(Annotation.objects.filter(indicator_id__in=ids))
    results = _grouped(_results(ids, list(members), first, last))
    found: list[IndicatorHighlight] = []
    for done, indicator in enumerate(indicators, start=1):
        highlight = _indicator_highlight(
            indicator,
            members,
            results.get(indicator.pk, []),
            targets.get(indicator.pk, []),
            notes.get(indicator.pk, []),
            (first, last),
        )
        if highlight.series:
            found.append(highlight)
        if progress is not None:
            progress(done, len(indicators))
    return found


def _grouped(rows: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.indicator_id, []).append(row)
    return grouped


def _results(
    indicator_ids: list[int], org_ids: list[int], first: date, last: date
) -> Iterable[SeriesResult]:
    """The stored results of the series with points in ``first``..``last``: with their
    analyses where they end within it, and only who they are where they go on past it (those
    are analysed again, so their stored analyses would be read for nothing)."""
    overlapping = SeriesResult.objects.filter(
        indicator_id__in=indicator_ids,
        organisation_id__in=org_ids,
        latest_period__gte=first,
        first_period__lte=last,
    )
    ending = overlapping.filter(latest_period__lte=last).only(
        "indicator_id",
        "organisation_id",
        "first_period",
        "latest_period",
        "latest_value",
        "points",
        "missing_periods",
        "analysis",
        "variation_icon",
        "assurance_icon",
    )
    going_on = overlapping.filter(latest_period__gt=last).only(
        "indicator_id", "organisation_id", "latest_period"
    )
    return [*ending, *going_on]


def _indicator_highlight(
    indicator: Indicator,
    members: Mapping[int, Organisation],
    results: Sequence[SeriesResult],
    targets: Sequence[Target],
    notes: Sequence[Annotation],
    window: tuple[date, date],
) -> IndicatorHighlight:
    first, last = window
    series = [
        *(
            _stored(indicator, members[r.organisation_id], r)
            for r in results
            if r.latest_period <= last
        ),
        *_cut(
            indicator,
            members,
            [r.organisation_id for r in results if r.latest_period > last],
            targets,
            notes,
            last,
        ),
    ]
    by_org = {s.organisation.pk: s for s in series}
    highlights = sorted(
        (h for s in series if (h := _series_highlight(indicator, s, first)) is not None),
        key=lambda h: (h.organisation, h.organisation_id),
    )
    charted, uncharted = _chart_choice(highlights)
    _values_read(indicator, [by_org[pk] for pk in charted])
    target_list = [(t.applies_from, t.value) for t in targets]
    base = f"/networks/{indicator.network.slug}/indicators/{indicator.code}/"
    shown = tuple(
        replace(
            h,
            chart=_chart_points(by_org[h.organisation_id], target_list),
            chart_path=f"{base}{h.organisation_id}/",
        )
        if h.organisation_id in charted
        else h
        for h in highlights
    )
    with_data = {h.organisation_id for h in highlights}
    return IndicatorHighlight(
        indicator_id=indicator.pk,
        code=indicator.code,
        name=indicator.name,
        theme_id=indicator.theme_id,
        unit=indicator.unit,
        unit_label=str(indicator.get_unit_display()),
        direction_label=str(indicator.get_direction_display()),
        is_illustrative=indicator.is_illustrative,
        source=indicator.source,
        path=base,
        series=shown,
        without_data=tuple(o.name for pk, o in members.items() if pk not in with_data),
        uncharted=tuple(h.organisation for h in highlights if h.organisation_id in uncharted),
        frequency=indicator.frequency,
    )


def _stored(indicator: Indicator, organisation: Organisation, result: SeriesResult) -> _Found:
    """A series that ends within the period: its stored result is as it was then."""
    return _Found(
        organisation,
        None,
        None,
        result.points,
        (result.latest_period, result.latest_value),
        result.analysis,
        result.variation_icon,
        result.assurance_icon,
        start=None if result.missing_periods else result.first_period,
        frequency=indicator.frequency,
    )


def _cut(
    indicator: Indicator,
    members: Mapping[int, Organisation],
    org_ids: list[int],
    targets: Sequence[Target],
    notes: Sequence[Annotation],
    last: date,
) -> list[_Found]:
    """Series that go on past the period, cut at its end and analysed as they stood then."""
    if not org_ids:
        return []
    found = []
    for org_id, (whole, cut_dates) in stored_series(indicator, org_ids, until=last).items():
        values = whole.values
        analysed = analyse_series(
            indicator,
            org_id,
            Series(cut_dates[0], cut_dates[-1], values),
            cut_dates,
            targets,
            notes,
        )
        found.append(
            _Found(
                members[org_id],
                cut_dates,
                values,
                len(values),
                (cut_dates[-1], values[-1]),
                analysed.analysis,
                analysed.variation,
                analysed.assurance,
            )
        )
    return found


def _values_read(indicator: Indicator, charted: Sequence[_Found]) -> None:
    """Read the values of the stored series that are charted (cut series hold theirs)."""
    wanted = {f.organisation.pk: f for f in charted if f.values is None}
    if not wanted:
        return
    for found in wanted.values():
        found.values = []
    rows = (
        DataPoint.objects.filter(
            indicator=indicator,
            organisation_id__in=list(wanted),
            period__lte=max(f.latest[0] for f in wanted.values()),
        )
        .order_by("organisation_id", "period")
        .values_list("organisation_id", "period", "value")
    )
    for org, period, value in rows:
        found = wanted[org]
        if period <= found.latest[0]:
            assert found.values is not None
            found.values.append(value)


def _types(found: _Found) -> list[str]:
    letters = found.analysis.get("types") or ""
    if (found.dates is None and found.start is None) or len(letters) != found.count:
        return []
    return [LETTER_TYPES[letter] for letter in letters]


def _series_highlight(indicator: Indicator, found: _Found, first: date) -> SeriesHighlight | None:
    latest_period, latest_value = found.latest
    if latest_period < first:
        return None
    types = _types(found)
    begin = found.first_from(first)
    inside = types[begin:] if types and begin is not None else []
    special = next((kind for kind in inside if kind in SPECIAL), "")
    organisation = found.organisation
    return SeriesHighlight(
        organisation_id=organisation.pk,
        organisation=organisation.name,
        ods_code=organisation.ods_code,
        period=latest_period,
        period_text=period_label(latest_period, indicator.frequency),
        value=latest_value,
        value_text=number(latest_value, indicator.unit, suffix=True),
        points=found.count,
        variation=found.variation,
        assurance=found.assurance,
        variation_label=VARIATION_LABELS.get(found.variation, ""),
        assurance_label=ASSURANCE_LABELS.get(found.assurance, ""),
        special_cause=special,
        warnings=tuple(found.analysis.get("warnings") or ()),
    )


def _chart_choice(highlights: Sequence[SeriesHighlight]) -> tuple[list[int], set[int]]:
    special = sorted(
        (h for h in highlights if h.special_cause),
        key=lambda h: (TYPE_ORDER[h.special_cause], h.organisation, h.organisation_id),
    )
    charted = [h.organisation_id for h in special[:MAX_CHARTS]]
    return charted, {h.organisation_id for h in special[MAX_CHARTS:]}


def _chart_points(found: _Found, targets: Sequence[tuple[date, float]]) -> tuple[ChartPoint, ...]:
    dates = found.periods()
    assert dates is not None
    assert found.values is not None
    segments = found.analysis.get("segments") or []
    starts = [date.fromisoformat(s["start"]) for s in segments]
    types = _types(found) or [""] * len(found.values)
    points = []
    for day, value, kind in zip(dates, found.values, types, strict=True):
        at = bisect_right(starts, day) - 1
        segment = segments[at] if at >= 0 else {}
        target = next((v for d, v in reversed(targets) if d <= day), None)
        points.append(
            ChartPoint(
                day,
                value,
                segment.get("mean"),
                segment.get("lower_limit"),
                segment.get("upper_limit"),
                target,
                kind,
            )
        )
    return tuple(points[-CHART_POINTS:])


# --- Drawing a highlighted chart --------------------------------------------------------------


def chart_spec(title: str, unit: str, points: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The Vega-Lite chart of a highlighted series from its points as a paper stores them
    (``ChartPoint`` fields, periods as ISO dates)."""
    labels = {label: kind for kind, label in TYPE_LABELS.items()}
    rows = [
        ChartRow(
            period=date.fromisoformat(p["period"]),
            value=p["value"],
            segment=0,
            mean=p.get("mean"),
            lower_limit=p.get("lower_limit"),
            upper_limit=p.get("upper_limit"),
            lower_two_sigma=None,
            upper_two_sigma=None,
            type=labels.get(p.get("type", ""), p.get("type", "")),
            rules=(),
            target=p.get("target"),
        )
        for p in points
    ]
    rows = _segmented(rows)
    unit_label = dict(Indicator._meta.get_field("unit").flatchoices).get(unit, unit)
    return spc_spec(rows, title=title, unit=unit, y_title=str(unit_label), width=620, height=260)


def _segmented(rows: list[ChartRow]) -> list[ChartRow]:
    """Number the segments where the mean changes, so each draws as its own line."""
    segment, previous, out = 0, None, []
    for row in rows:
        if previous is not None and (row.mean, row.upper_limit) != previous:
            segment += 1
        previous = (row.mean, row.upper_limit)
        out.append(replace(row, segment=segment))
    return out


__all__ = ["MAX_CHARTS", "ChartPoint", "IndicatorHighlight", "SeriesHighlight"]
