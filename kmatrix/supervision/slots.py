"""Writes to the sessions supervisors offer: one at a time, weekly series, changes and
cancellation.

Two sessions of one supervisor never overlap. The check is here, made while the supervisor's
row is locked (``select_for_update``) so that two requests cannot both pass it; on SQLite,
where that lock is a no-op, every write transaction already holds the database's one write
lock (``BEGIN IMMEDIATE``, see settings.py). On PostgreSQL an exclusion constraint
(migration 0002) refuses an overlap in the database as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kmatrix.supervision import invitations
from kmatrix.supervision.choices import (
    BookingStatus,
    Mode,
    SlotStatus,
    SupervisorStatus,
    WaitingStatus,
)
from kmatrix.supervision.models import Availability, Slot, Supervisor, WaitingListEntry
from kmatrix.supervision.times import at_london, london, weekly

HORIZON_DAYS = 400  # sessions are offered at most about a year ahead
CLOSED_SUPERVISOR = {SupervisorStatus.WITHDRAWN, SupervisorStatus.REJECTED}


def _label(moment: datetime) -> str:
    local = london(moment)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


def _lock(supervisor: Supervisor) -> Supervisor:
    return Supervisor.objects.select_for_update().select_related("service").get(pk=supervisor.pk)


def overlapping(
    supervisor: Supervisor, starts_at: datetime, ends_at: datetime, exclude: int | None = None
) -> Slot | None:
    found = Slot.objects.filter(
        supervisor=supervisor,
        status=SlotStatus.OPEN,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return found.order_by("starts_at").first()


def _refuse_overlap(supervisor: Supervisor, starts_at: datetime, minutes: int) -> None:
    clash = overlapping(supervisor, starts_at, starts_at + timedelta(minutes=minutes))
    if clash is not None:
        raise ValidationError(
            {"starts_at": f"This overlaps the session on {_label(clash.starts_at)}."}
        )


def _check_offer(supervisor: Supervisor, starts_at: datetime, mode: str, now: datetime) -> None:
    if supervisor.status in CLOSED_SUPERVISOR:
        raise ValidationError(
            f"{supervisor} is {supervisor.get_status_display().lower()}: they offer no sessions."
        )
    if starts_at <= now:
        raise ValidationError({"starts_at": "A session must start in the future."})
    if starts_at > now + timedelta(days=HORIZON_DAYS):
        raise ValidationError({"starts_at": "Offer sessions up to about a year ahead."})
    if mode == Mode.IN_PERSON and not supervisor.offers_in_person:
        raise ValidationError({"mode": f"{supervisor} does not offer supervision in person."})
    if mode == Mode.VIRTUAL and not supervisor.offers_virtual:
        raise ValidationError({"mode": f"{supervisor} does not offer virtual supervision."})


def _store(slot: Slot) -> Slot:
    slot.full_clean()
    try:
        with transaction.atomic():
            slot.save()
    except IntegrityError:
        # PostgreSQL's exclusion constraint: another request added an overlapping session.
        raise ValidationError(
            {"starts_at": "This overlaps another session of the same supervisor."}
        ) from None
    return slot


@transaction.atomic
def slot_create(
    *,
    supervisor: Supervisor,
    starts_at: datetime,
    duration_minutes: int,
    mode: str,
    capacity: int = 1,
    location: str = "",
    joining_link: str = "",
    rate: Decimal | None = None,
    now: datetime | None = None,
) -> Slot:
    """Offer one session. Refused in the past, overlapping another, or in a mode the
    supervisor does not offer."""
    now = now or timezone.now()
    supervisor = _lock(supervisor)
    _check_offer(supervisor, starts_at, mode, now)
    _refuse_overlap(supervisor, starts_at, duration_minutes)
    return _store(
        Slot(
            service=supervisor.service,
            supervisor=supervisor,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            mode=mode,
            capacity=capacity,
            location=location,
            joining_link=joining_link,
            rate=supervisor.rate if rate is None else rate,
        )
    )


@dataclass
class Series:
    availability: Availability
    made: list[Slot] = field(default_factory=list)
    skipped: list[tuple[date, str]] = field(default_factory=list)


@transaction.atomic
def availability_create(
    *,
    supervisor: Supervisor,
    weekday: int,
    starts_at: time,
    duration_minutes: int,
    first_day: date,
    last_day: date,
    mode: str = Mode.VIRTUAL,
    every_weeks: int = 1,
    capacity: int = 1,
    location: str = "",
    joining_link: str = "",
    now: datetime | None = None,
) -> Series:
    """A weekly time, and a session for each week from ``first_day`` to ``last_day``, at the
    same London time whatever the clocks do. Weeks that would overlap another session, have
    passed, or fall in the hour the clocks skip are left out and listed."""
    now = now or timezone.now()
    supervisor = _lock(supervisor)
    availability = Availability(
        service=supervisor.service,
        supervisor=supervisor,
        weekday=weekday,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        every_weeks=every_weeks,
        first_day=first_day,
        last_day=last_day,
        mode=mode,
        location=location,
        capacity=capacity,
    )
    availability.full_clean()
    _check_offer(supervisor, now + timedelta(minutes=1), mode, now)
    availability.save()
    series = Series(availability)
    for day in weekly(first_day, last_day, weekday, every_weeks):
        start = at_london(day, starts_at)
        reason = _series_problem(supervisor, start, duration_minutes, now)
        if reason or start is None:
            series.skipped.append((day, reason))
            continue
        series.made.append(
            _store(
                Slot(
                    service=supervisor.service,
                    supervisor=supervisor,
                    availability=availability,
                    starts_at=start,
                    duration_minutes=duration_minutes,
                    mode=mode,
                    capacity=capacity,
                    location=location,
                    joining_link=joining_link,
                    rate=supervisor.rate,
                )
            )
        )
    if not series.made:
        raise ValidationError("No session could be made from this: " + _skipped(series.skipped))
    return series


def _series_problem(
    supervisor: Supervisor, start: datetime | None, minutes: int, now: datetime
) -> str:
    if start is None:
        return "that time does not exist on the day the clocks go forward"
    if start <= now:
        return "in the past"
    if start > now + timedelta(days=HORIZON_DAYS):
        return "more than a year ahead"
    clash = overlapping(supervisor, start, start + timedelta(minutes=minutes))
    if clash is not None:
        return f"overlaps the session on {_label(clash.starts_at)}"
    return ""


def _skipped(skipped: list[tuple[date, str]]) -> str:
    return "; ".join(f"{day:%d %B %Y} ({why})" for day, why in skipped[:5]) or "no dates"


@transaction.atomic
def availability_end(*, availability: Availability, now: datetime | None = None) -> int:
    """Stop a weekly time: its future sessions nobody has booked go; booked ones stay."""
    now = now or timezone.now()
    unbooked = availability.slots.filter(status=SlotStatus.OPEN, starts_at__gt=now, taken=0)
    ended = unbooked.update(status=SlotStatus.CANCELLED)
    availability.last_day = max(availability.first_day, timezone.localdate())
    availability.save(update_fields=["last_day"])
    return ended


@transaction.atomic
def slot_update(*, slot: Slot, now: datetime | None = None, **fields: Any) -> Slot:
    """Change a session's place, link, size or fee. Its time changes only while nobody is
    booked; people booked are sent the updated details."""
    now = now or timezone.now()
    slot = Slot.objects.select_for_update().select_related("supervisor").get(pk=slot.pk)
    if slot.status != SlotStatus.OPEN:
        raise ValidationError("This session has been cancelled.")
    if slot.starts_at <= now:
        raise ValidationError("This session has started: it can no longer be changed.")
    moves = {k: v for k, v in fields.items() if k in ("starts_at", "duration_minutes")}
    if moves and any(getattr(slot, k) != v for k, v in moves.items()):
        if slot.taken:
            raise ValidationError(
                "People are booked on this session, so its time cannot change: cancel it and "
                "offer another."
            )
        _lock(slot.supervisor)
        start = moves.get("starts_at", slot.starts_at)
        minutes = moves.get("duration_minutes", slot.duration_minutes)
        _check_offer(slot.supervisor, start, fields.get("mode", slot.mode), now)
        clash = overlapping(slot.supervisor, start, start + timedelta(minutes=minutes), slot.pk)
        if clash is not None:
            raise ValidationError(
                {"starts_at": f"This overlaps the session on {_label(clash.starts_at)}."}
            )
    for name, value in fields.items():
        setattr(slot, name, value)
    slot.sequence += 1
    _store(slot)
    for booking in slot.bookings.filter(status=BookingStatus.CONFIRMED).select_related(
        "person", "service", "slot__supervisor__person"
    ):
        booking.sequence += 1
        booking.save(update_fields=["sequence"])
        invitations.booking_confirmed(booking)
    return slot


@transaction.atomic
def slot_cancel(
    *, slot: Slot, user: Any | None, reason: str = "", now: datetime | None = None
) -> Slot:
    """Cancel a session: everyone booked is told (with a calendar cancellation) and nobody is
    paid for it; the waiting list closes."""
    now = now or timezone.now()
    slot = (
        Slot.objects.select_for_update()
        .select_related("service", "supervisor__person")
        .get(pk=slot.pk)
    )
    if slot.status != SlotStatus.OPEN:
        raise ValidationError("This session is already cancelled.")
    if slot.starts_at <= now:
        raise ValidationError(
            "This session has started: it can no longer be cancelled. Record attendance instead."
        )
    bookings = list(
        slot.bookings.filter(status=BookingStatus.CONFIRMED).select_related("person", "service")
    )
    for booking in bookings:
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at, booking.cancelled_by = now, user
        booking.cancellation_reason = (reason or "The session was cancelled.")[:300]
        booking.sequence += 1
        booking.save()
    WaitingListEntry.objects.filter(
        slot=slot, status__in=[WaitingStatus.WAITING, WaitingStatus.OFFERED]
    ).update(status=WaitingStatus.CLOSED)
    slot.status = SlotStatus.CANCELLED
    slot.taken = 0
    slot.sequence += 1
    slot.save(update_fields=["status", "taken", "sequence"])
    invitations.session_cancelled(slot, bookings, reason)
    return slot
