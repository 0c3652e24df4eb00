"""Reads for the indicator pages: a fixed number of queries per page, however much data there is.

Every indicator is read through the access helper; organisations' figures are only read for
indicators the viewer may see. Latest values, icons and gaps come from the stored
``SeriesResult`` rows (SPC is never computed while a page is served); the figures for earlier
periods come from one ``DataPoint`` query filtered by ``period IN (...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from django.db.models import F, Max, Min, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from kmatrix.core.access import Viewer, get_for, visible
from kmatrix.indicators import highlights, periods
from kmatrix.indicators.charts import ChartRow, chart_rows, render, rounded
from kmatrix.indicators.models import (
    UNIT_MULTIPLIER,
    Annotation,
    DataPoint,
    Direction,
    ImportBatch,
    Indicator,
    SeriesResult,
    Target,
)
from kmatrix.indicators.stored import TYPE_LETTERS
from kmatrix.networks.models import Network, NetworkOrganisation, Organisation

# --- What a page is about ------------------------------------------------------------------


def network_for(viewer: Viewer, slug: str) -> Network:
    return get_for(viewer, Network.objects.all(), slug=slug)


def indicators_for(viewer: Viewer, network: Network) -> QuerySet[Indicator]:
    """The network's indicators the viewer may see, grouped by theme (no theme last)."""
    return (
        visible(viewer, Indicator.objects.filter(network=network))
        .select_related("theme")
        .order_by(F("theme__position").asc(nulls_last=True), "theme__name", "name", "pk")
    )


def indicator_for(viewer: Viewer, network: Network, code: str) -> Indicator:
    return get_for(
        viewer, Indicator.objects.filter(network=network).select_related("theme"), code=code
    )


def _provider_ids(network: Network) -> QuerySet[NetworkOrganisation, Any]:
    return NetworkOrganisation.objects.filter(network=network, is_member=True).values(
        "organisation_id"
    )


def providers(network: Network, q: str = "") -> QuerySet[Organisation]:
    """The network's member organisations: the providers its dashboards compare."""
    orgs = Organisation.objects.filter(pk__in=_provider_ids(network))
    if q:
        orgs = orgs.filter(Q(name__icontains=q) | Q(ods_code__iexact=q))
    return orgs.order_by("name", "pk")


def provider_for(network: Network, pk: int) -> Organisation:
    organisation = providers(network).filter(pk=pk).first()
    if organisation is None:
        raise Http404("That organisation is not a member of this network.")
    return organisation


def batch_for(network: Network, pk: int) -> ImportBatch:
    batch = ImportBatch.objects.filter(network=network, pk=pk).first()
    if batch is None:
        raise Http404("No such import.")
    return batch


# --- Shared pieces -------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """A series' stored summary, without the (large) analysis."""

    organisation_id: int
    indicator_id: int
    value: float
    period: date
    variation: str
    assurance: str
    missing: tuple[str, ...]


def _results(filters: Q) -> Iterator[Result]:
    rows = SeriesResult.objects.filter(filters).values_list(
        "organisation_id",
        "indicator_id",
        "latest_value",
        "latest_period",
        "variation_icon",
        "assurance_icon",
        "missing_periods",
    )
    for org, ind, value, period, variation, assurance, missing in rows:
        yield Result(org, ind, value, period, variation, assurance, tuple(missing or ()))


def _network_latest(network: Network, indicator_ids: Iterable[int]) -> dict[int, date]:
    """Each indicator's latest period across the network's providers."""
    rows = (
        SeriesResult.objects.filter(
            indicator_id__in=list(indicator_ids), organisation_id__in=_provider_ids(network)
        )
        .values("indicator_id")
        .annotate(latest=Max("latest_period"))
        .values_list("indicator_id", "latest")
    )
    return dict(rows)


def _targets(indicator_ids: Iterable[int]) -> dict[int, list[tuple[date, float]]]:
    found: dict[int, list[tuple[date, float]]] = {}
    rows = Target.objects.filter(indicator_id__in=list(indicator_ids)).order_by(
        "indicator_id", "applies_from"
    )
    for ind, applies_from, value in rows.values_list("indicator_id", "applies_from", "value"):
        found.setdefault(ind, []).append((applies_from, value))
    return found


def target_at(targets: Sequence[tuple[date, float]], day: date | None) -> float | None:
    """The target in force on a day: the last one that applies from on or before it."""
    current = None
    for applies_from, value in targets:
        if day is not None and applies_from <= day:
            current = value
    return current


@dataclass(frozen=True)
class NetworkFigure:
    """The network's figure for a period: pooled where every point has a numerator and a
    denominator (total numerator / total denominator x the unit's multiplier), else the mean."""

    period: date | None
    value: float | None
    pooled: bool
    providers: int

    @property
    def method(self) -> str:
        if self.value is None:
            return "No data"
        who = f"{self.providers} provider" + ("" if self.providers == 1 else "s")
        if self.pooled:
            return f"Pooled: total numerator ÷ total denominator of {who}"
        return f"Mean of {who}' values"


def network_figure(
    period: date | None, points: Sequence[tuple[float, float | None, float | None]], unit: str
) -> NetworkFigure:
    if not points:
        return NetworkFigure(period, None, False, 0)
    if all(num is not None and den for _v, num, den in points):
        numerator = sum(num or 0.0 for _v, num, _d in points)
        denominator = sum(den or 0.0 for _v, _n, den in points)
        value = numerator / denominator * UNIT_MULTIPLIER.get(unit, 1.0)  # type: ignore[call-overload]
        return NetworkFigure(period, value, True, len(points))
    return NetworkFigure(period, sum(v for v, _n, _d in points) / len(points), False, len(points))


def _difference(later: float | None, earlier: float | None) -> float | None:
    return None if later is None or earlier is None else later - earlier


def judged(change: float | None, direction: str) -> str:
    """Whether a change is for the better, in the indicator's improvement direction."""
    if change is None or direction == Direction.NEUTRAL:
        return ""
    if change == 0:
        return "No change"
    better = (change > 0) == (direction == Direction.INCREASE)
    return "Better" if better else "Worse"


@dataclass(frozen=True)
class Flags:
    """How complete a provider's series is."""

    has_data: bool
    late_since: date | None = None  # their latest period, when older than the network's
    missing: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.has_data and self.late_since is None and not self.missing

    @property
    def missing_dates(self) -> list[date]:
        return [date.fromisoformat(day) for day in self.missing]


# --- Overview: indicators x providers ------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    value: float
    period: date
    variation: str
    assurance: str
    flags: Flags


@dataclass
class OverviewRow:
    indicator: Indicator
    latest: date | None
    cells: list[Cell | None]


@dataclass
class ThemeGroup:
    name: str
    rows: list[OverviewRow] = field(default_factory=list)


@dataclass
class Overview:
    providers: list[Organisation]
    groups: list[ThemeGroup]

    @property
    def illustrative(self) -> list[Indicator]:
        return [
            row.indicator
            for group in self.groups
            for row in group.rows
            if row.indicator.is_illustrative
        ]


def _flags(result: Result | None, latest: date | None) -> Flags:
    if result is None:
        return Flags(has_data=False)
    late = result.period if latest is not None and result.period < latest else None
    return Flags(True, late, result.missing)


def _grouped(rows: Iterable[OverviewRow]) -> list[ThemeGroup]:
    groups: list[ThemeGroup] = []
    for row in rows:
        theme = row.indicator.theme
        name = theme.name if theme else "Other indicators"
        if not groups or groups[-1].name != name:
            groups.append(ThemeGroup(name))
        groups[-1].rows.append(row)
    return groups


def overview(viewer: Viewer, network: Network, shown: Sequence[Organisation]) -> Overview:
    """The dashboard: each visible indicator's latest value and icons for the providers shown."""
    indicators = list(indicators_for(viewer, network))
    ids = [i.pk for i in indicators]
    latest = _network_latest(network, ids)
    org_ids = [o.pk for o in shown]
    found = {
        (r.indicator_id, r.organisation_id): r
        for r in _results(Q(indicator_id__in=ids, organisation_id__in=org_ids))
    }
    rows = []
    for indicator in indicators:
        cells: list[Cell | None] = []
        for org in shown:
            result = found.get((indicator.pk, org.pk))
            cells.append(
                None
                if result is None
                else Cell(
                    result.value,
                    result.period,
                    result.variation,
                    result.assurance,
                    _flags(result, latest.get(indicator.pk)),
                )
            )
        rows.append(OverviewRow(indicator, latest.get(indicator.pk), cells))
    return Overview(list(shown), _grouped(rows))


def overview_table(viewer: Viewer, network: Network) -> tuple[list[str], Iterator[list[Any]]]:
    """Every visible indicator for every provider, one row each, for downloads."""
    indicators = {i.pk: i for i in indicators_for(viewer, network)}
    latest = _network_latest(network, indicators)
    orgs = {o.pk: o for o in providers(network)}
    header = [
        "Theme",
        "Indicator code",
        "Indicator",
        "Illustrative",
        "Organisation",
        "ODS code",
        "Latest period",
        "Value",
        "Unit",
        "Variation",
        "Assurance",
        "Late",
        "Missing periods",
    ]
    results = _results(Q(indicator_id__in=list(indicators), organisation_id__in=list(orgs)))
    by_key = {(r.indicator_id, r.organisation_id): r for r in results}

    def rows() -> Iterator[list[Any]]:
        for indicator in indicators.values():
            for org in orgs.values():
                result = by_key.get((indicator.pk, org.pk))
                flags = _flags(result, latest.get(indicator.pk))
                yield [
                    indicator.theme.name if indicator.theme else "",
                    indicator.code,
                    indicator.name,
                    "yes" if indicator.is_illustrative else "no",
                    org.name,
                    org.ods_code,
                    result.period if result else None,
                    rounded(result.value) if result else None,
                    indicator.get_unit_display(),
                    result.variation if result else "",
                    result.assurance if result else "",
                    "yes" if flags.late_since else "no",
                    " ".join(flags.missing),
                ]

    return header, rows()


# --- Indicator page: every provider for the latest period ----------------------------------


@dataclass(frozen=True)
class ProviderRow:
    organisation: Organisation
    value: float | None  # at the network's latest period
    rank: int | None
    previous: float | None
    year_ago: float | None
    variation: str
    assurance: str
    flags: Flags

    @property
    def change_on_previous(self) -> float | None:
        return _difference(self.value, self.previous)

    @property
    def change_on_year(self) -> float | None:
        return _difference(self.value, self.year_ago)


@dataclass
class IndicatorPage:
    indicator: Indicator
    period: date | None
    previous_period: date | None
    year_ago_period: date | None
    rows: list[ProviderRow]
    figures: tuple[NetworkFigure, NetworkFigure, NetworkFigure]  # latest, previous, year ago
    targets: list[tuple[date, float]]

    @property
    def target(self) -> float | None:
        return target_at(self.targets, self.period)

    def table(self) -> tuple[list[str], list[list[Any]]]:
        header = [
            "Organisation",
            "ODS code",
            "Period",
            "Value",
            "Rank",
            "Previous period",
            "Change on previous period",
            "Twelve months before",
            "Change on twelve months before",
            "Variation",
            "Assurance",
            "Latest period if late",
            "Missing periods",
        ]
        rows: list[list[Any]] = [
            [
                row.organisation.name,
                row.organisation.ods_code,
                self.period,
                rounded(row.value),
                row.rank,
                rounded(row.previous),
                rounded(row.change_on_previous),
                rounded(row.year_ago),
                rounded(row.change_on_year),
                row.variation,
                row.assurance,
                row.flags.late_since,
                " ".join(row.flags.missing) if row.flags.has_data else "no data",
            ]
            for row in self.rows
        ]
        latest, previous, year_ago = self.figures
        rows.append(
            [
                "Network (" + latest.method + ")",
                "",
                self.period,
                rounded(latest.value),
                None,
                rounded(previous.value),
                rounded(_difference(latest.value, previous.value)),
                rounded(year_ago.value),
                rounded(_difference(latest.value, year_ago.value)),
                "",
                "",
                None,
                "",
            ]
        )
        return header, rows


def rank(values: dict[int, float], direction: str) -> dict[int, int]:
    """Competition ranking ("1, 2, 2, 4"), best first; highest first for neutral indicators."""
    ordered = sorted(values.values(), reverse=direction != Direction.DECREASE)
    first_place: dict[float, int] = {}
    for place, value in enumerate(ordered, start=1):
        first_place.setdefault(value, place)
    return {key: first_place[value] for key, value in values.items()}


def indicator_page(network: Network, indicator: Indicator) -> IndicatorPage:
    orgs = list(providers(network))
    results = {
        r.organisation_id: r
        for r in _results(Q(indicator=indicator, organisation_id__in=_provider_ids(network)))
    }
    latest = max((r.period for r in results.values()), default=None)
    previous = year_ago = None
    points: dict[tuple[int, date], tuple[float, float | None, float | None]] = {}
    if latest is not None:
        previous = periods.add(latest, indicator.frequency, -1)
        year_ago = periods.add(latest, "monthly", -12)
        rows = DataPoint.objects.filter(
            indicator=indicator,
            organisation_id__in=_provider_ids(network),
            period__in={latest, previous, year_ago},
        ).values_list("organisation_id", "period", "value", "numerator", "denominator")
        points = {(org, period): (v, num, den) for org, period, v, num, den in rows}

    def value(org: int, period: date | None) -> float | None:
        point = points.get((org, period)) if period else None
        return point[0] if point else None

    current = {o.pk: v for o in orgs if (v := value(o.pk, latest)) is not None}
    ranks = rank(current, indicator.direction)
    provider_rows = [
        ProviderRow(
            organisation=o,
            value=current.get(o.pk),
            rank=ranks.get(o.pk),
            previous=value(o.pk, previous),
            year_ago=value(o.pk, year_ago),
            variation=results[o.pk].variation if o.pk in results else "",
            assurance=results[o.pk].assurance if o.pk in results else "",
            flags=_flags(results.get(o.pk), latest),
        )
        for o in orgs
    ]

    def figure(period: date | None) -> NetworkFigure:
        at = [p for (_org, when), p in points.items() if when == period]
        return network_figure(period, at, indicator.unit)

    return IndicatorPage(
        indicator=indicator,
        period=latest,
        previous_period=previous,
        year_ago_period=year_ago,
        rows=provider_rows,
        figures=(figure(latest), figure(previous), figure(year_ago)),
        targets=list(
            indicator.targets.order_by("applies_from").values_list("applies_from", "value")
        ),
    )


# --- Organisation page: all the network's indicators for one provider ----------------------


@dataclass(frozen=True)
class ReportRow:
    indicator: Indicator
    result: Result | None
    target: float | None
    flags: Flags


@dataclass
class OrganisationPage:
    organisation: Organisation
    groups: list[tuple[str, list[ReportRow]]]
    targets: dict[int, list[tuple[date, float]]]  # by indicator id

    @property
    def rows(self) -> list[ReportRow]:
        return [row for _name, rows in self.groups for row in rows]

    def table(self) -> tuple[list[str], list[list[Any]]]:
        header = [
            "Theme",
            "Indicator code",
            "Indicator",
            "Illustrative",
            "Latest period",
            "Value",
            "Unit",
            "Target",
            "Variation",
            "Assurance",
            "Latest period if late",
            "Missing periods",
        ]
        rows = []
        for name, group in self.groups:
            for row in group:
                r = row.result
                rows.append(
                    [
                        name,
                        row.indicator.code,
                        row.indicator.name,
                        "yes" if row.indicator.is_illustrative else "no",
                        r.period if r else None,
                        rounded(r.value) if r else None,
                        row.indicator.get_unit_display(),
                        row.target,
                        r.variation if r else "",
                        r.assurance if r else "",
                        row.flags.late_since,
                        " ".join(row.flags.missing) if r else "no data",
                    ]
                )
        return header, rows


def organisation_page(
    viewer: Viewer, network: Network, organisation: Organisation
) -> OrganisationPage:
    indicators = list(indicators_for(viewer, network))
    ids = [i.pk for i in indicators]
    results = {
        r.indicator_id: r for r in _results(Q(indicator_id__in=ids, organisation=organisation))
    }
    latest = _network_latest(network, ids)
    targets = _targets(ids)
    groups: dict[str, list[ReportRow]] = {}
    for indicator in indicators:
        result = results.get(indicator.pk)
        name = indicator.theme.name if indicator.theme else "Other indicators"
        groups.setdefault(name, []).append(
            ReportRow(
                indicator,
                result,
                target_at(targets.get(indicator.pk, []), result.period if result else None),
                _flags(result, latest.get(indicator.pk)),
            )
        )
    return OrganisationPage(organisation, list(groups.items()), targets)


# --- Small multiples ---------------------------------------------------------------------


def _series_values(
    filters: Q,
) -> dict[tuple[int, int], list[tuple[date, float]]]:
    found: dict[tuple[int, int], list[tuple[date, float]]] = {}
    rows = (
        DataPoint.objects.filter(filters)
        .order_by("indicator_id", "organisation_id", "period")
        .values_list("indicator_id", "organisation_id", "period", "value")
    )
    for ind, org, period, value in rows:
        found.setdefault((ind, org), []).append((period, value))
    return found


def _analyses(filters: Q) -> dict[tuple[int, int], dict[str, Any]]:
    rows = SeriesResult.objects.filter(filters).values_list(
        "indicator_id", "organisation_id", "analysis"
    )
    return {(ind, org): analysis for ind, org, analysis in rows}


def provider_series(
    indicator: Indicator,
    orgs: Sequence[Organisation],
    targets: Sequence[tuple[date, float]] | None = None,
) -> list[tuple[Organisation, list[ChartRow]]]:
    """Each provider's chart rows for one indicator (the small multiples of a page of them);
    ``targets`` saves a query when the caller has them."""
    filters = Q(indicator=indicator, organisation_id__in=[o.pk for o in orgs])
    values = _series_values(filters)
    analyses = _analyses(filters)
    if targets is None:
        targets = _targets([indicator.pk]).get(indicator.pk, [])
    return [
        (o, chart_rows(values[indicator.pk, o.pk], analyses.get((indicator.pk, o.pk)), targets))
        for o in orgs
        if (indicator.pk, o.pk) in values
    ]


def indicator_series(
    indicators: Sequence[Indicator],
    organisation: Organisation,
    targets: dict[int, list[tuple[date, float]]] | None = None,
) -> list[tuple[Indicator, list[ChartRow]]]:
    """One provider's chart rows for several indicators (its performance report's charts)."""
    filters = Q(indicator_id__in=[i.pk for i in indicators], organisation=organisation)
    values = _series_values(filters)
    analyses = _analyses(filters)
    if targets is None:
        targets = _targets([i.pk for i in indicators])
    return [
        (
            i,
            chart_rows(
                values[i.pk, organisation.pk],
                analyses.get((i.pk, organisation.pk)),
                targets.get(i.pk, []),
            ),
        )
        for i in indicators
        if (i.pk, organisation.pk) in values
    ]


# --- One SPC chart -----------------------------------------------------------------------


@dataclass
class SeriesPage:
    indicator: Indicator
    organisation: Organisation
    result: SeriesResult | None
    rows: list[ChartRow]
    annotations: list[Annotation]

    @property
    def analysis(self) -> dict[str, Any]:
        return self.result.analysis if self.result else {}

    @property
    def periods(self) -> list[date]:
        return [row.period for row in self.rows]

    def table(self) -> tuple[list[str], list[list[Any]]]:
        header = [
            "Period",
            "Value",
            "Mean",
            "Lower process limit",
            "Upper process limit",
            "Lower two-sigma line",
            "Upper two-sigma line",
            "Target",
            "Variation",
            "Rules",
        ]
        rows = [
            [
                row.period,
                rounded(row.value),
                rounded(row.mean),
                rounded(row.lower_limit),
                rounded(row.upper_limit),
                rounded(row.lower_two_sigma),
                rounded(row.upper_two_sigma),
                row.target,
                row.type_label,
                row.rule_labels,
            ]
            for row in self.rows
        ]
        return header, rows


def series_page(indicator: Indicator, organisation: Organisation) -> SeriesPage:
    result = SeriesResult.objects.filter(indicator=indicator, organisation=organisation).first()
    values = list(
        DataPoint.objects.filter(indicator=indicator, organisation=organisation)
        .order_by("period")
        .values_list("period", "value")
    )
    targets = list(indicator.targets.order_by("applies_from").values_list("applies_from", "value"))
    annotations = list(
        indicator.annotations.filter(
            Q(organisation__isnull=True) | Q(organisation=organisation)
        ).order_by("period", "pk")
    )
    return SeriesPage(
        indicator=indicator,
        organisation=organisation,
        result=result,
        rows=chart_rows(values, result.analysis if result else None, targets),
        annotations=annotations,
    )


# --- Review: two periods side by side ------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    organisation: Organisation
    first: float | None
    second: float | None

    @property
    def change(self) -> float | None:
        return _difference(self.second, self.first)


@dataclass
class Review:
    indicator: Indicator
    first_period: date
    second_period: date
    rows: list[ReviewRow]
    figures: tuple[NetworkFigure, NetworkFigure]

    @property
    def network_change(self) -> float | None:
        return _difference(self.figures[1].value, self.figures[0].value)

    def table(self) -> tuple[list[str], list[list[Any]]]:
        direction = self.indicator.direction
        header = [
            "Organisation",
            "ODS code",
            f"Value {self.first_period}",
            f"Value {self.second_period}",
            "Change",
            "Better or worse",
        ]
        rows: list[list[Any]] = [
            [
                row.organisation.name,
                row.organisation.ods_code,
                rounded(row.first),
                rounded(row.second),
                rounded(row.change),
                judged(row.change, direction),
            ]
            for row in self.rows
        ]
        first, second = self.figures
        rows.append(
            [
                f"Network ({second.method})",
                "",
                rounded(first.value),
                rounded(second.value),
                rounded(self.network_change),
                judged(self.network_change, direction),
            ]
        )
        return header, rows


def periods_with_data(network: Network, indicator: Indicator) -> tuple[date | None, date | None]:
    """The first and latest periods any provider has for an indicator."""
    found = SeriesResult.objects.filter(
        indicator=indicator, organisation_id__in=_provider_ids(network)
    ).aggregate(first=Min("first_period"), latest=Max("latest_period"))
    return found["first"], found["latest"]


def review(network: Network, indicator: Indicator, first: date, second: date) -> Review:
    orgs = list(providers(network))
    rows = DataPoint.objects.filter(
        indicator=indicator,
        organisation_id__in=_provider_ids(network),
        period__in=[first, second],
    ).values_list("organisation_id", "period", "value", "numerator", "denominator")
    points = {(org, period): (v, num, den) for org, period, v, num, den in rows}

    def value(org: int, period: date) -> float | None:
        point = points.get((org, period))
        return point[0] if point else None

    def figure(period: date) -> NetworkFigure:
        return network_figure(
            period, [p for (_org, when), p in points.items() if when == period], indicator.unit
        )

    return Review(
        indicator=indicator,
        first_period=first,
        second_period=second,
        rows=[ReviewRow(o, value(o.pk, first), value(o.pk, second)) for o in orgs],
        figures=(figure(first), figure(second)),
    )


# --- For other apps: one series' SPC, read through the access helper ------------------------


@dataclass(frozen=True)
class SeriesSpc:
    """One series' SPC chart as other apps show it: its rows (the data table), summary icons
    and where the full chart page is."""

    indicator_id: int
    organisation_id: int
    indicator_name: str
    organisation_name: str
    unit: str
    direction: str
    frequency: str
    is_illustrative: bool
    chart_url: str
    rows: tuple[ChartRow, ...]
    variation_icon: str
    assurance_icon: str
    warnings: tuple[str, ...]

    @property
    def improvement_periods(self) -> list[date]:
        """Periods whose point shows special-cause improvement."""
        return [row.period for row in self.rows if row.type == "improvement"]

    @property
    def shows_improvement(self) -> bool:
        return bool(self.improvement_periods)


def series_spc(viewer: Viewer, *, indicator_id: int, organisation_id: int) -> SeriesSpc | None:
    """The SPC of one indicator for one organisation, if the viewer may see the indicator and
    the series has data; None otherwise. Four queries."""
    indicator = (
        visible(viewer, Indicator.objects.filter(pk=indicator_id)).select_related("network").first()
    )
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if indicator is None or organisation is None:
        return None
    page = series_page(indicator, organisation)
    if not page.rows:
        return None
    analysis = page.analysis
    return SeriesSpc(
        indicator_id=indicator.pk,
        organisation_id=organisation.pk,
        indicator_name=indicator.name,
        organisation_name=organisation.name,
        unit=indicator.unit,
        direction=indicator.direction,
        frequency=indicator.frequency,
        is_illustrative=indicator.is_illustrative,
        chart_url=reverse(
            "indicators:chart", args=[indicator.network.slug, indicator.code, organisation.pk]
        ),
        rows=tuple(page.rows),
        variation_icon=str(analysis.get("variation_icon") or ""),
        assurance_icon=str(analysis.get("assurance_icon") or ""),
        warnings=tuple(analysis.get("warnings") or ()),
    )


def series_improving(viewer: Viewer, keys: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of these (indicator id, organisation id) series, those the viewer may see whose stored
    SPC shows special-cause improvement at any point (two queries, however many series)."""
    wanted = set(keys)
    if not wanted:
        return set()
    readable = set(
        visible(viewer, Indicator.objects.filter(pk__in={i for i, _o in wanted})).values_list(
            "pk", flat=True
        )
    )
    rows = SeriesResult.objects.filter(
        indicator_id__in=readable, organisation_id__in={o for _i, o in wanted}
    ).values_list("indicator_id", "organisation_id", "analysis")
    letter = TYPE_LETTERS["improvement"]
    return {
        (ind, org)
        for ind, org, analysis in rows
        if (ind, org) in wanted and letter in str((analysis or {}).get("types") or "")
    }


# --- For Board papers (kmatrix/boardpapers reads indicators only through these) ------------


def board_highlights(
    viewer: Viewer,
    network: Network,
    first: date,
    last: date,
    *,
    theme_id: int | None,
    progress: Callable[[int, int], None] | None = None,
) -> list[highlights.IndicatorHighlight]:
    """The network's indicators of one theme (``None``: those without one) that ``viewer``
    may see, with each member organisation's figure between ``first`` and ``last`` and its
    SPC icons as they stood at ``last``; series with special cause in the period carry their
    chart. See ``highlights.py``."""
    return highlights.board_highlights(
        viewer, network, first, last, theme_id=theme_id, progress=progress
    )


def board_chart(
    title: str, unit: str, points: Sequence[Mapping[str, Any]], fmt: Literal["png", "svg"]
) -> bytes:
    """A highlighted series' SPC chart, drawn from the points a paper stored, as PNG or SVG."""
    return render(highlights.chart_spec(title, unit, points), fmt)
