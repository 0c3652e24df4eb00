"""Reads for the programme pages, the API and other apps, each through the access helper.

Other apps call these named functions (never the models):

- ``board_programmes`` and ``board_funding``: the Board paper's programme updates, milestones
  and funding secured for a network and a date range, per strategic theme;
- ``programme_awards`` and ``programme_find``: a programme's funding awards by financial year
  with what is left in each, for apps that spend them (``services.award_drawdown`` writes);
- ``plan_programmes``: the programmes that link to an improvement plan, for its page;
- ``programme_search_records`` and ``programme_search_documents``: the platform search's
  records and plain-text documents (the library's contract), and ``programme_search_visible``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from kmatrix.core.access import Viewer, get_for, visible
from kmatrix.core.search import SearchDocument
from kmatrix.improvement.queries import readable_plans
from kmatrix.indicators.queries import indicators_for
from kmatrix.networks.models import AdoptedTheme, Network, Theme
from kmatrix.programmes import funding, money, years
from kmatrix.programmes.models import (
    AwardStatus,
    FundingAllocation,
    FundingAward,
    FundingDrawdown,
    Milestone,
    MilestoneStatus,
    Programme,
    ProgrammeLink,
    ProgrammeUpdate,
)

ZERO = Decimal("0.00")

# --- What a page is about ------------------------------------------------------------------


def network_for(viewer: Viewer, slug: str) -> Network:
    return get_for(viewer, Network.objects.all(), slug=slug)


def programmes_of(viewer: Viewer, network: Network) -> QuerySet[Programme]:
    return visible(viewer, Programme.objects.filter(network=network))


def programme_for(viewer: Viewer, network: Network, slug: str, *, write: bool = False) -> Programme:
    return get_for(
        viewer,
        Programme.objects.filter(network=network).select_related(
            "network", "theme", "sponsor", "lead_organisation", "lead"
        ),
        write=write,
        slug=slug,
    )


def plans_to_link(viewer: Viewer, network: Network) -> QuerySet[Any]:
    """The network's improvement plans the viewer may read: those a programme may link to."""
    return readable_plans(viewer).filter(network=network).order_by("title", "pk")


def plan_for(viewer: Viewer, network: Network, pk: int) -> Any:
    """One of the network's improvement plans the viewer may read, or 404."""
    return get_for(viewer, readable_plans(viewer).filter(network=network), pk=pk)


def plan_programmes(viewer: Viewer, plan_id: int) -> list[Programme]:
    """The programmes the viewer may read that link to an improvement plan (the plan's page
    lists them; the caller has checked the viewer reads the plan)."""
    linked = ProgrammeLink.objects.filter(plan_id=plan_id).values("programme_id")
    programmes = visible(viewer, Programme.objects.filter(pk__in=linked))
    return list(programmes.select_related("network", "theme").order_by("name", "pk"))


def award_for(programme: Programme, pk: int) -> FundingAward:
    award = programme.awards.select_related("funder").filter(pk=pk).first()
    if award is None:
        raise Http404("No such funding award.")
    return award


def theme_order(network: Network) -> list[int]:
    return list(network.adopted_themes.order_by("position").values_list("theme_id", flat=True))


def adopted_themes(network: Network) -> list[Theme]:
    return [
        a.theme
        for a in AdoptedTheme.objects.filter(network=network)
        .select_related("theme")
        .order_by("position")
    ]


def _awards_queryset() -> QuerySet[FundingAward]:
    allocations = FundingAllocation.objects.select_related("organisation")
    return FundingAward.objects.select_related(
        "funder", "programme__theme", "programme__lead_organisation", "programme__network"
    ).prefetch_related(Prefetch("allocations", queryset=allocations))


def visible_awards(viewer: Viewer, network: Network) -> list[FundingAward]:
    """Every award of the network's programmes that the viewer may read."""
    return list(
        _awards_queryset()
        .filter(programme__in=programmes_of(viewer, network))
        .order_by("programme__name", "first_year", "pk")
    )


# --- Programmes by theme -------------------------------------------------------------------


@dataclass
class ProgrammeRow:
    programme: Programme
    secured: funding.Total
    bid: funding.Total
    funders: list[str]


@dataclass
class ThemeSection:
    theme: Theme | None
    rows: list[ProgrammeRow]
    secured: funding.Total

    @property
    def title(self) -> str:
        return self.theme.name if self.theme else funding.NO_THEME


@dataclass
class ByTheme:
    network: Network
    sections: list[ThemeSection]
    secured: funding.Total
    bid: funding.Total

    @property
    def programme_count(self) -> int:
        return sum(len(s.rows) for s in self.sections)

    def table(self) -> tuple[list[str], list[list[Any]]]:
        header = [
            "Theme",
            "Programme",
            "Status",
            "Lead organisation",
            "Sponsoring group",
            "Funders",
            "Secured (£, exact amounts)",
            "Secured, no exact amount",
            "Bids (£)",
            "Address",
        ]
        rows = [
            [
                section.title,
                row.programme.name,
                row.programme.get_status_display(),
                row.programme.lead_organisation.name if row.programme.lead_organisation else "",
                row.programme.sponsor.name if row.programme.sponsor else "",
                "; ".join(row.funders),
                row.secured.amount,
                "; ".join(row.secured.unquantified),
                row.bid.amount,
                row.programme.get_absolute_url(),
            ]
            for section in self.sections
            for row in section.rows
        ]
        return header, rows


def funders_of(awards: Iterable[FundingAward]) -> list[str]:
    names = [a.funder.name if a.funder else a.funder_note for a in awards]
    return list(dict.fromkeys(n for n in names if n))


def by_theme(viewer: Viewer, network: Network) -> ByTheme:
    """Every programme the viewer may read under its theme, in the network's theme order, with
    the money each has secured and bid for."""
    awards_of: dict[int, list[FundingAward]] = {}
    for award in visible_awards(viewer, network):
        awards_of.setdefault(award.programme_id, []).append(award)
    programmes = list(
        programmes_of(viewer, network)
        .select_related("network", "theme", "lead_organisation", "sponsor")
        .order_by("name", "pk")
    )
    themes = adopted_themes(network)
    by_id: dict[int | None, list[ProgrammeRow]] = {}
    for programme in programmes:
        awards = awards_of.get(programme.pk, [])
        row = ProgrammeRow(
            programme,
            funding.total_of(funding.secured(awards), "Secured"),
            funding.total_of([a for a in awards if a.status == AwardStatus.BID], "Bids"),
            funders_of(awards),
        )
        by_id.setdefault(programme.theme_id, []).append(row)
    ordered: list[Theme | None] = [t for t in themes if t.pk in by_id]
    ordered += [p.theme for p in programmes if p.theme and p.theme not in ordered]
    if None in by_id:
        ordered.append(None)
    sections = []
    for theme in dict.fromkeys(ordered):
        rows = by_id[theme.pk if theme else None]
        awards = [a for r in rows for a in awards_of.get(r.programme.pk, [])]
        sections.append(ThemeSection(theme, rows, funding.total_of(funding.secured(awards))))
    every = [a for rows in awards_of.values() for a in rows]
    return ByTheme(
        network,
        sections,
        funding.total_of(funding.secured(every), "Secured"),
        funding.total_of([a for a in every if a.status == AwardStatus.BID], "Bids"),
    )


# --- The funding summary -------------------------------------------------------------------


@dataclass
class FundingSummary:
    network: Network
    awards: list[FundingAward]
    secured: funding.Total
    by_theme: list[funding.Total]
    by_funder: list[funding.Total]
    by_year: list[funding.Total]
    by_status: list[funding.Total]
    by_organisation: list[funding.OrganisationTotal]

    @property
    def secured_awards(self) -> list[FundingAward]:
        return funding.secured(self.awards)

    def tables(self) -> dict[str, tuple[list[str], list[list[Any]]]]:
        """Every table of the page, by the name its download uses."""
        organisations = (
            ["Organisation", "Led programmes' secured funding (£)", "Allocated to it (£)"],
            [[o.name, o.led.amount, o.allocated] for o in self.by_organisation],
        )
        return {
            "secured": self.secured_table(),
            "theme": funding.table(self.by_theme, "Theme"),
            "funder": funding.table(self.by_funder, "Funder"),
            "year": funding.table(self.by_year, "Financial year"),
            "status": funding.table(self.by_status, "Status"),
            "organisation": organisations,
        }

    def secured_table(self) -> tuple[list[str], list[list[Any]]]:
        header = [
            "Programme",
            "Theme",
            "Funder",
            "Financial years",
            "Term (years)",
            "Status",
            "Amount (£)",
            "Amount as stated",
            "Allocated (£)",
        ]
        rows = [
            [
                a.programme.name,
                a.programme.theme.name if a.programme.theme else "",
                a.funder.name if a.funder else a.funder_note,
                a.years,
                a.term_years,
                a.get_status_display(),
                a.amount,
                a.amount_note,
                sum((x.amount for x in a.allocations.all()), ZERO),
            ]
            for a in self.secured_awards
        ]
        return header, rows


def funding_summary(viewer: Viewer, network: Network) -> FundingSummary:
    awards = visible_awards(viewer, network)
    return FundingSummary(
        network=network,
        awards=awards,
        secured=funding.total_of(funding.secured(awards), "Discretionary funding secured"),
        by_theme=funding.by_theme(awards, theme_order(network)),
        by_funder=funding.by_funder(awards),
        by_year=funding.by_year(awards),
        by_status=funding.by_status(awards),
        by_organisation=funding.by_organisation(awards),
    )


# --- One programme -------------------------------------------------------------------------


@dataclass
class AwardView:
    award: FundingAward
    allocated: Decimal
    drawn: Decimal
    drawdowns: list[FundingDrawdown]

    @property
    def unallocated(self) -> Decimal | None:
        return None if self.award.amount is None else self.award.amount - self.allocated

    @property
    def remaining(self) -> Decimal | None:
        return None if self.award.amount is None else self.award.amount - self.drawn


@dataclass
class ProgrammePage:
    programme: Programme
    awards: list[AwardView]
    milestones: list[Milestone]
    updates: list[ProgrammeUpdate]
    links: list[ProgrammeLink]
    partners: list[Any]
    secured: funding.Total = field(default_factory=lambda: funding.Total("Secured"))


def programme_page(viewer: Viewer, programme: Programme) -> ProgrammePage:
    drawdowns = FundingDrawdown.objects.order_by("drawn_on", "pk")
    awards = list(
        programme.awards.select_related("funder").prefetch_related(
            Prefetch(
                "allocations", queryset=FundingAllocation.objects.select_related("organisation")
            ),
            Prefetch("drawdowns", queryset=drawdowns),
        )
    )
    views = []
    for award in awards:
        allocated = sum((a.amount for a in award.allocations.all()), ZERO)
        live = [d for d in award.drawdowns.all() if d.reversed_at is None]
        views.append(
            AwardView(
                award, allocated, sum((d.amount for d in live), ZERO), list(award.drawdowns.all())
            )
        )
    links = programme.links.filter(
        Q(indicator__in=indicators_for(viewer, programme.network).values("pk"))
        | Q(plan__in=readable_plans(viewer).values("pk"))
    ).select_related("indicator__network", "plan__network")
    return ProgrammePage(
        programme=programme,
        awards=views,
        milestones=list(programme.milestones.all()),
        updates=list(programme.updates.all()),
        links=list(links),
        partners=list(programme.partners.order_by("name")),
        secured=funding.total_of(funding.secured(awards), "Secured"),
    )


# --- For the Board paper -------------------------------------------------------------------


@dataclass(frozen=True)
class BoardUpdate:
    on: date
    text: str  # Markdown
    source: str


@dataclass(frozen=True)
class BoardMilestone:
    title: str
    status: str  # the label: Planned, Achieved, Delayed, No longer planned
    when: str  # as precisely as known: "30 June 2023", "May 2023", "spring and summer 2023"
    on: date | None


@dataclass(frozen=True)
class BoardProgramme:
    id: int
    name: str
    url: str
    status: str
    lead_organisation: str
    sponsor: str
    summary: str
    updates: tuple[BoardUpdate, ...]
    milestones: tuple[BoardMilestone, ...]


@dataclass(frozen=True)
class BoardTheme:
    theme_id: int | None  # None: programmes with no theme
    theme: str
    programmes: tuple[BoardProgramme, ...]


def _milestone_end(m: Milestone) -> date | None:
    if m.on is None:
        return None
    if m.precision == "year":
        return date(m.on.year, 12, 31)
    if m.precision == "month":
        following = date(m.on.year + m.on.month // 12, m.on.month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    return m.on


def _milestone_in(m: Milestone, start: date, end: date) -> bool:
    """Due or achieved in the period (a month or year overlapping it counts), or planned with
    no date yet."""
    last = _milestone_end(m)
    if m.on is None or last is None:
        return m.status in (MilestoneStatus.PLANNED, MilestoneStatus.DELAYED)
    return m.on <= end and last >= start


def _themed(
    network: Network, items: Sequence[tuple[Theme | None, Any]]
) -> list[tuple[Theme | None, list[Any]]]:
    """Items grouped by theme in the network's theme order, "no theme" last."""
    order = {tid: i for i, tid in enumerate(theme_order(network))}
    groups: dict[int | None, tuple[Theme | None, list[Any]]] = {}
    for theme, item in items:
        groups.setdefault(theme.pk if theme else None, (theme, []))[1].append(item)
    return [
        groups[key]
        for key in sorted(
            groups, key=lambda k: (k is None, order.get(k, len(order)) if k else 0, k or 0)
        )
    ]


def board_programmes(viewer: Viewer, network: Network, start: date, end: date) -> list[BoardTheme]:
    """Per strategic theme, the programmes the viewer may read with their updates dated in
    ``start``..``end`` and milestones due or achieved then (or planned with no date).
    Programmes with neither are left out."""
    updates = ProgrammeUpdate.objects.filter(on__gte=start, on__lte=end).order_by("on", "pk")
    programmes = (
        programmes_of(viewer, network)
        .select_related("network", "theme", "lead_organisation", "sponsor")
        .prefetch_related(Prefetch("updates", queryset=updates, to_attr="in_period"), "milestones")
        .order_by("name", "pk")
    )
    items: list[tuple[Theme | None, BoardProgramme]] = []
    for p in programmes:
        milestones = [m for m in p.milestones.all() if _milestone_in(m, start, end)]
        if not p.in_period and not milestones:
            continue
        items.append(
            (
                p.theme,
                BoardProgramme(
                    id=p.pk,
                    name=p.name,
                    url=p.get_absolute_url(),
                    status=p.get_status_display(),
                    lead_organisation=p.lead_organisation.name if p.lead_organisation else "",
                    sponsor=p.sponsor.name if p.sponsor else "",
                    summary=p.summary,
                    updates=tuple(BoardUpdate(u.on, u.text, u.source) for u in p.in_period),
                    milestones=tuple(
                        BoardMilestone(m.title, m.get_status_display(), m.when, m.on)
                        for m in milestones
                    ),
                ),
            )
        )
    return [
        BoardTheme(
            theme.pk if theme else None, theme.name if theme else funding.NO_THEME, tuple(ps)
        )
        for theme, ps in _themed(network, items)
    ]


@dataclass(frozen=True)
class BoardAward:
    programme_id: int
    programme: str
    funder: str
    amount: Decimal | None  # None: no exact figure; see amount_note
    amount_note: str
    financial_years: str
    term_years: int | None
    status: str
    dated: bool  # False when neither the date secured nor the years are recorded


@dataclass(frozen=True)
class BoardFundingTheme:
    theme_id: int | None
    theme: str
    awards: tuple[BoardAward, ...]
    total: Decimal  # exact amounts only
    unquantified: tuple[str, ...]  # how the awards without an exact amount were stated


@dataclass(frozen=True)
class BoardFunding:
    themes: tuple[BoardFundingTheme, ...]
    total: Decimal
    unquantified: tuple[str, ...]


def _award_in(award: FundingAward, start: date, end: date) -> bool:
    if award.secured_on is not None:
        return start <= award.secured_on <= end
    if award.first_year is not None:
        first = years.bounds(award.first_year)[0]
        last = years.bounds(award.last_year or award.first_year)[1]
        return first <= end and last >= start
    return True  # undated: current, as the source reports it


def board_funding(viewer: Viewer, network: Network, start: date, end: date) -> BoardFunding:
    """Funding secured (secured, received or spent) per strategic theme: awards secured in the
    period, or for financial years overlapping it, or with no date recorded (``dated`` False),
    with exact totals and the awards that have no exact amount listed beside them."""
    awards = [
        a for a in funding.secured(visible_awards(viewer, network)) if _award_in(a, start, end)
    ]
    items = [
        (
            a.programme.theme,
            (
                a,
                BoardAward(
                    programme_id=a.programme_id,
                    programme=a.programme.name,
                    funder=a.funder.name if a.funder else a.funder_note,
                    amount=a.amount,
                    amount_note=a.amount_note,
                    financial_years=a.years,
                    term_years=a.term_years,
                    status=a.get_status_display(),
                    dated=a.secured_on is not None or a.first_year is not None,
                ),
            ),
        )
        for a in awards
    ]
    themes = []
    for theme, pairs in _themed(network, items):
        total = funding.total_of(a for a, _ in pairs)
        themes.append(
            BoardFundingTheme(
                theme.pk if theme else None,
                theme.name if theme else funding.NO_THEME,
                tuple(b for _, b in pairs),
                total.amount,
                tuple(total.unquantified),
            )
        )
    overall = funding.total_of(awards)
    return BoardFunding(tuple(themes), overall.amount, tuple(overall.unquantified))


# --- For apps that spend awards (therapy supervision payments) -----------------------------


@dataclass(frozen=True)
class AwardFunds:
    award_id: int
    programme_id: int
    programme: str
    funder: str
    first_year: int | None
    last_year: int | None
    financial_years: str  # "2022/23"
    status: str  # bid, secured, received, spent
    amount: Decimal | None
    drawn: Decimal  # drawdowns not reversed
    remaining: Decimal | None  # None when the award has no exact amount


def programme_find(viewer: Viewer, *, network_id: int, slug: str) -> int | None:
    """The id of the network's programme with this slug, if the viewer may read it."""
    found = (
        programmes_of(viewer, Network(pk=network_id)).filter(slug=slug).values_list("pk", flat=True)
    )
    return next(iter(found), None)


def programme_awards(
    viewer: Viewer, programme_id: int, financial_year: str | int | None = None
) -> list[AwardFunds]:
    """A programme's funding awards, oldest year first, each with what has been drawn and what
    is left; with ``financial_year`` ("2022/23" or 2022) only awards covering that year.

    Raises Http404 when the viewer may not read the programme, and years.FinancialYearError
    for a year that is not one April-to-March year.
    """
    programme = get_for(viewer, Programme.objects.all(), pk=programme_id)
    awards = programme.awards.select_related("funder").annotate(
        drawn_total=Sum("drawdowns__amount", filter=Q(drawdowns__reversed_at__isnull=True))
    )
    if financial_year is not None:
        year = financial_year if isinstance(financial_year, int) else years.parse(financial_year)
        awards = awards.filter(first_year__lte=year).filter(
            Q(last_year__gte=year) | Q(last_year__isnull=True, first_year=year)
        )
    # An aggregate's GROUP BY leaves Meta.ordering out, so the order is given here.
    awards = awards.order_by(F("first_year").asc(nulls_last=True), "pk")
    return [
        AwardFunds(
            award_id=a.pk,
            programme_id=programme.pk,
            programme=programme.name,
            funder=a.funder.name if a.funder else a.funder_note,
            first_year=a.first_year,
            last_year=a.last_year,
            financial_years=a.years,
            status=a.status,
            amount=a.amount,
            drawn=a.drawn_total or ZERO,
            remaining=None if a.amount is None else a.amount - (a.drawn_total or ZERO),
        )
        for a in awards
    ]


# --- For the platform search ---------------------------------------------------------------
#
# The library's contract for the one search (kmatrix/library/README.md): the records whose
# access_scope decides who reads them, and their plain-text documents (core.search's).


def _programme_body(p: Programme) -> str:
    parts = [p.summary, p.description]
    parts += [f"{m.title} ({m.when})" if m.when else m.title for m in p.milestones.all()]
    parts += [u.text for u in p.updates.all()]
    for a in p.awards.all():
        funder = a.funder.name if a.funder else a.funder_note
        amount = money.pounds(a.amount) or a.amount_note
        parts.append(" ".join(x for x in (amount, funder, a.years) if x))
    return "\n\n".join(part for part in parts if part)


def programme_search_records() -> QuerySet[Programme]:
    """The records that may appear in the search; Programme's access_scope decides who reads
    each one (the search applies it, not these functions)."""
    return Programme.objects.all()


def programme_search_documents(ids: Collection[int] | None = None) -> Iterator[SearchDocument]:
    """A plain-text document for each programme (all of them when ``ids`` is None): summary,
    description, milestones, updates and awards."""
    programmes = Programme.objects.select_related("network").prefetch_related(
        "milestones",
        "updates",
        Prefetch("awards", queryset=FundingAward.objects.select_related("funder")),
    )
    if ids is not None:
        programmes = programmes.filter(pk__in=list(ids))
    for p in programmes.order_by("pk").iterator(chunk_size=500):
        latest = max((u.on for u in p.updates.all()), default=p.starts_on)
        yield SearchDocument(
            kind="programme",
            id=p.pk,
            title=p.name,
            body=_programme_body(p),
            url=p.get_absolute_url(),
            network_id=p.network_id,
            organisation_id=p.lead_organisation_id,
            theme_ids=(p.theme_id,) if p.theme_id else (),
            year=years.of(latest) if latest else None,
        )


def programme_search_visible(viewer: Viewer, ids: Iterable[int]) -> set[int]:
    """Which of these programmes the viewer may read and reach (the pages also need the
    network to be readable, which the access_scope alone does not say)."""
    networks = visible(viewer, Network.objects.all())
    found = visible(viewer, Programme.objects.filter(pk__in=list(ids), network__in=networks))
    return set(found.values_list("pk", flat=True))
