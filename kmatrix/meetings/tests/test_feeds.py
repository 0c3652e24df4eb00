"""Calendar feeds: UK times that survive the clock change, all-day events for meetings with a
day but no time, secret revocable addresses, and never a meeting the person may not read."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.test import Client

from kmatrix.meetings import services
from kmatrix.meetings.models import CalendarFeed


def unfolded(response):
    return response.content.decode().replace("\r\n ", "").split("\r\n")


def feed(token, group=None):
    path = (
        f"/calendar/{token}/groups/{group.pk}.ics" if group else f"/calendar/{token}/meetings.ics"
    )
    return Client().get(path)


def test_a_persons_feed_has_their_groups_meetings_in_utc(world, minuted):
    response = feed(services.calendar_token(world.users["member"]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=900"
    lines = unfolded(response)
    # 10:00 in London in May is 09:00 UTC.
    assert "DTSTART:20230503T090000Z" in lines
    assert "DTEND:20230503T110000Z" in lines
    assert "LOCATION:Leicester" in lines
    assert any(
        line.startswith("DESCRIPTION:Agenda:\\n1. Restraint in high secure settings")
        for line in lines
    )
    assert sum(line == "BEGIN:VEVENT" for line in lines) == 2  # May and June; April has no day


def test_a_meeting_stays_at_ten_across_the_clock_change(world, minuted):
    services.meeting_save(
        group=world.group,
        title="Winter meeting",
        date=date(2023, 11, 3),
        start_time=time(10),
        end_time=time(11),
    )
    lines = unfolded(feed(services.calendar_token(world.users["member"]), world.group))
    assert "DTSTART:20231103T100000Z" in lines  # GMT: 10:00 is 10:00 UTC
    assert "DTSTART:20230609T090000Z" in lines  # BST: 10:00 is 09:00 UTC


def test_a_meeting_with_a_day_but_no_time_is_an_all_day_event(world, minuted):
    services.meeting_save(
        group=world.group, title="Away day", date=date(2023, 6, 20), location="Northampton"
    )
    lines = unfolded(feed(services.calendar_token(world.users["member"]), world.group))
    assert "DTSTART;VALUE=DATE:20230620" in lines
    assert "DTEND;VALUE=DATE:20230621" in lines


def test_a_feed_never_lists_a_meeting_the_person_may_not_read(world, minuted):
    member = "\n".join(unfolded(feed(services.calendar_token(world.users["member"]), world.group)))
    lead = "\n".join(
        unfolded(feed(services.calendar_token(world.users["theme_lead"]), world.group))
    )
    assert "Confidential case review" not in member
    assert "Confidential case review" in lead
    minuted.elsewhere.group.members.add(world.people["other_member"])
    other = unfolded(feed(services.calendar_token(world.users["other_member"])))
    assert "SUMMARY:Elsewhere" in other
    assert "SUMMARY:Restrictive practice" not in other


def test_a_group_feed_through_someone_elses_address_follows_their_access(world, minuted):
    # The other member may not read the alliance's group: a 404, not an empty calendar.
    assert (
        feed(services.calendar_token(world.users["other_member"]), world.group).status_code == 404
    )


def test_cancelled_meetings_stay_in_the_feed_as_cancelled_with_a_new_sequence(world, minuted):
    services.meeting_save(meeting=minuted.june, status="cancelled")
    lines = unfolded(feed(services.calendar_token(world.users["member"]), world.group))
    at = lines.index(f"UID:meeting-{minuted.june.pk}@127.0.0.1")
    event = lines[at : lines.index("END:VEVENT", at)]
    assert "STATUS:CANCELLED" in event
    assert "SEQUENCE:1" in event


def test_the_address_is_long_and_stable_and_resetting_it_stops_the_old_one(world, minuted):
    user = world.users["member"]
    token = services.calendar_token(user)
    assert token == services.calendar_token(user)
    user_part, _, secret = token.partition("-")
    assert user_part == str(user.pk)
    assert len(secret) == 64
    assert feed(token).status_code == 200
    new = services.calendar_reset(user=user)
    assert new != token
    assert feed(token).status_code == 404
    assert feed(new).status_code == 200
    assert CalendarFeed.objects.get(user=user).last_used_at is not None


@pytest.mark.parametrize("token", ["", "abc", "1-", "x-" + "0" * 64, "999999-" + "0" * 64])
def test_a_made_up_address_finds_nothing(world, minuted, token):
    services.calendar_token(world.users["member"])
    assert services.calendar_user(token) is None


def test_showing_the_address_writes_nothing_and_the_secret_is_not_in_the_database(world, minuted):
    token = services.calendar_token(world.users["member"])
    assert not CalendarFeed.objects.exists()
    new = services.calendar_reset(user=world.users["member"])
    key = CalendarFeed.objects.get(user=world.users["member"]).key
    assert token.partition("-")[2] not in key
    assert new.partition("-")[2] not in key


def test_a_deactivated_account_has_no_feed(world, minuted):
    user = world.users["member"]
    token = services.calendar_token(user)
    user.is_active = False
    user.save()
    assert feed(token).status_code == 404


def test_the_open_group_feed_shows_what_the_asker_may_read(world, minuted):
    world.network.visibility = "public"
    world.network.save()
    world.group.visibility = "public"
    world.group.save()
    minuted.june.visibility = "public"
    minuted.june.save()
    lines = unfolded(
        Client().get("/networks/alliance/groups/restrictive-practice/meetings/calendar.ics")
    )
    assert sum(line == "BEGIN:VEVENT" for line in lines) == 1  # only the public June meeting


def test_the_calendar_page_shows_the_address_to_subscribe_to(world, minuted):
    page = world.client("member").get("/calendar/").content.decode()
    token = services.calendar_token(world.users["member"])
    assert f"http://127.0.0.1:8000/calendar/{token}/meetings.ics" in page
    assert f"webcal://127.0.0.1:8000/calendar/{token}/meetings.ics" in page
