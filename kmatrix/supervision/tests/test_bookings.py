"""Booking: the rules for who may book what, invitations, cancelling, moving, attendance and
the waiting list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kmatrix.supervision import bookings, services
from kmatrix.supervision.models import Booking, Slot, WaitingListEntry
from kmatrix.supervision.tests.conftest import activate, at, ics_of, make_supervisor


def book(sv, slot, name="member", **more):
    person = sv.people[name]
    fields = {"profession": "mental_health_nurse"}
    fields.update(more)
    return bookings.booking_create(
        slot_id=slot.pk, person=person, organisation=person.organisation, **fields
    )


def test_booking_takes_a_place_and_sends_the_invitation(sv, mails):
    slot = sv.slot(days=7, capacity=2, joining_link="https://video.example.org/room")
    with mails as outbox:
        booking = book(sv, slot, focus="A complex case")
    slot.refresh_from_db()
    assert slot.taken == 1
    to_member = next(m for m in outbox if m.to == ["member@example.org"])
    assert to_member.reply_to == ["supervision@example.org"]
    text = ics_of(to_member)
    assert "METHOD:REQUEST" in text
    assert f"UID:supervision-booking-{booking.pk}@" in text
    assert "ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:member@example.org" in text
    assert "https://video.example.org/room" in text
    assert "A complex case" in text
    assert to_member.attachments[0].get_param("method") == "REQUEST"
    # The supervisor gets the session, with everyone booked on it.
    to_supervisor = next(m for m in outbox if m.to == ["supervisor@example.org"])
    assert f"UID:supervision-session-{slot.pk}@" in ics_of(to_supervisor)


def test_a_refused_booking_sends_nothing(sv, mails):
    slot = sv.slot(days=7)
    book(sv, slot, "theme_lead")
    with mails as outbox, pytest.raises(ValidationError):
        book(sv, slot)
    assert outbox == []


def test_an_unvetted_supervisor_cannot_be_booked(sv):
    applicant = make_supervisor(sv.service, sv.people["rt5_staff"])
    slot = sv.slot(days=7, supervisor=applicant)
    with pytest.raises(ValidationError, match="not taking bookings"):
        book(sv, slot)


def test_a_supervisor_whose_checks_lapse_before_the_session_cannot_be_booked(sv):
    late = activate(
        make_supervisor(sv.service, sv.people["rt5_staff"]),
        expires=timezone.localdate() + timedelta(days=10),
    )
    before = sv.slot(days=9, supervisor=late)
    after = sv.slot(days=11, supervisor=late)
    assert book(sv, before).status == "confirmed"
    with pytest.raises(ValidationError, match="vetting checks are not all valid on"):
        book(sv, after, "theme_lead")


def test_a_failed_check_stops_bookings_at_once(sv):
    slot = sv.slot(days=7)
    services.vetting_check_save(supervisor=sv.supervisor, kind="dbs", user=None, status="failed")
    with pytest.raises(ValidationError, match="vetting checks are not all valid"):
        book(sv, slot)


def test_a_past_session_cannot_be_booked(sv):
    slot = sv.slot(days=1)
    with pytest.raises(ValidationError, match="in the past"):
        bookings.booking_create(
            slot_id=slot.pk,
            person=sv.people["member"],
            organisation=sv.world.org,
            profession="counsellor",
            now=slot.starts_at + timedelta(minutes=5),
        )


def test_a_full_session_cannot_be_booked(sv):
    slot = sv.slot(days=7)
    book(sv, slot, "theme_lead")
    with pytest.raises(ValidationError, match="last place in this session has just been taken"):
        book(sv, slot)


def test_the_database_refuses_more_bookings_than_places(sv):
    from django.db import IntegrityError, transaction

    slot = sv.slot(days=7)
    Slot.objects.filter(pk=slot.pk).update(taken=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(taken=2)


def test_nobody_books_the_same_session_twice_or_two_sessions_at_once(sv):
    slot = sv.slot(days=7, capacity=3)
    book(sv, slot)
    with pytest.raises(ValidationError, match="already booked on this session"):
        book(sv, slot)
    other = make_supervisor(sv.service, sv.people["provider_lead"])
    activate(other)
    clash = sv.slot(days=7, supervisor=other)
    with pytest.raises(ValidationError, match="already have supervision booked then"):
        book(sv, clash)


def test_a_supervisor_cannot_book_their_own_session(sv):
    mine = make_supervisor(sv.service, sv.people["member"])
    activate(mine)
    slot = sv.slot(days=7, supervisor=mine)
    with pytest.raises(ValidationError, match="session you supervise"):
        book(sv, slot)


def test_an_unknown_profession_is_refused(sv):
    with pytest.raises(ValidationError, match="profession"):
        book(sv, sv.slot(days=7), profession="astrologer")


# --- Cancelling ----------------------------------------------------------------------------


def test_cancelling_in_good_time_frees_the_place_and_sends_a_cancellation(sv, mails):
    slot = sv.slot(days=7)
    booking = book(sv, slot)
    with mails as outbox:
        bookings.booking_cancel(booking=booking, user=None, reason="Leave")
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert (booking.status, booking.attendance, slot.taken) == ("cancelled", "", 0)
    text = ics_of(next(m for m in outbox if m.to == ["member@example.org"]))
    assert "METHOD:CANCEL" in text
    assert "STATUS:CANCELLED" in text
    assert "SEQUENCE:1" in text


def test_cancelling_within_the_notice_period_is_a_late_cancellation(sv):
    slot = sv.slot(days=1, hour=23)
    booking = book(sv, slot)
    bookings.booking_cancel(booking=booking, user=None, now=slot.starts_at - timedelta(hours=3))
    booking.refresh_from_db()
    assert (booking.status, booking.attendance) == ("cancelled", "cancelled_late")


def test_cancelling_after_the_start_is_refused(sv):
    slot = sv.slot(days=1)
    booking = book(sv, slot)
    with pytest.raises(ValidationError, match="session has started"):
        bookings.booking_cancel(
            booking=booking, user=None, now=slot.starts_at + timedelta(minutes=1)
        )


def test_cancelling_twice_is_refused(sv):
    booking = book(sv, sv.slot(days=7))
    bookings.booking_cancel(booking=booking, user=None)
    with pytest.raises(ValidationError, match="already cancelled"):
        bookings.booking_cancel(booking=booking, user=None)


# --- Moving --------------------------------------------------------------------------------


def test_moving_keeps_the_booking_and_updates_the_invitation(sv, mails):
    old, new = sv.slot(days=7), sv.slot(days=14)
    booking = book(sv, old)
    with mails as outbox:
        bookings.booking_reschedule(booking=booking, slot_id=new.pk, user=None)
    booking.refresh_from_db()
    old.refresh_from_db()
    new.refresh_from_db()
    assert (booking.slot_id, old.taken, new.taken) == (new.pk, 0, 1)
    text = ics_of(next(m for m in outbox if m.to == ["member@example.org"]))
    assert f"UID:supervision-booking-{booking.pk}@" in text
    assert "METHOD:REQUEST" in text
    assert "SEQUENCE:1" in text


def test_moving_within_the_notice_period_is_refused(sv):
    old, new = sv.slot(days=1, hour=23), sv.slot(days=14)
    booking = book(sv, old)
    with pytest.raises(ValidationError, match="can no longer be moved"):
        bookings.booking_reschedule(
            booking=booking, slot_id=new.pk, user=None, now=old.starts_at - timedelta(hours=5)
        )


def test_moving_to_a_full_or_unbookable_session_is_refused(sv):
    booking = book(sv, sv.slot(days=7))
    full = sv.slot(days=14)
    book(sv, full, "theme_lead")
    with pytest.raises(ValidationError, match="last place"):
        bookings.booking_reschedule(booking=booking, slot_id=full.pk, user=None)
    with pytest.raises(ValidationError, match="different session"):
        bookings.booking_reschedule(booking=booking, slot_id=booking.slot_id, user=None)


# --- Attendance ----------------------------------------------------------------------------


def test_attendance_is_recorded_once_the_session_has_started(sv):
    slot = sv.slot(days=1)
    booking = book(sv, slot)
    with pytest.raises(ValidationError, match="once the session has started"):
        bookings.attendance_record(booking=booking, attendance="attended")
    bookings.attendance_record(booking=booking, attendance="no_show", now=slot.starts_at)
    booking.refresh_from_db()
    assert booking.attendance == "no_show"


def test_attendance_of_a_cancelled_booking_cannot_be_recorded(sv):
    slot = sv.slot(days=1, hour=23)
    booking = book(sv, slot)
    bookings.booking_cancel(booking=booking, user=None, now=slot.starts_at - timedelta(hours=1))
    with pytest.raises(ValidationError, match="cancelled this booking late"):
        bookings.attendance_record(booking=booking, attendance="attended", now=slot.ends_at)


def test_attendance_must_be_one_of_the_outcomes(sv):
    slot = sv.slot(days=1)
    booking = book(sv, slot)
    with pytest.raises(ValidationError):
        bookings.attendance_record(booking=booking, attendance="cancelled_late", now=slot.ends_at)


# --- The waiting list ----------------------------------------------------------------------


def test_a_freed_place_is_offered_to_the_first_person_waiting_and_held(sv, mails):
    slot = sv.slot(days=7)
    first = book(sv, slot, "theme_lead")
    entry = bookings.waiting_join(
        slot_id=slot.pk,
        person=sv.people["member"],
        organisation=sv.world.org,
        profession="counsellor",
    )
    with pytest.raises(ValidationError, match="already on this session's waiting list"):
        bookings.waiting_join(
            slot_id=slot.pk,
            person=sv.people["member"],
            organisation=sv.world.org,
            profession="counsellor",
        )
    with mails as outbox:
        bookings.booking_cancel(booking=first, user=None)
    entry.refresh_from_db()
    assert entry.status == "offered"
    offer = next(m for m in outbox if m.to == ["member@example.org"])
    assert f"waiting/{entry.pk}/" in offer.body
    # The place is held: someone else cannot take it.
    with pytest.raises(ValidationError, match="last place"):
        book(sv, slot, "coordinator")
    booking = bookings.waiting_offer_accept(entry=entry, user=None)
    slot.refresh_from_db()
    assert (booking.person_id, slot.taken) == (sv.people["member"].pk, 1)


def test_an_offer_not_taken_up_lapses_and_goes_to_the_next_person(sv):
    slot = sv.slot(days=7)
    first = book(sv, slot, "theme_lead")
    one = bookings.waiting_join(
        slot_id=slot.pk,
        person=sv.people["member"],
        organisation=sv.world.org,
        profession="counsellor",
    )
    two = bookings.waiting_join(
        slot_id=slot.pk,
        person=sv.people["coordinator"],
        organisation=sv.world.org,
        profession="counsellor",
    )
    bookings.booking_cancel(booking=first, user=None)
    one.refresh_from_db()
    later = one.offer_expires_at + timedelta(minutes=1)
    assert bookings.waiting_offers_lapse(now=later) == 1
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, two.status) == ("lapsed", "offered")
    with pytest.raises(ValidationError, match="no place held for you"):
        bookings.waiting_offer_accept(entry=one, user=None)


def test_declining_an_offer_passes_it_on(sv):
    slot = sv.slot(days=7)
    first = book(sv, slot, "theme_lead")
    one = bookings.waiting_join(
        slot_id=slot.pk,
        person=sv.people["member"],
        organisation=sv.world.org,
        profession="counsellor",
    )
    two = bookings.waiting_join(
        slot_id=slot.pk,
        person=sv.people["coordinator"],
        organisation=sv.world.org,
        profession="counsellor",
    )
    bookings.booking_cancel(booking=first, user=None)
    bookings.waiting_leave(entry=one)
    two.refresh_from_db()
    assert two.status == "offered"


def test_no_offer_is_made_too_close_to_the_start(sv):
    slot = sv.slot(days=1, hour=23)
    first = book(sv, slot, "theme_lead")
    entry = bookings.waiting_join(
        slot_id=slot.pk,
        person=sv.people["member"],
        organisation=sv.world.org,
        profession="counsellor",
    )
    bookings.booking_cancel(booking=first, user=None, now=slot.starts_at - timedelta(minutes=30))
    entry.refresh_from_db()
    assert entry.status == "waiting"


def test_the_waiting_list_is_only_for_full_sessions(sv):
    slot = sv.slot(days=7, capacity=2)
    with pytest.raises(ValidationError, match="free place"):
        bookings.waiting_join(
            slot_id=slot.pk,
            person=sv.people["member"],
            organisation=sv.world.org,
            profession="counsellor",
        )


def test_booking_directly_with_an_offer_takes_up_the_offer(sv):
    slot = sv.slot(days=7)
    first = book(sv, slot, "theme_lead")
    entry = bookings.waiting_join(
        slot_id=slot.pk,
        person=sv.people["member"],
        organisation=sv.world.org,
        profession="counsellor",
    )
    bookings.booking_cancel(booking=first, user=None)
    booking = book(sv, slot)
    entry.refresh_from_db()
    assert (entry.status, entry.booking_id) == ("booked", booking.pk)
    assert Booking.objects.filter(slot=slot, status="confirmed").count() == 1
    assert not WaitingListEntry.objects.filter(status="offered").exists()


def test_the_session_date_check_uses_london_time(sv):
    # A session at 00:30 on the last valid day, in summer time (23:30 UTC the day before).
    until = date(2027, 7, 10)
    late = activate(make_supervisor(sv.service, sv.people["rt5_staff"]), expires=until)
    from datetime import datetime

    from kmatrix.supervision import slots
    from kmatrix.supervision.times import LONDON

    now = datetime(2027, 7, 1, 9, tzinfo=LONDON)
    slot = slots.slot_create(
        supervisor=late,
        starts_at=datetime(2027, 7, 10, 0, 30, tzinfo=LONDON),
        duration_minutes=30,
        mode="virtual",
        now=now,
    )
    assert not bookings.bookable_problem(slot, now)
    assert at(1).tzinfo is LONDON
