"""The named reads the Board paper and the platform search call."""

from __future__ import annotations

from datetime import date

import pytest

from kmatrix.core.access import ANONYMOUS, viewer_for
from kmatrix.meetings import queries, services
from kmatrix.networks.tests import factories as f


def viewer(world, name):
    return ANONYMOUS if name == "anonymous" else viewer_for(world.users[name])


def test_the_board_paper_gets_each_groups_meetings_with_what_they_discussed_and_decided(
    world, minuted
):
    (safety,) = queries.board_meetings(
        viewer(world, "member"), world.network, date(2023, 4, 1), date(2023, 6, 30)
    )
    assert safety.theme_id is None  # the group has no theme of its own
    (group,) = safety.groups
    assert group.group == "Restrictive practice"
    assert [m.when for m in group.meetings] == [
        "April 2023",
        "Wednesday 3 May 2023, 10:00 to 12:00",
        "Friday 9 June 2023, 10:00 to 12:00",
    ]
    may = group.meetings[1]
    assert may.discussed == (
        "Restraint in high secure settings",
        "Funding: Regional funding secured.",
    )
    (decision,) = may.decided
    assert decision.text == "Expand the work to mechanical restraint."
    assert decision.theme_ids == (world.theme.pk,)
    assert decision.programme_ids == (minuted.safety.pk,)
    assert decision.actions == (
        "Draft the expanded work programme (Member, open)",
        "Book the learning event (Restrictive practice, done)",
    )


def test_meetings_fall_under_their_groups_theme_and_the_range_is_respected(world, minuted):
    world.group.theme = world.theme
    world.group.save()
    found = queries.board_meetings(
        viewer(world, "member"), world.network, date(2023, 5, 1), date(2023, 5, 31)
    )
    assert [t.theme for t in found] == ["Safety"]
    assert [m.title for m in found[0].groups[0].meetings] == ["Restrictive practice"]
    assert (
        queries.board_meetings(
            viewer(world, "member"), world.network, date(2024, 1, 1), date(2024, 12, 31)
        )
        == []
    )


def test_a_programmes_event_is_filed_under_the_programmes_theme(world, minuted):
    services.meeting_save(
        network=world.network,
        programme=minuted.safety,
        title="Learning event",
        date=date(2023, 3, 1),
        date_precision="month",
    )
    found = queries.board_meetings(
        viewer(world, "member"), world.network, date(2023, 3, 1), date(2023, 3, 31)
    )
    assert [(t.theme, [g.group for g in t.groups]) for t in found] == [
        ("Safety", ["Patient Safety"])
    ]
    assert found[0].groups[0].group_id is None


def test_the_board_paper_leaves_out_what_the_viewer_may_not_read(world, minuted):
    lead = queries.board_meetings(
        viewer(world, "theme_lead"), world.network, date(2023, 5, 1), date(2023, 5, 31)
    )
    member = queries.board_meetings(
        viewer(world, "member"), world.network, date(2023, 5, 1), date(2023, 5, 31)
    )
    assert "Confidential case review" in [m.title for m in lead[0].groups[0].meetings]
    assert "Confidential case review" not in [m.title for m in member[0].groups[0].meetings]


def test_meetings_and_decisions_become_search_documents(world, minuted):
    meetings = list(queries.meeting_search_records().filter(network=world.network))
    decisions = list(queries.decision_search_records().filter(meeting__network=world.network))
    docs = [
        *queries.meeting_search_documents([m.pk for m in meetings]),
        *queries.decision_search_documents([d.pk for d in decisions]),
    ]
    assert len(docs) == len(meetings) + len(decisions)
    assert len(list(queries.meeting_search_documents())) == len(meetings) + 1  # and elsewhere
    may = next(d for d in docs if d.kind == "meeting" and d.id == minuted.may.pk)
    assert may.title == "Restrictive practice, Wednesday 3 May 2023, 10:00 to 12:00"
    assert "Funding\nRegional funding secured." in may.body
    assert (may.year, may.network_id, may.organisation_id) == (2023, world.network.pk, None)
    decision = next(d for d in docs if d.kind == "decision")
    assert decision.url == f"/networks/alliance/meetings/{minuted.may.pk}/#decision-1"
    assert decision.theme_ids == (world.theme.pk,)
    assert "Elsewhere" not in [d.title.split(",")[0] for d in docs]


def test_the_search_filters_meetings_and_decisions_through_the_access_helper(world, minuted):
    ids = [minuted.may.pk, minuted.secret.pk, minuted.elsewhere.pk]
    assert queries.search_visible(viewer(world, "member"), "meeting", ids) == {minuted.may.pk}
    assert queries.search_visible(viewer(world, "theme_lead"), "meeting", ids) == {
        minuted.may.pk,
        minuted.secret.pk,
    }
    assert queries.search_visible(viewer(world, "anonymous"), "meeting", ids) == set()
    assert queries.search_visible(viewer(world, "member"), "decision", [minuted.decision.pk]) == {
        minuted.decision.pk
    }
    assert (
        queries.search_visible(viewer(world, "other_member"), "decision", [minuted.decision.pk])
        == set()
    )
    with pytest.raises(ValueError, match="Unknown kind"):
        queries.search_visible(viewer(world, "member"), "action", [])


def test_a_public_meeting_in_a_network_page_is_not_reachable_for_strangers(world, minuted):
    group = f.GroupFactory(
        network=world.network, name="Open forum", slug="open-forum", visibility="public"
    )
    open_meeting = services.meeting_save(group=group, title="Open forum", date=date(2023, 5, 1))
    # The network itself is not public, so the meeting's page is not found and search agrees.
    assert queries.search_visible(ANONYMOUS, "meeting", [open_meeting.pk]) == set()
