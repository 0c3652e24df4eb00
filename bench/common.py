"""What every benchmark shares: its own database and production-like settings."""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
VAR = PROJECT_DIR / "var" / "bench"


def configure(database_url: str | None, sqlite_name: str) -> None:
    """Point Django at the benchmark's database before it is set up.

    A dedicated SQLite file under var/bench unless a database address is given, never the one
    in DATABASE_URL, so the demo's and a developer's databases are never touched.
    """
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kmatrix.settings"
    os.environ["DEBUG"] = "false"  # timings without DEBUG's query log, as in production
    VAR.mkdir(parents=True, exist_ok=True)
    os.environ["KMATRIX_VAR_DIR"] = str(VAR)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{VAR / sqlite_name}"


def page_arguments(doc: str | None, requests: int) -> argparse.ArgumentParser:
    """The options every page benchmark takes."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--scale", choices=["national", "small"], default="national")
    parser.add_argument("--requests", type=int, default=requests, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url", help="e.g. postgres://postgres@127.0.0.1:5432/kmatrix_bench"
    )
    return parser


def prepare(scale: str, seed: int, complete: Callable[[], bool] = lambda: True) -> str:
    """Migrate, then reuse the generated data set of this scale or build it afresh.

    ``complete`` lets a benchmark refuse a data set generated before its records existed.
    Returns the database's name for the report. Call only after Django is set up.
    """
    from django.core.management import call_command
    from django.db import connection

    from kmatrix.demo import generate

    call_command("migrate", interactive=False, verbosity=0)
    if generate.generated_scale() == scale and complete():
        print(f"Reusing the {scale} data set already generated.")
    else:
        started = time.perf_counter()
        generate.generate(scale=scale, seed=seed, reset=True)
        print(f"Generated the {scale} data set in {time.perf_counter() - started:.1f} s.")
    return f"{connection.vendor} {connection.settings_dict['NAME']}"


@dataclass(frozen=True)
class PageFigure:
    """One page's timings: median and 95th percentile of server time, its SQL queries, its
    size, and the median processor time of this process (on a machine shared with other work
    the wall-clock time includes waiting for a processor; the processor time does not)."""

    label: str
    url: str
    goal_ms: float
    error: str = ""
    median_ms: float = 0.0
    p95_ms: float = 0.0
    queries: int = 0
    size_kb: float = 0.0
    cpu_ms: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.error and self.p95_ms < self.goal_ms


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile: the smallest value at or above pct% of the values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def measure_page(
    label: str, url: str, user: Any, requests: int, goal_ms: float, warm_up: int = 3
) -> PageFigure:
    """Time ``requests`` GETs of ``url`` signed in as ``user`` with Django's test Client, after
    ``warm_up`` untimed ones. Call only after Django is set up."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    for _ in range(warm_up):
        response = client.get(url)
    if response.status_code != 200:
        return PageFigure(label, url, goal_ms, error=f"HTTP {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    # Read the count now: the log it slices is cleared by the next request.
    queries = len(captured.captured_queries)
    timings, cpu = [], []
    for _ in range(requests):
        started, processor = time.perf_counter(), time.process_time()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - processor) * 1000)
    return PageFigure(
        label,
        url,
        goal_ms,
        median_ms=statistics.median(timings),
        p95_ms=percentile(timings, 95),
        queries=queries,
        size_kb=len(response.content) / 1024,
        cpu_ms=statistics.median(cpu),
    )


def report_pages(figures: list[PageFigure], requests: int, warm_up: int = 3) -> None:
    print(f"\n{requests} requests per page after {warm_up} warm-up\n")
    header = (
        f"{'page':<40} {'median ms':>10} {'p95 ms':>8} {'goal':>6} {'queries':>8} {'KB':>6} "
        f"{'cpu ms':>7}  result"
    )
    print(header)
    print("-" * len(header))
    for f in figures:
        if f.error:
            blank = f"{'-':>10} {'-':>8} {f.goal_ms:>6.0f} {'-':>8} {'-':>6} {'-':>7}"
            print(f"{f.label:<40} {blank}  FAIL ({f.error}: {f.url})")
            continue
        verdict = "PASS" if f.passed else "FAIL"
        print(
            f"{f.label:<40} {f.median_ms:>10.1f} {f.p95_ms:>8.1f} {f.goal_ms:>6.0f} "
            f"{f.queries:>8} {f.size_kb:>6.0f} {f.cpu_ms:>7.1f}  {verdict}"
        )
