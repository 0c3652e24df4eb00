"""Benchmark the library at national scale: the search index, the one search and the Matrix.

    python bench/library.py [--scale national] [--requests 50] [--database-url URL]
                            [--skip-build]

Builds (or reuses) a dedicated database filled by `kmatrix generate` (100,000 resources with
about 5 KB of text each), then:

1. rebuilds the whole search index in bulk and prints the time (unless --skip-build);
2. runs a fixed set of mixed queries as a generated network member through the search module
   (access filter, facets, ranking, snippets) and the same queries sent to the engine
   directly (the best 20 matches, no access rules, facets or snippets), printing p50/p95 of
   each and the ratio; goals: search p95 under 50 ms, and within 2x of the engine;
3. times the search page, the catalogue, a resource's page (with its similar practice from
   other networks) and the Knowledge Matrix page with Django's test Client; goal for the
   Matrix: p95 under 100 ms.

Exits 1 if a goal is missed.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import configure, page_arguments, prepare

SEARCH_GOAL_MS = 50.0
RATIO_GOAL = 2.0
MATRIX_GOAL_MS = 100.0
WARM_UP = 2
QUERIES = (
    "care",  # in most documents
    "dementia",
    "memory clinic",
    '"care homes"',
    "commiss*",
    "delirium OR falls",
    "dementia -hospital",
    "carers respite evaluation",
    '"discharge planning"',
    "psych*",
    "reminiscence music garden",
    '"unbalanced',  # hostile or odd input
    "NEAR(dementia care)",
    "title:delirium",
    "😀 emoji",
)


def main(argv: list[str] | None = None) -> int:
    parser = page_arguments(__doc__, requests=50)
    parser.add_argument("--skip-build", action="store_true", help="do not time an index rebuild")
    args = parser.parse_args(argv)
    configure(args.database_url, "library.sqlite3")
    import django

    django.setup()
    if args.database_url and args.database_url.startswith(("postgres://", "postgresql://")):
        from kmatrix.demo.generate import postgres_database_ensure

        if postgres_database_ensure(args.database_url):
            print(f"Created the database {args.database_url}")
    print(f"Database: {prepare(args.scale, args.seed, complete=_complete)}")
    ok = True
    if not args.skip_build:
        _index_build()
    viewer, user = _member()
    ok &= _search(viewer, args.requests)
    ok &= _pages(user, args.requests)
    return 0 if ok else 1


def _complete() -> bool:
    from kmatrix.library.models import Resource, SearchEntry

    return Resource.objects.count() >= 2000 and SearchEntry.objects.exists()


def _index_build() -> None:
    from kmatrix.library.search import index

    started = time.perf_counter()
    counts = index.rebuild()
    took = time.perf_counter() - started
    total = sum(counts.values())
    print(f"Index build: {total:,} documents ({counts}) in {took:.1f} s")


def _member() -> tuple[Any, Any]:
    """A generated member (not a coordinator) of a network that has partners."""
    from kmatrix.core.access import viewer_for
    from kmatrix.demo.generate import EMAIL_DOMAIN
    from kmatrix.networks.models import Membership

    for membership in (
        Membership.objects.filter(person__user__isnull=False, person__email__endswith=EMAIL_DOMAIN)
        .exclude(roles__role__in=["coordinator", "board_reader"])
        .select_related("person__user")
        .order_by("pk")
    ):
        viewer = viewer_for(membership.person.user)
        if viewer.partner_networks:
            return viewer, membership.person.user
    raise SystemExit("No generated member with partner networks: regenerate the data.")


def _timed(run: Callable[[], Any], times: int) -> list[float]:
    for _ in range(WARM_UP):
        run()
    found = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        found.append((time.perf_counter() - started) * 1000)
    return found


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _search(viewer: Any, requests: int) -> bool:
    from django.db import connection

    from kmatrix.library.search import engine, search
    from kmatrix.library.search.query import parse

    reps = max(3, requests // 5)
    module_all: list[float] = []
    engine_all: list[float] = []
    print(f"\nSearch as a network member, {reps} runs of each query:")
    print(f"{'query':32} {'results':>8} {'module p50':>11} {'engine p50':>11}")
    for text in QUERIES:
        query = parse(text)
        total = search(viewer, text).total

        def direct(query: Any = query) -> None:
            if query.is_empty:
                return
            sql, params = engine.direct_sql(query, 20)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()

        module = _timed(lambda text=text: search(viewer, text), reps)  # type: ignore[misc]
        bare = _timed(direct, reps)
        module_all += module
        engine_all += bare
        print(
            f"{text[:32]:32} {total:>8,} {statistics.median(module):>9.1f}ms "
            f"{statistics.median(bare):>9.1f}ms"
        )
    p95, engine_p95 = _p95(module_all), _p95(engine_all)
    ratio = p95 / max(engine_p95, 0.001)
    passed = p95 < SEARCH_GOAL_MS
    print(
        f"Search module: median {statistics.median(module_all):.1f} ms, p95 {p95:.1f} ms "
        f"(goal < {SEARCH_GOAL_MS:.0f}): {'PASS' if passed else 'FAIL'}"
    )
    print(
        f"Engine directly: median {statistics.median(engine_all):.1f} ms, p95 "
        f"{engine_p95:.1f} ms; module/engine p95 {ratio:.2f}x (goal <= {RATIO_GOAL:.0f}x): "
        f"{'PASS' if ratio <= RATIO_GOAL else 'FAIL'}"
    )
    return passed and ratio <= RATIO_GOAL


def _pages(user: Any, requests: int) -> bool:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kmatrix.core.access import viewer_for
    from kmatrix.library.queries import resource_readable

    client = Client()
    client.force_login(user)
    # A resource the member reads, whose page lists similar practice from other networks.
    resource = resource_readable(viewer_for(user)).order_by("pk").first()
    assert resource is not None, "the member reads no resource: regenerate the data"
    ok = True
    print()
    for label, url, goal in (
        ("Knowledge Matrix page", "/matrix/", MATRIX_GOAL_MS),
        ("Knowledge Matrix, one year", "/matrix/?year=2024", MATRIX_GOAL_MS),
        ("search page 'dementia'", "/search/?q=dementia", None),
        ("library catalogue", "/library/", None),
        ("a resource, with similar practice", f"/library/{resource.pk}/", None),
    ):
        statuses: set[int] = set()

        def get(url: str = url, statuses: set[int] = statuses) -> None:
            statuses.add(client.get(url).status_code)

        times = _timed(get, requests)
        with CaptureQueriesContext(connection) as queries:
            get()
        p95 = _p95(times)
        verdict = "" if goal is None else (" PASS" if p95 < goal else " FAIL")
        if (goal is not None and p95 >= goal) or statuses != {200}:
            ok = False
        print(
            f"{label:32} median {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  "
            f"{len(queries)} queries  HTTP {sorted(statuses)}{verdict}"
        )
    return ok


if __name__ == "__main__":
    sys.exit(main())
