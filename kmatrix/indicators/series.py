"""SPC results per series (one indicator, one organisation), computed on import and stored.

Pages read ``SeriesResult`` rows; nothing computes SPC while a page is being served.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import transaction

from kmatrix.indicators import periods
from kmatrix.indicators.models import Annotation, DataPoint, Indicator, SeriesResult, Target
from kmatrix.indicators.spc import SpcError, SpcSettings, analyse
from kmatrix.indicators.spc_cli import result_json


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


def _current_target(targets: Sequence[Target], latest: date) -> float | None:
    current = None
    for target in targets:  # ordered by applies_from
        if target.applies_from <= latest:
            current = target.value
    return current


def _analyse_series(
    indicator: Indicator,
    organisation_id: int,
    rows: list[tuple[date, float]],
    targets: Sequence[Target],
    annotations: Sequence[Annotation],
) -> SeriesResult:
    dates = [d for d, _v in rows]
    values = [v for _d, v in rows]
    missing = periods.missing(dates, indicator.frequency)
    recalc_dates = {
        a.period
        for a in annotations
        if a.recalculate and a.organisation_id in (None, organisation_id)
    }
    index = {d: i for i, d in enumerate(dates)}
    recalculate_at = tuple(sorted(index[d] for d in recalc_dates if index.get(d, 0) > 0))
    target = _current_target(targets, dates[-1])
    warnings: list[str] = []
    if missing:
        # A gap shrinks the average moving range, so no limits are drawn over one (SPC.md).
        warnings.append(
            "Missing periods: "
            + ", ".join(d.isoformat() for d in missing[:12])
            + (" and more" if len(missing) > 12 else "")
            + ". SPC is not shown until they are filled."
        )
        analysis: dict[str, Any] = {
            "segments": [],
            "points": [],
            "variation_icon": None,
            "assurance_icon": None,
            "warnings": warnings,
        }
        variation = assurance = ""
    else:
        try:
            result = analyse(
                values, settings_for(indicator, target=target, recalculate_at=recalculate_at)
            )
        except SpcError as error:
            analysis = {
                "segments": [],
                "points": [],
                "variation_icon": None,
                "assurance_icon": None,
                "warnings": [str(error)],
            }
            variation = assurance = ""
        else:
            analysis = result_json(result, dates)
            variation = result.variation_icon or ""
            assurance = result.assurance_icon or ""
    return SeriesResult(
        indicator=indicator,
        organisation_id=organisation_id,
        points=len(rows),
        first_period=dates[0],
        latest_period=dates[-1],
        latest_value=values[-1],
        variation_icon=variation,
        assurance_icon=assurance,
        missing_periods=[d.isoformat() for d in missing],
        analysis=analysis,
    )


def series_refresh(*, indicator: Indicator, organisation_ids: Iterable[int] | None = None) -> int:
    """Recompute and store the SPC result of each series of ``indicator``; returns how many."""
    org_ids = None if organisation_ids is None else list(organisation_ids)
    points = DataPoint.objects.filter(indicator=indicator)
    if org_ids is not None:
        points = points.filter(organisation_id__in=org_ids)
    by_org: dict[int, list[tuple[date, float]]] = {}
    for org_id, period, value in (
        points.order_by("organisation_id", "period")
        .values_list("organisation_id", "period", "value")
        .iterator(chunk_size=5000)
    ):
        by_org.setdefault(org_id, []).append((period, value))
    targets = list(indicator.targets.order_by("applies_from"))
    annotations = list(indicator.annotations.all())
    results = [
        _analyse_series(indicator, org_id, rows, targets, annotations)
        for org_id, rows in by_org.items()
    ]
    with transaction.atomic():
        stale = SeriesResult.objects.filter(indicator=indicator)
        if org_ids is not None:
            stale = stale.filter(organisation_id__in=org_ids)
        stale.delete()
        SeriesResult.objects.bulk_create(results, batch_size=1000)
    return len(results)
