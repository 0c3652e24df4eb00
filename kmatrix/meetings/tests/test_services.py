"""Meetings, decisions and actions: the rules, in the services and in the database."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kmatrix.core.access import viewer_for
from kmatrix.meetings import queries, services
from kmatrix.meetings.models import Action, Decision, Meeting


def errors(caught):
    return caught.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"start_time": time(12), "end_time": time(10)}, "end_time", "must end after it starts"),
        ({"start_time": time(10)}, "end_time", "Give the time the meeting ends."),
        ({"end_time": time(10)}, "start_time", "Give the time the meeting starts."),
        (
            {"date_precision": "month", "start_time": time(10), "end_time": time(11)},
            "start_time",
            "no times",
        ),
        (
            {"date": date(2023, 3, 26), "start_time": time(1, 30), "end_time": time(3)},
            "start_time",
            "does not happen",
        ),
        (
            {"date": date(2023, 10, 29), "start_time": time(0, 30), "end_time": time(1, 30)},
            "end_time",
            "happens twice",
        ),
    ],
)
def test_a_meeting_with_impossible_times_is_a_field_error(world, fields, field, message):
    with pytest.raises(ValidationError) as caught:
        services.meeting_save(
            group=world.group, title="Meeting", **{"date": date(2023, 6, 9), **fields}
        )
    assert message in errors(caught)[field][0]


def test_the_database_refuses_an_end_before_the_start(minuted):
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=minuted.may.pk).update(end_time=time(9))


def test_a_month_only_date_is_kept_as_its_first_day(world):
    meeting = services.meeting_save(
        group=world.group, title="HR", date=date(2023, 2, 17), date_precision="month"
    )
    assert meeting.date == date(2023, 2, 1)
    assert meeting.when == "February 2023"
    assert meeting.starts_at is None


def test_a_group_meeting_takes_the_groups_network_and_visibility(world):
    world.group.visibility = "public"
    world.group.save()
    meeting = services.meeting_save(group=world.group, title="Open", date=date(2023, 6, 9))
    assert (meeting.network, meeting.visibility) == (world.network, "public")


def test_changing_the_time_or_place_raises_the_calendar_sequence(minuted):
    services.meeting_save(meeting=minuted.may, minutes="Notes only")
    minuted.may.refresh_from_db()
    assert minuted.may.sequence == 0
    services.meeting_save(meeting=minuted.may, location="Nottingham")
    minuted.may.refresh_from_db()
    assert minuted.may.sequence == 1


def test_decisions_are_numbered_in_turn_within_a_meeting(minuted):
    second = services.decision_save(meeting=minuted.may, text="Second.")
    first_of_june = services.decision_save(meeting=minuted.june, text="June's first.")
    assert (second.number, first_of_june.number) == (2, 1)
    assert second.reference == "D2"


def test_a_duplicate_decision_number_is_a_field_error(minuted):
    with pytest.raises(ValidationError) as caught:
        services.decision_save(meeting=minuted.may, text="Again.", number=1)
    assert errors(caught) == {"number": ["This meeting already has a decision 1."]}


def test_the_database_refuses_a_duplicate_decision_number_too(minuted):
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(meeting=minuted.may, number=1, text="A race")


def test_renumbering_a_decision_to_its_own_number_is_fine(minuted):
    services.decision_save(
        decision=minuted.decision, meeting=minuted.may, text="Reworded.", number=1
    )
    minuted.decision.refresh_from_db()
    assert minuted.decision.text == "Reworded."


def test_a_decision_links_only_to_the_networks_own_themes_programmes_and_indicators(world, minuted):
    from kmatrix.networks.tests import factories as f
    from kmatrix.programmes.tests.factories import programme

    theirs = programme(world.other_network, "theirs")
    with pytest.raises(ValidationError, match="belongs to another network"):
        services.decision_save(meeting=minuted.may, text="x", links=[theirs])
    unadopted = f.ThemeFactory(framework=world.framework, name="Unadopted", slug="unadopted")
    with pytest.raises(ValidationError, match="has not adopted"):
        services.decision_save(meeting=minuted.may, text="y", links=[unadopted])
    with pytest.raises(ValidationError, match="cannot be linked"):
        services.decision_save(meeting=minuted.may, text="z", links=[world.org])
    assert sorted(link.kind for link in minuted.decision.links.all()) == ["programme", "theme"]


def test_an_action_with_no_owner_is_a_field_error(minuted):
    with pytest.raises(ValidationError) as caught:
        services.action_save(meeting=minuted.may, title="Nobody's job")
    assert errors(caught) == {"owner": ["Say who will do it: a person or a group."]}


def test_the_database_refuses_an_action_with_no_owner_too(minuted):
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(meeting=minuted.may, title="Nobody's job")


def test_an_action_from_another_meetings_decision_is_refused(minuted):
    with pytest.raises(ValidationError, match="one of this meeting's"):
        services.action_save(
            meeting=minuted.june,
            decision=minuted.decision,
            title="x",
            owner_group=minuted.may.group,
        )


def test_closing_an_action_dates_it_and_reopening_clears_the_date(minuted):
    services.action_progress(action=minuted.a, status="done", result="Drafted.")
    minuted.a.refresh_from_db()
    assert minuted.a.closed_on is not None
    services.action_progress(action=minuted.a, status="open")
    minuted.a.refresh_from_db()
    assert (minuted.a.status, minuted.a.closed_on) == ("open", None)


def test_the_database_refuses_a_done_action_with_no_date(minuted):
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=minuted.a.pk).update(status="done")


def test_open_actions_carry_to_the_groups_next_meeting(world, minuted):
    member = viewer_for(world.users["member"])
    carried = list(queries.carried_actions(member, minuted.june))
    # B was done on 1 June, before the meeting; the member may not see the restricted one's.
    assert [a.title for a in carried] == ["Draft the expanded work programme", "Share the review"]
    lead = viewer_for(world.users["theme_lead"])
    assert "Review the case notes" in [a.title for a in queries.carried_actions(lead, minuted.june)]
    # Once A is done after 9 June, it still shows as carried to that meeting, with its result.
    services.action_progress(action=minuted.a, status="done", closed_on=date(2023, 6, 20))
    assert "Draft the expanded work programme" in [
        a.title for a in queries.carried_actions(member, minuted.june)
    ]
    assert list(queries.carried_actions(member, minuted.may)) == []


def test_scheduling_follows_the_cadence_and_skips_days_already_taken(minuted):
    done = services.meetings_schedule(
        group=minuted.may.group,
        first=date(2023, 5, 26),
        until=date(2023, 7, 7),
        start_time=time(10),
        end_time=time(11),
    )
    assert [m.date for m in done.made] == [date(2023, 5, 26), date(2023, 6, 23), date(2023, 7, 7)]
    assert done.skipped == [date(2023, 6, 9)]
    again = services.meetings_schedule(
        group=minuted.may.group,
        first=date(2023, 5, 26),
        until=date(2023, 7, 7),
        start_time=time(10),
        end_time=time(11),
    )
    assert again.made == []


def test_scheduling_a_group_without_a_cadence_is_refused(world):
    world.group.cadence = "as_needed"
    world.group.save()
    with pytest.raises(ValidationError, match="no regular cadence"):
        services.meetings_schedule(
            group=world.group,
            first=date(2023, 1, 1),
            until=date(2023, 2, 1),
            start_time=time(10),
            end_time=time(11),
        )


def test_attendance_is_replaced_as_a_whole(world, minuted):
    services.attendance_set(
        meeting=minuted.may,
        records=[(world.people["coordinator"], "present", "chair")],
        note="Quorate",
    )
    rows = list(minuted.may.attendance.values_list("person__full_name", "status", "role_note"))
    assert rows == [("Coordinator", "present", "chair")]
    minuted.may.refresh_from_db()
    assert minuted.may.attendance_note == "Quorate"
