"""Benchmark the directory pages at national scale.

    python bench/directory.py [--scale national] [--requests 200] [--database-url URL]

Builds (or reuses) a dedicated database, fills it with `kmatrix generate`, signs in as a
generated coordinator and times the network home page, the organisation list (pages 1 and 2)
and the people directory (plain and searched for a common surname) with Django's test Client.
Prints the median and 95th percentile in milliseconds and the SQL queries per page, against
the goal of p95 under 100 ms. Exits 1 if any page misses the goal or cannot be measured.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Run as a script (python bench/x.py), the project folder is not on the path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import configure, page_arguments, prepare
from bench.common import percentile as _percentile

PROJECT_DIR = Path(__file__).resolve().parent.parent
GOAL_MS = 100.0
WARM_UP = 3


def main(argv: list[str] | None = None) -> int:
    args = page_arguments(__doc__, requests=200).parse_args(argv)
    _configure(args.database_url)
    # Django is set up only now, after the environment chooses the database.
    import django

    django.setup()
    if args.database_url and args.database_url.startswith(("postgres://", "postgresql://")):
        # Django connects lazily, so the database can still be made before first use.
        from kmatrix.demo.generate import postgres_database_ensure

        if postgres_database_ensure(args.database_url):
            print(f"Created the database {args.database_url}")
    where = prepare(args.scale, args.seed)
    print(f"Database: {where}")
    results = [_measure(page, args.requests) for page in _pages()]
    _report(results, args.requests)
    return 0 if all(r.passed for r in results) else 1


def _configure(database_url: str | None) -> None:
    configure(database_url, "directory.sqlite3")


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    args: tuple[Any, ...] = ()
    query: str = ""


@dataclass(frozen=True)
class Result:
    label: str
    url: str
    error: str = ""
    status: int = 0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    queries: int = 0

    @property
    def passed(self) -> bool:
        return not self.error and self.status == 200 and self.p95_ms < GOAL_MS


def _pages() -> list[Page]:
    from kmatrix.networks.models import Network

    network = Network.objects.get(pk=_coordinator()[1])
    surname = _common_surname()
    return [
        Page("network home", "networks:home", (network.slug,)),
        Page("organisations", "networks:organisations"),
        Page("organisations, page 2", "networks:organisations", query="page=2"),
        Page("people", "networks:people"),
        Page(f"people, search '{surname}'", "networks:people", query=f"q={surname}"),
    ]


def _coordinator() -> tuple[Any, int]:
    """A generated coordinator's account and a network they coordinate (the first by id)."""
    from kmatrix.demo.generate import EMAIL_DOMAIN
    from kmatrix.networks.models import Membership, Role

    membership = (
        Membership.objects.filter(
            roles__role=Role.COORDINATOR,
            person__user__isnull=False,
            person__email__endswith=f"@{EMAIL_DOMAIN}",
        )
        .select_related("person__user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        raise SystemExit("No generated coordinator with an account: regenerate the data.")
    return membership.person.user, membership.network_id


def _common_surname() -> str:
    from kmatrix.demo.generate import EMAIL_DOMAIN
    from kmatrix.networks.models import Person

    names = Person.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").values_list(
        "full_name", flat=True
    )
    return Counter(name.rsplit(" ", 1)[-1] for name in names).most_common(1)[0][0]


def _measure(page: Page, requests: int) -> Result:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse(page.url_name, args=page.args)
    except NoReverseMatch:
        return Result(page.label, page.url_name, error=f"URL {page.url_name} does not resolve yet")
    url += f"?{page.query}" if page.query else ""
    client = Client()
    client.force_login(_coordinator()[0])
    for _ in range(WARM_UP):
        response = client.get(url)
    if response.status_code != 200:
        return Result(
            page.label, url, error=f"HTTP {response.status_code}", status=response.status_code
        )
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    # Read the count now: the log it slices is cleared by the next request.
    queries = len(captured.captured_queries)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return Result(
        page.label,
        url,
        status=200,
        median_ms=statistics.median(timings),
        p95_ms=_percentile(timings, 95),
        queries=queries,
    )


def _report(results: list[Result], requests: int) -> None:
    print(f"\n{requests} requests per page after {WARM_UP} warm-up; goal: p95 < {GOAL_MS:.0f} ms\n")
    header = f"{'page':<34} {'median ms':>10} {'p95 ms':>8} {'queries':>8}  result"
    print(header)
    print("-" * len(header))
    for r in results:
        if r.error:
            print(f"{r.label:<34} {'-':>10} {'-':>8} {'-':>8}  FAIL ({r.error})")
        else:
            verdict = "PASS" if r.passed else "FAIL"
            print(f"{r.label:<34} {r.median_ms:>10.1f} {r.p95_ms:>8.1f} {r.queries:>8}  {verdict}")


if __name__ == "__main__":
    sys.exit(main())
