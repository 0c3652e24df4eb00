"""Benchmark SPC and the indicator pages at national scale.

    python bench/indicators.py [--scale national] [--requests 100] [--database-url URL]

Builds (or reuses) a dedicated database filled by `kmatrix generate` (40 indicators x 300
organisations x 120 months at national scale) and measures:

1. SPC for every series (12,000): the pure engine (``spc.analyse``) over series already in
   memory, against the goal of under 2 s; then ``series.series_refresh`` over every indicator,
   which reads the points from the database, analyses them and stores the results (a figure to
   know, with no goal of its own: imports refresh only the series they touch).
2. The network overview and an indicator page, signed in as a coordinator of the benchmarking
   network, with Django's test Client: median and 95th percentile server time against the goal
   of p95 under 150 ms (SPC results are stored, never computed while a page is served).

Prints each figure with PASS or FAIL; exits 1 if any goal is missed or cannot be measured.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

# Run as a script (python bench/x.py), the project folder is not on the path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import configure, page_arguments, prepare
from bench.common import percentile as _percentile

PROJECT_DIR = Path(__file__).resolve().parent.parent
ENGINE_GOAL_S = 2.0
PAGE_GOAL_MS = 150.0
WARM_UP = 3


def main(argv: list[str] | None = None) -> int:
    args = page_arguments(__doc__, requests=100).parse_args(argv)
    _configure(args.database_url)
    # Django is set up only now, after the environment chooses the database.
    import django

    django.setup()
    if args.database_url and args.database_url.startswith(("postgres://", "postgresql://")):
        from kmatrix.demo.generate import postgres_database_ensure

        if postgres_database_ensure(args.database_url):
            print(f"Created the database {args.database_url}")
    print(f"Database: {prepare(args.scale, args.seed, lambda: _points_present(args.scale))}")
    figures = [*_spc_figures(), *_page_figures(args.requests)]
    _report(figures, args.requests)
    return 0 if all(f.passed for f in figures) else 1


def _configure(database_url: str | None) -> None:
    configure(database_url, "indicators_spc.sqlite3")


def _points_present(scale: str) -> bool:
    """Whether the generated indicators are all there (a data set generated before the
    indicators step existed has none)."""
    from kmatrix.demo.generate import SCALES
    from kmatrix.indicators.models import DataPoint, SeriesResult

    shape = SCALES[scale]
    series = shape.indicators * shape.organisations
    points = DataPoint.objects.filter(indicator__in=_generated_indicators())
    results = SeriesResult.objects.filter(indicator__in=_generated_indicators())
    return points.count() == series * shape.months and results.count() == series


def _generated_indicators() -> Any:
    from kmatrix.demo.generate_indicators import SOURCE
    from kmatrix.indicators.models import Indicator

    return Indicator.objects.filter(source=SOURCE).select_related("network").order_by("pk")


@dataclass(frozen=True)
class Figure:
    label: str
    value: float  # seconds for SPC, milliseconds for pages
    unit: str
    goal: float | None  # None: reported for information
    detail: str = ""
    error: str = ""
    median_ms: float | None = None

    @property
    def passed(self) -> bool:
        return not self.error and (self.goal is None or self.value < self.goal)

    @property
    def verdict(self) -> str:
        if self.error:
            return f"FAIL ({self.error})"
        if self.goal is None:
            return "info"
        return "PASS" if self.passed else "FAIL"


# --- SPC -------------------------------------------------------------------------------------


def _spc_figures() -> list[Figure]:
    from kmatrix.indicators.series import series_refresh, settings_for
    from kmatrix.indicators.spc import analyse

    indicators = list(_generated_indicators().prefetch_related("targets"))
    started = time.perf_counter()
    series = [(indicator, _series_of(indicator)) for indicator in indicators]
    read_s = time.perf_counter() - started
    count = sum(len(by_org) for _indicator, by_org in series)
    points = sum(len(values) for _i, by_org in series for values in by_org.values())
    latest = _last_period()
    settings = [
        settings_for(indicator, target=_target(indicator, latest), recalculate_at=())
        for indicator, _by_org in series
    ]
    started = time.perf_counter()
    signals = 0
    for (_indicator, by_org), spc_settings in zip(series, settings, strict=True):
        for values in by_org.values():
            result = analyse(values, spc_settings)
            signals += result.variation_icon not in (None, "common_cause")
    engine_s = time.perf_counter() - started
    started = time.perf_counter()
    refreshed = sum(series_refresh(indicator=indicator) for indicator in indicators)
    refresh_s = time.perf_counter() - started
    what = f"{count:,} series, {points:,} points"
    return [
        Figure("SPC engine, every series", engine_s, "s", ENGINE_GOAL_S,
               f"{what}; {signals:,} end on a special cause"),
        Figure("reading the series from the database", read_s, "s", None, what),
        Figure("series_refresh, every indicator", refresh_s, "s", None,
               f"{refreshed:,} results read, analysed and stored"),
    ]  # fmt: skip


def _series_of(indicator: Any) -> dict[int, list[float]]:
    from kmatrix.indicators.models import DataPoint

    by_org: dict[int, list[float]] = {}
    rows = (
        DataPoint.objects.filter(indicator=indicator)
        .order_by("organisation_id", "period")
        .values_list("organisation_id", "value")
    )
    for org_id, value in rows.iterator(chunk_size=10_000):
        by_org.setdefault(org_id, []).append(value)
    return by_org


def _last_period() -> date:
    from kmatrix.demo.generate import SCALES, generated_scale
    from kmatrix.demo.generate_indicators import FIRST_PERIOD
    from kmatrix.indicators import periods

    months = SCALES[generated_scale() or "national"].months
    return periods.add(FIRST_PERIOD, "monthly", months - 1)


def _target(indicator: Any, latest: date) -> float | None:
    """The target in force at the series' last period, as series.py chooses it."""
    targets = sorted(indicator.targets.all(), key=lambda t: t.applies_from)
    current = [t.value for t in targets if t.applies_from <= latest]
    return current[-1] if current else None


# --- Pages -----------------------------------------------------------------------------------


def _page_figures(requests: int) -> list[Figure]:
    indicator = _generated_indicators().first()
    if indicator is None:
        return [Figure("pages", 0, "ms", PAGE_GOAL_MS, error="no generated indicators")]
    user = _coordinator(indicator.network_id)
    slug = indicator.network.slug
    return [
        _measure("network overview", "indicators:overview", [slug], user, requests),
        _measure(
            f"indicator page ({indicator.code})",
            "indicators:indicator",
            [slug, indicator.code],
            user,
            requests,
        ),
    ]


def _coordinator(network_id: int) -> Any:
    from kmatrix.networks.models import Membership, Role

    membership = (
        Membership.objects.filter(
            network_id=network_id, roles__role=Role.COORDINATOR, person__user__isnull=False
        )
        .select_related("person__user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        raise SystemExit("The benchmarking network has no coordinator with an account.")
    return membership.person.user


def _measure(label: str, url_name: str, args: list[Any], user: Any, requests: int) -> Figure:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse(url_name, args=args)
    except NoReverseMatch:
        return Figure(label, 0, "ms", PAGE_GOAL_MS, error=f"URL {url_name} does not resolve")
    client = Client()
    client.force_login(user)
    for _ in range(WARM_UP):
        response = client.get(url)
    if response.status_code != 200:
        return Figure(label, 0, "ms", PAGE_GOAL_MS, error=f"HTTP {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured.captured_queries)
    size = len(response.content)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return Figure(
        label,
        _percentile(timings, 95),
        "ms",
        PAGE_GOAL_MS,
        f"{url}; {queries} queries, {size / 1024:,.0f} KB",
        median_ms=statistics.median(timings),
    )


def _report(figures: list[Figure], requests: int) -> None:
    print(
        f"\nGoals: SPC engine over every series < {ENGINE_GOAL_S:.0f} s; pages p95 < "
        f"{PAGE_GOAL_MS:.0f} ms ({requests} requests after {WARM_UP} warm-up)\n"
    )
    header = f"{'measure':<40} {'median':>9} {'p95 / time':>11}  result"
    print(header)
    print("-" * len(header))
    for f in figures:
        if f.error:
            print(f"{f.label:<40} {'-':>9} {'-':>11}  {f.verdict}")
            continue
        median = f"{f.median_ms:.1f} ms" if f.median_ms is not None else ""
        print(f"{f.label:<40} {median:>9} {f.value:>8.2f} {f.unit:<2}  {f.verdict}")
        if f.detail:
            print(f"    {f.detail}")


if __name__ == "__main__":
    sys.exit(main())
