"""Monthly payment runs: one statement per supervisor for the sessions delivered, once.

A run is made once per service and month (a database constraint): asking for the same month
again returns the run already made and changes nothing. A session is paid when someone came,
did not come, or cancelled late (the supervisor kept the time); a session whose attendance is
not yet recorded waits, and is paid by the next run after it is recorded (marked as from an
earlier month). Each statement line names its session and the database allows one line per
session, so nothing is paid twice.

The work runs in the background (tasks.payment_run_task), one supervisor per transaction so
the page can show its progress; a run that stops part-way is finished by running it again,
which skips the statements already made.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from kmatrix.supervision import drawdown
from kmatrix.supervision.choices import (
    Attendance,
    BookingStatus,
    InvoiceStatus,
    RunStatus,
    SlotStatus,
)
from kmatrix.supervision.models import (
    Booking,
    PaymentRun,
    Slot,
    Statement,
    StatementLine,
    SupervisionService,
    Supervisor,
)
from kmatrix.supervision.times import london, month_bounds, month_label, next_month

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SessionOutcome:
    """What happened in one session, from its bookings."""

    slot: Slot
    attended: int
    cancelled_late: int
    no_shows: int
    unrecorded: int

    @property
    def payable(self) -> bool:
        return self.unrecorded == 0 and (self.attended + self.cancelled_late + self.no_shows) > 0


def outcome(slot: Slot, bookings: Iterable[Booking]) -> SessionOutcome:
    counts = {"attended": 0, "late": 0, "no_show": 0, "unrecorded": 0}
    for booking in bookings:
        if booking.status == BookingStatus.CANCELLED:
            counts["late"] += booking.attendance == Attendance.CANCELLED_LATE
        elif booking.attendance == Attendance.ATTENDED:
            counts["attended"] += 1
        elif booking.attendance == Attendance.NO_SHOW:
            counts["no_show"] += 1
        else:
            counts["unrecorded"] += 1
    return SessionOutcome(
        slot, counts["attended"], counts["late"], counts["no_show"], counts["unrecorded"]
    )


def unpaid_sessions(service: SupervisionService, before: datetime) -> list[SessionOutcome]:
    """Sessions that started before ``before``, are not cancelled, had bookings and are not
    yet on a statement, with what happened in each."""
    bookings = Booking.objects.only("slot_id", "status", "attendance")
    slots = (
        Slot.objects.filter(
            service=service,
            status=SlotStatus.OPEN,
            starts_at__lt=before,
            statement_line__isnull=True,
            bookings__isnull=False,
        )
        .distinct()
        .select_related("supervisor__person")
        .prefetch_related(Prefetch("bookings", queryset=bookings))
        .order_by("supervisor_id", "starts_at")
    )
    return [outcome(slot, slot.bookings.all()) for slot in slots]


def _month_problem(month: date, now: datetime) -> str:
    if month.day != 1:
        return "Give a month, for example 2026-03."
    _start, end = month_bounds(month)
    if end > now:
        first = next_month(month)
        return (
            f"{month_label(month)} has not ended: its payments can be run from "
            f"{first.day} {first:%B %Y}."
        )
    return ""


@transaction.atomic
def payment_run_start(
    *,
    service: SupervisionService,
    month: date,
    user: Any | None,
    now: datetime | None = None,
    enqueue: bool = True,
) -> tuple[PaymentRun, bool]:
    """The run for ``month``, made and queued if it is new (``True``), or the one already made,
    unchanged (``False``); a run that stopped part-way is queued again to finish it."""
    problem = _month_problem(month, now or timezone.now())
    if problem:
        raise ValidationError({"month": problem})
    existing = PaymentRun.objects.filter(service=service, month=month).first()
    if existing is not None:
        if existing.status == RunStatus.FAILED and enqueue:
            PaymentRun.objects.filter(pk=existing.pk).update(status=RunStatus.QUEUED, error="")
            transaction.on_commit(lambda: _enqueue(existing.pk))
        return existing, False
    try:
        with transaction.atomic():
            run = PaymentRun.objects.create(service=service, month=month, started_by=user)
    except IntegrityError:  # started by someone else a moment ago
        return PaymentRun.objects.get(service=service, month=month), False
    if enqueue:
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run, True


def _enqueue(run_id: int) -> None:
    from kmatrix.supervision.tasks import payment_run_enqueue  # tasks imports this module

    payment_run_enqueue(run_id)


def payment_run_execute(*, run_id: int, progress: Progress | None = None) -> PaymentRun:
    """Make the run's statements, one supervisor at a time. A finished run is left as it is."""
    run = PaymentRun.objects.select_related("service").get(pk=run_id)
    if run.status == RunStatus.DONE:
        return run
    _start, end = month_bounds(run.month)
    by_supervisor: dict[int, list[SessionOutcome]] = defaultdict(list)
    for found in unpaid_sessions(run.service, end):
        if found.payable:
            by_supervisor[found.slot.supervisor_id].append(found)
    PaymentRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, supervisors_total=len(by_supervisor), error=""
    )
    for done, (_supervisor_id, sessions) in enumerate(sorted(by_supervisor.items()), start=1):
        _statement_make(run, sessions[0].slot.supervisor, sessions)
        PaymentRun.objects.filter(pk=run.pk).update(supervisors_done=done)
        if progress is not None:
            progress(done, len(by_supervisor))
    totals = run.statements.aggregate(total=Sum("total"), sessions=Sum("sessions"))
    PaymentRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        total=totals["total"] or Decimal("0.00"),
        sessions=totals["sessions"] or 0,
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run


def statement_number(run: PaymentRun, supervisor: Supervisor) -> str:
    return f"TS{run.service_id}-{run.month:%Y%m}-{supervisor.pk:05d}"


@transaction.atomic
def _statement_make(
    run: PaymentRun, supervisor: Supervisor, sessions: Sequence[SessionOutcome]
) -> Statement | None:
    if Statement.objects.filter(run=run, supervisor=supervisor).exists():
        return None  # made before the run stopped part-way
    month_start, _end = month_bounds(run.month)
    statement = Statement.objects.create(
        run=run, supervisor=supervisor, number=statement_number(run, supervisor)
    )
    lines = [
        StatementLine(
            statement=statement,
            slot=s.slot,
            starts_at=s.slot.starts_at,
            duration_minutes=s.slot.duration_minutes,
            mode=s.slot.mode,
            places=s.slot.capacity,
            attended=s.attended,
            cancelled_late=s.cancelled_late,
            no_shows=s.no_shows,
            rate=s.slot.rate,
            amount=s.slot.rate,  # one fee per session, individual or group
            from_earlier_month=s.slot.starts_at < month_start,
        )
        for s in sessions
    ]
    StatementLine.objects.bulk_create(lines)
    statement.sessions = len(lines)
    statement.total = sum((line.amount for line in lines), Decimal("0.00"))
    statement.save(update_fields=["sessions", "total"])
    return statement


_NEXT_INVOICE = {
    InvoiceStatus.DUE: {InvoiceStatus.APPROVED},
    InvoiceStatus.APPROVED: {InvoiceStatus.PAID, InvoiceStatus.DUE},
    InvoiceStatus.PAID: set(),
}


@transaction.atomic
def statement_status_set(
    *, statement: Statement, status: str, user: Any | None, paid_on: date | None = None
) -> Statement:
    """Approve a statement, send it back to due, or mark it paid (with the date paid). Paying
    draws the total down from the funding award of the run's year (see drawdown.py); when the
    award has too little left, a ValidationError says so and nothing is paid."""
    current = InvoiceStatus(statement.status)
    if status not in InvoiceStatus.values or status not in _NEXT_INVOICE[current]:
        label = InvoiceStatus(status).label.lower() if status in InvoiceStatus.values else status
        raise ValidationError(f"A statement that is {current.label.lower()} cannot become {label}.")
    if status == InvoiceStatus.PAID:
        if paid_on is None:
            raise ValidationError({"paid_on": "Give the date it was paid."})
        if paid_on > timezone.localdate():
            raise ValidationError({"paid_on": "The date paid cannot be in the future."})
        statement.paid_on = paid_on
    if status == InvoiceStatus.APPROVED:
        statement.approved_at, statement.approved_by = timezone.now(), user
    if status == InvoiceStatus.DUE:
        statement.approved_at, statement.approved_by = None, None
    statement.status = status
    statement.save()
    if status == InvoiceStatus.PAID:
        drawdown.statement_draw(statement, user=user)
    return statement


# --- Statement documents -------------------------------------------------------------------

LINE_HEADER = [
    "Date",
    "Start",
    "End",
    "Mode",
    "Places",
    "Attended",
    "Cancelled late",
    "Did not attend",
    "Fee (£)",
    "From an earlier month",
]


def statement_rows(lines: Iterable[StatementLine]) -> list[list[Any]]:
    rows = []
    for line in lines:
        start = london(line.starts_at)
        end = london(line.starts_at + timedelta(minutes=line.duration_minutes))
        rows.append(
            [
                start.date().isoformat(),
                f"{start:%H:%M}",
                f"{end:%H:%M}",
                line.get_mode_display(),
                line.places,
                line.attended,
                line.cancelled_late,
                line.no_shows,
                f"{line.amount:.2f}",
                "yes" if line.from_earlier_month else "",
            ]
        )
    return rows


def statement_pdf(statement: Statement, lines: Sequence[StatementLine]) -> bytes:
    from weasyprint import HTML  # imported late: it loads fonts and is slow to import

    html = render_to_string(
        "supervision/statement_pdf.html",
        {"statement": statement, "rows": statement_rows(lines), "columns": LINE_HEADER},
    )
    buffer = io.BytesIO()
    HTML(string=html).write_pdf(buffer)
    return buffer.getvalue()
