"""The scale generator's improvement step: checklists, localities, assessments, gaps, plans,
actions and progress updates for every generated network.

National scale is 5,000 plans with 60,000 updates and 2,000 assessments (DESIGN.md); ``small``
a twentieth. Each network gets one checklist version (a section per active theme, four items
each), four localities, assessments of its localities and organisations at two dates, the gaps
of each place's latest assessment (open, or closed where an earlier one had them), and plans on
its active themes, most published with monthly updates, some overdue. Coordinators (who have
accounts) lead a share of the plans, so "my work" has something to show when the benchmark
signs in as one. All randomness comes from ``ctx.rng``; rows go in with ``bulk_create``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from kmatrix.improvement.models import (
    Assessment,
    Checklist,
    ChecklistItem,
    ChecklistSection,
    Gap,
    ImprovementPlan,
    ItemRating,
    Locality,
    PlanAction,
    ProgressUpdate,
)
from kmatrix.improvement.plans import add_months, update_due_on
from kmatrix.networks.models import Person

if TYPE_CHECKING:
    from kmatrix.demo.generate import Context

GEN_SLUG = "gen-checklist"
RATINGS = ("met", "partly_met", "not_met", "not_applicable")
RATING_WEIGHTS = (45, 30, 20, 5)
STATUSES = ("published", "draft", "submitted", "sustained", "closed", "stopped")
STATUS_WEIGHTS = (70, 8, 4, 8, 7, 3)
RAGS = ("red", "amber", "green")


@dataclass(frozen=True)
class Size:
    plans: int
    updates: int
    assessments: int


SIZES = {"national": Size(5_000, 60_000, 2_000), "small": Size(250, 3_000, 100)}


def _bulk(model: Any, rows: list[Any]) -> list[Any]:
    from kmatrix.demo.generate import bulk

    return bulk(model, rows)


def improvement_build(ctx: Context) -> int:
    size = SIZES[ctx.scale.name]
    checklists = _checklists(ctx)
    localities = _localities(ctx)
    made = len(checklists) + len(localities)
    gaps, made_assessments = _assessments(ctx, size, checklists, localities)
    made += made_assessments + len(gaps)
    return made + _plans(ctx, size, localities, gaps)


def _checklists(ctx: Context) -> dict[int, list[ChecklistItem]]:
    """One checklist per network: a section per active theme, four items in each."""
    lists = _bulk(
        Checklist,
        [
            Checklist(
                network=n,
                name="Service checklist",
                slug=GEN_SLUG,
                version="1",
                is_illustrative=True,
                source="Synthetic, made by `kmatrix generate`",
            )
            for n in ctx.networks
        ],
    )
    sections = _bulk(
        ChecklistSection,
        [
            ChecklistSection(checklist=c, theme=theme, title=theme.name, position=p)
            for c in lists
            for p, theme in enumerate(ctx.active_themes[c.network_id], start=1)
        ],
    )
    items = _bulk(
        ChecklistItem,
        [
            ChecklistItem(
                checklist_id=s.checklist_id,
                section=s,
                code=f"{s.position}.{i}",
                question=f"{s.title}: standard {i} is in place.",
                position=i,
            )
            for s in sections
            for i in range(1, 5)
        ],
    )
    by_network: dict[int, list[ChecklistItem]] = defaultdict(list)
    network_of = {c.pk: c.network_id for c in lists}
    for item in items:
        by_network[network_of[item.checklist_id]].append(item)
    return by_network


def _localities(ctx: Context) -> dict[int, list[Locality]]:
    from kmatrix.demo import people as names

    rows: list[Locality] = []
    for network in ctx.networks:
        places: list[str] = []
        while len(places) < 4:  # four different names: a name is used once in a network
            place = ctx.rng.choice(names.PLACE_STARTS) + ctx.rng.choice(names.PLACE_ENDS)
            if place not in places:
                places.append(place)
        for place in places:
            rows.append(Locality(network=network, name=place, slug=f"{place.lower()}-{len(rows)}"))
    made = _bulk(Locality, rows)
    by_org: dict[int, list[int]] = defaultdict(list)
    for org_id, network_ids in ctx.network_organisations.items():
        for network_id in network_ids:
            by_org[network_id].append(org_id)
    through = Locality.organisations.through
    links = []
    found: dict[int, list[Locality]] = defaultdict(list)
    for locality in made:
        found[locality.network_id].append(locality)
        orgs = by_org.get(locality.network_id, [])
        for org_id in ctx.rng.sample(orgs, min(len(orgs), 3)):
            links.append(through(locality_id=locality.pk, organisation_id=org_id))
    _bulk(through, links)
    return found


Place = tuple[str, int]  # ("locality" or "organisation", id)


def _assessments(
    ctx: Context,
    size: Size,
    items: dict[int, list[ChecklistItem]],
    localities: dict[int, list[Locality]],
) -> tuple[dict[int, list[Gap]], int]:
    """Two dated assessments of each chosen place; the gaps of the latest (and closed ones)."""
    per_network = max(2, size.assessments // max(len(ctx.networks), 1))
    chosen: list[tuple[int, Place]] = []
    by_network_orgs: dict[int, list[int]] = defaultdict(list)
    for org_id, network_ids in ctx.network_organisations.items():
        for network_id in network_ids:
            by_network_orgs[network_id].append(org_id)
    for network in ctx.networks:
        places: list[Place] = [("locality", loc.pk) for loc in localities[network.pk]]
        places += [("organisation", org) for org in sorted(by_network_orgs.get(network.pk, []))]
        for place in places[: per_network // 2]:
            chosen.append((network.pk, place))
    rows = []
    checklist_of = {n: its[0].checklist_id for n, its in items.items() if its}
    for network_id, (kind, pk) in chosen:
        for year in (2023, 2025):
            rows.append(
                Assessment(
                    network_id=network_id,
                    checklist_id=checklist_of[network_id],
                    locality_id=pk if kind == "locality" else None,
                    organisation_id=pk if kind == "organisation" else None,
                    assessed_on=ctx.pick_date(date(year, 1, 1), date(year, 12, 31)),
                    status=Assessment.Status.COMPLETE,
                    is_illustrative=True,
                    visibility=ctx.pick_visibility([5, 85, 10, 0]),
                )
            )
    made = _bulk(Assessment, rows)
    ratings, gaps = [], []
    for earlier, later in zip(made[::2], made[1::2], strict=True):
        for item in items[earlier.network_id]:
            first = ctx.rng.choices(RATINGS, weights=RATING_WEIGHTS)[0]
            second = _later_rating(ctx, first)
            ratings.append(ItemRating(assessment=earlier, item=item, rating=first))
            ratings.append(ItemRating(assessment=later, item=item, rating=second))
            gap = _gap(earlier, later, item, first, second)
            if gap is not None:
                gaps.append(gap)
    _bulk(ItemRating, ratings)
    by_network: dict[int, list[Gap]] = defaultdict(list)
    for gap in _bulk(Gap, gaps):
        if gap.status == Gap.Status.OPEN:
            by_network[gap.network_id].append(gap)
    return by_network, len(made) + len(ratings)


def _later_rating(ctx: Context, first: str) -> str:
    if first in ("partly_met", "not_met") and ctx.rng.random() < 0.45:
        return "met" if first == "partly_met" else "partly_met"
    if first == "met" and ctx.rng.random() < 0.08:
        return "partly_met"
    return first


def _gap(
    earlier: Assessment, later: Assessment, item: ChecklistItem, first: str, second: str
) -> Gap | None:
    place = {"locality_id": later.locality_id, "organisation_id": later.organisation_id}
    theme = item.section.theme_id  # the section object built above: no query
    common = {"network_id": later.network_id, "item": item, "theme_id": theme, **place}
    if second in ("partly_met", "not_met"):
        opened = earlier if first in ("partly_met", "not_met") else later
        return Gap(**common, rating=second, opened_by=opened, assessment=later)
    if first in ("partly_met", "not_met"):
        return Gap(
            **common,
            rating=first,
            status=Gap.Status.CLOSED,
            opened_by=earlier,
            closed_by=later,
            assessment=later,
        )
    return None


def _leads(ctx: Context) -> dict[int, list[int]]:
    """People with an account (the coordinators) by network: they lead some plans."""
    from kmatrix.demo.generate import EMAIL_DOMAIN

    with_account = set(
        Person.objects.filter(user__isnull=False, email__endswith=f"@{EMAIL_DOMAIN}").values_list(
            "pk", flat=True
        )
    )
    return {
        n: [m.person_id for m in members if m.person_id in with_account]
        for n, members in ctx.members.items()
    }


def _plans(
    ctx: Context, size: Size, localities: dict[int, list[Locality]], gaps: dict[int, list[Gap]]
) -> int:
    per_network = size.plans // max(len(ctx.networks), 1)
    workstreams = {(w.network_id, w.theme_id): w.pk for w in ctx.workstreams}
    leads = _leads(ctx)
    rows = []
    for network in ctx.networks:
        members = ctx.members.get(network.pk, [])
        themes = ctx.active_themes[network.pk]
        for n in range(per_network):
            rows.append(_plan(ctx, network.pk, themes, workstreams, localities, members, leads, n))
    extra = size.plans - len(rows)
    for n in range(extra):
        network = ctx.networks[n % len(ctx.networks)]
        rows.append(
            _plan(
                ctx,
                network.pk,
                ctx.active_themes[network.pk],
                workstreams,
                localities,
                ctx.members.get(network.pk, []),
                leads,
                n,
            )
        )
    plans = _bulk(ImprovementPlan, rows)
    return len(plans) + _plan_links(ctx, plans, gaps) + _updates(ctx, size, plans)


def _plan(
    ctx: Context,
    network_id: int,
    themes: list[Any],
    workstreams: dict[tuple[int, int], int],
    localities: dict[int, list[Locality]],
    members: list[Any],
    leads: dict[int, list[int]],
    n: int,
) -> ImprovementPlan:
    theme = ctx.rng.choice(themes)
    status = ctx.rng.choices(STATUSES, weights=STATUS_WEIGHTS)[0]
    published = None
    if status not in ("draft", "submitted"):
        day = ctx.pick_date(date(2024, 6, 1), date(2024, 12, 31))
        published = timezone.make_aware(datetime.combine(day, time(9)))
    own = leads.get(network_id) or []
    lead: int | None = None
    if own and ctx.rng.random() < 0.1:
        lead = ctx.rng.choice(own)
    else:
        lead = ctx.rng.choice(members).person_id if members else None
    return ImprovementPlan(
        network_id=network_id,
        theme=theme,
        workstream_id=workstreams.get((network_id, theme.pk)),
        locality=ctx.rng.choice(localities[network_id]) if ctx.rng.random() < 0.6 else None,
        title=f"{theme.name}: improvement plan {n + 1}",
        aim="Synthetic aim for scale testing.",
        status=status,
        rag=ctx.rng.choice(RAGS),
        lead_id=lead,
        method="pdsa",
        published_at=published,
        is_illustrative=True,
        visibility=ctx.pick_visibility([10, 85, 5, 0]),
    )


def _plan_links(ctx: Context, plans: list[ImprovementPlan], gaps: dict[int, list[Gap]]) -> int:
    through, team = ImprovementPlan.gaps.through, ImprovementPlan.team.through
    gap_rows, team_rows, actions = [], [], []
    by_theme: dict[tuple[int, int | None], list[Gap]] = defaultdict(list)
    for network_gaps in gaps.values():
        for gap in network_gaps:
            by_theme[gap.network_id, gap.theme_id].append(gap)
    for plan in plans:
        options = by_theme.get((plan.network_id, plan.theme_id), [])
        for gap in ctx.rng.sample(options, min(len(options), ctx.rng.randint(0, 2))):
            gap_rows.append(through(improvementplan_id=plan.pk, gap_id=gap.pk))
        members = ctx.members.get(plan.network_id, [])
        for member in ctx.rng.sample(members, min(len(members), ctx.rng.randint(1, 3))):
            if member.person_id != plan.lead_id:
                team_rows.append(team(improvementplan_id=plan.pk, person_id=member.person_id))
        start = plan.published_at.date() if plan.published_at else date(2025, 1, 1)
        for k in range(2):
            actions.append(
                PlanAction(
                    plan=plan,
                    title=f"Action {k + 1}",
                    owner_id=plan.lead_id,
                    position=k,
                    is_milestone=k == 1,
                    due_on=start + timedelta(days=60 * (k + 1)),
                    status="done" if ctx.rng.random() < 0.5 else "in_progress",
                )
            )
    _bulk(through, gap_rows)
    _bulk(team, team_rows)
    _bulk(PlanAction, actions)
    return len(gap_rows) + len(team_rows) + len(actions)


def _updates(ctx: Context, size: Size, plans: list[ImprovementPlan]) -> int:
    """Monthly updates from each published plan's first month, ``size.updates`` in all; the
    last one or two of some plans left as drafts, so they are overdue."""
    reporting = [p for p in plans if p.published_at is not None]
    each, spare = divmod(size.updates, max(len(reporting), 1))
    rows = []
    for index, plan in enumerate(reporting):
        assert plan.published_at is not None
        period = plan.published_at.date().replace(day=1)
        count = each + (1 if index < spare else 0)
        late = ctx.rng.random() < 0.2
        for k in range(count):
            draft = late and k >= count - 2
            due = update_due_on(plan, period)
            rows.append(
                ProgressUpdate(
                    plan=plan,
                    period=period,
                    due_on=due,
                    status="draft" if draft else "submitted",
                    progress="" if draft else "Synthetic progress for scale testing.",
                    rag="" if draft else ctx.rng.choice(RAGS),
                    submitted_at=None
                    if draft
                    else timezone.make_aware(datetime.combine(due, time(9))),
                    in_summary=not draft and ctx.rng.random() < 0.2,
                )
            )
            period = add_months(period, 1)
    _bulk(ProgressUpdate, rows)
    return len(rows)


def improvement_reset() -> object:
    generated = {"network__slug__startswith": "gen-"}
    ImprovementPlan.objects.filter(**generated).delete()
    Gap.objects.filter(**generated).delete()
    Assessment.objects.filter(**generated).delete()
    Checklist.objects.filter(**generated).delete()
    return Locality.objects.filter(**generated).delete()
