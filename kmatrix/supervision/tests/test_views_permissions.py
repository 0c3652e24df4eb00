"""The permission matrix of every supervision page, asked for by every named user: the
world's (kmatrix/conftest.py) and the service's own (conftest.py here). docs/permissions.md
has the same table in words.

    anon  out  mem  lead  coord  board  admin  other   as in the directory's matrix
    pm     the project manager (a member of the network from RT5)
    plead  the provider lead for RXM
    sup    the supervisor (external: in no network)
    hr     an HR Director (in the sponsor group, in the network for RXM)
    rt5    staff of RT5, the other member provider

member, theme lead, coordinator and the HR Director are staff of RXM (a member provider), so
they book; the booking in the table is the member's, on the supervisor's session. Write views
are posted blank: the test is who may try, not what they send.
"""

# The matrix is a table, one row a line, so that it reads as one.
# ruff: noqa: E501

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.db import transaction
from django.test import override_settings

from kmatrix.conftest import make_world
from kmatrix.core.tests.helpers import NAMED_USERS
from kmatrix.networks.tests import factories as f
from kmatrix.supervision import bookings, payments, slots
from kmatrix.supervision.tests.conftest import SUPERVISION_USERS, make_supervision, make_supervisor
from kmatrix.supervision.times import LONDON

pytestmark = pytest.mark.django_db
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

USERS = (*NAMED_USERS, *SUPERVISION_USERS)
L = "LOGIN"
BLANK = {"x": ""}

# fmt: off
MATRIX = [
    # page                          method  address                              anon out  mem  lead coord board admin other pm   plead sup  hr   rt5
    ("all services",                 "GET",  "/supervision/",                     (200, 200, 200, 200, 200,  200,  200,  200,  200, 200,  200, 200, 200)),
    ("service home",                 "GET",  "",                                  (404, 404, 200, 200, 200,  404,  200,  404,  200, 200,  200, 200, 200)),
    ("settings",                     "GET",  "setup/",                            (L,   404, 403, 403, 200,  404,  200,  404,  200, 403,  404, 403, 403)),
    ("settings",                     "POST", "setup/",                            (L,   404, 403, 403, 400,  404,  400,  404,  400, 403,  404, 403, 403)),
    ("roles",                        "GET",  "roles/",                            (L,   404, 403, 403, 200,  404,  200,  404,  200, 403,  403, 403, 403)),
    ("roles",                        "POST", "roles/",                            (L,   404, 403, 403, 400,  404,  400,  404,  400, 403,  403, 403, 403)),
    ("remove a role",                "POST", "roles/{lead_role}/remove/",         (L,   404, 404, 404, 302,  404,  302,  404,  302, 403,  404, 404, 404)),
    ("register (signed in: advice)", "GET",  "register/",                         (404, 404, 200, 200, 200,  404,  200,  404,  200, 200,  200, 200, 200)),
    ("find a session",               "GET",  "sessions/",                         (L,   404, 200, 200, 200,  404,  200,  404,  200, 200,  200, 200, 200)),
    ("a session",                    "GET",  "sessions/{slot}/",                  (L,   404, 200, 200, 200,  404,  200,  404,  200, 200,  200, 200, 200)),
    ("book it",                      "POST", "sessions/{slot}/book/",             (L,   404, 400, 400, 400,  404,  403,  404,  400, 400,  403, 400, 400)),
    ("wait for it",                  "POST", "sessions/{full}/wait/",             (L,   404, 400, 400, 400,  404,  403,  404,  400, 400,  403, 400, 400)),
    ("offer a session",              "GET",  "sessions/new/?supervisor={sup}",    (L,   404, 403, 403, 403,  404,  200,  404,  200, 403,  200, 403, 403)),
    ("offer a session",              "POST", "sessions/new/?supervisor={sup}",    (L,   404, 403, 403, 403,  404,  400,  404,  400, 403,  400, 403, 403)),
    ("change a session",             "GET",  "sessions/{slot}/edit/",             (L,   404, 403, 403, 403,  404,  200,  404,  200, 403,  200, 403, 403)),
    ("cancel a session",             "POST", "sessions/{spare}/cancel/",          (L,   404, 403, 403, 403,  404,  302,  404,  302, 403,  302, 403, 403)),
    ("record attendance",            "POST", "sessions/{slot}/attendance/",       (L,   404, 403, 403, 403,  404,  302,  404,  302, 403,  302, 403, 403)),
    ("bookings",                     "GET",  "bookings/",                         (L,   404, 200, 200, 200,  404,  200,  404,  200, 200,  200, 200, 200)),
    ("bookings as CSV",              "GET",  "bookings/?format=csv",              (L,   404, 200, 200, 200,  404,  200,  404,  200, 200,  200, 200, 200)),
    ("the member's booking",         "GET",  "bookings/{booking}/",               (L,   404, 200, 404, 404,  404,  200,  404,  200, 200,  200, 404, 404)),
    ("cancel it",                    "GET",  "bookings/{booking}/cancel/",        (L,   404, 200, 404, 404,  404,  200,  404,  200, 403,  403, 404, 404)),
    ("cancel it",                    "POST", "bookings/{booking}/cancel/",        (L,   404, 302, 404, 404,  404,  302,  404,  302, 403,  403, 404, 404)),
    ("move it",                      "GET",  "bookings/{booking}/move/",          (L,   404, 200, 404, 404,  404,  200,  404,  200, 403,  403, 404, 404)),
    ("move it",                      "POST", "bookings/{booking}/move/",          (L,   404, 400, 404, 404,  404,  400,  404,  400, 403,  403, 404, 404)),
    ("its invitation",               "GET",  "bookings/{booking}/invite.ics",     (L,   404, 200, 404, 404,  404,  200,  404,  200, 200,  200, 404, 404)),
    ("the member's waiting entry",   "GET",  "waiting/{entry}/",                  (L,   404, 200, 404, 404,  404,  200,  404,  200, 200,  404, 404, 404)),
    ("take up the place",            "POST", "waiting/{entry}/accept/",           (L,   404, 302, 404, 404,  404,  403,  404,  403, 403,  404, 404, 404)),
    ("leave the list",               "POST", "waiting/{entry}/leave/",            (L,   404, 302, 404, 404,  404,  302,  404,  302, 403,  404, 404, 404)),
    ("overview",                     "GET",  "manage/",                           (L,   404, 403, 403, 403,  404,  200,  404,  200, 403,  403, 403, 403)),
    ("send reminders",               "POST", "manage/reminders/",                 (L,   404, 403, 403, 403,  404,  302,  404,  302, 403,  403, 403, 403)),
    ("reminders' progress",          "GET",  "manage/reminders/progress/",        (L,   404, 403, 403, 403,  404,  286,  404,  286, 403,  403, 403, 403)),
    ("supervisors",                  "GET",  "supervisors/",                      (L,   404, 403, 403, 403,  404,  200,  404,  200, 403,  403, 403, 403)),
    ("add a supervisor",             "GET",  "supervisors/new/",                  (L,   404, 403, 403, 403,  404,  200,  404,  200, 403,  403, 403, 403)),
    ("add a supervisor",             "POST", "supervisors/new/",                  (L,   404, 403, 403, 403,  404,  400,  404,  400, 403,  403, 403, 403)),
    ("a supervisor",                 "GET",  "supervisors/{sup}/",                (L,   404, 200, 200, 200,  404,  200,  404,  200, 200,  200, 200, 200)),
    ("an applicant",                 "GET",  "supervisors/{applicant}/",          (L,   404, 404, 404, 404,  404,  200,  404,  200, 404,  404, 404, 404)),
    ("edit a profile",               "GET",  "supervisors/{sup}/edit/",           (L,   404, 403, 403, 403,  404,  200,  404,  200, 403,  200, 403, 403)),
    ("edit a profile",               "POST", "supervisors/{sup}/edit/",           (L,   404, 403, 403, 403,  404,  400,  404,  400, 403,  400, 403, 403)),
    ("change status",                "POST", "supervisors/{sup}/status/",         (L,   404, 403, 403, 403,  404,  302,  404,  302, 403,  403, 403, 403)),
    ("record a check",               "GET",  "supervisors/{sup}/checks/dbs/",     (L,   404, 403, 403, 403,  404,  200,  404,  200, 403,  403, 403, 403)),
    ("record a check",               "POST", "supervisors/{sup}/checks/dbs/",     (L,   404, 403, 403, 403,  404,  400,  404,  400, 403,  403, 403, 403)),
    ("an unknown check",             "GET",  "supervisors/{sup}/checks/tarot/",   (L,   404, 403, 403, 403,  404,  404,  404,  404, 403,  403, 403, 403)),
    ("offer a weekly time",          "GET",  "supervisors/{sup}/weekly/",         (L,   404, 403, 403, 403,  404,  200,  404,  200, 403,  200, 403, 403)),
    ("offer a weekly time",          "POST", "supervisors/{sup}/weekly/",         (L,   404, 403, 403, 403,  404,  400,  404,  400, 403,  400, 403, 403)),
    ("stop a weekly time",           "POST", "weekly/{weekly}/end/",              (L,   404, 404, 404, 404,  404,  302,  404,  302, 404,  302, 404, 404)),
    ("your supervision",             "GET",  "mine/",                             (L,   404, 404, 404, 404,  404,  404,  404,  404, 404,  200, 404, 404)),
    ("payments",                     "GET",  "payments/",                         (L,   404, 403, 403, 403,  404,  200,  404,  200, 403,  302, 403, 403)),
    ("run payments",                 "POST", "payments/",                         (L,   404, 403, 403, 403,  404,  400,  404,  400, 403,  302, 403, 403)),
    ("funding drawdown",             "GET",  "payments/drawdown/",                (L,   404, 403, 403, 403,  404,  200,  404,  200, 403,  403, 403, 403)),
    ("drawdown as CSV",              "GET",  "payments/drawdown/?format=csv",     (L,   404, 403, 403, 403,  404,  200,  404,  200, 403,  403, 403, 403)),
    ("a payment run",                "GET",  "payments/{run}/",                   (L,   404, 403, 403, 403,  404,  200,  404,  200, 403,  403, 403, 403)),
    ("a run as CSV",                 "GET",  "payments/{run}/?format=csv",        (L,   404, 403, 403, 403,  404,  200,  404,  200, 403,  403, 403, 403)),
    ("a run's progress",             "GET",  "payments/{run}/progress/",          (L,   404, 403, 403, 403,  404,  286,  404,  286, 403,  403, 403, 403)),
    ("a statement",                  "GET",  "statements/{statement}/",           (L,   404, 404, 404, 404,  404,  200,  404,  200, 404,  200, 404, 404)),
    ("a statement as PDF",           "GET",  "statements/{statement}/?format=pdf",(L,   404, 404, 404, 404,  404,  200,  404,  200, 404,  200, 404, 404)),
    ("approve it",                   "POST", "statements/{statement}/status/",    (L,   404, 403, 403, 403,  404,  302,  404,  302, 403,  403, 403, 403)),
    ("need and provision",           "GET",  "need/",                             (L,   404, 403, 403, 200,  404,  200,  404,  200, 200,  403, 200, 403)),
    ("need as CSV",                  "GET",  "need/?format=csv",                  (L,   404, 403, 403, 200,  404,  200,  404,  200, 200,  403, 200, 403)),
    ("enter RXM's need",             "GET",  "need/edit/?organisation={rxm}",     (L,   404, 403, 403, 403,  404,  200,  404,  200, 403,  403, 200, 403)),
    ("enter RXM's need",             "POST", "need/edit/?organisation={rxm}",     (L,   404, 403, 403, 403,  404,  302,  404,  302, 403,  403, 302, 403)),
    ("enter RT5's need",             "GET",  "need/edit/?organisation={rt5}",     (L,   404, 403, 403, 403,  404,  200,  404,  200, 403,  403, 403, 403)),
]
# fmt: on


def make_objects(sv):
    """The records the addresses name."""
    slot = sv.slot(days=7, capacity=2)
    booking = bookings.booking_create(
        slot_id=slot.pk,
        person=sv.people["member"],
        organisation=sv.world.org,
        profession="counsellor",
    )
    full = sv.slot(days=8)
    bookings.booking_create(
        slot_id=full.pk,
        person=sv.people["theme_lead"],
        organisation=sv.world.org,
        profession="counsellor",
    )
    entry = bookings.waiting_join(
        slot_id=full.pk,
        person=sv.people["member"],
        organisation=sv.world.org,
        profession="counsellor",
    )
    spare = sv.slot(days=9)
    first = date.today() + timedelta(days=20)
    weekly = slots.availability_create(
        supervisor=sv.supervisor,
        weekday=first.weekday(),
        starts_at=time(8),
        duration_minutes=30,
        first_day=first,
        last_day=first + timedelta(days=14),
    )
    past = slots.slot_create(
        supervisor=sv.supervisor,
        starts_at=datetime(2026, 2, 3, 10, tzinfo=LONDON),
        duration_minutes=60,
        mode="virtual",
        now=datetime(2026, 1, 1, tzinfo=LONDON),
    )
    paid = bookings.booking_create(
        slot_id=past.pk,
        person=sv.people["rt5_staff"],
        organisation=sv.world.other_org,
        profession="counsellor",
        now=datetime(2026, 1, 2, tzinfo=LONDON),
    )
    bookings.attendance_record(booking=paid, attendance="attended", now=past.ends_at)
    run, _ = payments.payment_run_start(
        service=sv.service, month=date(2026, 2, 1), user=None, enqueue=False
    )
    run = payments.payment_run_execute(run_id=run.pk)
    applicant = make_supervisor(sv.service, f.PersonFactory(email="applicant@example.org"))
    return {
        "slot": slot.pk,
        "booking": booking.pk,
        "full": full.pk,
        "entry": entry.pk,
        "spare": spare.pk,
        "weekly": weekly.availability.pk,
        "run": run.pk,
        "statement": run.statements.get().pk,
        "sup": sv.supervisor.pk,
        "applicant": applicant.pk,
        "rxm": sv.world.org.pk,
        "rt5": sv.world.other_org.pk,
        "lead_role": sv.service.roles.get(role="provider_lead").pk,
    }


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The world, the service and the records, made once for the module and rolled back
    after it; each test runs in a savepoint of its own, so what a POST changes goes with it."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        sv = make_supervision(make_world())
        yield sv, make_objects(sv)
        transaction.set_rollback(True)


CASES = [
    pytest.param(label, method, address, user, expected[i], id=f"{label} {method} {user}")
    for label, method, address, expected in MATRIX
    for i, user in enumerate(USERS)
]


@pytest.mark.parametrize(("label", "method", "address", "user", "expected"), CASES)
def test_who_may_open_each_page(built, label, method, address, user, expected):
    sv, objects = built
    path = address.format(**objects)
    url = path if path.startswith("/") else sv.base + path
    client = sv.client(user)
    response = client.post(url, BLANK) if method == "POST" else client.get(url)
    if expected == L:
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected, (url, response.status_code)


def test_the_matrix_covers_every_supervision_address():
    from kmatrix.supervision import urls

    named = {p.name for p in urls.urlpatterns}
    covered = {
        "index",
        "home",
        "setup",
        "roles",
        "role_remove",
        "register",
        "sessions",
        "slot",
        "slot_book",
        "slot_wait",
        "slot_create",
        "slot_edit",
        "slot_cancel",
        "slot_attendance",
        "bookings",
        "booking",
        "booking_cancel",
        "booking_move",
        "booking_ics",
        "waiting",
        "waiting_accept",
        "waiting_leave",
        "overview",
        "reminders_start",
        "reminders_progress",
        "supervisors",
        "supervisor_create",
        "supervisor",
        "supervisor_edit",
        "supervisor_status",
        "check_edit",
        "availability_create",
        "availability_end",
        "mine",
        "payments",
        "drawdown",
        "payment_run",
        "payment_run_progress",
        "statement",
        "statement_status",
        "need",
        "need_edit",
    }
    assert named == covered
    assert len(MATRIX) >= len(covered)
