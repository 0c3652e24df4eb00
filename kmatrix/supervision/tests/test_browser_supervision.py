"""Journeys through the Therapy Supervision service in Debian's Chromium, on the demo data:
a member of staff books a session and gets its invitation, the project manager vets a new
supervisor and runs payments, and an HR Director sees need against provision. Every page is
checked with axe-core, as in kmatrix/demo/tests/test_browser_journeys.py, whose fixtures these
journeys share."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from kmatrix.demo.tests.test_browser_journeys import assert_accessible, browser, page, sign_in
from kmatrix.supervision.models import Booking, PaymentRun, SessionNeed, Supervisor
from kmatrix.supervision.tests.conftest import ics_of
from kmatrix.supervision.times import first_of_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["browser", "page"]  # the shared fixtures, imported for pytest to find
HOME = "/networks/em-alliance/supervision/"


def test_a_member_of_staff_books_a_session_and_gets_the_invitation(page: Any) -> None:
    sign_in(page, "member@example.org")
    page.goto(HOME)
    assert_accessible(page)
    page.get_by_role("link", name="Find and book a session").click()
    expect(page.get_by_role("heading", name="Find a session")).to_be_visible()
    page.get_by_label("Modality (optional)").select_option("cat")
    page.get_by_label("Only sessions with a free place").check()
    page.locator("main").get_by_role("button", name="Search").click()
    assert_accessible(page)
    page.locator(".nhsuk-card__heading a").first.click()
    expect(page.get_by_role("heading", name="Book this session")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your profession").select_option("mental_health_nurse")
    page.get_by_label("What you would like to bring (optional)").fill("A new group formulation")
    mail.outbox.clear()
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_text("Booked. The invitation is on its way")).to_be_visible()
    assert_accessible(page)

    booking = Booking.objects.filter(person__email="member@example.org").order_by("-pk").first()
    assert booking is not None
    assert booking.focus == "A new group formulation"
    invitation = next(m for m in mail.outbox if m.to == ["member@example.org"])
    text = ics_of(invitation)
    assert "METHOD:REQUEST" in text
    assert f"UID:supervision-booking-{booking.pk}@" in text
    assert "SUMMARY:Therapy supervision with Rhiannon Cloudwick" in text
    assert "ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:member@example.org" in text
    assert "A new group formulation" in text
    # The same invitation downloads from the booking page.
    download = page.request.get(page.url + "invite.ics")
    assert download.ok
    assert "METHOD:REQUEST" in download.text()

    page.get_by_role("button", name="Cancel the booking").click()  # a link drawn as a button
    expect(page.get_by_role("heading", name="Cancel your supervision")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Cancel the booking").click()
    expect(page.get_by_text("Booking cancelled")).to_be_visible()
    assert "METHOD:CANCEL" in ics_of(
        next(m for m in mail.outbox if m.to == ["member@example.org"] and "Cancelled" in m.subject)
    )


def test_the_project_manager_vets_a_new_supervisor_and_runs_payments(page: Any) -> None:
    sign_in(page, "project.manager@example.org")
    page.goto(HOME + "manage/")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Gwen Elderwood").click()
    expect(page.get_by_role("heading", name="Gwen Elderwood")).to_be_visible()
    assert_accessible(page)

    today = timezone.localdate()
    details = {
        "registration": ("HCPC PYL12345", True),
        "dbs": ("001234567890", True),
        "reference_2": ("Head of psychology, former employer", False),
        "contract": ("Honorary supervision contract", False),
        "training": ("Safeguarding level 3", True),
    }
    for kind, (reference, expires) in details.items():
        page.goto(HOME + f"supervisors/{_elderwood().pk}/checks/{kind}/")
        page.get_by_label("Valid").check()
        page.get_by_label("Reference").fill(reference)
        page.get_by_label("Checked on").fill((today - timedelta(days=3)).isoformat())
        if expires:
            page.get_by_label("Expires on").fill((today + timedelta(days=700)).isoformat())
        if kind == "dbs":
            assert_accessible(page)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("saved.")).to_be_visible()
    page.get_by_label("Status").select_option("active")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_text("Gwen Elderwood is now active.")).to_be_visible()
    assert _elderwood().status == "active"
    assert_accessible(page)

    # Payments: run a month that has not been run, let the worker make it, then ask again.
    page.goto(HOME + "payments/")
    assert_accessible(page)
    earliest = PaymentRun.objects.order_by("month").first()
    assert earliest is not None
    before = first_of_month(earliest.month - timedelta(days=1))
    page.get_by_label("Month").fill(before.strftime("%Y-%m"))
    page.get_by_role("button", name="Run payments").click()
    expect(page.get_by_text("are being worked out")).to_be_visible()
    _run_the_worker_while_the_page_waits(page)
    expect(page.get_by_text("Sessions paid")).to_be_visible(timeout=10_000)
    assert_accessible(page)
    page.goto(HOME + "payments/")
    page.get_by_label("Month").fill(earliest.month.strftime("%Y-%m"))
    page.get_by_role("button", name="Run payments").click()
    expect(page.get_by_text("nothing has changed")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^TS\d+-")).first.click()
    expect(page.get_by_text("Sessions paid (UK time)")).to_be_visible()
    assert_accessible(page)


def _run_the_worker_while_the_page_waits(page: Any) -> None:
    """Run the task worker in this thread while the page's once-a-second progress request
    is held by the browser. The live server shares this thread's in-memory SQLite
    connection, so a request answered in the middle of the worker's exclusive transaction
    would find the table locked (a clash of the test set-up, not of the site, whose file
    database waits for its lock). The held request goes on once the worker is done, and
    htmx swaps in what it answers."""
    held: list[Any] = []
    page.route("**/progress/", lambda route: held.append(route))
    while not held:  # htmx sends one poll at a time, so no other is in flight now
        page.wait_for_timeout(100)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    for route in held:
        route.continue_()
    page.unroute("**/progress/")


def _elderwood() -> Supervisor:
    return Supervisor.objects.get(person__full_name="Gwen Elderwood")


def test_the_hr_directors_see_need_against_provision(page: Any) -> None:
    sign_in(page, "hr.director@example.org")
    page.goto(HOME)
    page.get_by_role("link", name="Need and provision").click()
    expect(page.get_by_role("heading", name="Need and provision")).to_be_visible()
    expect(page.get_by_text("Illustrative figures").first).to_be_visible()
    page.wait_for_selector(".vega-embed svg")
    table = page.get_by_role("table", name="Sessions per provider")
    expect(
        table.get_by_role("rowheader", name="Nottinghamshire Healthcare NHS Foundation Trust (RHA)")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Nottinghamshire Healthcare NHS Foundation Trust: need").click()
    assert_accessible(page)
    page.get_by_label("Counsellor (optional)").fill("25")
    page.get_by_role("button", name="Save need").click()
    expect(
        page.get_by_text("Need for Nottinghamshire Healthcare NHS Foundation Trust saved.")
    ).to_be_visible()
    assert (
        SessionNeed.objects.get(
            organisation__ods_code="RHA", profession="counsellor"
        ).sessions_needed
        == 25
    )
    expect(page.get_by_role("cell", name="Counsellor")).to_be_visible()
    assert_accessible(page)
    # They enter their own provider's need, not another's.
    assert not page.get_by_role(
        "link", name="Derbyshire Healthcare NHS Foundation Trust: need"
    ).count()
