"""Benchmark importing the national long CSV: 40 indicators x 300 organisations x 120 months.

    python bench/indicators_import.py [--database-url URL] [--seed 1]

Builds (or reuses) the national directory with `kmatrix generate`, puts its 300 organisations
in one network with 40 indicators, writes the 1.44 million row long CSV to var/bench/, and
times ``datapoints_import`` on it twice: into an empty network (every point new) and again
(every point unchanged). Prints points per second against the goal of 100,000, with the time
spent checking rows, writing points and refreshing the 12,000 series' SPC results. Exits 1 if
the first import misses the goal.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Run as a script (python bench/x.py), the project folder is not on the path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import configure, prepare

PROJECT_DIR = Path(__file__).resolve().parent.parent
VAR = PROJECT_DIR / "var" / "bench"
GOAL = 100_000  # points per second
NETWORK_SLUG = "bench-indicators"
# 40 indicators with the units the Alliance uses: (unit, direction, with numerator/denominator).
KINDS = [
    ("percent", "decrease", True),
    ("rate_per_1000_obd", "decrease", True),
    ("count", "decrease", False),
    ("days", "decrease", False),
    ("percent", "increase", False),
]


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    _configure(args.database_url)
    import django

    django.setup()
    if args.database_url and args.database_url.startswith(("postgres://", "postgresql://")):
        from kmatrix.demo.generate import postgres_database_ensure

        if postgres_database_ensure(args.database_url):
            print(f"Created the database {args.database_url}")
    print(f"Database: {prepare('national', args.seed)}")
    network, codes = _network(args.indicators)
    path = _csv(codes, network, args.months, args.organisations)
    points = args.indicators * args.organisations * args.months
    first = _timed_import(network, path, points, "first import (every point new)")
    second = _timed_import(network, path, points, "same file again (every point unchanged)")
    _report(first, second, points)
    return 0 if first.points_per_second >= GOAL else 1


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", help="e.g. postgres://postgres@127.0.0.1:5432/kmatrix_bench"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--organisations", type=int, default=300)
    parser.add_argument("--months", type=int, default=120)
    return parser.parse_args(argv)


def _configure(database_url: str | None) -> None:
    configure(database_url, "indicators.sqlite3")
    # The national CSV is about 45 MB; the limit is for uploads, not for this file.
    os.environ["KMATRIX_MAX_UPLOAD_BYTES"] = str(1024**3)


def _network(indicators: int) -> tuple[Any, list[tuple[str, str, bool]]]:
    """The benchmark's network, emptied of any earlier run's indicators, with fresh ones."""
    from django.db import transaction

    from kmatrix.demo.generate import GENERATED_NOTE
    from kmatrix.indicators.models import (
        DataPoint,
        DataPointRevision,
        ImportBatch,
        Indicator,
        SeriesResult,
    )
    from kmatrix.networks.models import Network, NetworkOrganisation, Organisation

    with transaction.atomic():
        network, _ = Network.objects.get_or_create(
            slug=NETWORK_SLUG,
            defaults={"name": "Benchmark indicators network", "purpose": "Benchmarks."},
        )
        old = Indicator.objects.filter(network=network)
        # Raw deletes: the ORM's cascade would load 1.44 million points to delete them.
        DataPointRevision.objects.filter(point__indicator__in=old)._raw_delete("default")
        SeriesResult.objects.filter(indicator__in=old)._raw_delete("default")
        DataPoint.objects.filter(indicator__in=old)._raw_delete("default")
        ImportBatch.objects.filter(network=network)._raw_delete("default")
        old.delete()
        NetworkOrganisation.objects.filter(network=network).delete()
        organisations = Organisation.objects.filter(description=GENERATED_NOTE)
        NetworkOrganisation.objects.bulk_create(
            [NetworkOrganisation(network=network, organisation=org) for org in organisations]
        )
        codes = []
        for number in range(1, indicators + 1):
            unit, direction, fraction = KINDS[number % len(KINDS)]
            code = f"bench-{number:02d}"
            Indicator.objects.create(
                network=network,
                code=code,
                name=f"Benchmark indicator {number}",
                unit=unit,
                direction=direction,
            )
            codes.append((code, unit, fraction))
    return network, codes


def _csv(codes: list[tuple[str, str, bool]], network: Any, months: int, organisations: int) -> Path:
    from kmatrix.networks.models import Organisation

    ods = list(
        Organisation.objects.filter(network_links__network=network)
        .order_by("ods_code")
        .values_list("ods_code", flat=True)
    )[:organisations]
    if len(ods) < organisations:
        raise SystemExit(f"Only {len(ods)} organisations in the network; regenerate the data.")
    # Generated ODS codes differ between databases, so the file is named for the ones it uses.
    digest = hashlib.sha256(",".join(ods).encode()).hexdigest()[:8]
    path = VAR / f"indicators_{len(codes)}x{organisations}x{months}_{digest}.csv"
    if path.exists():
        return path
    started = time.perf_counter()
    rng = random.Random(1)
    periods = [
        f"{2015 + m // 12}-{m % 12 + 1:02d}" for m in range(3, 3 + months)
    ]  # from April 2015
    with path.open("w", newline="") as out:
        out.write("indicator_code,org_code,period,value,numerator,denominator\n")
        for code, unit, fraction in codes:
            for org in ods:
                out.writelines(_rows(rng, code, unit, fraction, org, periods))
    size, seconds = path.stat().st_size / 1e6, time.perf_counter() - started
    print(f"Wrote {path.name} ({size:.0f} MB) in {seconds:.1f} s.")
    return path


def _rows(
    rng: random.Random, code: str, unit: str, fraction: bool, org: str, periods: list[str]
) -> Iterator[str]:
    level = rng.uniform(2, 8)
    for period in periods:
        if fraction:
            denominator = rng.randint(20_000, 200_000)
            numerator = round(denominator * max(level + rng.gauss(0, 0.5), 0) / 100, 2)
            yield f"{code},{org},{period},,{numerator},{denominator}\n"
        elif unit == "count":
            yield f"{code},{org},{period},{max(round(level * 3 + rng.gauss(0, 3)), 0)},,\n"
        else:
            yield f"{code},{org},{period},{min(max(level + rng.gauss(0, 1), 0), 100):.2f},,\n"


@dataclass
class Timing:
    label: str
    points: int
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    counts: tuple[int, int, int] = (0, 0, 0)

    @property
    def points_per_second(self) -> float:
        return self.points / self.seconds if self.seconds else 0.0


@contextmanager
def _phase_timers(timing: Timing) -> Iterator[None]:
    """Time the service's phases by wrapping its steps, without changing it."""
    from kmatrix.indicators import imports, services

    steps = [
        (imports, "source_read", "read and check rows"),
        (imports, "file_parse", "read and check rows"),
        (services, "_points_apply", "compare and write points"),
        (services, "_series_refresh", "refresh SPC results"),
    ]
    originals = [(module, name, getattr(module, name)) for module, name, _label in steps]

    def timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                timing.phases[label] = timing.phases.get(label, 0.0) + time.perf_counter() - started

        return wrapper

    for (module, name, function), (_m, _n, label) in zip(originals, steps, strict=True):
        setattr(module, name, timed(label, function))
    try:
        yield
    finally:
        for module, name, function in originals:
            setattr(module, name, function)


def _timed_import(network: Any, path: Path, points: int, label: str) -> Timing:
    from kmatrix.indicators.services import datapoints_import

    timing = Timing(label, points)
    with _phase_timers(timing):
        started = time.perf_counter()
        batch = datapoints_import(
            network=network, source=path, filename=path.name, file_format="long"
        )
        timing.seconds = time.perf_counter() - started
    if batch.status != "done":
        raise SystemExit(f"The import failed: {batch.errors[:5]}")
    timing.counts = (batch.created, batch.changed, batch.unchanged)
    # What the wrapped steps leave: the batch's rows, and committing (with SQLite's checkpoint).
    timing.phases["commit and bookkeeping"] = timing.seconds - sum(timing.phases.values())
    return timing


def _report(first: Timing, second: Timing, points: int) -> None:
    print(f"\n{points:,} points; goal: at least {GOAL:,} points/s end to end\n")
    for timing in (first, second):
        created, changed, unchanged = timing.counts
        verdict = "PASS" if timing.points_per_second >= GOAL else "FAIL"
        print(
            f"{timing.label}: {timing.seconds:.1f} s, "
            f"{timing.points_per_second:,.0f} points/s  {verdict}  "
            f"({created:,} new, {changed:,} changed, {unchanged:,} unchanged)"
        )
        for phase, seconds in timing.phases.items():
            print(f"    {phase:<28} {seconds:6.1f} s  {100 * seconds / timing.seconds:3.0f}%")
        refresh = timing.phases.get("refresh SPC results", 0.0)
        if refresh:
            print(
                f"    without the SPC refresh: {points / (timing.seconds - refresh):,.0f} points/s"
            )


if __name__ == "__main__":
    sys.exit(main())
