"""The part drafters that read the other apps' records: programmes and funding, improvement
plans, meetings. Each with demo-like records, an empty period, and the records the paper's
audience may not read (restricted; another member's organisation-level ones), which never get
in, while a paper for that one member's Board does hold its own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kmatrix.boardpapers import registry
from kmatrix.boardpapers.audience import audience_viewer
from kmatrix.boardpapers.drafters_improvement import NO_IMPROVEMENT, theme_improvement
from kmatrix.boardpapers.drafters_meetings import (
    NO_MEETINGS,
    NO_THEME_MEETINGS,
    theme_meetings,
)
from kmatrix.boardpapers.drafters_programmes import (
    NO_FUNDING,
    NO_FUNDING_AT_ALL,
    NO_PROGRAMMES,
    funding_overall,
    theme_funding,
    theme_programmes,
)
from kmatrix.boardpapers.drafting import (
    DraftContext,
    Drafted,
    Part,
    Period,
    SectionDraft,
    assemble,
)
from kmatrix.boardpapers.tests.conftest import YEAR, PaperWorld
from kmatrix.improvement import services as improvement_services
from kmatrix.improvement.models import ImprovementPlan, Rag
from kmatrix.improvement.tests import work_fixtures as wf
from kmatrix.meetings import services as meeting_services
from kmatrix.networks.models import Group
from kmatrix.programmes import services as programme_services
from kmatrix.programmes.tests.factories import award, programme

SECRET_PROGRAMME = "Confidential merger programme"
ORG_PROGRAMME = "Derbyshire ward refurbishment"
SECRET_MEETING = "Private HR session"
SECRET_DECISION = "Close the secret ward."
SECRET_PLAN = "Confidential plan of one ward"
EMPTY = Period(date(2010, 1, 1), date(2010, 12, 31))


@dataclass
class Records:
    paper_world: PaperWorld
    world: Any

    def context(self, period: Period | None = None, organisation: Any = None) -> DraftContext:
        network = self.world.network
        first, last = YEAR
        return DraftContext(
            network=network,
            period=period or Period(first, last),
            audience=audience_viewer(network.pk, organisation.pk if organisation else None),
        )


def _restricted(record: Any, world: Any) -> None:
    record.visibility = "restricted"
    record.save()
    record.restricted_to.add(world.users["coordinator"])


def _programmes(world: Any) -> None:
    safety = programme(
        world.network,
        "patient-safety",
        name="Patient Safety programme",
        theme=world.theme,
        summary="Three communities of practice.",
    )
    programme_services.update_add(
        programme=safety,
        on=date(2024, 6, 1),
        text="Regional funding of £400,000 secured.\n\n- Restrictive practice\n- Sexual safety",
    )
    programme_services.update_add(programme=safety, on=date(2023, 1, 1), text="Too early.")
    programme_services.milestone_save(
        programme=safety,
        title="Learning event",
        status="achieved",
        on=date(2024, 9, 1),
        precision="month",
    )
    programme_services.milestone_save(
        programme=safety, title="Old learning event", status="achieved", on=date(2022, 3, 1)
    )
    award(safety, "400000", funder_note="Regional funding", term_years=2)
    csw = award(safety, "1355640", first_year=2024)
    for org in (world.org, world.other_org):
        programme_services.allocation_save(
            award=csw, organisation=org, purpose="CSW lead", amount=Decimal("133000")
        )
    programme_services.allocation_save(
        award=csw, organisation=None, purpose="Recruitment element", amount=Decimal("300000")
    )
    award(safety, None, first_year=2024)  # just under £1 million
    award(safety, "150000", first_year=2021)  # before the period
    award(safety, "5000", status="bid", first_year=2024)  # not secured
    secret = programme(world.network, "secret", name=SECRET_PROGRAMME, theme=world.theme)
    _restricted(secret, world)
    programme_services.update_add(programme=secret, on=date(2024, 6, 1), text="Secret update.")
    award(secret, "999", first_year=2024)
    local = programme(
        world.network,
        "wards",
        name=ORG_PROGRAMME,
        theme=world.theme,
        visibility="organisation",
        lead_organisation=world.org,
    )
    programme_services.update_add(programme=local, on=date(2024, 7, 1), text="Wards done.")
    award(local, "777", first_year=2024)


def _meetings(world: Any) -> None:
    hr = Group.objects.get(network=world.network, slug="hr")
    may = meeting_services.meeting_save(
        group=hr, title="HR Director network", date=date(2024, 5, 10), location="Leicester"
    )
    meeting_services.agenda_item_save(meeting=may, title="Industrial action", notes="Plans.")
    meeting_services.decision_save(meeting=may, text="Expand the workforce dashboard.")
    meeting_services.meeting_save(group=hr, title="HR Director network", date=date(2023, 1, 10))
    secret = meeting_services.meeting_save(group=hr, title=SECRET_MEETING, date=date(2024, 6, 1))
    _restricted(secret, world)
    meeting_services.decision_save(meeting=secret, text=SECRET_DECISION)
    cop = Group.objects.get(network=world.network, slug="safety-cop")
    meeting_services.meeting_save(group=cop, title="Safety practice", date=date(2024, 10, 2))


def _improvement(world: Any) -> ImprovementPlan:
    published = timezone.make_aware(datetime(2024, 6, 3, 12))
    plan = wf.plan(world, title="Fewer restraints on ward 1", published_at=published)
    for period, rag in ((date(2024, 6, 1), Rag.AMBER), (date(2024, 7, 1), Rag.GREEN)):
        improvement_services.update_save(
            plan=plan, period=period, progress="Going well.", rag=rag, submit=True
        )
    improvement_services.outcome_save(
        plan=plan, summary="Restraints fell by a fifth.", recorded_on=date(2024, 9, 1)
    )
    secret = wf.plan(world, title=SECRET_PLAN, published_at=published)
    _restricted(secret, world)
    return plan


@pytest.fixture
def records(paper_world: PaperWorld) -> Records:
    world = paper_world.world
    _programmes(world)
    _meetings(world)
    _improvement(world)
    return Records(paper_world, world)


def _text(*drafts: Drafted | SectionDraft) -> str:
    def one(d: Drafted | SectionDraft) -> Any:
        if isinstance(d, SectionDraft):
            return [d.body, d.items, d.figures, d.sources]
        section = assemble("x", "x", "text", [(Part("x", None, lambda c: d), d)], EMPTY)
        return [section.body, section.figures, section.sources]

    return json.dumps([one(d) for d in drafts], ensure_ascii=False)


def _paper(ctx: DraftContext) -> str:
    return _text(*registry.draft_sections(ctx))


# --- Programmes and funding ----------------------------------------------------------------


def test_a_themes_programmes_show_their_updates_and_milestones_in_the_period(records):
    ctx = records.context()
    drafted = theme_programmes(ctx, records.world.theme)
    text = _text(drafted)
    assert drafted.found
    assert "Patient Safety programme" in text
    assert "Regional funding of £400,000 secured." in text
    assert "- Restrictive practice [" in text  # the update's list stays a list
    assert "Learning event: achieved, September 2024" in text
    assert "Too early" not in text
    assert "Old learning event" not in text
    assert "Programme update, 1 June 2024: Patient Safety programme" in text
    assert "/networks/alliance/programmes/patient-safety/#updates" in text
    assert ctx.tally["programme updates"][0] == 1


def test_funding_secured_is_listed_with_exact_totals_and_allocations(records):
    ctx = records.context()
    text = _text(theme_funding(ctx, records.world.theme))
    assert (
        "£400,000 for the Patient Safety programme; funder: Regional funding; over two years"
        in (text)
    )
    assert "£1,355,640 for the Patient Safety programme; 2024/25; secured" in text
    assert "£133,000 to each of two organisations" in text
    assert "£300,000: Recruitment element" in text
    assert "An award with no exact figure (just under £1 million)" in text
    # exact amounts only: 400,000 + 1,355,640; the "just under £1 million" is beside it
    assert "Funding secured for this theme: £1,755,640 in exact amounts, besides one award" in text
    assert "£150,000 for the Patient Safety programme, 2021/22" in text  # secured before
    assert "£5,000" not in text  # a bid is not funding secured


def test_the_summary_gives_the_funding_secured_overall_with_a_table_by_theme(records):
    ctx = records.context()
    drafted = funding_overall(ctx)
    text = _text(drafted)
    assert "Funding secured across the themes: £1,755,640 in exact amounts" in text
    table = drafted.blocks[-1].data
    assert table["columns"][0] == "Theme"
    assert table["rows"][-1][:3] == ["All themes", "3", "£1,755,640"]


def test_restricted_and_other_members_programmes_stay_out(records):
    text = _paper(records.context())
    assert SECRET_PROGRAMME not in text
    assert "Secret update" not in text
    assert "£999" not in text
    assert ORG_PROGRAMME not in text
    assert "£777" not in text
    # a paper for that member's Board alone holds its own programme, never the restricted one
    for_rxm = _paper(records.context(organisation=records.world.org))
    assert ORG_PROGRAMME in for_rxm
    assert "Wards done." in for_rxm
    assert SECRET_PROGRAMME not in for_rxm


def test_a_period_with_no_programmes_or_funding_says_so(records):
    ctx = records.context(EMPTY)
    theme = records.world.theme
    assert not theme_programmes(ctx, theme).found
    assert NO_PROGRAMMES in _text(theme_programmes(ctx, theme))
    assert NO_FUNDING in _text(theme_funding(ctx, records.paper_world.workforce))
    # An award recorded with no date is reported as current (the programmes app's rule), but
    # it is not a record dated in the period.
    assert not theme_funding(ctx, theme).found


def test_a_network_with_no_funding_says_so(paper_world):
    network = paper_world.world.network
    ctx = DraftContext(network=network, period=EMPTY, audience=audience_viewer(network.pk))
    assert NO_FUNDING_AT_ALL in _text(funding_overall(ctx))


# --- Improvement ----------------------------------------------------------------------------


def test_a_themes_improvement_shows_plans_published_outcomes_and_rag_changes(records):
    ctx = records.context()
    drafted = theme_improvement(ctx, records.world.theme)
    text = _text(drafted)
    assert drafted.found
    assert "**Fewer restraints on ward 1** (published 3 June 2024): Fewer restraints." in text
    assert "Fewer restraints on ward 1, 1 September 2024: Restraints fell by a fifth." in text
    assert "from Amber to Green in the update for July 2024" in text
    assert "Improvement plan: Fewer restraints on ward 1" in text
    assert SECRET_PLAN not in _paper(ctx)


def test_a_period_with_no_improvement_work_says_so(records):
    drafted = theme_improvement(records.context(EMPTY), records.world.theme)
    assert not drafted.found
    assert NO_IMPROVEMENT in _text(drafted)


# --- Meetings -------------------------------------------------------------------------------


def test_professional_networks_show_what_each_meeting_discussed_and_decided(records):
    sections = {s.key: s for s in registry.draft_sections(records.context())}
    networks = sections["professional-networks"]
    assert networks.found
    assert "**HR Director network, Friday 10 May 2024, Leicester.**" in networks.body
    assert "- Industrial action: Plans." in networks.body
    assert "- Decision 1: Expand the workforce dashboard." in networks.body
    assert "Meeting: HR Director network" in json.dumps(networks.sources)
    assert "10 January 2023" not in networks.body
    safety = sections["theme-safety"].body
    assert "### Meetings in the period" in safety
    assert "**Safety practice, Wednesday 2 October 2024.**" in safety
    text = _text(*sections.values())
    assert SECRET_MEETING not in text
    assert SECRET_DECISION not in text


def test_a_period_with_no_meetings_says_so_per_group_and_theme(records):
    ctx = records.context(EMPTY)
    sections = {s.key: s for s in registry.draft_sections(ctx)}
    assert NO_MEETINGS in sections["professional-networks"].body
    assert not sections["professional-networks"].found
    assert NO_THEME_MEETINGS in _text(theme_meetings(ctx, records.world.theme))


def test_the_summary_counts_what_the_new_parts_found(records):
    summary = next(iter(registry.draft_sections(records.context())))
    for kind in (
        "Programme updates: 1",
        "Programme milestones: 1",
        "Funding awards secured: 3",
        "Improvement plans published: 1",
        "Improvement outcomes: 1",
        "Meetings: 2",
        "Decisions: 1",
    ):
        assert kind in summary.body
