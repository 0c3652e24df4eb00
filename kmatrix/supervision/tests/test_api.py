"""The supervision API: the same rules and messages as the pages, as JSON."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from kmatrix.core.tests.helpers import api_call, api_items
from kmatrix.supervision import bookings, payments, slots
from kmatrix.supervision.models import Booking, PaymentRun
from kmatrix.supervision.tests.conftest import at, make_supervisor
from kmatrix.supervision.times import LONDON

API = "/api/v1/supervision/alliance"


def call(sv, who, method, path, body=None):
    return api_call(sv.client(who), method, API + path, body)


def test_services_are_listed_as_their_networks_allow(sv):
    def listed(who):
        return [
            s["network"] for s in api_items(api_call(sv.client(who), "GET", "/api/v1/supervision"))
        ]

    assert listed("member") == ["alliance"]
    assert listed("outsider") == []
    assert listed("supervisor") == ["alliance"]


def test_a_service_you_cannot_see_is_a_404_and_no_account_is_a_401(sv):
    assert call(sv, "outsider", "GET", "/sessions").status_code == 404
    assert call(sv, "anonymous", "GET", "/sessions").status_code == 401


def test_staff_search_and_book_and_get_a_clear_refusal_when_full(sv):
    slot = sv.slot(days=7)
    found = api_items(call(sv, "member", "GET", "/sessions?modality=cbt"))
    assert [s["id"] for s in found] == [slot.pk]
    assert found[0]["supervisor"]["name"] == "Supervisor"
    assert api_items(call(sv, "member", "GET", "/sessions?modality=emdr")) == []
    made = call(sv, "member", "POST", "/bookings", {"session": slot.pk, "profession": "counsellor"})
    assert made.status_code == 201, made.content
    assert made.json()["organisation"] == "RXM"
    refused = call(
        sv, "theme_lead", "POST", "/bookings", {"session": slot.pk, "profession": "counsellor"}
    )
    assert refused.status_code == 422
    assert refused.json()["detail"] == bookings.FULL


def test_bad_search_parameters_are_a_422(sv):
    response = call(sv, "member", "GET", "/sessions?first_day=yesterday")
    assert response.status_code == 422
    assert "first_day" in response.json()["detail"]


def test_booking_an_unvetted_supervisor_or_a_past_session_is_refused(sv):
    applicant = make_supervisor(sv.service, sv.people["rt5_staff"])
    unvetted = sv.slot(days=7, supervisor=applicant)
    response = call(
        sv, "member", "POST", "/bookings", {"session": unvetted.pk, "profession": "counsellor"}
    )
    assert response.status_code == 422
    assert "not taking bookings" in response.json()["detail"]
    past = slots.slot_create(
        supervisor=sv.supervisor,
        starts_at=datetime(2026, 1, 6, 10, tzinfo=LONDON),
        duration_minutes=60,
        mode="virtual",
        now=datetime(2026, 1, 1, tzinfo=LONDON),
    )
    response = call(
        sv, "member", "POST", "/bookings", {"session": past.pk, "profession": "counsellor"}
    )
    assert response.status_code == 422
    assert "in the past" in response.json()["detail"]


def test_only_staff_of_member_providers_book(sv):
    slot = sv.slot(days=7)
    assert (
        call(
            sv, "supervisor", "POST", "/bookings", {"session": slot.pk, "profession": "counsellor"}
        ).status_code
        == 403
    )
    assert (
        call(
            sv, "outsider", "POST", "/bookings", {"session": slot.pk, "profession": "counsellor"}
        ).status_code
        == 404
    )


def test_a_booking_is_seen_by_its_person_supervisor_lead_and_managers_only(sv):
    slot = sv.slot(days=7)
    booking = bookings.booking_create(
        slot_id=slot.pk,
        person=sv.people["member"],
        organisation=sv.world.org,
        profession="counsellor",
    )
    for who in ("member", "supervisor", "provider_lead", "project_manager", "administrator"):
        assert call(sv, who, "GET", f"/bookings/{booking.pk}").status_code == 200, who
    for who in ("theme_lead", "hr_director", "rt5_staff", "coordinator"):
        assert call(sv, who, "GET", f"/bookings/{booking.pk}").status_code == 404, who
    assert [b["id"] for b in api_items(call(sv, "provider_lead", "GET", "/bookings"))] == [
        booking.pk
    ]
    assert api_items(call(sv, "rt5_staff", "GET", "/bookings")) == []


def test_cancelling_and_moving_through_the_api(sv):
    slot, other = sv.slot(days=7), sv.slot(days=14)
    booking = bookings.booking_create(
        slot_id=slot.pk,
        person=sv.people["member"],
        organisation=sv.world.org,
        profession="counsellor",
    )
    assert (
        call(sv, "provider_lead", "POST", f"/bookings/{booking.pk}/cancel", {}).status_code == 403
    )
    moved = call(sv, "member", "POST", f"/bookings/{booking.pk}/move", {"session": other.pk})
    assert moved.status_code == 200
    assert moved.json()["session"]["id"] == other.pk
    cancelled = call(sv, "member", "POST", f"/bookings/{booking.pk}/cancel", {"reason": "Leave"})
    assert cancelled.json()["status"] == "cancelled"
    again = call(sv, "member", "POST", f"/bookings/{booking.pk}/cancel", {})
    assert (again.status_code, again.json()["detail"]) == (
        422,
        "This booking is already cancelled.",
    )


def test_supervisors_offer_sessions_and_overlaps_are_refused(sv):
    body = {"starts_at": at(9).isoformat(), "duration_minutes": 60}
    made = call(sv, "supervisor", "POST", "/sessions", body)
    assert made.status_code == 201, made.content
    clash = call(
        sv, "supervisor", "POST", "/sessions", {**body, "starts_at": at(9, 10, 30).isoformat()}
    )
    assert clash.status_code == 422
    assert "overlaps" in clash.json()["errors"]["starts_at"][0]
    naive = call(
        sv, "supervisor", "POST", "/sessions", {**body, "starts_at": "2027-01-05T10:00:00"}
    )
    assert naive.status_code == 422
    assert call(sv, "member", "POST", "/sessions", body).status_code == 403


def test_a_weekly_time_through_the_api(sv):
    first = date.today().replace(day=1)
    response = call(
        sv,
        "supervisor",
        "POST",
        "/weekly",
        {
            "weekday": 2,
            "starts_at": "16:00",
            "duration_minutes": 45,
            "first_day": date(first.year + 1, 1, 1).isoformat(),
            "last_day": date(first.year + 1, 1, 31).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    assert len(response.json()["made"]) in (4, 5)


def test_project_managers_add_and_vet_supervisors(sv):
    body = {
        "full_name": "Nina Mossbank",
        "email": "nina@example.org",
        "kind": "external",
        "profession": "counsellor",
        "modalities": ["cbt"],
        "rate": "65.00",
    }
    assert call(sv, "member", "POST", "/supervisors", body).status_code == 403
    made = call(sv, "project_manager", "POST", "/supervisors", body)
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    negative = call(
        sv,
        "project_manager",
        "POST",
        "/supervisors",
        {**body, "email": "x@example.org", "rate": "-1"},
    )
    assert negative.status_code == 422
    vetting = call(sv, "project_manager", "GET", f"/supervisors/{pk}/vetting").json()
    assert vetting["state"] == "pending"
    bad = call(
        sv,
        "project_manager",
        "PUT",
        f"/supervisors/{pk}/checks/dbs",
        {
            "status": "valid",
            "reference": "12",
            "checked_on": "2026-01-05",
            "expires_on": "2029-01-05",
        },
    )
    assert bad.status_code == 422
    assert "12 digits" in bad.json()["errors"]["reference"][0]
    assert (
        call(sv, "member", "GET", f"/supervisors/{pk}/vetting").status_code == 404
    )  # not active: hidden
    assert (
        call(sv, "supervisor", "GET", f"/supervisors/{sv.supervisor.pk}/vetting").status_code == 200
    )
    refused = call(sv, "project_manager", "POST", f"/supervisors/{pk}/status", {"status": "active"})
    assert refused.status_code == 422


def test_running_payments_twice_through_the_api_changes_nothing(sv):
    past = slots.slot_create(
        supervisor=sv.supervisor,
        starts_at=datetime(2026, 2, 3, 10, tzinfo=LONDON),
        duration_minutes=60,
        mode="virtual",
        now=datetime(2026, 1, 1, tzinfo=LONDON),
    )
    done = bookings.booking_create(
        slot_id=past.pk,
        person=sv.people["member"],
        organisation=sv.world.org,
        profession="counsellor",
        now=datetime(2026, 1, 2, tzinfo=LONDON),
    )
    bookings.attendance_record(booking=done, attendance="attended", now=past.ends_at)
    first = call(sv, "project_manager", "POST", "/payment-runs", {"month": "2026-02"})
    assert first.status_code == 201
    payments.payment_run_execute(run_id=first.json()["id"])
    second = call(sv, "project_manager", "POST", "/payment-runs", {"month": "2026-02"})
    assert (second.status_code, second.json()["id"]) == (200, first.json()["id"])
    assert second.json()["total"] == "75.00"
    assert PaymentRun.objects.count() == 1
    assert (
        call(sv, "project_manager", "POST", "/payment-runs", {"month": "2099-01"}).status_code
        == 422
    )
    assert (
        call(sv, "project_manager", "POST", "/payment-runs", {"month": "March"}).status_code == 422
    )
    assert call(sv, "supervisor", "POST", "/payment-runs", {"month": "2026-02"}).status_code == 403
    statements = api_items(call(sv, "supervisor", "GET", "/statements"))
    assert [s["total"] for s in statements] == ["75.00"]
    assert api_items(call(sv, "member", "GET", "/statements")) == []
    pk = statements[0]["id"]
    detail = call(sv, "supervisor", "GET", f"/statements/{pk}").json()
    assert detail["lines"][0]["attended"] == 1
    approved = call(
        sv, "project_manager", "POST", f"/statements/{pk}/status", {"status": "approved"}
    )
    assert approved.json()["status"] == "approved"
    totals = call(sv, "project_manager", "GET", "/payment-totals").json()
    assert totals[0]["label"] == "2025/26"
    assert totals[0]["approved"] == "75.00"


def test_attendance_through_the_api(sv):
    slot = slots.slot_create(
        supervisor=sv.supervisor,
        starts_at=datetime(2026, 2, 3, 10, tzinfo=LONDON),
        duration_minutes=60,
        mode="virtual",
        now=datetime(2026, 1, 1, tzinfo=LONDON),
    )
    booking = bookings.booking_create(
        slot_id=slot.pk,
        person=sv.people["member"],
        organisation=sv.world.org,
        profession="counsellor",
        now=datetime(2026, 1, 2, tzinfo=LONDON),
    )
    assert (
        call(
            sv, "member", "POST", f"/bookings/{booking.pk}/attendance", {"attendance": "attended"}
        ).status_code
        == 403
    )
    recorded = call(
        sv, "supervisor", "POST", f"/bookings/{booking.pk}/attendance", {"attendance": "no_show"}
    )
    assert recorded.json()["attendance"] == "no_show"
    assert Booking.objects.get().attendance == "no_show"


def test_need_through_the_api(sv):
    body = {"organisation": "RXM", "year": 2026, "needs": {"counsellor": 20}}
    assert call(sv, "member", "PUT", "/need", body).status_code == 403
    assert (
        call(sv, "hr_director", "PUT", "/need", {**body, "organisation": "RT5"}).status_code == 403
    )
    saved = call(sv, "hr_director", "PUT", "/need", body)
    assert saved.status_code == 200
    assert saved.json()["rows"] == [
        {
            "organisation": "RXM",
            "profession": "counsellor",
            "needed": 20,
            "booked": 0,
            "delivered": 0,
            "gap": 20,
        }
    ]
    negative = call(sv, "project_manager", "PUT", "/need", {**body, "needs": {"counsellor": -1}})
    assert negative.status_code == 422
    assert call(sv, "member", "GET", "/need?year=2026").status_code == 403
    assert call(sv, "provider_lead", "GET", "/need?year=2026").json()["label"] == "2026/27"


@pytest.mark.parametrize(
    "body",
    [
        {"session": "x"},
        {"session": 1, "profession": "wizard"},
        {"session": 1, "profession": "counsellor", "extra": 1},
    ],
)
def test_a_malformed_booking_is_a_422(sv, body):
    assert call(sv, "member", "POST", "/bookings", body).status_code == 422


def test_the_admin_shows_supervision_read_only(sv):
    client = sv.client("administrator")
    assert client.get("/admin/supervision/supervisionservice/").status_code == 200
    assert client.get("/admin/supervision/booking/").status_code == 200
    assert client.get("/admin/supervision/supervisor/add/").status_code == 403


def test_changing_a_session_and_stopping_a_weekly_time_through_the_api(sv):
    slot = sv.slot(days=7)
    changed = call(sv, "supervisor", "PATCH", f"/sessions/{slot.pk}", {"capacity": 3})
    assert changed.json()["capacity"] == 3
    assert (
        call(sv, "supervisor", "PATCH", f"/sessions/{slot.pk}", {"rate": "1.00"}).status_code == 403
    )
    assert call(sv, "member", "PATCH", f"/sessions/{slot.pk}", {"capacity": 2}).status_code == 403
    shrink = call(sv, "project_manager", "PATCH", f"/sessions/{slot.pk}", {"capacity": 0})
    assert shrink.status_code == 422
    first = date.today() + timedelta(days=3)
    series = slots.availability_create(
        supervisor=sv.supervisor,
        weekday=first.weekday(),
        starts_at=time(7),
        duration_minutes=30,
        first_day=first,
        last_day=first + timedelta(weeks=2),
    )
    ended = call(sv, "supervisor", "POST", f"/weekly/{series.availability.pk}/end")
    assert ended.json() == {"removed": 3}
    assert call(sv, "member", "POST", f"/weekly/{series.availability.pk}/end").status_code == 404
