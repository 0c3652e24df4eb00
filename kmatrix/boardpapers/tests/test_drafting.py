"""Drafting from the records: the structure, the indicator highlights, the audience, a period
with no records, drafting again beside edits, conflicts and versions."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from kmatrix.boardpapers import queries, services
from kmatrix.boardpapers.drafting import NOTHING_DATED, Period
from kmatrix.boardpapers.models import BoardPaper, Origin, PaperSection, Status
from kmatrix.boardpapers.tests.conftest import (
    EARLIER,
    ORG_CHAIR,
    ORG_GROUP,
    SECRET_GROUP,
    SECRET_INDICATOR,
)
from kmatrix.boardpapers.views_editing import compare_versions
from kmatrix.indicators.models import SeriesResult


def sections(paper: BoardPaper) -> list[PaperSection]:
    return list(paper.sections.filter(in_paper=True).order_by("position"))


def section(paper: BoardPaper, key: str) -> PaperSection:
    return paper.sections.get(key=key)


def everything(paper: BoardPaper) -> str:
    """All a paper says: its text, entries, tables, charts and sources."""
    return json.dumps([[s.title, s.body, s.items, s.figures, s.sources] for s in sections(paper)])


def test_the_paper_has_the_seed_structure_in_the_networks_theme_order(drafted):
    titles = [s.title for s in sections(drafted.paper)]
    assert titles == [
        "Summary",
        "Safety",
        "Workforce",
        "Professional networks",
        "Joint meetings",
        "Recommendations",
        "Appendices",
    ]
    kinds = {s.key: s.kind for s in sections(drafted.paper)}
    assert kinds["recommendations"] == "lettered"
    assert kinds["appendices"] == "numbered"


def test_the_summary_names_the_member_organisations_with_their_sources(drafted):
    summary = section(drafted.paper, "summary")
    world = drafted.world
    assert "presented to the Boards of its two members" in summary.body
    assert f"{world.org.name} (RXM) [" in summary.body
    assert f"{world.other_org.name} (RT5) [" in summary.body
    assert {
        "label": f"Organisation: {world.org.name}",
        "path": f"/organisations/{world.org.pk}/",
    } in summary.sources
    assert "1. Safety" in summary.body
    assert "2. Workforce" in summary.body
    assert "Indicator figures: 2" in summary.body


def test_every_statement_drafted_cites_a_numbered_source(drafted):
    safety = section(drafted.paper, "theme-safety")
    numbers = {int(n) for n in __import__("re").findall(r"\[(\d+)\]", safety.body)}
    assert numbers == set(range(1, len(safety.sources) + 1))
    assert all(s["path"].startswith("/networks/alliance/") for s in safety.sources)


def test_indicator_highlights_show_each_organisations_icons_and_the_special_cause_chart(drafted):
    safety = section(drafted.paper, "theme-safety")
    table = next(f for f in safety.figures if f["kind"] == "table")
    rows = {row[0]: row for row in table["rows"]}
    rxm = rows[drafted.world.org.name]
    assert rxm[1] == "March 2025"
    assert rxm[3]["icon"].startswith("variation-improvement")
    charts = [f for f in safety.figures if f["kind"] == "chart"]
    assert [c["title"] for c in charts] == [f"Restraint: {drafted.world.org.name}"]
    chart = charts[0]
    assert len(chart["points"]) == 36
    assert len(chart["table"]["rows"]) == 36
    assert chart["table"]["columns"][0] == "Period"
    assert "special cause (improvement) in the period" in safety.body


def test_an_indicator_with_too_few_points_says_why_and_has_no_chart(drafted):
    safety = section(drafted.paper, "theme-safety")
    other = drafted.world.other_org.name
    assert f"No SPC chart or icons for {other}: Too few points (10) for SPC limits" in safety.body
    assert not any(other in f["title"] for f in safety.figures if f["kind"] == "chart")


def test_a_series_that_goes_on_past_the_period_is_read_as_it_stood_then(paper_world):
    paper = paper_world.paper
    paper.period_from, paper.period_to = EARLIER
    paper.save()
    services.paper_draft(paper=paper)
    safety = section(paper, "theme-safety")
    table = next(f for f in safety.figures if f["kind"] == "table")
    rxm = next(row for row in table["rows"] if row[0] == paper_world.world.org.name)
    assert rxm[1] == "December 2023"
    assert rxm[3]["icon"] == "variation-common_cause"  # the fall came later
    assert not [f for f in safety.figures if f["kind"] == "chart"]
    stored = SeriesResult.objects.get(
        indicator=paper_world.restraint, organisation=paper_world.world.org
    )
    assert stored.variation_icon.startswith("improvement")  # the whole series, unchanged


def test_a_period_with_no_records_says_so_in_every_section(paper_world):
    paper = paper_world.paper
    paper.period_from, paper.period_to = date(2010, 1, 1), date(2010, 12, 31)
    paper.save()
    services.paper_draft(paper=paper)
    note = NOTHING_DATED.format(period=Period(paper.period_from, paper.period_to).label)
    for s in sections(paper):
        if s.key == "summary":
            assert "The records hold nothing dated in the period" in s.body
        elif s.kind == "text":
            assert note in s.body, s.title
    assert (
        "No indicator of this theme has figures in the period."
        in section(paper, "theme-safety").body
    )
    assert not any(s.figures for s in sections(paper))


def test_a_restricted_or_organisation_level_record_never_appears_in_a_paper_for_every_board(
    drafted,
):
    said = everything(drafted.paper)
    for hidden in (SECRET_INDICATOR, SECRET_GROUP, ORG_GROUP, ORG_CHAIR):
        assert hidden not in said
    assert "Safety practice" in said
    assert "HR Directors" in said


def test_a_paper_for_one_members_board_may_name_its_organisation_level_records(paper_world):
    paper = paper_world.paper
    paper.audience_organisation = paper_world.world.org
    paper.full_clean()
    paper.save()
    assert paper.visibility == "organisation"
    services.paper_draft(paper=paper)
    said = everything(paper)
    assert ORG_CHAIR in said
    assert SECRET_INDICATOR not in said
    assert SECRET_GROUP not in said
    assert f"presented to the Board of {paper_world.world.org.name}" in said


def test_drafting_again_keeps_an_edit_and_puts_the_new_draft_beside_it(drafted):
    paper, user = drafted.paper, drafted.world.users["coordinator"]
    safety = section(paper, "theme-safety")
    services.section_save(
        section=safety,
        title="Safety",
        body="Our own words.",
        expected_revision=safety.revision,
        user=user,
    )
    drafted.restraint.name = "Restraint incidents"
    drafted.restraint.save()
    outcome = services.paper_draft(paper=paper, user=user)
    safety.refresh_from_db()
    assert safety.body == "Our own words."
    assert safety.origin == Origin.EDITED
    assert "Restraint incidents" in safety.pending["body"]
    assert outcome.waiting == ["Safety"]
    assert "Workforce" in outcome.unchanged
    services.section_choose(section=safety, use_draft=True, user=user)
    safety.refresh_from_db()
    assert "Restraint incidents" in safety.body
    assert safety.pending is None
    assert safety.origin == Origin.DRAFTED


def test_keeping_an_edit_is_not_asked_again_until_the_records_change(drafted):
    paper, user = drafted.paper, drafted.world.users["coordinator"]
    safety = section(paper, "theme-safety")
    services.section_save(
        section=safety, title="Safety", body="Mine.", expected_revision=safety.revision, user=user
    )
    drafted.restraint.name = "Restraint incidents"
    drafted.restraint.save()
    services.paper_draft(paper=paper, user=user)
    services.section_choose(section=section(paper, "theme-safety"), use_draft=False, user=user)
    outcome = services.paper_draft(paper=paper, user=user)
    safety.refresh_from_db()
    assert safety.body == "Mine."
    assert safety.pending is None
    assert outcome.waiting == []


def test_a_second_reviewers_save_of_the_same_section_is_a_conflict_and_changes_nothing(drafted):
    paper = drafted.paper
    opened = section(paper, "theme-workforce")
    services.section_save(
        section=opened,
        title="Workforce",
        body="First reviewer.",
        expected_revision=opened.revision,
        user=drafted.reviewer,
    )
    with pytest.raises(services.EditConflict) as caught:
        services.section_save(
            section=opened,
            title="Workforce",
            body="Second reviewer.",
            expected_revision=opened.revision,
            user=drafted.world.users["coordinator"],
        )
    assert caught.value.section.body == "First reviewer."
    assert section(paper, "theme-workforce").body == "First reviewer."


def test_every_saved_change_is_a_version_that_can_be_read_and_compared(drafted):
    paper, user = drafted.paper, drafted.world.users["coordinator"]
    recommendations = section(paper, "recommendations")
    services.section_save(
        section=recommendations,
        title="Recommendations",
        body="Provider Boards are asked to:",
        items=["note the work", "", "agree"],
        expected_revision=recommendations.revision,
        user=user,
    )
    recommendations.refresh_from_db()
    assert recommendations.items == ["note the work", "agree"]
    assert recommendations.letters == [("a", "note the work"), ("b", "agree")]
    assert [v.number for v in queries.versions_of(paper)] == [2, 1]
    first = queries.version_of(paper, 1)
    assert [r.body for r in first.sections if r.section_id == recommendations.pk] == [
        "The Boards are asked to:\n"
    ]
    changes = compare_versions(paper, 1, 2)
    assert [c.title for c in changes] == ["Recommendations"]
    lines = changes[0].lines
    assert ("added", "- note the work") in lines
    assert ("removed", "The Boards are asked to:") in lines


def test_status_moves_only_along_the_review_path(drafted):
    paper, user = drafted.paper, drafted.world.users["coordinator"]
    with pytest.raises(ValidationError):
        services.paper_status_set(paper=paper, status=Status.PUBLISHED, user=user)
    with pytest.raises(ValidationError):
        services.paper_status_set(paper=paper, status=Status.APPROVED, user=user)
    for status in (Status.IN_REVIEW, Status.APPROVED):
        paper = services.paper_status_set(paper=paper, status=status, user=user)
    with pytest.raises(ValidationError):
        services.paper_draft(paper=paper)
    safety = section(paper, "theme-safety")
    with pytest.raises(ValidationError):
        services.section_save(
            section=safety,
            title="Safety",
            body="Late edit",
            expected_revision=safety.revision,
            user=user,
        )


def test_a_period_that_ends_before_it_starts_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        services.paper_create(
            network=world.network,
            title="Paper",
            period_from=date(2024, 6, 1),
            period_to=date(2024, 1, 1),
            author="A",
            paper_date=date(2024, 6, 1),
        )
    assert "period_to" in caught.value.message_dict
    assert not BoardPaper.objects.exists()
