"""The demo's improvement work: the East Midlands MLN's method, illustrative from end to end.

- An **illustrative checklist** across the ten key themes (``improvement/fixtures``), loaded
  with the checklist import, labelled illustrative on every page.
- **Localities**: the five counties of the seed (Derbyshire, Leicestershire, Lincolnshire,
  Northamptonshire, Nottinghamshire), each with its NHS trust, county council and, where the
  demo has one, its Age UK.
- **Assessments** of each county at two dates (March 2025 and March 2026), so the register and
  the comparison show gaps closing (and one or two opening).
- **Plans** on the five adopted themes, published in June 2025 with eighteen months of updates
  to November 2026 (some missing, so overdue), one submitted and waiting for review, one draft.
  The Service User Engagement plan in Nottinghamshire measures co-produced care plans at
  Nottinghamshire Healthcare: its values come in with the updates, through the indicators'
  services, and its SPC chart shows special-cause improvement; its outcome is recorded.
- **Partner networks' plans**: a few published plans of the NEYH and NW MLNs, linked with the
  East Midlands MLN; those marked shared cross to the MLN's members (the Knowledge Matrix and
  the search show them), and one that is not shared stays with its own network. Illustrative
  too: the seeds describe these networks' themes, not their plans.

Everything goes through the services the pages use, then timestamps are set back to the dates
the story happened on. Idempotent: a plan is found by its title, an assessment by its place and
date, so a second run writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from kmatrix.core.access import Visibility
from kmatrix.core.models import User
from kmatrix.improvement import assessments, checklists, services
from kmatrix.improvement.models import (
    Assessment,
    Checklist,
    Gap,
    ImprovementPlan,
    Locality,
    ProgressUpdate,
)
from kmatrix.improvement.plans import add_months, update_due_on
from kmatrix.indicators import services as indicator_services
from kmatrix.indicators.models import Direction, Indicator, Unit
from kmatrix.networks.models import Network, Organisation, Person, Theme, Workstream

MLN_SLUG = "em-mln"
CHECKLIST = (
    Path(__file__).resolve().parents[1]
    / "improvement"
    / "fixtures"
    / ("illustrative_checklist.yaml")
)
BASELINE_ON, REASSESSED_ON = date(2025, 3, 14), date(2026, 3, 13)
PUBLISHED = date(2025, 6, 2)
LAST_PERIOD = date(2026, 11, 1)
COUNTIES = {
    "Derbyshire": ("RXM", "Derbyshire County Council", "Age UK Derby and Derbyshire"),
    "Leicestershire": ("RT5", "Leicestershire County Council", None),
    "Lincolnshire": ("RP7", "Lincolnshire County Council", None),
    "Northamptonshire": ("RP1", "Northamptonshire County Council", None),
    "Nottinghamshire": (
        "RHA",
        "Nottinghamshire County Council",
        "Age UK Nottingham and Nottinghamshire",
    ),
}
ILLUSTRATIVE = "*Illustrative: written for the demo, not a real plan.* "
MEASURE_CODE = "coproduced-care-plans"


@dataclass(frozen=True)
class PartnerPlan:
    network: str  # slug
    title: str
    theme: str
    aim: str
    method: str
    shared: bool = True


PARTNER_PLANS = (
    PartnerPlan(
        "neyh-mln",
        "Weekly intermediate care rounds in care homes",
        "Specialist CMHT/Intermediate care",
        "A weekly round by the intermediate care team in every care home taking part, so that "
        "residents in crisis are supported where they live.",
        "pdsa",
    ),
    PartnerPlan(
        "neyh-mln",
        "Older people's liaison in every acute hospital",
        "Liaison/General Hospital",
        "A liaison team for older people's mental health in each acute hospital of the region.",
        "lean",
    ),
    PartnerPlan(
        "neyh-mln",
        "Workstream budget review",
        "Commissioning",
        "Review how the network's workstream budgets are spent (kept within the network).",
        "other",
        shared=False,
    ),
    PartnerPlan(
        "nw-mln",
        "First memory assessments in general practice",
        "Primary Care",
        "GP practices run first memory assessments with the specialist team's support, "
        "shortening the wait for a diagnosis.",
        "pdsa",
    ),
    PartnerPlan(
        "nw-mln",
        "Walking groups for people with memory problems and their carers",
        "Health Promotion",
        "A walking group in each borough, led by volunteers with the memory service.",
        "ebcd",
    ),
)


@dataclass(frozen=True)
class DemoPlan:
    title: str
    theme: str
    county: str
    lead: str  # person key in kmatrix.demo.people
    aim: str
    baseline: str
    method: str
    status: str = "published"
    team: tuple[str, ...] = ()
    gap_codes: tuple[str, ...] = ()
    missing: int = 0  # the last periods with no update (overdue)
    rags: str = "AAGGG"  # the RAG of successive updates, the last letter repeated


SUE, CARE, CMHT, LIAISON, INPATIENT = (
    "Service User Engagement",
    "Care Homes/Housing/Home care/Day services",
    "Specialist CMHT/Intermediate care",
    "Liaison/General Hospital",
    "In patient services",
)
PLANS = (
    DemoPlan(
        "Co-produced care plans on older people's wards",
        SUE,
        "Nottinghamshire",
        "theme_lead",
        "Half of care plans on the two older people's wards written with the "
        "person or their carer by the end of 2026.",
        "About a third of audited care plans "
        "were written with the person or their carer (May 2024 to May 2025).",
        "ebcd",
        team=("care_homes_lead",),
        gap_codes=("8.2",),
        rags="AAAGG",
    ),
    DemoPlan(
        "Carers' voices in service review",
        SUE,
        "Derbyshire",
        "theme_lead",
        "A carers' panel reviewing each older people's service once a year.",
        "Carers are asked for feedback only at discharge.",
        "pdsa",
        gap_codes=("8.1", "8.3"),
        missing=2,
        rags="RAAAA",
    ),
    DemoPlan(
        "Feedback from people using memory services",
        SUE,
        "Leicestershire",
        "care_homes_lead",
        "Every memory service gathers and acts on feedback each quarter.",
        "One of three memory clinics gathers feedback.",
        "pdsa",
        status="submitted",
        gap_codes=("8.3",),
    ),
    DemoPlan(
        "Specialist in-reach to care homes",
        CARE,
        "Lincolnshire",
        "care_homes_lead",
        "Monthly in-reach from the specialist team to every nursing home in the county.",
        "In-reach reaches a quarter of nursing homes.",
        "lean",
        team=("housing_manager",),
        gap_codes=("6.1",),
        missing=1,
        rags="AAGGG",
    ),
    DemoPlan(
        "Urgent referrals seen within 48 hours",
        CMHT,
        "Northamptonshire",
        "cmht_lead",
        "Nine in ten urgent referrals seen within 48 hours.",
        "Six in ten urgent referrals were seen within 48 hours.",
        "lean",
        gap_codes=("7.3",),
        rags="RRAAG",
    ),
    DemoPlan(
        "Seven-day liaison cover",
        LIAISON,
        "Nottinghamshire",
        "liaison_lead",
        "Older people's liaison at the acute hospital seven days a week.",
        "Liaison is available on weekdays only.",
        "other",
        team=("liaison_nurse",),
        gap_codes=("1.1",),
        rags="AAAAG",
    ),
    DemoPlan(
        "Discharge planned from admission",
        INPATIENT,
        "Derbyshire",
        "inpatient_lead",
        "Every admission has a discharge plan, written with the person and carer, within 72 hours.",
        "Discharge plans are started in the week before discharge.",
        "pdsa",
        team=("member", "charge_nurse"),
        gap_codes=("5.2",),
        missing=1,
        rags="AGGGG",
    ),
    DemoPlan(
        "Weekly physical health reviews",
        INPATIENT,
        "Derbyshire",
        "member",
        "Physical health reviewed weekly for every inpatient.",
        "",
        "",
        status="draft",
    ),
)

# Co-produced care plans at Nottinghamshire Healthcare: (audited, co-produced) a month, from
# May 2024: thirteen months before the plan (Making Data Count draws limits from 13 points).
BASELINE_MONTHS = [
    (41, 14),
    (40, 13),
    (38, 14),
    (42, 13),
    (41, 15),
    (39, 13),
    (40, 14),
    (43, 15),
    (40, 13),
    (41, 14),
    (39, 14),
    (42, 15),
    (40, 13),
]
PLAN_MONTHS = [
    (41, 15),
    (40, 16),
    (42, 19),
    (41, 20),
    (40, 21),
    (43, 23),
    (42, 23),
    (41, 24),
    (40, 23),
    (42, 25),
    (41, 24),
    (43, 26),
    (40, 24),
    (42, 26),
    (41, 25),
    (40, 25),
    (42, 26),
    (41, 25),
]
PROGRESS = (
    "The team met ward staff and carers to agree what a co-produced plan looks like.",
    "Two wards tried the new care plan conversation; staff found it took ten minutes more.",
    "Carers joined the ward round on Tuesdays; the audit shows more plans written together.",
    "The approach is now part of the admission checklist; new staff are shown it on induction.",
    "Progress held this month; the audit sample was smaller during the holidays.",
)


def _person(key: str) -> Person:
    from kmatrix.demo.people import MLN_PEOPLE
    from kmatrix.demo.seed import person_email

    spec = next(p for p in MLN_PEOPLE if p.key == key)
    return Person.objects.get(email=person_email(spec))


@transaction.atomic
def improvement_demo_load() -> dict[str, int]:
    """Load the MLN's illustrative checklist, localities, assessments and plans."""
    mln = Network.objects.get(slug=MLN_SLUG)
    checklist = _checklist(mln)
    localities = _localities(mln)
    made = {"assessments": 0, "plans": 0}
    for index, locality in enumerate(localities.values()):
        made["assessments"] += _assess(checklist, locality, index)
    indicator = _indicator(mln)
    for spec in PLANS:
        made["plans"] += _plan(mln, spec, localities, indicator)
    for partner in PARTNER_PLANS:
        made["plans"] += _partner_plan(partner)
    return made


def _partner_plan(spec: PartnerPlan) -> int:
    """A published plan of a partner network, submitted and published through the services."""
    network = Network.objects.filter(slug=spec.network).first()
    if network is None:
        return 0
    if ImprovementPlan.objects.filter(network=network, title=spec.title).exists():
        return 0
    reviewer = User.objects.get(email="admin@example.org")
    plan = services.plan_save(
        network=network,
        theme=Theme.objects.get(name=spec.theme, adoptions__network=network),
        title=spec.title,
        aim=ILLUSTRATIVE + spec.aim,
        method=spec.method,
        method_other="Appreciative inquiry" if spec.method == "other" else "",
        rag="green",
        visibility=Visibility.NETWORK,
        shared_with_partners=spec.shared,
    )
    ImprovementPlan.objects.filter(pk=plan.pk).update(is_illustrative=True)
    services.plan_submit(plan=plan)
    services.plan_review(plan=plan, user=reviewer, decision="published")
    ImprovementPlan.objects.filter(pk=plan.pk).update(
        published_at=_moment(PUBLISHED), submitted_at=_moment(date(2025, 5, 27))
    )
    return 1


def _checklist(mln: Network) -> Checklist:
    found = Checklist.objects.filter(network=mln, slug="opmh-checklist", version="2025").first()
    if found is not None:
        return found
    return checklists.checklist_import(network=mln, data=CHECKLIST.read_bytes(), file_format="yaml")


def _localities(mln: Network) -> dict[str, Locality]:
    found = {}
    for name, (ods, council, ageuk) in COUNTIES.items():
        locality = Locality.objects.filter(network=mln, slug=name.lower()).first()
        if locality is None:
            locality = Locality(
                network=mln, name=name, slug=name.lower(), kind=Locality.Kind.COUNTY
            )
            locality.full_clean()
            locality.save()
            orgs = Organisation.objects.filter(ods_code=ods) | Organisation.objects.filter(
                name__in=[n for n in (council, ageuk) if n]
            )
            locality.organisations.set(orgs)
        found[name] = locality
    return found


def _rating(county: int, item: int, second: bool) -> str:
    """A fixed pattern of ratings: about half the items are gaps at first; a year on, most
    of those have moved up a step, and a few new gaps have opened."""
    first = ("met", "partly_met", "not_met", "met", "partly_met")[(county * 7 + item * 3) % 5]
    if county == 4 and item == 22:  # Nottinghamshire, 8.2: the measured plan's gap
        first = "not_met"
    if not second:
        return first
    if first == "not_met":
        return "partly_met" if (county + item) % 3 else "not_met"
    if first == "partly_met":
        return "met" if (county + item) % 3 or (county == 4 and item == 22) else "partly_met"
    return "partly_met" if (county * 5 + item) % 11 == 0 else first


def _assess(checklist: Checklist, locality: Locality, county: int) -> int:
    made = 0
    items = list(checklist.items.order_by("section__position", "position"))
    for second, day in ((False, BASELINE_ON), (True, REASSESSED_ON)):
        if Assessment.objects.filter(locality=locality, assessed_on=day).exists():
            continue
        assessment = assessments.assessment_start(
            checklist=checklist,
            assessed_on=day,
            locality=locality,
            is_illustrative=True,
            summary="*Illustrative ratings, written for the demo.*",
        )
        ratings = [
            assessments.RatingInput(
                item.pk,
                _rating(county, index, second),
                evidence="Illustrative: the team's notes from the locality's services.",
                current_provision=f"Illustrative: what {locality.name} provides today.",
            )
            for index, item in enumerate(items)
        ]
        assessments.ratings_save(assessment=assessment, ratings=ratings)
        assessments.assessment_complete(assessment=assessment)
        made += 1
    return made


def _indicator(mln: Network) -> Indicator:
    found = Indicator.objects.filter(network=mln, code=MEASURE_CODE).first()
    if found is not None:
        return found
    indicator = Indicator(
        network=mln,
        code=MEASURE_CODE,
        name="Care plans written with the person or their carer",
        definition="Audited care plans on the older people's wards written with the person or "
        "their carer, as a percentage of those audited. **Illustrative figures, not real data.**",
        unit=Unit.PERCENT,
        numerator_definition="Care plans written with the person or carer",
        denominator_definition="Care plans audited",
        direction=Direction.INCREASE,
        theme=Theme.objects.filter(name=SUE, adoptions__network=mln).first(),
        is_illustrative=True,
        source="Illustrative",
        # Mean and limits from the twelve months before the plan, as Making Data Count reads
        # an improvement against its baseline.
        baseline_points=len(BASELINE_MONTHS),
    )
    indicator.full_clean()
    indicator.save()
    rha = Organisation.objects.get(ods_code="RHA")
    for index, (audited, together) in enumerate(BASELINE_MONTHS):
        indicator_services.datapoint_save(
            indicator=indicator,
            organisation=rha,
            period=add_months(date(2024, 5, 1), index),
            value=None,
            numerator=together,
            denominator=audited,
            note="Illustrative baseline",
        )
    return indicator


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _plan(
    mln: Network, spec: DemoPlan, localities: dict[str, Locality], indicator: Indicator
) -> int:
    if ImprovementPlan.objects.filter(network=mln, title=spec.title).exists():
        return 0
    theme = Theme.objects.get(name=spec.theme, adoptions__network=mln)
    workstream = Workstream.objects.filter(network=mln, theme=theme).first()
    locality = localities[spec.county]
    lead = _person(spec.lead)
    author = lead.user or User.objects.filter(email="coordinator@example.org").first()
    gaps = list(locality.gaps.filter(item__code__in=spec.gap_codes))
    plan = services.plan_save(
        network=mln,
        user=author,
        gaps=gaps,
        team=[_person(k) for k in spec.team],
        theme=theme,
        workstream=workstream,
        locality=locality,
        title=spec.title,
        aim=ILLUSTRATIVE + spec.aim,
        baseline=spec.baseline,
        method=spec.method,
        method_other="Appreciative inquiry" if spec.method == "other" else "",
        lead=lead,
        rag="amber",
        visibility=Visibility.NETWORK,
    )
    ImprovementPlan.objects.filter(pk=plan.pk).update(is_illustrative=True)
    plan.is_illustrative = True
    if spec.status == "draft":
        return 1
    services.plan_submit(plan=plan, user=author)
    if spec.status == "submitted":
        ImprovementPlan.objects.filter(pk=plan.pk).update(submitted_at=_moment(date(2026, 11, 20)))
        return 1
    reviewer = User.objects.get(email="theme.lead@example.org") if spec.theme == SUE else author
    services.plan_review(plan=plan, user=reviewer, decision="published")
    ImprovementPlan.objects.filter(pk=plan.pk).update(
        published_at=_moment(PUBLISHED), submitted_at=_moment(date(2025, 5, 27))
    )
    plan.refresh_from_db()
    measure = None
    if spec.title == PLANS[0].title:
        measure = services.measure_add(
            plan=plan, indicator=indicator, organisation=Organisation.objects.get(ods_code="RHA")
        )
    _updates(plan, spec, author, measure)
    if measure is not None:
        services.outcome_save(
            plan=plan,
            user=author,
            measure=measure,
            recorded_on=date(2026, 9, 15),
            summary="Half of audited care plans on the two wards are now written with the "
            "person or their carer, up from a third. *Illustrative.*",
            evidence="The audit's SPC chart, with its mean and limits from the thirteen months "
            "before the plan, shows a rising trend from the plan's start and every month from "
            "August 2025 above the upper process limit: special-cause improvement.",
        )
    return 1


def _updates(plan: ImprovementPlan, spec: DemoPlan, author: User | None, measure: object) -> None:
    periods = []
    period = PUBLISHED.replace(day=1)
    while period <= LAST_PERIOD:
        periods.append(period)
        period = add_months(period, 1)
    written = periods[: len(periods) - spec.missing] if spec.missing else periods
    rag_names = {"R": "red", "A": "amber", "G": "green"}
    for index, period in enumerate(written):
        letter = spec.rags[min(index * len(spec.rags) // len(periods), len(spec.rags) - 1)]
        values = {}
        if measure is not None:
            audited, together = PLAN_MONTHS[index]
            values = {measure.pk: services.MeasureValue(None, together, audited)}  # type: ignore[attr-defined]
        update = services.update_save(
            plan=plan,
            period=period,
            user=author,
            submit=True,
            values=values,
            progress=ILLUSTRATIVE + PROGRESS[index % len(PROGRESS)],
            next_steps="Share what worked with the workstream at the next network meeting.",
            risks="Staff turnover on one ward." if index % 4 == 1 else "",
            help_needed="Examples of co-produced plans from other networks." if index == 2 else "",
            rag=rag_names[letter],
        )
        due = update_due_on(plan, period)
        ProgressUpdate.objects.filter(pk=update.pk).update(submitted_at=_moment(due.replace(day=6)))
        if index >= len(written) - 3 and index % 2 == 0:
            continue  # the latest updates wait for the theme lead's review
        reviewer = User.objects.filter(email="theme.lead@example.org").first()
        services.update_review(
            update=update,
            user=reviewer,
            in_summary=index % 3 == 0,
            feedback="Thank you: this is the kind of change the network wants to hear about."
            if index % 3 == 0
            else "",
        )


@transaction.atomic
def improvement_demo_reset() -> None:
    """Delete the demo's improvement records (the networks' deletion cascades the rest)."""
    for partner in PARTNER_PLANS:
        ImprovementPlan.objects.filter(
            network__slug=partner.network, title=partner.title, is_illustrative=True
        ).delete()
    mln = Network.objects.filter(slug=MLN_SLUG).first()
    if mln is None:
        return
    ImprovementPlan.objects.filter(network=mln).delete()
    Gap.objects.filter(network=mln).delete()
    Assessment.objects.filter(network=mln).delete()
    Checklist.objects.filter(network=mln).delete()
    Locality.objects.filter(network=mln).delete()
    Indicator.objects.filter(network=mln, code=MEASURE_CODE).delete()
