"""Benchmark the programmes and meetings pages at national scale.

    python bench/programmes.py [--scale national] [--requests 200] [--database-url URL]

Builds (or reuses) a dedicated database filled by `kmatrix generate` (at national scale 621
programmes with 1,534 funding awards, and 6,147 meetings with 12,130 decisions and 24,204
actions across 50 networks), signs in as a coordinator of the generated network with the most
programmes, and times with Django's test Client, after three warm-up requests:

- programmes by theme with their funding totals (`programmes:by_theme`);
- the funding summary by theme, funder, financial year and organisation (`programmes:funding`);
- the action tracker across every group the coordinator may see, open actions and all of them
  (`meetings:tracker`), and their "my actions";
- one meeting page with its agenda, carried actions, decisions and actions (`meetings:meeting`).

Prints the median and 95th percentile in milliseconds, SQL queries and page size, against the
goal of p95 under 100 ms; exits 1 if any page misses it or cannot be measured.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# Run as a script (python bench/x.py), the project folder is not on the path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (
    PageFigure,
    configure,
    measure_page,
    page_arguments,
    prepare,
    report_pages,
)

GOAL_MS = 100.0


def main(argv: list[str] | None = None) -> int:
    args = page_arguments(__doc__, requests=200).parse_args(argv)
    configure(args.database_url, "programmes.sqlite3")
    import django

    django.setup()
    if args.database_url and args.database_url.startswith(("postgres://", "postgresql://")):
        from kmatrix.demo.generate import postgres_database_ensure

        if postgres_database_ensure(args.database_url):
            print(f"Created the database {args.database_url}")
    print(f"Database: {prepare(args.scale, args.seed, _meetings_present)}")
    figures = _figures(args.requests)
    report_pages(figures, args.requests)
    return 0 if all(f.passed for f in figures) else 1


def _meetings_present() -> bool:
    from kmatrix.meetings.models import Action
    from kmatrix.programmes.models import Programme

    return Programme.objects.exists() and Action.objects.exists()


def _figures(requests: int) -> list[PageFigure]:
    from django.urls import reverse

    user, network = _coordinator()
    meeting = _busiest_meeting(network)
    pages = [
        ("programmes by theme", reverse("programmes:by_theme", args=[network.slug])),
        ("funding summary", reverse("programmes:funding", args=[network.slug])),
        ("action tracker (open)", reverse("meetings:tracker")),
        ("action tracker (all)", reverse("meetings:tracker") + "?status=all"),
        ("action tracker, page 5", reverse("meetings:tracker") + "?status=all&page=5"),
        ("my actions", reverse("meetings:mine") + "?status=all"),
        ("meeting page", meeting.get_absolute_url()),
    ]
    return [measure_page(label, url, user, requests, GOAL_MS) for label, url in pages]


def _coordinator() -> tuple[Any, Any]:
    """A generated coordinator with an account, in the network with the most programmes."""
    from django.db.models import Count

    from kmatrix.demo.generate import EMAIL_DOMAIN
    from kmatrix.networks.models import Membership, Network, Role

    networks = Network.objects.filter(slug__startswith="gen-").annotate(n=Count("programmes"))
    for network in networks.order_by("-n", "pk"):
        membership = (
            Membership.objects.filter(
                network=network,
                roles__role=Role.COORDINATOR,
                person__user__isnull=False,
                person__email__endswith=f"@{EMAIL_DOMAIN}",
            )
            .select_related("person__user")
            .first()
        )
        if membership is not None:
            return membership.person.user, network
    raise SystemExit("No generated coordinator with an account: regenerate the data.")


def _busiest_meeting(network: Any) -> Any:
    from django.db.models import Count

    from kmatrix.meetings.models import Meeting

    found = (
        Meeting.objects.filter(network=network)
        .annotate(n=Count("actions"))
        .order_by("-n", "pk")
        .first()
    )
    if found is None:
        raise SystemExit("The network has no meetings: regenerate the data.")
    return found


if __name__ == "__main__":
    sys.exit(main())
