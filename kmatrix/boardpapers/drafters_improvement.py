"""Each theme's improvement work in the period, from ``improvement.queries.board_report``: the
improvement plans published then, the outcomes recorded (with the SPC chart of their measure,
when it has one the audience may read) and the RAG ratings that changed between consecutive
progress updates.

The report is read once per paper (``ctx.once``) with the paper's audience, so a plan the
audience may not read (a draft, one restricted to named people, another member's
organisation-level plan) never gets in, nor its outcomes or ratings.
"""

from __future__ import annotations

from django.urls import reverse

from kmatrix.boardpapers.drafting import (
    Block,
    Bullets,
    DraftContext,
    Drafted,
    Source,
    Statement,
    count_text,
    day_text,
    first_paragraph,
    plain,
    say,
)
from kmatrix.improvement import queries as improvement_queries
from kmatrix.improvement.models import ImprovementPlan, Rag
from kmatrix.networks.models import Theme

NO_IMPROVEMENT = (
    "No improvement plan of this theme was published, recorded an outcome or changed its RAG "
    "rating in the period."
)


def _report(ctx: DraftContext) -> dict[int, improvement_queries.BoardTheme]:
    def read() -> dict[int, improvement_queries.BoardTheme]:
        found = improvement_queries.board_report(
            ctx.audience, ctx.network, ctx.period.first, ctx.period.last
        )
        return {t.theme_id: t for t in found}

    report: dict[int, improvement_queries.BoardTheme] = ctx.once("improvement", read)
    return report


def _plan_source(ctx: DraftContext, plan: ImprovementPlan) -> Source:
    path = reverse("improvement:plan", args=[ctx.network.slug, plan.pk])
    return Source(f"Improvement plan: {plan.title}", path)


def theme_improvement(ctx: DraftContext, theme: Theme) -> Drafted:
    found = _report(ctx).get(theme.pk)
    if found is None or not (found.published or found.outcomes or found.rag_changes):
        return Drafted([say(NO_IMPROVEMENT)])
    blocks: list[Block] = []
    blocks += _published(ctx, found)
    blocks += _outcomes(ctx, found)
    blocks += _rag_changes(ctx, found)
    listed = Source("Improvement plans", f"/networks/{ctx.network.slug}/plans/")
    for kind, count in (
        ("improvement plans published", len(found.published)),
        ("improvement outcomes", len(found.outcomes)),
        ("rating changes (red, amber, green)", len(found.rag_changes)),
    ):
        if count:
            ctx.record(kind, count, listed)
    return Drafted(blocks, found=True)


def _published(ctx: DraftContext, found: improvement_queries.BoardTheme) -> list[Block]:
    if not found.published:
        return []
    items = []
    for plan in found.published:
        aim = first_paragraph(plan.aim)
        when = f"published {day_text(plan.published_at.date())}" if plan.published_at else ""
        text = f"**{plain(plan.title)}** ({when})" + (f": {aim}" if aim else ".")
        items.append(Statement(text, (_plan_source(ctx, plan),)))
    lead = f"{count_text(len(items), 'improvement plan').capitalize()} published in the period:"
    return [say(lead), Bullets(tuple(items))]


def _outcomes(ctx: DraftContext, found: improvement_queries.BoardTheme) -> list[Block]:
    if not found.outcomes:
        return []
    plans = _plans(ctx, {r.outcome.plan_id for r in found.outcomes})
    items = []
    for recorded in found.outcomes:
        outcome = recorded.outcome
        plan = plans[outcome.plan_id]
        sources = [_plan_source(ctx, plan)]
        text = (
            f"{plain(plan.title)}, {day_text(outcome.recorded_on)}: "
            f"{first_paragraph(outcome.summary)}"
        )
        if recorded.spc is not None:
            spc = recorded.spc
            sources.append(
                Source(f"SPC chart: {spc.indicator_name}, {spc.organisation_name}", spc.chart_url)
            )
            shows = "shows" if spc.shows_improvement else "does not show"
            text += f" Its measure, {plain(spc.indicator_name)}, {shows} special-cause improvement."
        items.append(Statement(text, tuple(sources)))
    return [say("Outcomes recorded in the period:"), Bullets(tuple(items))]


def _plans(ctx: DraftContext, ids: set[int]) -> dict[int, ImprovementPlan]:
    """The outcomes' plans, in one read (the report gives each outcome its plan's id)."""
    readable = improvement_queries.readable_plans(
        ctx.audience, ImprovementPlan.objects.filter(pk__in=ids)
    )
    return {plan.pk: plan for plan in readable}


def _rag_changes(ctx: DraftContext, found: improvement_queries.BoardTheme) -> list[Block]:
    if not found.rag_changes:
        return []
    items = tuple(
        Statement(
            f"{plain(c.plan.title)}: from {Rag(c.earlier).label} to {Rag(c.later).label} in the "
            f"update for "
            f"{c.period.strftime('%B %Y')}",
            (_plan_source(ctx, c.plan),),
        )
        for c in found.rag_changes
    )
    return [say("RAG ratings that changed in the period:"), Bullets(items)]
