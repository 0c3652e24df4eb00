"""Named reads of improvement data, for this app's pages and for the other apps.

Everything goes through ``core.access.visible`` and, for plans, ``readable_plans``: a plan not
yet published is read only by its authors and reviewers. Other apps (the Knowledge Matrix grid
and the search of issue 5, the Board paper of issue 7) read improvement data only through the
functions under "For other apps" at the end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from kmatrix.core.access import Viewer, visible
from kmatrix.core.search import SearchDocument
from kmatrix.improvement import plans as rules
from kmatrix.improvement.models import (
    Gap,
    ImprovementPlan,
    Outcome,
    ProgressUpdate,
)
from kmatrix.indicators import queries as indicator_queries
from kmatrix.networks.models import Network, Role

Plan = ImprovementPlan
SHOWN = (Plan.Status.PUBLISHED, *Plan.FINISHED)  # plans everyone who may read them sees
PAGE_SIZE = 25


# --- Who reads what --------------------------------------------------------------------------


def readable_plans(viewer: Viewer, plans: QuerySet[Plan] | None = None) -> QuerySet[Plan]:
    """Plans the viewer reads: the plan's access_scope keeps one not yet published to its
    authors and reviewers (``models.plans.plan_readers``)."""
    plans = Plan.objects.all() if plans is None else plans
    return visible(viewer, plans)


def reviewable(viewer: Viewer, plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """Of ``plans``, those the viewer publishes or returns (``ImprovementPlan.reviewed_by``)."""
    if viewer.is_admin:
        return plans
    reviewing = set(viewer.coordinated_networks) | {
        net for net, role in viewer.network_roles if role == Role.COMMUNICATIONS_LEAD
    }
    theme_leads = {net for net, role in viewer.network_roles if role == Role.THEME_LEAD}
    return plans.filter(
        Q(network_id__in=reviewing)
        | Q(workstream_id__in=viewer.led_workstreams)
        | Q(workstream__isnull=True, network_id__in=theme_leads)
    )


def readable_updates(viewer: Viewer, updates: QuerySet[ProgressUpdate]) -> QuerySet[ProgressUpdate]:
    """Submitted updates of plans the viewer reads (drafts are shown on the plan's page to the
    people who write them)."""
    return visible(viewer, updates).filter(status=ProgressUpdate.Status.SUBMITTED)


def readable_gaps(viewer: Viewer, gaps: QuerySet[Gap] | None = None) -> QuerySet[Gap]:
    return visible(viewer, Gap.objects.all() if gaps is None else gaps)


# --- Lists with filters ----------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    theme: int | None = None
    workstream: int | None = None
    locality: int | None = None
    organisation: int | None = None
    status: str = ""
    rag: str = ""
    rating: str = ""
    q: str = ""
    year: int | None = None  # plans: the calendar year they were published in

    def active(self) -> bool:
        return any(v not in (None, "") for v in vars(self).values())

    def where(self, **paths: str) -> Q:
        """The chosen filters as one Q, each on its field path (``theme="plan__theme_id"``);
        ``rag="none"`` selects records with no RAG rating."""
        q = Q()
        for name, path in paths.items():
            value = getattr(self, name)
            if value:
                q &= Q(**{path: "" if name == "rag" and value == "none" else value})
        return q


def plan_list(viewer: Viewer, network: Network, filters: Filters) -> QuerySet[Plan]:
    plans = readable_plans(viewer, Plan.objects.filter(network=network)).filter(
        filters.where(
            theme="theme_id",
            workstream="workstream_id",
            locality="locality_id",
            organisation="organisation_id",
            status="status",
            rag="rag",
        )
    )
    if filters.q:
        plans = plans.filter(Q(title__icontains=filters.q) | Q(aim__icontains=filters.q))
    if filters.year:
        plans = plans.filter(published_at__year=filters.year)
    return plans.select_related(
        "network", "theme", "workstream", "locality", "organisation", "lead"
    ).order_by("title", "pk")


def gap_list(viewer: Viewer, network: Network, filters: Filters) -> QuerySet[Gap]:
    gaps = readable_gaps(viewer, Gap.objects.filter(network=network)).filter(
        filters.where(
            theme="theme_id",
            workstream="theme__workstreams__pk",
            locality="locality_id",
            organisation="organisation_id",
            rating="rating",
        )
    )
    if filters.status != "all":
        gaps = gaps.filter(status=filters.status or Gap.Status.OPEN)
    if filters.q:
        gaps = gaps.filter(Q(item__question__icontains=filters.q) | Q(item__code=filters.q))
    addressed = Plan.gaps.through.objects.filter(gap_id=OuterRef("pk"))
    return (
        gaps.annotate(addressed=Exists(addressed))
        .select_related(
            "item__section", "theme", "locality", "organisation", "opened_by", "closed_by"
        )
        .order_by("theme__position", "item__section__position", "item__position", "pk")
    )


def update_list(viewer: Viewer, network: Network, filters: Filters) -> QuerySet[ProgressUpdate]:
    updates = readable_updates(viewer, ProgressUpdate.objects.filter(plan__network=network))
    plans = readable_plans(viewer, Plan.objects.filter(network=network))
    updates = updates.filter(plan__in=plans.values("pk")).filter(
        filters.where(
            theme="plan__theme_id",
            workstream="plan__workstream_id",
            locality="plan__locality_id",
            rag="rag",
        )
    )
    return updates.select_related("plan__theme", "plan__network").order_by("-period", "-pk")


def plan_table(plans: Iterable[Plan]) -> tuple[list[str], Iterator[list[Any]]]:
    header = [
        "id",
        "title",
        "theme",
        "workstream",
        "place",
        "status",
        "RAG",
        "method",
        "lead",
        "aim",
        "published",
        "address",
    ]

    def rows() -> Iterator[list[Any]]:
        for p in plans:
            yield [
                p.pk,
                p.title,
                p.theme.name,
                p.workstream.name if p.workstream else "",
                str(p.place or ""),
                p.get_status_display(),
                p.get_rag_display() if p.rag else "",
                p.get_method_display() if p.method else "",
                p.lead.full_name if p.lead else "",
                p.aim,
                p.published_at.date().isoformat() if p.published_at else "",
                p.get_absolute_url(),
            ]

    return header, rows()


def gap_table(gaps: Iterable[Gap]) -> tuple[list[str], Iterator[list[Any]]]:
    header = [
        "id",
        "item",
        "question",
        "section",
        "theme",
        "place",
        "rating",
        "status",
        "opened by assessment of",
        "closed by assessment of",
        "addressed by a plan",
    ]

    def rows() -> Iterator[list[Any]]:
        for g in gaps:
            yield [
                g.pk,
                g.item.code,
                g.item.question,
                g.item.section.title,
                g.theme.name if g.theme else "",
                str(g.locality or g.organisation),
                g.get_rating_display(),
                g.get_status_display(),
                g.opened_by.assessed_on.isoformat(),
                g.closed_by.assessed_on.isoformat() if g.closed_by else "",
                "yes" if getattr(g, "addressed", False) else "no",
            ]

    return header, rows()


# --- For other apps --------------------------------------------------------------------------


def plan_years(viewer: Viewer, network: Network) -> list[int]:
    """The years the network's plans that the viewer reads were published in, newest first."""
    plans = readable_plans(viewer, Plan.objects.filter(network=network, published_at__isnull=False))
    return [d.year for d in plans.order_by().datetimes("published_at", "year", order="DESC")]


def published_plan_counts(viewer: Viewer, *, year: int | None = None) -> dict[tuple[int, int], int]:
    """For the Knowledge Matrix grid: published plans the viewer may read, per (network id,
    theme id), optionally only those published in ``year``. One query."""
    plans = readable_plans(viewer, Plan.objects.filter(status__in=SHOWN))
    if year is not None:
        plans = plans.filter(published_at__year=year)
    rows = plans.order_by().values("network_id", "theme_id").annotate(n=Count("pk"))
    return {(r["network_id"], r["theme_id"]): r["n"] for r in rows}


@dataclass(frozen=True)
class ThemeProgress:
    gaps: int
    gaps_closed: int
    plans: int
    plans_with_measured_outcome: int

    @property
    def gaps_closed_share(self) -> float | None:
        return self.gaps_closed / self.gaps if self.gaps else None

    @property
    def measured_outcome_share(self) -> float | None:
        return self.plans_with_measured_outcome / self.plans if self.plans else None


def theme_progress(viewer: Viewer) -> dict[tuple[int, int], ThemeProgress]:
    """For the Knowledge Matrix grid: per (network id, theme id), the share of checklist gaps
    closed and the share of published plans with an outcome backed by a measure (an outcome
    naming one of the plan's indicator series). Among what the viewer may read; two queries."""
    gaps = (
        readable_gaps(viewer, Gap.objects.filter(theme__isnull=False))
        .order_by()
        .values("network_id", "theme_id")
        .annotate(n=Count("pk"), closed=Count("pk", filter=Q(status=Gap.Status.CLOSED)))
    )
    measured = Outcome.objects.filter(plan_id=OuterRef("pk"), measure__isnull=False)
    plans = (
        readable_plans(viewer, Plan.objects.filter(status__in=SHOWN))
        .annotate(measured=Exists(measured))
        .order_by()
        .values("network_id", "theme_id")
        .annotate(n=Count("pk"), m=Count("pk", filter=Q(measured=True)))
    )
    found: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in gaps:
        found[row["network_id"], row["theme_id"]][:2] = [row["n"], row["closed"]]
    for row in plans:
        found[row["network_id"], row["theme_id"]][2:] = [row["n"], row["m"]]
    return {key: ThemeProgress(*values) for key, values in found.items()}


def _join(*parts: str) -> str:
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


# The platform search (the library's contract, kmatrix/library/README.md): each kind's records,
# whose access_scope decides who finds them, and their plain-text documents (all of them when
# ``ids`` is None; a record left out is taken out of the index).


def plan_search_records() -> QuerySet[Plan]:
    """Plans; the access_scope keeps one not yet published to its authors and reviewers."""
    return Plan.objects.all()


def plan_search_documents(ids: Collection[int] | None = None) -> Iterator[SearchDocument]:
    """Title, aim, baseline and method of each plan."""
    plans = Plan.objects.select_related("network").order_by("pk")
    if ids is not None:
        plans = plans.filter(pk__in=list(ids))
    for p in plans.iterator(chunk_size=1000):
        yield SearchDocument(
            kind="plan",
            id=p.pk,
            title=p.title,
            body=_join(p.aim, p.baseline, p.method_other or p.get_method_display()),
            url=p.get_absolute_url(),
            network_id=p.network_id,
            organisation_id=p.organisation_id,
            theme_ids=(p.theme_id,),
            year=(p.published_at or p.created_at).year,
        )


def update_search_records() -> QuerySet[ProgressUpdate]:
    """Progress updates; the access_scope keeps drafts to the plan's people."""
    return ProgressUpdate.objects.all()


def update_search_documents(ids: Collection[int] | None = None) -> Iterator[SearchDocument]:
    """What each update reports: progress, next steps, risks and the help asked for (not the
    theme lead's feedback to the team)."""
    updates = ProgressUpdate.objects.select_related("plan__network").order_by("pk")
    if ids is not None:
        updates = updates.filter(pk__in=list(ids))
    for u in updates.iterator(chunk_size=1000):
        yield SearchDocument(
            kind="update",
            id=u.pk,
            title=f"{u.plan.title}: progress in {u.period:%B %Y}",
            body=_join(u.progress, u.next_steps, u.risks, u.help_needed),
            url=f"{u.plan.get_absolute_url()}#update-{u.pk}",
            network_id=u.plan.network_id,
            organisation_id=u.plan.organisation_id,
            theme_ids=(u.plan.theme_id,),
            year=u.period.year,
        )


def gap_search_records() -> QuerySet[Gap]:
    """Gaps; each is read as its latest assessment is."""
    return Gap.objects.all()


def gap_search_documents(ids: Collection[int] | None = None) -> Iterator[SearchDocument]:
    """The checklist item a place partly or does not meet, and whether it is still open."""
    gaps = Gap.objects.select_related(
        "item", "locality", "organisation", "assessment__network"
    ).order_by("pk")
    if ids is not None:
        gaps = gaps.filter(pk__in=list(ids))
    for g in gaps.iterator(chunk_size=1000):
        yield SearchDocument(
            kind="gap",
            id=g.pk,
            title=f"Gap {g.item.code} at {g.locality or g.organisation}",
            body=_join(g.item.question, g.item.guidance, _gap_state(g)),
            url=_gap_url(g),
            network_id=g.network_id,
            organisation_id=g.organisation_id,
            theme_ids=(g.theme_id,) if g.theme_id else (),
            year=g.assessment.assessed_on.year,
        )


def _gap_state(gap: Gap) -> str:
    return f"{gap.get_rating_display()}, {gap.get_status_display().lower()}"


def _gap_url(gap: Gap) -> str:
    return gap.assessment.get_absolute_url() + f"#item-{gap.item.code}"


@dataclass
class BoardOutcome:
    outcome: Outcome
    spc: indicator_queries.SeriesSpc | None


@dataclass(frozen=True)
class RagChange:
    plan: Plan
    period: date
    earlier: str
    later: str


@dataclass
class BoardTheme:
    theme_id: int
    theme_name: str
    published: list[Plan] = field(default_factory=list)
    outcomes: list[BoardOutcome] = field(default_factory=list)
    rag_changes: list[RagChange] = field(default_factory=list)
    overdue: list[tuple[Plan, date, date]] = field(default_factory=list)  # plan, period, due


def board_report(
    viewer: Viewer, network: Network, start: date, end: date, *, today: date | None = None
) -> list[BoardTheme]:
    """For the Board paper: per theme of ``network``, plans published between ``start`` and
    ``end``, outcomes recorded then (with their measure's SPC series), RAG changes between
    consecutive updates submitted then, and updates overdue at ``end`` (or ``today``)."""
    today = today or end
    plans = list(
        readable_plans(viewer, Plan.objects.filter(network=network, status__in=SHOWN))
        .select_related("theme")
        .order_by("theme__position", "title", "pk")
    )
    by_theme: dict[int, BoardTheme] = {}

    def theme_of(plan: Plan) -> BoardTheme:
        return by_theme.setdefault(plan.theme_id, BoardTheme(plan.theme_id, plan.theme.name))

    ids = {p.pk: p for p in plans}
    for plan in plans:
        if plan.published_at and start <= plan.published_at.date() <= end:
            theme_of(plan).published.append(plan)
    outcomes = Outcome.objects.filter(
        plan_id__in=ids, recorded_on__gte=start, recorded_on__lte=end
    ).select_related("measure")
    for outcome in outcomes.order_by("recorded_on", "pk"):
        spc = None
        if outcome.measure is not None:
            spc = indicator_queries.series_spc(
                viewer,
                indicator_id=outcome.measure.indicator_id,
                organisation_id=outcome.measure.organisation_id,
            )
        theme_of(ids[outcome.plan_id]).outcomes.append(BoardOutcome(outcome, spc))
    _board_rags(ids, start, end, theme_of)
    _board_overdue(ids, today, theme_of)
    order = {p.theme_id: i for i, p in enumerate(plans)}
    return sorted(by_theme.values(), key=lambda t: order.get(t.theme_id, 0))


def _board_rags(ids: dict[int, Plan], start: date, end: date, theme_of: Any) -> None:
    previous: dict[int, str] = {}
    rows = (
        ProgressUpdate.objects.filter(
            plan_id__in=ids, status=ProgressUpdate.Status.SUBMITTED, period__lte=end
        )
        .order_by("plan_id", "period")
        .values_list("plan_id", "period", "rag")
    )
    for plan_id, period, rag in rows:
        before = previous.get(plan_id)
        if before and rag and before != rag and period >= start:
            theme_of(ids[plan_id]).rag_changes.append(RagChange(ids[plan_id], period, before, rag))
        if rag:
            previous[plan_id] = rag


def _board_overdue(ids: dict[int, Plan], today: date, theme_of: Any) -> None:
    written = set(
        ProgressUpdate.objects.filter(plan_id__in=ids, status=ProgressUpdate.Status.SUBMITTED)
        .order_by()
        .values_list("plan_id", "period")
    )
    for plan in ids.values():
        for period in rules.updates_due(plan, today):
            due_on = rules.update_due_on(plan, period)
            if due_on < today and (plan.pk, period) not in written:
                theme_of(plan).overdue.append((plan, period, due_on))
