"""The Knowledge Matrix: networks (rows) by a framework's themes (columns).

Each cell counts what the viewer may read of one network's work on one theme: published
improvement plans, positive practice (and bright ideas) and other documents from the library.
Each count comes from a ``Counter``: a named function that takes the viewer and the grid's
networks, themes and year and returns, under each of its keys, counts by (network id, theme
id), and says where each count's list is. The counts go through ``core.access.visible``, so
partner networks' shared items are counted for their partners' members, and nothing hidden is
counted for anyone.

The second view (``progress_matrix``) shows, per network and theme, the share of checklist
gaps closed and of published plans with a measured outcome (``improvement.queries``'
``theme_progress``), among what the viewer may read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from kmatrix.core.access import Viewer, visible
from kmatrix.improvement import queries as improvement_queries
from kmatrix.library.models import Resource
from kmatrix.library.queries import year_range
from kmatrix.networks.models import AdoptedTheme, Network, Theme, ThemeFramework

Counts = dict[tuple[int, int], int]
CountFunction = Callable[[Viewer, Sequence[int], Sequence[int], int | None], dict[str, Counts]]
# Where a cell's count is listed: (network, theme, year) to an address, or "" for no list.
LinkFunction = Callable[["Network", "Theme", int | None], str]
PRACTICE_KINDS = (Resource.Kind.POSITIVE_PRACTICE, Resource.Kind.BRIGHT_IDEA)
SHADES = 5  # shade 0 (none) to 4 (the most in the grid)


@dataclass(frozen=True)
class CountKey:
    key: str
    label: str  # "Documents"
    one: str = ""  # "document", for a count of one; the label in lower case when blank

    def of(self, n: int) -> str:
        return f"{n} {self.one if n == 1 and self.one else self.label.lower()}"


def library_list(network: Network, theme: Theme, year: int | None) -> str:
    query: dict[str, object] = {"network": network.pk, "theme": theme.pk}
    if year:
        query["year"] = year
    return "/library/?" + urlencode(query)


@dataclass(frozen=True)
class Counter:
    """What one named function counts per cell, under each of its keys, and where each
    cell's items are listed."""

    keys: tuple[CountKey, ...]
    count: CountFunction
    link: LinkFunction = library_list
    # The list opens only inside a network the viewer reads (a network's plans page).
    inside_network: bool = False


def resource_counts(
    viewer: Viewer, network_ids: Sequence[int], theme_ids: Sequence[int], year: int | None
) -> dict[str, Counts]:
    """Published positive practice (with bright ideas) and other documents, in one query."""
    resources = Resource.objects.filter(
        status=Resource.Status.PUBLISHED, network_id__in=network_ids
    )
    if year:
        resources = resources.filter(published_at__range=year_range(year))
    rows = (
        visible(viewer, resources)
        .filter(themes__id__in=theme_ids)
        .values_list("network_id", "themes__id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[str, Counts] = {"practice": {}, "documents": {}}
    for network, theme, kind, n in rows:
        bucket = counts["practice" if kind in PRACTICE_KINDS else "documents"]
        bucket[(network, theme)] = bucket.get((network, theme), 0) + n
    return counts


def plan_counts(
    viewer: Viewer, network_ids: Sequence[int], theme_ids: Sequence[int], year: int | None
) -> dict[str, Counts]:
    """Published (and finished) plans the viewer reads, from the improvement app; one query."""
    found = improvement_queries.published_plan_counts(viewer, year=year or None)
    networks, themes = set(network_ids), set(theme_ids)
    return {"plans": {k: n for k, n in found.items() if k[0] in networks and k[1] in themes}}


def plan_list(network: Network, theme: Theme, year: int | None) -> str:
    """The network's plans on the theme, published in the year when one is chosen."""
    query: dict[str, int] = {"theme": theme.pk}
    if year:
        query["year"] = year
    return reverse("improvement:plans", args=[network.slug]) + "?" + urlencode(query)


COUNTERS: list[Counter] = [
    Counter(
        (CountKey("plans", "Published plans", "published plan"),),
        plan_counts,
        plan_list,
        inside_network=True,
    ),
    Counter(
        (
            CountKey("practice", "Positive practice"),
            CountKey("documents", "Documents", "document"),
        ),
        resource_counts,
    ),
]


@dataclass
class Cell:
    theme: Theme
    counts: dict[str, int]
    total: int
    shade: int
    href: str  # the library's list
    links: dict[str, str] = field(default_factory=dict)  # each count's list, by key


@dataclass
class Row:
    network: Network
    cells: list[Cell]
    is_partner: bool


@dataclass
class Matrix:
    frameworks: list[ThemeFramework]
    framework: ThemeFramework | None
    themes: list[Theme]
    rows: list[Row] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    region: str = ""
    year: int | None = None
    counters: list[CountKey] = field(default_factory=list)
    largest: int = 0


def seen_networks(viewer: Viewer) -> set[int]:
    """The networks the viewer sees, and their partners (whose shared items cross to them)."""
    seen = visible(viewer, Network.objects.all()).values("pk")
    found = Network.objects.filter(Q(pk__in=seen) | Q(pk__in=viewer.partner_networks))
    return set(found.values_list("pk", flat=True))


def _framework(slug: str) -> tuple[list[ThemeFramework], ThemeFramework | None, list[Theme]]:
    frameworks = list(ThemeFramework.objects.order_by("name"))
    framework = next((f for f in frameworks if f.slug == slug), None) or _busiest(frameworks)
    themes = list(Theme.objects.filter(framework=framework)) if framework else []
    return frameworks, framework, themes


def _adopting(themes: Sequence[Theme], region: str) -> list[Network]:
    """The networks that adopted the framework's themes (their records carry only themes they
    adopted), in one region when one is chosen."""
    networks = list(
        Network.objects.filter(adopted_themes__theme__in=themes).distinct().order_by("name")
    )
    return [n for n in networks if n.region == region] if region else networks


def readable_networks(viewer: Viewer, network_ids: Sequence[int]) -> set[int]:
    """Of these networks, those whose own pages the viewer may open."""
    found = visible(viewer, Network.objects.filter(pk__in=network_ids))
    return set(found.values_list("pk", flat=True))


def knowledge_matrix(
    viewer: Viewer, *, framework_slug: str = "", region: str = "", year: int | None = None
) -> Matrix:
    frameworks, framework, themes = _framework(framework_slug)
    # The rows: the adopting networks the viewer sees or is partnered with, and any other whose
    # counts for the viewer are not nil (a public resource of a network they cannot see).
    networks = _adopting(themes, region)
    seen = seen_networks(viewer)
    keys = [k for counter in COUNTERS for k in counter.keys]
    matrix = Matrix(frameworks, framework, themes, region=region, year=year, counters=keys)
    network_ids = [n.pk for n in networks]
    theme_ids = [t.pk for t in themes]
    counts: dict[str, Counts] = {}
    for counter in COUNTERS:
        counts.update(counter.count(viewer, network_ids, theme_ids, year))
    totals = {
        (n, t): sum(counts[k.key].get((n, t), 0) for k in keys)
        for n in network_ids
        for t in theme_ids
    }
    matrix.largest = max(totals.values(), default=0)
    shown = [n for n in networks if n.pk in seen or any(totals[(n.pk, t)] for t in theme_ids)]
    matrix.regions = sorted({n.region for n in shown if n.region})
    readable = readable_networks(viewer, [n.pk for n in shown])
    for network in shown:
        cells = [
            _cell(
                network,
                theme,
                {k.key: counts[k.key].get((network.pk, theme.pk), 0) for k in keys},
                matrix,
                network.pk in readable,
            )
            for theme in themes
        ]
        matrix.rows.append(Row(network, cells, network.pk in viewer.partner_networks))
    return matrix


def _cell(
    network: Network, theme: Theme, counts: dict[str, int], matrix: Matrix, readable: bool
) -> Cell:
    total = sum(counts.values())
    shade = 0 if not total else 1 + (SHADES - 2) * total // max(matrix.largest, 1)
    links = {
        key.key: counter.link(network, theme, matrix.year)
        for counter in COUNTERS
        for key in counter.keys
        if counts.get(key.key) and (readable or not counter.inside_network)
    }
    href = library_list(network, theme, matrix.year)
    return Cell(theme, counts, total, min(shade, SHADES - 1), href, links)


# --- The second view: progress on the themes the networks share ------------------------------


@dataclass
class ProgressCell:
    theme: Theme
    gaps: int
    gaps_closed: int
    plans: int
    plans_measured: int
    gaps_href: str  # the network's gap register on the theme, or "" when it does not open
    plans_href: str

    @staticmethod
    def share(part: int, whole: int) -> int | None:
        """A whole percentage, or None when there is nothing to share out."""
        return round(100 * part / whole) if whole else None

    @property
    def gaps_closed_percent(self) -> int | None:
        return self.share(self.gaps_closed, self.gaps)

    @property
    def measured_percent(self) -> int | None:
        return self.share(self.plans_measured, self.plans)

    @property
    def shade(self) -> int:
        """Shaded by the larger of the two shares: 0 with nothing to show, 1 to 4 by quarters."""
        shares = [p for p in (self.gaps_closed_percent, self.measured_percent) if p is not None]
        if not shares:
            return 0
        return 1 + min(max(shares) * (SHADES - 1) // 101, SHADES - 2)


@dataclass
class ProgressRow:
    network: Network
    cells: list[ProgressCell]
    is_partner: bool


@dataclass
class ProgressMatrix:
    frameworks: list[ThemeFramework]
    framework: ThemeFramework | None
    themes: list[Theme]
    rows: list[ProgressRow] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    region: str = ""


def progress_matrix(
    viewer: Viewer, *, framework_slug: str = "", region: str = ""
) -> ProgressMatrix:
    """Per network and theme, the share of checklist gaps closed and of published plans with a
    measured outcome, among the gaps and plans the viewer may read (two queries, through
    ``core.access`` in the improvement app's ``theme_progress``)."""
    frameworks, framework, themes = _framework(framework_slug)
    networks = _adopting(themes, region)
    progress = improvement_queries.theme_progress(viewer)
    seen = seen_networks(viewer)
    theme_ids = {t.pk for t in themes}
    with_figures = {n for n, t in progress if t in theme_ids}
    shown = [n for n in networks if n.pk in seen or n.pk in with_figures]
    matrix = ProgressMatrix(frameworks, framework, themes, region=region)
    matrix.regions = sorted({n.region for n in shown if n.region})
    readable = readable_networks(viewer, [n.pk for n in shown])
    for network in shown:
        cells = []
        for theme in themes:
            found = progress.get((network.pk, theme.pk))
            figures = (
                (found.gaps, found.gaps_closed, found.plans, found.plans_with_measured_outcome)
                if found
                else (0, 0, 0, 0)
            )
            opens = network.pk in readable
            cells.append(
                ProgressCell(
                    theme,
                    *figures,
                    gaps_href=_gaps_list(network, theme) if opens and figures[0] else "",
                    plans_href=plan_list(network, theme, None) if opens and figures[2] else "",
                )
            )
        matrix.rows.append(ProgressRow(network, cells, network.pk in viewer.partner_networks))
    return matrix


def _gaps_list(network: Network, theme: Theme) -> str:
    query = urlencode({"theme": theme.pk, "status": "all"})
    return reverse("improvement:gap_register", args=[network.slug]) + "?" + query


def _busiest(frameworks: list[ThemeFramework]) -> ThemeFramework | None:
    """The framework most networks adopted themes from, when none is chosen."""
    if not frameworks:
        return None
    used = (
        AdoptedTheme.objects.values("theme__framework_id")
        .annotate(n=Count("network_id", distinct=True))
        .order_by("-n", "theme__framework_id")
        .first()
    )
    chosen = used["theme__framework_id"] if used else frameworks[0].pk
    return next((f for f in frameworks if f.pk == chosen), frameworks[0])
