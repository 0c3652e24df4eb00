"""Reads for the workstream dashboard, "my work" and the time report; writes for time logs.

Every read goes through ``core.access.visible`` and is a fixed number of queries whatever the
number of plans or updates: counts are aggregated in SQL, the latest update of each plan is a
subquery, and the due periods that have no update yet are worked out from the plans already
loaded (``plans.updates_due`` is arithmetic on the plan) against one query of existing periods.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from kmatrix.core.access import Viewer, visible
from kmatrix.improvement import plans as plan_rules
from kmatrix.improvement import queries
from kmatrix.improvement.models import (
    Gap,
    ImprovementPlan,
    PlanAction,
    ProgressUpdate,
    Rag,
    TimeLog,
)
from kmatrix.improvement.plans import add_months as add_months
from kmatrix.improvement.plans import month_start as month_start
from kmatrix.networks.models import Membership, MembershipRole, Network, Person, Role, Workstream

LIST_LIMIT = 50  # rows shown in each dashboard list; the totals say how many there are
GAPS_SHOWN = 20  # the dashboard's open gaps: the gap register lists them all
RECENT_UPDATES = 10
REPORT_MONTHS = 12
REPORT_MAX_MONTHS = 60
NOT_RATED = ""
Plan = ImprovementPlan


def reminder_days() -> int:
    """Days before an update is due that its reminder goes out (and it counts as due)."""
    return int(getattr(settings, "KMATRIX_REMINDER_DAYS_BEFORE", 5))


# --- Shared pieces --------------------------------------------------------------------------


@dataclass(frozen=True)
class DueUpdate:
    """An update due or overdue: a draft row, or a due period that has no row yet."""

    plan: ImprovementPlan
    period: date
    due_on: date
    update: ProgressUpdate | None = None

    def is_overdue(self, today: date) -> bool:
        return self.due_on < today


def _latest_submitted() -> QuerySet[ProgressUpdate]:
    return ProgressUpdate.objects.filter(
        plan_id=OuterRef("pk"), status=ProgressUpdate.Status.SUBMITTED
    ).order_by("-period")


def _with_latest(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """Plans with the period and RAG of their latest submitted update, as subqueries."""
    latest = _latest_submitted()
    return plans.annotate(
        latest_period=Subquery(latest.values("period")[:1]),
        latest_rag=Subquery(latest.values("rag")[:1]),
    )


def _due_updates(plans: Sequence[Plan], until: date) -> list[DueUpdate]:
    """Drafts due on or before ``until`` plus due periods of ``plans`` with no update at all.

    ``plans`` are ones the viewer reads; their updates are read in one query (only the
    columns needed), and the periods due are arithmetic on each plan.
    """
    active = {p.pk: p for p in plans if p.status in Plan.ACTIVE}
    if not active:
        return []
    found, written = [], set()
    # Plain rows: a dashboard's plans have hundreds of updates, and only the drafts due become
    # records (with what the pages and the API read of them).
    rows = ProgressUpdate.objects.filter(plan_id__in=list(active)).order_by()
    for pk, plan_id, period, due_on, status in rows.values_list(
        "pk", "plan_id", "period", "due_on", "status"
    ):
        written.add((plan_id, period))
        if status == ProgressUpdate.Status.DRAFT and due_on <= until:
            plan = active[plan_id]
            update = ProgressUpdate(pk=pk, plan=plan, period=period, due_on=due_on, status=status)
            found.append(DueUpdate(plan, period, due_on, update))
    for plan in active.values():
        for period in plan_rules.updates_due(plan, until):
            due_on = plan_rules.update_due_on(plan, period)
            if (plan.pk, period) not in written and due_on <= until:
                found.append(DueUpdate(plan=plan, period=period, due_on=due_on))
    found.sort(key=lambda d: (d.due_on, d.plan.title, d.plan.pk))
    return found


@dataclass(frozen=True)
class PlanOverdue:
    """A plan's overdue updates in one line of the dashboard."""

    plan: Plan
    count: int
    first: date  # the earliest overdue period
    last: date


def overdue_by_plan(items: Sequence[DueUpdate]) -> list[PlanOverdue]:
    grouped: dict[int, list[DueUpdate]] = defaultdict(list)
    for item in items:
        grouped[item.plan.pk].append(item)
    rows = [
        PlanOverdue(due[0].plan, len(due), min(d.period for d in due), max(d.period for d in due))
        for due in grouped.values()
    ]
    return sorted(rows, key=lambda r: (-r.count, r.plan.title, r.plan.pk))


def _open_actions(plans: QuerySet[Plan] | list[int]) -> QuerySet[PlanAction]:
    """Open actions of plans not finished: ``plans`` the viewer reads, or their ids."""
    chosen = plans if isinstance(plans, list) else plans.values("pk")
    return (
        PlanAction.objects.filter(plan__in=chosen)
        .exclude(status=PlanAction.Status.DONE)
        .exclude(plan__status__in=Plan.FINISHED)
        .select_related("plan__network", "owner")
        .order_by("due_on", "pk")
    )


# --- Workstream dashboard -----------------------------------------------------------------


@dataclass(frozen=True)
class RagCount:
    value: str
    label: str
    count: int


@dataclass
class Dashboard:
    workstream: Workstream
    today: date
    plans: list[Plan]
    rag_counts: list[RagCount]
    status_counts: list[RagCount]
    overdue_updates: list[DueUpdate]
    overdue_actions: list[PlanAction]
    gaps: list[Gap]
    gaps_total: int
    recent_updates: list[ProgressUpdate]

    @property
    def plans_total(self) -> int:
        return len(self.plans)

    @property
    def overdue_plans(self) -> list[PlanOverdue]:
        return overdue_by_plan(self.overdue_updates)


def _counts(rows: Iterable[dict[str, Any]]) -> tuple[list[RagCount], list[RagCount]]:
    """RAG counts of the plans still open, and counts by status of them all."""
    by_rag: dict[str, int] = defaultdict(int)
    by_status: dict[str, int] = defaultdict(int)
    for row in rows:
        by_status[row["status"]] += row["n"]
        if row["status"] not in Plan.FINISHED:
            by_rag[row["rag"]] += row["n"]
    rags = [RagCount(v, str(label), by_rag[v]) for v, label in Rag.choices]
    rags.append(RagCount(NOT_RATED, "Not rated", by_rag[NOT_RATED]))
    statuses = [RagCount(v, str(label), by_status[v]) for v, label in Plan.Status.choices]
    return rags, statuses


def workstream_dashboard(viewer: Viewer, workstream: Workstream, today: date) -> Dashboard:
    """The workstream's plans that the viewer may see, with what needs attention."""
    plans = queries.readable_plans(viewer, Plan.objects.filter(workstream=workstream))
    table = list(
        _with_latest(plans)
        .select_related("network", "lead", "locality", "organisation")
        .order_by("title", "pk")
    )
    rags, statuses = _counts(plans.order_by().values("status", "rag").annotate(n=Count("pk")))
    overdue = _due_updates(table, today - timedelta(days=1))
    gaps = visible(
        viewer,
        Gap.objects.filter(
            network_id=workstream.network_id, theme_id=workstream.theme_id, status=Gap.Status.OPEN
        ),
    )
    # The plans are the ones the viewer reads, so their updates need no access filter of
    # their own; naming them by id lets the database use the (plan, period) index.
    recent = ProgressUpdate.objects.filter(
        plan_id__in=[p.pk for p in table], status=ProgressUpdate.Status.SUBMITTED
    )
    return Dashboard(
        workstream=workstream,
        today=today,
        plans=table,
        rag_counts=rags,
        status_counts=statuses,
        overdue_updates=overdue,
        overdue_actions=list(
            _open_actions([p.pk for p in table]).filter(due_on__lt=today)[:LIST_LIMIT]
        ),
        gaps=list(
            gaps.select_related("item", "locality", "organisation").order_by("item__code", "pk")[
                :GAPS_SHOWN
            ]
        ),
        gaps_total=gaps.count(),
        recent_updates=list(
            recent.select_related("plan__network").order_by("-submitted_at", "-period", "-pk")[
                :RECENT_UPDATES
            ]
        ),
    )


# --- My work ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeThisMonth:
    network: Network
    logged: Decimal
    committed: Decimal


@dataclass
class MyWork:
    today: date
    plans: list[Plan] = field(default_factory=list)
    actions: list[PlanAction] = field(default_factory=list)
    updates_due: list[DueUpdate] = field(default_factory=list)
    reviews: list[Plan] = field(default_factory=list)
    reviews_total: int = 0
    time: list[TimeThisMonth] = field(default_factory=list)


def my_plans(viewer: Viewer) -> QuerySet[Plan]:
    """Plans the viewer leads or is on the team of, still open."""
    if viewer.person_id is None:
        return Plan.objects.none()
    teams = Plan.team.through.objects.filter(person_id=viewer.person_id)
    mine = Plan.objects.filter(
        Q(lead_id=viewer.person_id) | Q(pk__in=teams.values("improvementplan_id"))
    ).exclude(status__in=Plan.FINISHED)
    return queries.readable_plans(viewer, mine)


def reviewable_plans(viewer: Viewer) -> QuerySet[Plan]:
    """Submitted plans the viewer may publish or return (``ImprovementPlan.reviewed_by``)."""
    submitted = Plan.objects.filter(status=Plan.Status.SUBMITTED)
    return queries.reviewable(viewer, queries.readable_plans(viewer, submitted))


def time_this_month(person_id: int, today: date) -> list[TimeThisMonth]:
    month = month_start(today)
    memberships = (
        Membership.objects.active()
        .filter(person_id=person_id)
        .select_related("network")
        .order_by("network__name")
    )
    logged = dict(
        TimeLog.objects.filter(person_id=person_id, month=month)
        .order_by()
        .values("network_id")
        .annotate(total=Sum("days"))
        .values_list("network_id", "total")
    )
    return [
        TimeThisMonth(m.network, logged.get(m.network_id) or Decimal(0), m.committed_days_per_month)
        for m in memberships
    ]


def my_work(viewer: Viewer, today: date) -> MyWork:
    work = MyWork(today=today)
    reviews = reviewable_plans(viewer)
    work.reviews = list(
        reviews.select_related("network", "theme", "lead").order_by("submitted_at", "pk")[
            :LIST_LIMIT
        ]
    )
    work.reviews_total = len(work.reviews)
    if work.reviews_total == LIST_LIMIT:
        work.reviews_total = reviews.count()
    if viewer.person_id is None:
        return work
    plans = my_plans(viewer)
    work.plans = list(
        _with_latest(plans).select_related("network", "theme", "workstream").order_by("title", "pk")
    )
    work.updates_due = _due_updates(work.plans, today + timedelta(days=reminder_days()))
    owned = queries.readable_plans(viewer, Plan.objects.filter(actions__owner_id=viewer.person_id))
    work.actions = list(_open_actions(owned).filter(owner_id=viewer.person_id)[: LIST_LIMIT * 2])
    work.time = time_this_month(viewer.person_id, today)
    return work


# --- Time given: writes -------------------------------------------------------------------

_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-\d{1,2})?\s*$")


def parse_month(text: str) -> date:
    """``2025-03`` (or a full date in that month) as the first of the month."""
    found = _MONTH_RE.match(text or "")
    if not found:
        raise ValueError("Enter the month as year and month, for example 2025-03.")
    year, month = int(found[1]), int(found[2])
    if not (1 <= month <= 12 and 1900 <= year <= 2999):
        raise ValueError("Enter a real month, for example 2025-03.")
    return date(year, month, 1)


def may_log_time(viewer: Viewer, network: Network) -> bool:
    """Members of the network with a person record log their own days."""
    return viewer.person_id is not None and network.pk in viewer.reads_networks


def timelog_save(
    *,
    log: TimeLog | None,
    person: Person,
    network: Network,
    month: date,
    days: Decimal,
    plan: Plan | None = None,
    note: str = "",
    today: date | None = None,
) -> TimeLog:
    """Record (or correct) days given in one month. Field errors for days outside (0, 31],
    a month still to come, and a plan of another network."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    month = month_start(month)
    if month > month_start(today):
        errors["month"] = "The month cannot be in the future: log time once it is given."
    if days <= 0:
        errors["days"] = "Enter more than 0 days."
    elif days > 31:
        errors["days"] = "Enter at most 31 days: no month has more."
    if plan is not None and plan.network_id != network.pk:
        errors["plan"] = "Choose a plan of this network."
    if errors:
        raise ValidationError(errors)
    log = log or TimeLog(person=person, network=network)
    log.month, log.days, log.plan, log.note = month, days, plan, note.strip()
    log.full_clean()
    with transaction.atomic():
        log.save()
    return log


def timelog_delete(*, log: TimeLog) -> None:
    with transaction.atomic():
        log.delete()


def own_logs(viewer: Viewer, network: Network) -> QuerySet[TimeLog]:
    """The viewer's own time logs in a network (nobody else's; none without a person)."""
    if viewer.person_id is None:
        return TimeLog.objects.none()
    return (
        TimeLog.objects.filter(person_id=viewer.person_id, network=network)
        .select_related("plan")
        .order_by("-month", "-pk")
    )


def loggable_plans(viewer: Viewer, network: Network) -> QuerySet[Plan]:
    return queries.readable_plans(viewer, Plan.objects.filter(network=network)).order_by(
        "title", "pk"
    )


# --- Time given: the report ---------------------------------------------------------------


def may_see_time_report(viewer: Viewer, network: Network) -> bool:
    return viewer.coordinates(network.pk) or viewer.holds(network.pk, Role.THEME_LEAD)


@dataclass
class MemberTime:
    person: Person
    organisation: str
    committed_per_month: Decimal
    days: list[Decimal]
    committed: list[Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.days, Decimal(0))

    @property
    def committed_total(self) -> Decimal:
        return sum(self.committed, Decimal(0))


@dataclass
class TimeReport:
    network: Network
    months: list[date]
    rows: list[MemberTime]

    @property
    def totals(self) -> list[Decimal]:
        return [sum((r.days[i] for r in self.rows), Decimal(0)) for i in range(len(self.months))]

    @property
    def committed_totals(self) -> list[Decimal]:
        return [
            sum((r.committed[i] for r in self.rows), Decimal(0)) for i in range(len(self.months))
        ]

    @property
    def total(self) -> Decimal:
        return sum(self.totals, Decimal(0))

    @property
    def committed_total(self) -> Decimal:
        return sum(self.committed_totals, Decimal(0))

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """Header and rows for CSV and XLSX: one row per member and month."""
        header = ["member", "organisation", "month", "days logged", "days committed"]
        rows: list[list[Any]] = [
            [r.person.full_name, r.organisation, m.strftime("%Y-%m"), r.days[i], r.committed[i]]
            for r in self.rows
            for i, m in enumerate(self.months)
        ]
        rows += [
            ["Network total", "", m.strftime("%Y-%m"), self.totals[i], self.committed_totals[i]]
            for i, m in enumerate(self.months)
        ]
        return header, [[float(c) if isinstance(c, Decimal) else c for c in r] for r in rows]


def report_range(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The months asked for, by default the last 12 to this one; ValidationError if odd."""
    end = month_start(end or today)
    start = month_start(start or add_months(end, 1 - REPORT_MONTHS))
    if end > month_start(today):
        raise ValidationError({"to": "The last month cannot be in the future."})
    if start > end:
        raise ValidationError({"from": "The first month must be on or before the last."})
    if (end.year - start.year) * 12 + end.month - start.month >= REPORT_MAX_MONTHS:
        raise ValidationError({"from": f"Choose at most {REPORT_MAX_MONTHS} months."})
    return start, end


def _active_in(membership: Membership, month: date) -> bool:
    next_month = add_months(month, 1)
    joined = membership.joined_on is None or membership.joined_on < next_month
    return joined and (membership.left_on is None or membership.left_on > month)


def time_report(viewer: Viewer, network: Network, start: date, end: date) -> TimeReport:
    """Each member's days a month against their commitment: three queries at most."""
    months = []
    month = start
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    # Board readers read papers; they are not committed to give days.
    other_role = MembershipRole.objects.filter(membership_id=OuterRef("pk")).exclude(
        role=Role.BOARD_READER
    )
    any_role = MembershipRole.objects.filter(membership_id=OuterRef("pk"))
    memberships = (
        visible(viewer, Membership.objects.filter(network=network))
        .filter(Exists(other_role) | ~Exists(any_role))
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lt=add_months(end, 1)))
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=start))
        .select_related("person", "organisation")
        .order_by("person__full_name", "pk")
    )
    logged: dict[int, dict[date, Decimal]] = defaultdict(dict)
    for person_id, when, days in (
        TimeLog.objects.filter(network=network, month__gte=start, month__lte=end)
        .order_by()
        .values("person_id", "month")
        .annotate(total=Sum("days"))
        .values_list("person_id", "month", "total")
    ):
        logged[person_id][when] = days
    rows = []
    for ms in memberships:
        given = logged.pop(ms.person_id, {})
        rows.append(
            MemberTime(
                person=ms.person,
                organisation=ms.organisation.name,
                committed_per_month=ms.committed_days_per_month,
                days=[given.get(m, Decimal(0)) for m in months],
                committed=[
                    ms.committed_days_per_month if _active_in(ms, m) else Decimal(0) for m in months
                ],
            )
        )
    # Days logged by people no longer members (or not listed) still count in the total.
    for person in Person.objects.filter(pk__in=list(logged)).order_by("full_name", "pk"):
        given = logged[person.pk]
        zeros = [Decimal(0)] * len(months)
        rows.append(
            MemberTime(person, "", Decimal(0), [given.get(m, Decimal(0)) for m in months], zeros)
        )
    return TimeReport(network=network, months=months, rows=rows)
