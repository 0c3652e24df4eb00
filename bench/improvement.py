"""Benchmark the improvement pages at national scale.

    python bench/improvement.py [--scale national] [--requests 200] [--database-url URL]

Builds (or reuses) a dedicated database filled by `kmatrix generate` (5,000 plans, 60,000
updates, 2,000 assessments at national scale), signs in as a generated network coordinator who
leads plans, and times the workstream dashboard (the workstream with most plans in their
network), "my work", the gap register (pages 1 and 2) and the plan list with Django's test
Client. Prints the median and 95th percentile in milliseconds and the SQL queries per page,
against the goal of p95 under 100 ms. Exits 1 if any page misses the goal.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import configure, page_arguments, prepare
from bench.directory import Page, _coordinator, _measure, _report


def main(argv: list[str] | None = None) -> int:
    args = page_arguments(__doc__, requests=200).parse_args(argv)
    configure(args.database_url, "improvement.sqlite3")
    import django

    django.setup()
    if args.database_url and args.database_url.startswith(("postgres://", "postgresql://")):
        from kmatrix.demo.generate import postgres_database_ensure

        if postgres_database_ensure(args.database_url):
            print(f"Created the database {args.database_url}")
    where = prepare(args.scale, args.seed, _complete)
    print(f"Database: {where}")
    results = [_measure(page, args.requests) for page in _pages()]
    _report(results, args.requests)
    return 0 if all(r.passed for r in results) else 1


def _complete() -> bool:
    """A data set generated before the improvement step existed has no plans."""
    from kmatrix.improvement.models import ImprovementPlan

    return ImprovementPlan.objects.filter(network__slug__startswith="gen-").exists()


def _pages() -> list[Page]:
    from django.db.models import Count

    from kmatrix.improvement.models import ImprovementPlan
    from kmatrix.networks.models import Network, Workstream

    user, network_id = _coordinator()
    network = Network.objects.get(pk=network_id)
    workstream = (
        Workstream.objects.filter(network=network)
        .annotate(n=Count("plans"))
        .order_by("-n", "pk")
        .first()
    )
    assert workstream is not None
    led = ImprovementPlan.objects.filter(lead__user=user).count()
    plans = ImprovementPlan.objects.filter(workstream=workstream).count()
    print(f"Signed in as {user.email}: leads {led} plans; the dashboard shows {plans}.")
    return [
        Page(
            f"workstream dashboard ({plans} plans)",
            "improvement:dashboard",
            (network.slug, workstream.pk),
        ),
        Page("my work", "improvement:my_work"),
        Page("gap register", "improvement:gap_register", (network.slug,)),
        Page("gap register, page 2", "improvement:gap_register", (network.slug,), "page=2"),
        Page("plan list", "improvement:plans", (network.slug,)),
    ]


if __name__ == "__main__":
    sys.exit(main())
