"""Reads for a plan's page, the evidence view and the theme summary (through the access
helper and ``queries.readable_plans``), each a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from kmatrix.core.access import Viewer
from kmatrix.improvement.models import (
    Gap,
    ImprovementPlan,
    Outcome,
    PlanAction,
    PlanMeasure,
    ProgressUpdate,
)
from kmatrix.improvement.queries import readable_plans, readable_updates
from kmatrix.indicators import queries as indicator_queries
from kmatrix.networks.models import Network

Plan = ImprovementPlan


# --- One plan's page -------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    when: date
    kind: str  # created, submitted, reviewed, published, update, milestone, outcome, check
    text: str
    rag: str = ""


def timeline(plan: Plan, updates: Iterable[ProgressUpdate]) -> list[TimelineEntry]:
    """The plan's life in date order, from what the page has already loaded."""
    entries = [TimelineEntry(plan.created_at.date(), "created", "Plan drafted")]
    for review in plan.reviews.all():
        label = "Published" if review.decision == "published" else "Returned with comments"
        entries.append(TimelineEntry(review.created_at.date(), "reviewed", label))
    for update in updates:
        if update.status == ProgressUpdate.Status.SUBMITTED and update.submitted_at:
            entries.append(
                TimelineEntry(
                    update.submitted_at.date(),
                    "update",
                    f"Progress update for {update.period:%B %Y}",
                    update.rag,
                )
            )
    for action in plan.actions.all():
        if action.is_milestone and action.due_on:
            state = "reached" if action.status == "done" else "due"
            entries.append(
                TimelineEntry(
                    action.completed_on or action.due_on,
                    "milestone",
                    f"Milestone {state}: {action.title}",
                )
            )
    for outcome in plan.outcomes.all():
        entries.append(TimelineEntry(outcome.recorded_on, "outcome", "Outcome recorded"))
        for check in outcome.checks.all():
            if check.checked_on:
                entries.append(
                    TimelineEntry(
                        check.checked_on,
                        "check",
                        f"{check.months_after}-month sustainability check: "
                        f"{check.get_result_display().lower()}",
                    )
                )
    return sorted(entries, key=lambda e: (e.when, e.kind))


def plan_detail(plan_id: int, viewer: Viewer) -> Plan | None:
    """The plan with everything its page lists, prefetched (a fixed number of queries)."""
    return (
        readable_plans(viewer, Plan.objects.filter(pk=plan_id))
        .select_related(
            "network", "theme", "workstream", "locality", "organisation", "lead", "created_by"
        )
        .prefetch_related(
            "team",
            "reviews__reviewer",
            Prefetch("actions", queryset=_actions()),
            Prefetch(
                "measures", queryset=PlanMeasure.objects.select_related("indicator", "organisation")
            ),
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.select_related(
                    "measure__indicator", "measure__organisation"
                ).prefetch_related("checks", "files"),
            ),
            Prefetch(
                "gaps", queryset=Gap.objects.select_related("item", "locality", "organisation")
            ),
        )
        .first()
    )


def _actions() -> QuerySet[PlanAction]:
    return PlanAction.objects.select_related("owner").order_by("position", "due_on", "pk")


def plan_updates(plan: Plan, *, drafts: bool) -> list[ProgressUpdate]:
    updates = plan.updates.prefetch_related("measures__measure__indicator").select_related(
        "reviewed_by", "submitted_by"
    )
    if not drafts:
        updates = updates.filter(status=ProgressUpdate.Status.SUBMITTED)
    return list(updates.order_by("-period"))


# --- Evidence and the theme summary ----------------------------------------------------------


def evidence_list(viewer: Viewer, network: Network) -> list[tuple[Outcome, bool]]:
    """Outcomes of the network's plans that the viewer reads, each with whether its measure's
    SPC chart shows special-cause improvement; measured improvement first."""
    outcomes = list(
        Outcome.objects.filter(
            plan__in=readable_plans(viewer, Plan.objects.filter(network=network))
        )
        .select_related(
            "plan__theme",
            "plan__locality",
            "plan__organisation",
            "measure__indicator",
            "measure__organisation",
        )
        .prefetch_related("checks")
        .order_by("-recorded_on", "-pk")
    )
    keys = [
        (o.measure.indicator_id, o.measure.organisation_id)
        for o in outcomes
        if o.measure is not None
    ]
    improving = indicator_queries.series_improving(viewer, keys)
    found = [
        (
            o,
            o.measure is not None
            and (o.measure.indicator_id, o.measure.organisation_id) in improving,
        )
        for o in outcomes
    ]
    return sorted(found, key=lambda pair: not pair[1])


@dataclass
class ThemeSummary:
    network: Network
    start: date
    end: date
    featured: list[ProgressUpdate]
    awaiting_review: int
    others: int
    help_asked: list[ProgressUpdate]


def theme_summary(
    viewer: Viewer, network: Network, theme_id: int, start: date, end: date
) -> ThemeSummary:
    """The updates of one theme the lead has chosen to feed back to the network, for the
    periods from ``start`` to ``end``, and those asking the network for help."""
    updates = readable_updates(
        viewer,
        ProgressUpdate.objects.filter(
            plan__network=network, plan__theme_id=theme_id, period__gte=start, period__lte=end
        ),
    ).filter(plan__in=readable_plans(viewer, Plan.objects.filter(network=network)).values("pk"))
    counts = updates.aggregate(
        waiting=Count("pk", filter=Q(reviewed_at__isnull=True)),
        others=Count("pk", filter=Q(in_summary=False)),
    )
    shown = updates.select_related("plan__locality", "plan__organisation").order_by(
        "plan__title", "-period"
    )
    featured = list(shown.filter(in_summary=True))
    helped = list(shown.exclude(help_needed=""))
    return ThemeSummary(network, start, end, featured, counts["waiting"], counts["others"], helped)
