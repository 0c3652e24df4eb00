"""The scale generator's indicators step: a national benchmarking set of synthetic series.

One generated network (the first) becomes a benchmarking network that every generated
organisation reports to: ``scale.indicators`` indicators (40 at national scale) x every
organisation x ``scale.months`` months (120), each series with plausible values for its unit
(percentages from a numerator and a denominator, rates per 1,000 occupied bed days from incident
counts, counts, days). About one series in six has a special-cause shift and one in twenty a
single outlying month, so the SPC charts have something to show. The SPC result of every series
is then computed and stored through ``series.series_refresh``, as an import would.

Values are drawn with numpy, from a generator seeded by ``ctx.rng``, so a seed gives the same
data. Points are written one indicator at a time (36,000 rows at national scale), which keeps
memory flat, as plain rows rather than model objects (see ``_insert``).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import connection
from tqdm import tqdm

from kmatrix.core.access import Visibility
from kmatrix.indicators import periods
from kmatrix.indicators.models import (
    DataPoint,
    DataPointRevision,
    Direction,
    Indicator,
    SeriesResult,
    Target,
    Unit,
)
from kmatrix.indicators.series import series_refresh
from kmatrix.networks.models import NetworkOrganisation

if TYPE_CHECKING:
    from kmatrix.demo.generate import Context

# Ten NHS years, April to March, fixed so that a seed gives the same data every day.
FIRST_PERIOD = date(2016, 4, 1)
POINT_BATCH = 20_000
SOURCE = "Synthetic data made by `kmatrix generate` for scale testing."

PERCENT, RATE, COUNT, DAYS = Unit.PERCENT, Unit.RATE_PER_1000_OBD, Unit.COUNT, Unit.DAYS
UP, DOWN, NEITHER = Direction.INCREASE, Direction.DECREASE, Direction.NEUTRAL


@dataclass(frozen=True)
class Template:
    """An indicator and how its values behave: ``level`` is the typical value, ``between`` the
    spread of organisations' own levels around it and ``noise`` the month-to-month spread, both
    as fractions of the level."""

    code: str
    name: str
    unit: str
    direction: str
    level: float
    between: float = 0.25
    noise: float = 0.08
    target: float | None = None
    numerator: str = ""
    denominator: str = ""


T = Template
TEMPLATES: tuple[Template, ...] = (
    T("sickness-rate", "Sickness absence rate", PERCENT, DOWN, 5.0, 0.2, 0.08, 4.5,
      "FTE days lost to sickness", "FTE days available"),
    T("turnover-rate", "Staff turnover rate", PERCENT, DOWN, 12.0, 0.25, 0.05, 10.0,
      "Leavers in the last 12 months", "Average staff in post"),
    T("vacancy-rate", "Vacancy rate", PERCENT, DOWN, 9.0, 0.3, 0.06, None,
      "Vacant posts (FTE)", "Funded establishment (FTE)"),
    T("agency-share", "Agency staff share of pay bill", PERCENT, DOWN, 5.0, 0.4, 0.1, 3.7,
      "Agency spend", "Total pay bill"),
    T("supervision", "Clinical supervision compliance", PERCENT, UP, 82.0, 0.06, 0.03, 85.0,
      "Staff supervised in the month", "Staff requiring supervision"),
    T("appraisal-rate", "Appraisal rate", PERCENT, UP, 84.0, 0.06, 0.02, 90.0,
      "Staff with an appraisal in the last 12 months", "Staff eligible"),
    T("training-compliance", "Mandatory training compliance", PERCENT, UP, 89.0, 0.04, 0.015,
      95.0, "Required courses completed", "Required courses"),
    T("bed-occupancy", "Bed occupancy", PERCENT, DOWN, 92.0, 0.04, 0.02, 85.0,
      "Occupied bed days", "Available bed days"),
    T("followup-72h", "Follow-up within 72 hours of discharge", PERCENT, UP, 80.0, 0.08, 0.04,
      80.0, "Discharges followed up within 72 hours", "Discharges"),
    T("eip-two-weeks", "Early intervention in psychosis within two weeks", PERCENT, UP, 68.0,
      0.12, 0.08, 60.0, "Referrals starting treatment within two weeks", "Referrals"),
    T("talking-therapies-recovery", "Talking therapies recovery rate", PERCENT, UP, 50.0, 0.08,
      0.04, 50.0, "Patients moving to recovery", "Patients finishing treatment"),
    T("cpa-reviews", "Care programme reviews within 12 months", PERCENT, UP, 90.0, 0.05, 0.02,
      95.0, "Patients reviewed", "Patients on the care programme"),
    T("out-of-area-share", "Out-of-area placements share", PERCENT, DOWN, 9.0, 0.4, 0.1, None,
      "Patients placed out of area", "Patients in adult secure care"),
    T("fft-positive", "Friends and family test: positive", PERCENT, UP, 87.0, 0.05, 0.03, None,
      "Positive responses", "Responses"),
    T("restraint-rate", "Restraint", RATE, DOWN, 14.0, 0.4, 0.0, None,
      "Restraint incidents", "Occupied bed days"),
    T("prone-restraint-rate", "Prone restraint", RATE, DOWN, 1.5, 0.5, 0.0, None,
      "Prone restraint incidents", "Occupied bed days"),
    T("seclusion-rate", "Seclusion", RATE, DOWN, 3.0, 0.5, 0.0, None,
      "Seclusion episodes", "Occupied bed days"),
    T("segregation-rate", "Long-term segregation", RATE, DOWN, 0.6, 0.5, 0.0, None,
      "Long-term segregation episodes", "Occupied bed days"),
    T("rapid-tranquillisation-rate", "Rapid tranquillisation", RATE, DOWN, 4.0, 0.4, 0.0, None,
      "Rapid tranquillisation episodes", "Occupied bed days"),
    T("falls-rate", "Inpatient falls", RATE, DOWN, 6.0, 0.3, 0.0, None,
      "Falls", "Occupied bed days"),
    T("self-harm-rate", "Self-harm incidents on wards", RATE, DOWN, 8.0, 0.4, 0.0, None,
      "Self-harm incidents", "Occupied bed days"),
    T("assaults-on-staff-rate", "Assaults on staff", RATE, DOWN, 10.0, 0.4, 0.0, None,
      "Assaults on staff", "Occupied bed days"),
    T("medication-errors-rate", "Medication errors", RATE, DOWN, 3.5, 0.3, 0.0, None,
      "Medication errors reported", "Occupied bed days"),
    T("absconsion-rate", "Absconsions", RATE, DOWN, 1.2, 0.4, 0.0, None,
      "Absconsions", "Occupied bed days"),
    T("out-of-area-placements", "Out-of-area placements", COUNT, DOWN, 18.0, 0.5, 0.0),
    T("complaints", "Complaints received", COUNT, DOWN, 25.0, 0.4, 0.0),
    T("compliments", "Compliments received", COUNT, UP, 45.0, 0.4, 0.0),
    T("serious-incidents", "Serious incidents reported", COUNT, NEITHER, 4.0, 0.4, 0.0),
    T("referrals", "New referrals", COUNT, NEITHER, 900.0, 0.4, 0.0),
    T("delayed-discharges", "Delayed discharges", COUNT, DOWN, 12.0, 0.4, 0.0),
    T("waiting-list", "People waiting for assessment", COUNT, DOWN, 450.0, 0.5, 0.0),
    T("leavers", "Leavers", COUNT, DOWN, 35.0, 0.4, 0.0),
    T("starters", "Starters", COUNT, UP, 40.0, 0.4, 0.0),
    T("time-to-hire", "Time to hire", DAYS, DOWN, 55.0, 0.2, 0.08, 45.0),
    T("length-of-stay", "Average length of stay (adult acute)", DAYS, DOWN, 38.0, 0.25, 0.1),
    T("wait-to-assessment", "Wait from referral to assessment", DAYS, DOWN, 28.0, 0.3, 0.12, 28.0),
    T("wait-to-treatment", "Wait from referral to treatment", DAYS, DOWN, 60.0, 0.3, 0.1, 126.0),
    T("discharge-summary-days", "Days to send a discharge summary", DAYS, DOWN, 3.0, 0.3, 0.15,
      1.0),
    T("crisis-response-days", "Days to crisis team response", DAYS, DOWN, 1.0, 0.3, 0.15, None),
    T("dtoc-days", "Bed days lost to delayed discharge", DAYS, DOWN, 210.0, 0.5, 0.12, None),
)  # fmt: skip


def indicators_build(ctx: Context) -> int:
    """Indicators, data points and stored SPC results for the benchmarking network."""
    started = time.perf_counter()
    network = ctx.networks[0]
    linked = _link_every_organisation(ctx, network.pk)
    np_rng = np.random.default_rng(ctx.rng.getrandbits(64))
    templates = [TEMPLATES[i % len(TEMPLATES)] for i in range(ctx.scale.indicators)]
    indicators = Indicator.objects.bulk_create(
        [_indicator(network.pk, template, i) for i, template in enumerate(templates)]
    )
    targets = Target.objects.bulk_create(
        [
            Target(indicator=ind, value=tpl.target, applies_from=FIRST_PERIOD)
            for ind, tpl in zip(indicators, templates, strict=True)
            if tpl.target is not None
        ]
    )
    month_list = [periods.add(FIRST_PERIOD, "monthly", m) for m in range(ctx.scale.months)]
    org_ids = [org.pk for org in ctx.organisations]
    bar: Any = tqdm(
        list(zip(indicators, templates, strict=True)),
        desc="indicators",
        unit="indicator",
        file=sys.stderr,
        leave=False,
        disable=not ctx.progress,
    )
    made = 0
    for indicator, template in bar:
        bar.set_postfix_str(indicator.code)
        values = series_values(template, len(org_ids), ctx.scale.months, np_rng)
        made += _write_points(indicator.pk, org_ids, month_list, values)
    written = time.perf_counter()
    results = sum(series_refresh(indicator=ind) for ind in indicators)
    if ctx.progress:
        tqdm.write(
            f"indicators: {made:,} data points in {written - started:.1f} s; SPC for "
            f"{results:,} series in {time.perf_counter() - written:.1f} s",
            file=sys.stderr,
        )
    return linked + len(indicators) + len(targets) + made + results


def _indicator(network_id: int, template: Template, index: int) -> Indicator:
    # Past the catalogue's 40 the codes repeat with a number, so any scale stays unique.
    suffix = "" if index < len(TEMPLATES) else f"-{index // len(TEMPLATES) + 1}"
    return Indicator(
        network_id=network_id,
        code=template.code + suffix,
        name=template.name + (f" ({suffix[1:]})" if suffix else ""),
        definition="Synthetic indicator for scale testing; the figures are not real.",
        unit=template.unit,
        numerator_definition=template.numerator,
        denominator_definition=template.denominator,
        direction=template.direction,
        source=SOURCE,
        is_illustrative=True,
        visibility=Visibility.NETWORK,
    )


def _link_every_organisation(ctx: Context, network_id: int) -> int:
    """Every organisation is a member of the benchmarking network: the dashboards compare
    members. Those already in it as partners become members; the rest join."""
    NetworkOrganisation.objects.filter(network_id=network_id, is_member=False).update(
        is_member=True
    )
    missing = [o for o in ctx.organisations if network_id not in ctx.network_organisations[o.pk]]
    for org in missing:
        ctx.network_organisations[org.pk].append(network_id)
    NetworkOrganisation.objects.bulk_create(
        [NetworkOrganisation(network_id=network_id, organisation=org) for org in missing]
    )
    return len(missing)


@dataclass(frozen=True)
class SeriesValues:
    """Values of every organisation's series (rows) by month (columns), with the numerators
    and denominators that make them where the unit has them."""

    value: np.ndarray
    numerator: np.ndarray | None = None
    denominator: np.ndarray | None = None


def series_values(
    template: Template, orgs: int, months: int, rng: np.random.Generator
) -> SeriesValues:
    """Plausible values for ``orgs`` series of ``months`` months of one indicator."""
    level = template.level * np.exp(rng.normal(0.0, template.between, size=(orgs, 1)))
    level = level * _special_causes(orgs, months, rng)
    if template.unit == PERCENT:
        return _percentages(template, level, rng)
    if template.unit == RATE:
        # Incidents are counts over occupied bed days, so their noise is Poisson's.
        beds = np.round(
            rng.uniform(2_000, 12_000, size=(orgs, 1)) * rng.normal(1, 0.03, level.shape)
        )
        incidents = rng.poisson(level * beds / 1000.0).astype(float)
        return SeriesValues(np.round(1000.0 * incidents / beds, 6), incidents, beds)
    if template.unit == COUNT:
        return SeriesValues(rng.poisson(level).astype(float))
    days = level * np.exp(rng.normal(0.0, template.noise, size=level.shape))
    return SeriesValues(np.round(days, 1))


def _special_causes(orgs: int, months: int, rng: np.random.Generator) -> np.ndarray:
    """Multipliers per series and month: about one series in six shifts for good at a month
    in its second half (down more often than up), and one in twenty has one outlying month."""
    factor = np.ones((orgs, months))
    shifted = rng.random(orgs) < 1 / 6
    starts = rng.integers(months // 2, months - 6, size=orgs)
    sizes = rng.uniform(0.15, 0.35, size=orgs) * np.where(rng.random(orgs) < 0.7, -1, 1)
    for row in np.flatnonzero(shifted):
        factor[row, starts[row] :] += sizes[row]
    spiked = rng.random(orgs) < 1 / 20
    at = rng.integers(0, months, size=orgs)
    for row in np.flatnonzero(spiked):
        factor[row, at[row]] *= 1.6
    return factor


def _percentages(template: Template, level: np.ndarray, rng: np.random.Generator) -> SeriesValues:
    seasonal = 1 + 0.05 * np.sin(np.arange(level.shape[1]) * 2 * np.pi / 12 + rng.uniform(0, 6))
    share = level * seasonal * np.exp(rng.normal(0.0, template.noise, size=level.shape))
    share = np.clip(share, 0.05, 99.9)
    size = rng.uniform(500, 60_000, size=(level.shape[0], 1))
    denominator = np.round(size * rng.normal(1, 0.02, size=level.shape))
    numerator = np.minimum(np.round(share / 100.0 * denominator), denominator)
    return SeriesValues(np.round(100.0 * numerator / denominator, 6), numerator, denominator)


def _write_points(
    indicator_id: int, org_ids: list[int], months: list[date], values: SeriesValues
) -> int:
    value = values.value.tolist()
    blank = [[None] * len(months)] * len(org_ids)
    numerator = blank if values.numerator is None else values.numerator.tolist()
    denominator = blank if values.denominator is None else values.denominator.tolist()
    rows = [
        (indicator_id, org_id, period, value[i][m], numerator[i][m], denominator[i][m], "")
        for i, org_id in enumerate(org_ids)
        for m, period in enumerate(months)
    ]
    _insert(rows)
    return len(rows)


POINT_COLUMNS = ("indicator_id", "organisation_id", "period", "value", "numerator", "denominator",
                 "note")  # fmt: skip


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """Plain rows straight into the table: bulk_create builds a model object per row and asks
    for every new key back, which made it six times slower at 1.44 million rows. PostgreSQL
    takes them by COPY; SQLite by one prepared statement."""
    table, columns = DataPoint._meta.db_table, ", ".join(POINT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(POINT_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - our names
        for start in range(0, len(rows), POINT_BATCH):
            cursor.executemany(sql, rows[start : start + POINT_BATCH])


def indicators_reset() -> object:
    """Delete the generated indicators; their points go first, in plain SQL, because Django's
    cascade would load a million of them to look for revisions."""
    generated = Indicator.objects.filter(source=SOURCE)
    ids = list(generated.values_list("pk", flat=True))
    if not ids:
        return 0
    points = DataPoint.objects.filter(indicator_id__in=ids)
    DataPointRevision.objects.filter(point__in=points).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {DataPoint._meta.db_table} WHERE indicator_id IN "  # noqa: S608
            f"({', '.join(['%s'] * len(ids))})",
            ids,
        )
    SeriesResult.objects.filter(indicator_id__in=ids).delete()
    return generated.delete()
