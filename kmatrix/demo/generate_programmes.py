"""The scale generator's programmes and meetings steps, in proportion to the national scale.

Per generated network: 6 to 18 programmes under its active themes, each with 1 to 4 funding
awards (exact amounts in whole pounds, a few bids, a few with no exact figure), allocations on
some, 2 to 5 milestones and 1 to 4 dated updates. Per generated group: 4 to 20 meetings
(fortnightly to quarterly in spirit, at 10:00 UK time, some known only to the month), each
with 3 to 7 agenda items, attendance by some of the group's members, 0 to 4 numbered decisions
linked to the network's themes and programmes, and 0 to 3 actions per decision plus a few of
their own, owned by members or by the group. At national scale (50 networks, about 500
groups; seed 1) that is 621 programmes, 1,534 awards, 6,147 meetings, 30,560 agenda items,
12,130 decisions and 24,204 actions.

Everything is drawn from ``ctx.rng`` in a fixed order, written with ``bulk_create`` and found
again for ``--reset`` through the generated networks (slugs starting ``gen-``).
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from kmatrix.meetings.models import (
    Action,
    AgendaItem,
    Attendance,
    Decision,
    DecisionLink,
    Meeting,
)
from kmatrix.networks.models import Group
from kmatrix.programmes.models import (
    FundingAllocation,
    FundingAward,
    Milestone,
    Programme,
    ProgrammeUpdate,
)

if TYPE_CHECKING:
    from kmatrix.demo.generate import Context

SLUG_PREFIX = "gen-"
PROGRAMME_TOPICS = (
    "Patient safety", "Support worker retention", "Therapy supervision", "Crisis alternatives",
    "Digital inclusion", "Carer involvement", "Physical health checks", "Reducing restraint",
    "Recovery colleges", "Peer support", "Out-of-area placements", "Perinatal outreach",
    "Dementia diagnosis", "Eating disorder step-up", "Suicide prevention", "Workforce wellbeing",
    "Green plan", "Waiting list support", "Transitions to adult services", "Veterans' services",
)  # fmt: skip
PROGRAMME_KINDS = ("programme", "pilot", "collaborative project", "training programme")
AGENDA_TOPICS = (
    "Minutes and matters arising", "Programme update", "Finance report", "Workforce dashboard",
    "Quality and safety report", "Risk register", "Service user feedback", "Funding bids",
    "Benchmarking results", "Any other business", "Case study", "National guidance",
)  # fmt: skip
ACTION_VERBS = ("Draft", "Review", "Circulate", "Agree", "Present", "Cost", "Share", "Pilot")
ACTION_OBJECTS = (
    "the work programme", "the case study", "the funding proposal", "the dashboard",
    "the terms of reference", "the evaluation", "the training offer", "the communications plan",
)  # fmt: skip
PROGRAMME_STATUSES = (
    ("active", 60),
    ("planned", 15),
    ("paused", 5),
    ("completed", 15),
    ("closed", 5),
)
AWARD_STATUSES = (("secured", 55), ("received", 20), ("spent", 10), ("bid", 15))
ACTION_STATUSES = (("open", 35), ("in_progress", 20), ("done", 40), ("dropped", 5))
TEN = time(10)
HALF_ELEVEN = time(11, 30)


def _weighted(ctx: Context, choices: tuple[tuple[str, int], ...]) -> str:
    return ctx.rng.choices([c for c, _ in choices], [w for _, w in choices])[0]


# --- Programmes ----------------------------------------------------------------------------


def programmes_build(ctx: Context) -> int:
    programmes = []
    for network in ctx.networks:
        themes = ctx.active_themes.get(network.pk, [])
        orgs = [o for o in ctx.organisations if network.pk in ctx.network_organisations[o.pk]]
        groups = [g for g in ctx.groups if g.network_id == network.pk]
        for i, topic in enumerate(ctx.rng.sample(PROGRAMME_TOPICS, ctx.rng.randint(6, 18))):
            start = ctx.pick_date()
            programmes.append(
                Programme(
                    network=network,
                    name=f"{topic} {ctx.rng.choice(PROGRAMME_KINDS)}",
                    slug=f"programme-{i + 1}",
                    theme=ctx.rng.choice(themes) if themes else None,
                    sponsor=ctx.rng.choice(groups) if groups and ctx.rng.random() < 0.6 else None,
                    lead_organisation=ctx.rng.choice(orgs)
                    if orgs and ctx.rng.random() < 0.7
                    else None,
                    status=_weighted(ctx, PROGRAMME_STATUSES),
                    starts_on=start if ctx.rng.random() < 0.5 else None,
                    ends_on=start + timedelta(days=ctx.rng.randint(365, 1100))
                    if ctx.rng.random() < 0.3
                    else None,
                    summary=f"{topic} across the network.",
                    description="Synthetic programme for scale testing.",
                    visibility=ctx.pick_visibility([20, 75, 5, 0]),
                )
            )
    made = Programme.objects.bulk_create(programmes, batch_size=2000)
    return len(made) + _awards(ctx, made) + _milestones_and_updates(ctx, made)


def _awards(ctx: Context, programmes: list[Programme]) -> int:
    awards = []
    for programme in programmes:
        for _ in range(ctx.rng.randint(1, 4)):
            exact = ctx.rng.random() < 0.92
            first = ctx.rng.randint(2016, 2025) if ctx.rng.random() < 0.7 else None
            awards.append(
                FundingAward(
                    programme=programme,
                    funder=ctx.rng.choice(ctx.organisations) if ctx.rng.random() < 0.7 else None,
                    funder_note="" if ctx.rng.random() < 0.8 else "Regional funding",
                    amount=Decimal(ctx.rng.randrange(10, 2000) * 1000) if exact else None,
                    amount_note="" if exact else "about £1 million",
                    first_year=first,
                    last_year=first + ctx.rng.randint(0, 2)
                    if first and ctx.rng.random() < 0.3
                    else None,
                    term_years=ctx.rng.choice((None, 1, 2, 3)),
                    status=_weighted(ctx, AWARD_STATUSES),
                )
            )
    made = FundingAward.objects.bulk_create(awards, batch_size=2000)
    allocations = []
    for award in made:
        if award.amount is None or ctx.rng.random() < 0.6:
            continue
        orgs = ctx.rng.sample(ctx.organisations, ctx.rng.randint(1, 6))
        share = (award.amount / (len(orgs) + 1)).quantize(Decimal("1"))
        allocations += [
            FundingAllocation(award=award, organisation=o, purpose="Local delivery", amount=share)
            for o in orgs
        ]
    FundingAllocation.objects.bulk_create(allocations, batch_size=2000)
    return len(made) + len(allocations)


def _milestones_and_updates(ctx: Context, programmes: list[Programme]) -> int:
    milestones, updates = [], []
    for programme in programmes:
        for position in range(ctx.rng.randint(2, 5)):
            dated = ctx.rng.random() < 0.8
            milestones.append(
                Milestone(
                    programme=programme,
                    title=f"Milestone {position + 1}",
                    status=ctx.rng.choice(("planned", "achieved", "delayed")),
                    on=ctx.pick_date() if dated else None,
                    precision=ctx.rng.choice(("day", "month")),
                    when_note="" if dated else "Later in the year",
                    position=position,
                )
            )
        updates += [
            ProgrammeUpdate(programme=programme, on=ctx.pick_date(), text="Progress as planned.")
            for _ in range(ctx.rng.randint(1, 4))
        ]
    Milestone.objects.bulk_create(milestones, batch_size=2000)
    ProgrammeUpdate.objects.bulk_create(updates, batch_size=2000)
    return len(milestones) + len(updates)


def programmes_reset() -> object:
    return Programme.objects.filter(network__slug__startswith=SLUG_PREFIX).delete()


# --- Meetings ------------------------------------------------------------------------------


def meetings_build(ctx: Context) -> int:
    meetings = []
    for group in ctx.groups:
        first = ctx.pick_date(end=date(2024, 6, 30))
        step = ctx.rng.choice((14, 28, 56, 91))
        for n in range(ctx.rng.randint(4, 20)):
            day = first + timedelta(days=step * n)
            month_only = ctx.rng.random() < 0.1
            meetings.append(
                Meeting(
                    network_id=group.network_id,
                    group=group,
                    title=group.name,
                    date=day.replace(day=1) if month_only else day,
                    date_precision="month" if month_only else "day",
                    start_time=None if month_only else TEN,
                    end_time=None if month_only else HALF_ELEVEN,
                    location=ctx.rng.choice(("Online", "Head office", "")),
                    is_virtual=ctx.rng.random() < 0.4,
                    status="held" if day < date(2025, 6, 1) else "scheduled",
                    minutes="Synthetic minutes for scale testing.",
                    visibility=group.visibility,
                )
            )
    made = Meeting.objects.bulk_create(meetings, batch_size=2000)
    return len(made) + _agendas(ctx, made) + _decisions_and_actions(ctx, made)


def _agendas(ctx: Context, meetings: list[Meeting]) -> int:
    members_of = _group_people(ctx)
    items, attendance = [], []
    for meeting in meetings:
        topics = ctx.rng.sample(AGENDA_TOPICS, ctx.rng.randint(3, 7))
        items += [
            AgendaItem(meeting=meeting, position=i, title=t) for i, t in enumerate(topics, start=1)
        ]
        people = members_of.get(meeting.group_id or 0, [])
        present = ctx.rng.sample(people, min(len(people), ctx.rng.randint(3, 12)))
        attendance += [
            Attendance(
                meeting=meeting,
                person_id=pid,
                status=ctx.rng.choice(("present", "present", "apologies")),
            )
            for pid in sorted(present)
        ]
    AgendaItem.objects.bulk_create(items, batch_size=2000)
    Attendance.objects.bulk_create(attendance, batch_size=2000)
    return len(items) + len(attendance)


def _group_people(ctx: Context) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    through = Group.members.through
    rows = through.objects.filter(group_id__in=[g.pk for g in ctx.groups]).order_by(
        "group_id", "person_id"
    )
    for group_id, person_id in rows.values_list("group_id", "person_id"):
        found.setdefault(group_id, []).append(person_id)
    return found


def _decisions_and_actions(ctx: Context, meetings: list[Meeting]) -> int:
    decisions = []
    for meeting in meetings:
        decisions += [
            Decision(meeting=meeting, number=n, text=f"Decision {n} of the meeting: agreed.")
            for n in range(1, ctx.rng.randint(0, 4) + 1)
        ]
    made = Decision.objects.bulk_create(decisions, batch_size=2000)
    return len(made) + _links(ctx, made, meetings) + _actions(ctx, made, meetings)


def _links(ctx: Context, decisions: list[Decision], meetings: list[Meeting]) -> int:
    network_of = {m.pk: m.network_id for m in meetings}
    programmes: dict[int, list[Programme]] = {}
    for p in Programme.objects.filter(network__in=ctx.networks).order_by("pk"):
        programmes.setdefault(p.network_id, []).append(p)
    links = []
    for d in decisions:
        network_id = network_of[d.meeting_id]
        roll = ctx.rng.random()
        if roll < 0.3 and ctx.active_themes.get(network_id):
            links.append(
                DecisionLink(decision=d, theme=ctx.rng.choice(ctx.active_themes[network_id]))
            )
        elif roll < 0.6 and programmes.get(network_id):
            links.append(DecisionLink(decision=d, programme=ctx.rng.choice(programmes[network_id])))
    DecisionLink.objects.bulk_create(links, batch_size=2000)
    return len(links)


def _actions(ctx: Context, decisions: list[Decision], meetings: list[Meeting]) -> int:
    by_meeting: dict[int, list[Decision]] = {}
    for d in decisions:
        by_meeting.setdefault(d.meeting_id, []).append(d)
    members_of = _group_people(ctx)
    actions = []
    for meeting in meetings:
        people = members_of.get(meeting.group_id or 0, [])
        sources: list[tuple[Decision | None, int]] = [
            (d, ctx.rng.randint(0, 3)) for d in by_meeting.get(meeting.pk, [])
        ]
        sources.append((None, ctx.rng.randint(0, 2)))
        for decision, count in sources:
            for _ in range(count):
                actions.append(_action(ctx, meeting, decision, people))
    Action.objects.bulk_create(actions, batch_size=2000)
    return len(actions)


def _action(ctx: Context, meeting: Meeting, decision: Decision | None, people: list[int]) -> Action:
    status = _weighted(ctx, ACTION_STATUSES)
    due = (
        meeting.date + timedelta(days=ctx.rng.randint(14, 120)) if ctx.rng.random() < 0.85 else None
    )
    closed = status in ("done", "dropped")
    by_person = people and ctx.rng.random() < 0.8
    return Action(
        meeting=meeting,
        decision=decision,
        title=f"{ctx.rng.choice(ACTION_VERBS)} {ctx.rng.choice(ACTION_OBJECTS)}",
        owner_id=ctx.rng.choice(people) if by_person else None,
        owner_group_id=None if by_person else meeting.group_id,
        due_on=due,
        status=status,
        closed_on=(due or meeting.date) if closed else None,
        result="Done as agreed." if status == "done" else "",
    )


def meetings_reset() -> object:
    return Meeting.objects.filter(network__slug__startswith=SLUG_PREFIX).delete()
