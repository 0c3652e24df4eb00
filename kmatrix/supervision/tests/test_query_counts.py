"""The number of queries the main supervision pages make is pinned, and does not grow with
the data: each page is counted with a little data, then again with several times more of
everything it lists (supervisors, their checks and sessions, bookings, need)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kmatrix.networks.tests import factories as f
from kmatrix.supervision import bookings, payments, services, slots
from kmatrix.supervision.tests.conftest import activate, at, make_supervisor
from kmatrix.supervision.times import LONDON

# fmt: off
PAGES = [
    # page                        who               address                      queries
    ("find a session",            "member",          "sessions/",                  15),
    ("find a CBT session",        "member",          "sessions/?modality=cbt",     15),
    ("overview",                  "project_manager", "manage/",                    22),
    ("supervisors",               "project_manager", "supervisors/",               15),
    ("all bookings",              "project_manager", "bookings/?view=all",         14),
    ("your bookings",             "member",          "bookings/",                  15),
    ("your staff's bookings",     "provider_lead",   "bookings/?view=provider",    14),
    ("need and provision",        "hr_director",     "need/",                      20),
    ("payments",                  "project_manager", "payments/",                  15),
    ("a supervisor",              "project_manager", "supervisors/{sup}/",         20),
    ("your supervision",          "supervisor",      "mine/",                      16),
    ("a session",                 "project_manager", "sessions/{slot}/",           19),
]
# fmt: on


def grow(sv, count):
    """``count`` more supervisors, each with a session next week booked by new staff of both
    providers, a delivered session paid by a new month's run, and need for a year."""
    for _ in range(count):
        person = f.PersonFactory()
        supervisor = activate(make_supervisor(sv.service, person, modalities=["cbt", "act"]))
        slot = slots.slot_create(
            supervisor=supervisor,
            starts_at=at(7, 8 + _ % 10),
            duration_minutes=30,
            mode="virtual",
            capacity=4,
        )
        for org in (sv.world.org, sv.world.other_org):
            staff = f.PersonFactory(organisation=org)
            f.MembershipFactory(person=staff, network=sv.world.network, organisation=org)
            bookings.booking_create(
                slot_id=slot.pk, person=staff, organisation=org, profession="counsellor"
            )
        # One more person booked on the session the session page shows.
        bookings.booking_create(
            slot_id=sv.seeded_slot, person=staff, organisation=org, profession="counsellor"
        )
        month = date(2025, 1 + supervisor.pk % 12, 1)
        past = slots.slot_create(
            supervisor=supervisor,
            starts_at=datetime(month.year, month.month, 3, 10, tzinfo=LONDON),
            duration_minutes=60,
            mode="virtual",
            capacity=2,
            now=datetime(2024, 12, 1, tzinfo=LONDON),
        )
        for booked_by in ("member", "rt5_staff"):
            who = sv.people[booked_by]
            done = bookings.booking_create(
                slot_id=past.pk,
                person=who,
                organisation=who.organisation,
                profession="mental_health_nurse",
                now=datetime(2024, 12, 2, tzinfo=LONDON),
            )
            bookings.attendance_record(booking=done, attendance="attended", now=past.ends_at)
        run, _made = payments.payment_run_start(
            service=sv.service, month=month, user=None, enqueue=False
        )
        payments.payment_run_execute(run_id=run.pk)
        services.need_save(
            service=sv.service,
            organisation=sv.world.org,
            financial_year=2026 + _,
            needs={"counsellor": 10 + _},
            user=None,
        )
    sv.slot(days=3 + count, hour=7, capacity=3)


@pytest.fixture
def seeded(sv):
    slot = sv.slot(days=6, capacity=12)
    sv.seeded_slot = slot.pk
    for name in ("member", "provider_lead", "hr_director"):
        person = sv.people[name]
        bookings.booking_create(
            slot_id=slot.pk,
            person=person,
            organisation=person.organisation,
            profession="counsellor",
        )
    services.need_save(
        service=sv.service,
        organisation=sv.world.org,
        financial_year=2026,
        needs={"counsellor": 12},
        user=None,
    )
    return {"slot": slot.pk, "sup": sv.supervisor.pk}


@pytest.mark.parametrize(("page", "who", "address", "queries"), PAGES, ids=[p[0] for p in PAGES])
def test_a_page_makes_the_same_number_of_queries_with_more_data(
    sv, seeded, django_assert_num_queries, page, who, address, queries
):
    url = sv.base + address.format(**seeded)
    client = sv.client(who)
    grow(sv, 1)
    with django_assert_num_queries(queries):
        small = client.get(url)
    assert small.status_code == 200
    grow(sv, 5)
    with django_assert_num_queries(queries):
        large = client.get(url)
    assert large.status_code == 200
    assert len(large.content) >= len(small.content)
