"""What people can type or click wrongly on the pages: each gets a clear message, loses
nothing, and never a 500."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from kmatrix.supervision import bookings, slots
from kmatrix.supervision.models import Booking, PaymentRun, Slot, Supervisor
from kmatrix.supervision.tests.conftest import make_supervisor
from kmatrix.supervision.times import LONDON


def text(response) -> str:
    return response.content.decode()


def test_offering_a_session_in_the_past_or_overlapping_shows_the_error(sv):
    client = sv.client("supervisor")
    yesterday = timezone.localdate() - timedelta(days=1)
    form = {
        "day": yesterday.isoformat(),
        "start": "10:00",
        "duration_minutes": "60",
        "mode": "virtual",
        "capacity": "1",
    }
    response = client.post(sv.base + "sessions/new/", form)
    assert response.status_code == 400
    assert "A session must start in the future." in text(response)
    taken = sv.slot(days=5)
    day = taken.starts_at.astimezone(LONDON).date().isoformat()
    response = client.post(sv.base + "sessions/new/", {**form, "day": day, "start": "10:30"})
    assert response.status_code == 400
    assert "This overlaps the session on" in text(response)
    assert Slot.objects.count() == 1


def test_a_negative_fee_is_a_form_error(sv):
    client = sv.client("project_manager")
    response = client.post(
        sv.base + "supervisors/new/",
        {
            "full_name": "Nina Mossbank",
            "email": "nina@example.org",
            "kind": "external",
            "profession": "counsellor",
            "modalities": ["cbt"],
            "offers_virtual": "on",
            "rate": "-10",
        },
    )
    assert response.status_code == 400
    assert "A fee cannot be negative." in text(response)
    assert not Supervisor.objects.filter(person__email="nina@example.org").exists()
    slot = sv.slot(days=5)
    response = client.post(
        sv.base + f"sessions/{slot.pk}/edit/",
        {
            "day": slot.starts_at.astimezone(LONDON).date().isoformat(),
            "start": "10:00",
            "duration_minutes": "60",
            "mode": "virtual",
            "capacity": "1",
            "rate": "-0.01",
        },
    )
    assert response.status_code == 400
    assert "A fee cannot be negative." in text(response)


def test_booking_a_full_or_unvetted_session_shows_the_reason(sv):
    full = sv.slot(days=5)
    bookings.booking_create(
        slot_id=full.pk,
        person=sv.people["theme_lead"],
        organisation=sv.world.org,
        profession="counsellor",
    )
    client = sv.client("member")
    response = client.post(sv.base + f"sessions/{full.pk}/book/", {"profession": "counsellor"})
    assert response.status_code == 400
    assert "the last place in this session has just been taken" in text(response)
    applicant = make_supervisor(sv.service, sv.people["rt5_staff"])
    unvetted = sv.slot(days=6, supervisor=applicant)
    response = client.post(sv.base + f"sessions/{unvetted.pk}/book/", {"profession": "counsellor"})
    assert response.status_code == 400
    assert "is not taking bookings at the moment" in text(response)
    assert Booking.objects.filter(person=sv.people["member"]).count() == 0


def test_cancelling_after_the_start_is_refused_on_the_page(sv):
    started = slots.slot_create(
        supervisor=sv.supervisor,
        starts_at=timezone.now() - timedelta(minutes=10),
        duration_minutes=60,
        mode="virtual",
        now=timezone.now() - timedelta(days=1),
    )
    booking = bookings.booking_create(
        slot_id=started.pk,
        person=sv.people["member"],
        organisation=sv.world.org,
        profession="counsellor",
        now=timezone.now() - timedelta(days=1),
    )
    response = sv.client("member").post(sv.base + f"bookings/{booking.pk}/cancel/", {"reason": ""})
    assert response.status_code == 400
    assert "The session has started" in text(response)
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_running_payments_twice_or_too_early_on_the_page(sv):
    client = sv.client("project_manager")
    this_month = timezone.localdate().strftime("%Y-%m")
    response = client.post(sv.base + "payments/", {"month": this_month})
    assert response.status_code == 400
    assert "has not ended" in text(response)
    response = client.post(sv.base + "payments/", {"month": "last month"})
    assert response.status_code == 400
    assert "for example 2026-03" in text(response)
    client.post(sv.base + "payments/", {"month": "2026-01"})
    response = client.post(sv.base + "payments/", {"month": "2026-01"}, follow=True)
    assert "nothing has changed" in text(response)
    assert PaymentRun.objects.count() == 1


def test_odd_addresses_are_not_found_or_ignored(sv):
    client = sv.client("project_manager")
    assert client.get(sv.base + "sessions/999999/").status_code == 404
    assert client.get(sv.base + "bookings/999999/invite.ics").status_code == 404
    assert client.get(sv.base + "statements/999999/?format=pdf").status_code == 404
    assert client.get(sv.base + "supervisors/?state=weird&status=odd&page=abc").status_code == 200
    assert (
        client.get(sv.base + "sessions/?first_day=not-a-date&modality=unknown").status_code == 200
    )
    assert (
        client.get(sv.base + "bookings/?view=everything&when=never&organisation=x").status_code
        == 200
    )
    assert client.get("/networks/nowhere/supervision/").status_code == 404


def test_recording_attendance_too_early_says_so(sv):
    slot = sv.slot(days=3)
    booking = bookings.booking_create(
        slot_id=slot.pk,
        person=sv.people["member"],
        organisation=sv.world.org,
        profession="counsellor",
    )
    response = sv.client("supervisor").post(
        sv.base + f"sessions/{slot.pk}/attendance/",
        {f"attendance_{booking.pk}": "attended"},
        follow=True,
    )
    assert "once the session has started" in text(response)
    booking.refresh_from_db()
    assert booking.attendance == ""


def test_a_weekly_time_that_ends_before_it_starts_is_a_form_error(sv):
    today = timezone.localdate()
    response = sv.client("supervisor").post(
        sv.base + f"supervisors/{sv.supervisor.pk}/weekly/",
        {
            "weekday": "1",
            "start": "10:00",
            "duration_minutes": "60",
            "every_weeks": "1",
            "first_day": (today + timedelta(days=10)).isoformat(),
            "last_day": today.isoformat(),
            "mode": "virtual",
            "capacity": "1",
        },
    )
    assert response.status_code == 400
    assert "The last day must be on or after the first." in text(response)
    assert datetime.now(LONDON).tzinfo is LONDON
