"""SPC results per series (one indicator, one organisation), computed on import and stored.

Pages read ``SeriesResult`` rows; nothing computes SPC while a page is being served.

The analysis is stored in the compact form of ``stored.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from kmatrix.core.bulk import adapt_date, adapt_datetime, rows_insert
from kmatrix.indicators import periods
from kmatrix.indicators.models import Annotation, DataPoint, Indicator, SeriesResult, Target
from kmatrix.indicators.spc import SpcError, SpcSettings, analyse
from kmatrix.indicators.stored import no_analysis, stored_analysis

RESULT_COLUMNS = (
    "indicator",
    "organisation",
    "points",
    "first_period",
    "latest_period",
    "latest_value",
    "variation_icon",
    "assurance_icon",
    "missing_periods",
    "analysis",
    "computed_at",
)


@dataclass
class Series:
    """One organisation's values in period order, with the first and last period."""

    first: date
    last: date
    values: list[float]


def settings_for(
    indicator: Indicator, *, target: float | None, recalculate_at: tuple[int, ...]
) -> SpcSettings:
    return SpcSettings(
        preset=indicator.spc_preset,  # type: ignore[arg-type]
        direction=indicator.direction,  # type: ignore[arg-type]
        target=target,
        run_length=indicator.run_length,
        screen_outliers=indicator.screen_outliers,
        baseline=indicator.baseline_points,
        recalculate_at=recalculate_at,
    )


# --- Computing -------------------------------------------------------------------------------


def _current_target(targets: Sequence[Target], latest: date) -> float | None:
    current = None
    for target in targets:  # ordered by applies_from
        if target.applies_from <= latest:
            current = target.value
    return current


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def _gaps(series: Series, frequency: str, dates: Sequence[date] | None) -> list[date]:
    """The periods missing from a series. Its periods are distinct and in order, so it has
    none when it has as many points as periods from its first to its last."""
    span = (_month_number(series.last) - _month_number(series.first)) // periods.STEP_MONTHS[
        frequency
    ] + 1
    if span == len(series.values):
        return []
    if dates is None:
        raise ValueError("a series with gaps needs its periods")
    return periods.missing(dates, frequency)


@dataclass(frozen=True)
class Analysed:
    """A series' SPC analysis in its stored form, with its icons and the periods it lacks."""

    analysis: dict[str, Any]
    variation: str
    assurance: str
    missing: list[date]


def analyse_series(
    indicator: Indicator,
    organisation_id: int,
    series: Series,
    dates: Sequence[date] | None,
    targets: Sequence[Target],
    annotations: Sequence[Annotation],
) -> Analysed:
    """The analysis stored for one series: as an import stores it, and as a Board paper reads
    a series cut at the end of its period."""
    missing = _gaps(series, indicator.frequency, dates)
    if missing:
        # A gap shrinks the average moving range, so no limits are drawn over one (SPC.md).
        warning = (
            "Missing periods: "
            + ", ".join(d.isoformat() for d in missing[:12])
            + (" and more" if len(missing) > 12 else "")
            + ". SPC is not shown until they are filled."
        )
        return Analysed(no_analysis(warning), "", "", missing)
    step = periods.STEP_MONTHS[indicator.frequency]
    first = _month_number(series.first)
    recalculate_at = tuple(
        sorted(
            {
                (_month_number(a.period) - first) // step
                for a in annotations
                if a.recalculate
                and a.organisation_id in (None, organisation_id)
                and series.first < a.period <= series.last
                and periods.start_of(a.period, indicator.frequency) == a.period
            }
        )
    )
    target = _current_target(targets, series.last)
    try:
        result = analyse(
            series.values, settings_for(indicator, target=target, recalculate_at=recalculate_at)
        )
    except SpcError as error:
        return Analysed(no_analysis(str(error)), "", "", missing)
    return Analysed(
        stored_analysis(result, series.first, indicator.frequency),
        result.variation_icon or "",
        result.assurance_icon or "",
        missing,
    )


def _analyse_series(
    indicator: Indicator,
    organisation_id: int,
    series: Series,
    dates: Sequence[date] | None,
    targets: Sequence[Target],
    annotations: Sequence[Annotation],
    now: Any,
) -> tuple[Any, ...]:
    """The row of ``SeriesResult`` (``RESULT_COLUMNS``) for one series."""
    found = analyse_series(indicator, organisation_id, series, dates, targets, annotations)
    return (
        indicator.pk,
        organisation_id,
        len(series.values),
        adapt_date(series.first),
        adapt_date(series.last),
        series.values[-1],
        found.variation,
        found.assurance,
        json.dumps([d.isoformat() for d in found.missing]),
        json.dumps(found.analysis),
        now,
    )


def stored_series(
    indicator: Indicator, org_ids: list[int] | None, *, until: date | None = None
) -> dict[int, tuple[Series, list[date]]]:
    """Each organisation's stored series of ``indicator`` (up to the period ``until``, when
    given), read in one ordered query.

    A raw query, because the ORM would build a date object per point in Python; periods repeat
    across organisations, so each distinct one is read once.
    """
    table = connection.ops.quote_name(DataPoint._meta.db_table)
    # On SQLite a CAST keeps the driver from converting every date itself.
    period = "CAST(period AS TEXT)" if connection.vendor == "sqlite" else "period"
    sql = (
        f"SELECT organisation_id, {period}, value FROM {table} "  # noqa: S608 - model's names
        "WHERE indicator_id = %s"
    )
    params: list[Any] = [indicator.pk]
    wanted = None
    if org_ids is not None:
        if len(org_ids) <= 500:
            sql += f" AND organisation_id IN ({', '.join(['%s'] * len(org_ids))})"
            params += org_ids
        else:
            wanted = set(org_ids)
    if until is not None:
        sql += " AND period <= %s"
        params.append(adapt_date(until))
    sql += " ORDER BY organisation_id, period"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    days: dict[Any, date] = {}
    by_org: dict[int, tuple[list[date], list[float]]] = {}
    for org, raw, value in rows:
        held = by_org.get(org)
        if held is None:
            if wanted is not None and org not in wanted:
                continue
            held = by_org[org] = ([], [])
        day = days.get(raw)
        if day is None:
            day = days[raw] = raw if isinstance(raw, date) else date.fromisoformat(raw)
        held[0].append(day)
        held[1].append(value)
    return {
        org: (Series(dates[0], dates[-1], values), dates) for org, (dates, values) in by_org.items()
    }


def series_refresh(
    *,
    indicator: Indicator,
    organisation_ids: Iterable[int] | None = None,
    known: Mapping[int, tuple[Series, list[date] | None]] | None = None,
) -> int:
    """Recompute and store the SPC result of each series of ``indicator``; returns how many.

    ``known`` gives whole series the caller already holds (an import does), by organisation,
    so that they need not be read back; their dates may be None when the series has no gaps.
    """
    org_ids = None if organisation_ids is None else list(organisation_ids)
    if known is None:
        found: Mapping[int, tuple[Series, list[date] | None]] = stored_series(indicator, org_ids)
    else:
        found = known
    targets = list(indicator.targets.order_by("applies_from"))
    annotations = list(indicator.annotations.all())
    now = adapt_datetime(timezone.now())
    results = [
        _analyse_series(indicator, org_id, series, dates, targets, annotations, now)
        for org_id, (series, dates) in found.items()
    ]
    with transaction.atomic():
        stale = SeriesResult.objects.filter(indicator=indicator)
        if org_ids is not None:
            stale = stale.filter(organisation_id__in=org_ids)
        stale._raw_delete(stale.db)  # nothing refers to a result, so nothing cascades
        rows_insert(SeriesResult, RESULT_COLUMNS, results)
    return len(results)
