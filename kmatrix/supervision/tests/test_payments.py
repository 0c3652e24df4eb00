"""Payment runs: what is paid, once; statements as CSV and PDF; invoice status; totals by
financial year."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from kmatrix.supervision import bookings, payments, services, slots
from kmatrix.supervision.models import PaymentRun, Statement, StatementLine
from kmatrix.supervision.queries import payment_totals_by_year
from kmatrix.supervision.times import LONDON

NOW = datetime(2027, 3, 10, 12, tzinfo=LONDON)  # March 2027: February has ended


def session(
    sv, day: date, hour: int = 10, *, capacity: int = 1, rate: str | None = None, supervisor=None
):
    return slots.slot_create(
        supervisor=supervisor or sv.supervisor,
        starts_at=datetime(day.year, day.month, day.day, hour, tzinfo=LONDON),
        duration_minutes=60,
        mode="virtual",
        capacity=capacity,
        rate=Decimal(rate) if rate else None,
        now=datetime(2027, 1, 1, tzinfo=LONDON),
    )


def booked(sv, slot, name="member"):
    person = sv.people[name]
    return bookings.booking_create(
        slot_id=slot.pk,
        person=person,
        organisation=person.organisation,
        profession="counsellor",
        now=slot.starts_at - timedelta(days=3),
    )


def attended(booking, outcome="attended"):
    return bookings.attendance_record(booking=booking, attendance=outcome, now=booking.slot.ends_at)


def run(sv, month=date(2027, 2, 1), now=NOW):
    made, created = payments.payment_run_start(
        service=sv.service, month=month, user=None, now=now, enqueue=False
    )
    return payments.payment_run_execute(run_id=made.pk), created


@pytest.fixture
def february(sv):
    """Four February sessions: attended (group of two), no-show, cancelled late, cancelled in
    time; one whose attendance is not recorded; a session in March."""
    group = session(sv, date(2027, 2, 2), capacity=3)
    attended(booked(sv, group, "member"))
    attended(booked(sv, group, "theme_lead"))
    no_show = session(sv, date(2027, 2, 9))
    attended(booked(sv, no_show), "no_show")
    late = session(sv, date(2027, 2, 16), rate="90.50")
    bookings.booking_cancel(
        booking=booked(sv, late), user=None, now=late.starts_at - timedelta(hours=2)
    )
    in_time = session(sv, date(2027, 2, 23))
    bookings.booking_cancel(
        booking=booked(sv, in_time), user=None, now=in_time.starts_at - timedelta(days=2)
    )
    unrecorded = session(sv, date(2027, 2, 25))
    booked(sv, unrecorded)
    march = session(sv, date(2027, 3, 2))
    attended(booked(sv, march))
    session(sv, date(2027, 2, 26))  # nobody booked it
    return {
        "group": group,
        "no_show": no_show,
        "late": late,
        "in_time": in_time,
        "unrecorded": unrecorded,
        "march": march,
    }


def test_a_run_pays_each_delivered_session_once_at_its_fee(sv, february):
    made, created = run(sv)
    assert created
    assert made.status == "done"
    statement = made.statements.get()
    paid = {line.slot_id: line for line in statement.lines.all()}
    assert set(paid) == {february["group"].pk, february["no_show"].pk, february["late"].pk}
    assert paid[february["group"].pk].attended == 2
    assert paid[february["late"].pk].cancelled_late == 1
    assert paid[february["late"].pk].amount == Decimal("90.50")
    assert statement.total == Decimal("75.00") * 2 + Decimal("90.50")
    assert (made.sessions, made.total, made.supervisors_done) == (3, statement.total, 1)
    assert statement.number == f"TS{sv.service.pk}-202702-{sv.supervisor.pk:05d}"


def _counts():
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_app_config("supervision").get_models()
    }


def test_running_the_same_month_twice_changes_nothing(sv, february):
    first, _ = run(sv)
    before = _counts()
    again, created = run(sv)
    assert not created
    assert again.pk == first.pk
    assert _counts() == before


def test_a_month_that_has_not_ended_cannot_be_run(sv):
    with pytest.raises(ValidationError) as caught:
        payments.payment_run_start(service=sv.service, month=date(2027, 3, 1), user=None, now=NOW)
    assert "has not ended" in caught.value.message_dict["month"][0]


def test_a_session_recorded_late_is_paid_by_the_next_run(sv, february):
    run(sv)
    attended(bookings.Booking.objects.get(slot=february["unrecorded"]))
    march, _ = run(sv, date(2027, 3, 1), now=datetime(2027, 4, 2, tzinfo=LONDON))
    lines = {line.slot_id: line for line in StatementLine.objects.filter(statement__run=march)}
    assert set(lines) == {february["unrecorded"].pk, february["march"].pk}
    assert lines[february["unrecorded"].pk].from_earlier_month
    assert not lines[february["march"].pk].from_earlier_month


def test_a_paid_session_keeps_its_attendance(sv, february):
    run(sv)
    booking = bookings.Booking.objects.filter(slot=february["no_show"]).get()
    with pytest.raises(ValidationError, match="has been paid"):
        bookings.attendance_record(booking=booking, attendance="attended", now=NOW)


def test_a_stopped_run_finishes_without_paying_twice(sv, february):
    made, _ = payments.payment_run_start(
        service=sv.service, month=date(2027, 2, 1), user=None, now=NOW, enqueue=False
    )
    other = services.supervisor_save(
        service=sv.service,
        person=sv.people["rt5_staff"],
        modalities=["cbt"],
        kind="external",
        profession="counsellor",
        rate=Decimal("50"),
    )
    from kmatrix.supervision.tests.conftest import activate

    activate(other)
    attended(booked(sv, session(sv, date(2027, 2, 3), supervisor=other)))
    # As if a run had stopped after the first supervisor's statement.
    sessions = [
        o
        for o in payments.unpaid_sessions(sv.service, datetime(2027, 3, 1, tzinfo=LONDON))
        if o.payable
    ]
    payments._statement_make(
        made, sv.supervisor, [o for o in sessions if o.slot.supervisor_id == sv.supervisor.pk]
    )
    PaymentRun.objects.filter(pk=made.pk).update(status="failed")
    finished = payments.payment_run_execute(run_id=made.pk)
    assert finished.status == "done"
    assert finished.statements.count() == 2
    assert StatementLine.objects.filter(statement__run=made).count() == 4


def test_a_negative_fee_is_refused_everywhere(sv):
    sv.supervisor.rate = Decimal("-5")
    with pytest.raises(ValidationError, match=r"cannot be negative|greater than or equal"):
        sv.supervisor.full_clean()
    with pytest.raises(ValidationError):
        services.supervisor_save(
            service=sv.service,
            person=sv.people["rt5_staff"],
            modalities=["cbt"],
            kind="external",
            profession="counsellor",
            rate=Decimal("-0.01"),
        )


def test_fees_are_exact_decimals(sv):
    one = session(sv, date(2027, 2, 4), rate="0.10")
    two = session(sv, date(2027, 2, 5), rate="0.20")
    for slot in (one, two):
        attended(booked(sv, slot))
    made, _ = run(sv)
    assert made.total == Decimal("0.30")


def test_invoice_status_goes_due_approved_paid(sv, february):
    made, _ = run(sv)
    statement = made.statements.get()
    with pytest.raises(ValidationError, match="cannot become paid"):
        payments.statement_status_set(
            statement=statement, status="paid", user=None, paid_on=date(2026, 1, 1)
        )
    payments.statement_status_set(statement=statement, status="approved", user=None)
    with pytest.raises(ValidationError) as caught:
        payments.statement_status_set(statement=statement, status="paid", user=None)
    assert "date it was paid" in caught.value.message_dict["paid_on"][0]
    with pytest.raises(ValidationError, match="cannot be in the future"):
        payments.statement_status_set(
            statement=statement, status="paid", user=None, paid_on=date(2099, 1, 1)
        )
    payments.statement_status_set(
        statement=statement, status="paid", user=None, paid_on=date(2026, 11, 30)
    )
    with pytest.raises(ValidationError, match="paid cannot become"):
        payments.statement_status_set(statement=statement, status="due", user=None)


def test_totals_by_financial_year_run_from_april_to_march(sv, february):
    run(sv)
    attended(bookings.Booking.objects.get(slot=february["unrecorded"]))
    # April's run also pays what was delivered since February's (no March run was made).
    april, _ = run(sv, date(2027, 4, 1), now=datetime(2027, 5, 2, tzinfo=LONDON))
    statement = Statement.objects.get(run=april)
    payments.statement_status_set(statement=statement, status="approved", user=None)
    years = payment_totals_by_year(sv.service)
    assert [(y.label, y.runs, y.sessions) for y in years] == [("2027/28", 1, 2), ("2026/27", 1, 3)]
    assert years[0].approved == years[0].total == Decimal("150.00")
    assert years[1].paid == Decimal("0")


def test_the_statement_comes_as_csv_and_pdf(sv, february):
    made, _ = run(sv)
    statement = made.statements.get()
    client = sv.client("supervisor")
    url = f"{sv.base}statements/{statement.pk}/"
    response = client.get(url + "?format=csv")
    assert response.status_code == 200, (response.status_code, response.content.decode()[-3000:])
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == payments.LINE_HEADER
    assert rows[1][:3] == ["2027-02-02", "10:00", "11:00"]
    assert [r[8] for r in rows[1:]] == ["75.00", "75.00", "90.50"]
    pdf = client.get(url + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert f'filename="{statement.number}.pdf"' in pdf["Content-Disposition"]
    # What the PDF is drawn from (WeasyPrint compresses the text it writes).
    html = render_to_string(
        "supervision/statement_pdf.html",
        {
            "statement": statement,
            "columns": payments.LINE_HEADER,
            "rows": payments.statement_rows(statement.lines.order_by("starts_at")),
        },
    )
    assert statement.number in html
    assert "£240.50" in html
    assert "2027/28" not in html
    assert "2026/27" in html
    assert client.get(url + "?format=xml").status_code == 404
