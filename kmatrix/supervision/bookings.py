"""Booking sessions: book, cancel, move, record attendance, and the waiting list.

No session is ever booked beyond its places. ``Slot.taken`` counts confirmed bookings and
places held for a waiting-list offer, and a database constraint refuses it above the
session's capacity. A booking takes its place with one ``UPDATE ... SET taken = taken + 1``:
when two people book the last place at once, the database makes the second update wait for
the first transaction, then the constraint fails it, and that person is told the place has
just gone (``FULL``). A second constraint allows one confirmed booking per person and session.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from kmatrix.networks.models import Organisation, Person
from kmatrix.supervision import invitations
from kmatrix.supervision.choices import (
    Attendance,
    BookingStatus,
    SlotStatus,
    SupervisorStatus,
    WaitingStatus,
)
from kmatrix.supervision.models import Booking, Slot, StatementLine, WaitingListEntry
from kmatrix.supervision.times import london

FULL = (
    "Sorry, the last place in this session has just been taken. Join its waiting list, or "
    "choose another session."
)
ALREADY_BOOKED = "You are already booked on this session."
BUSY = "Many people are booking at this moment, so the booking could not be made. Try again."
# A place that frees up is offered only while there is time to take it up.
LAST_OFFER_BEFORE = timedelta(hours=1)


P = ParamSpec("P")
R = TypeVar("R")


def _refused_when_busy(func: Callable[P, R]) -> Callable[P, R]:
    """SQLite lets one transaction write at a time and makes the others wait (busy_timeout);
    one that waits too long (or, in the tests' shared in-memory database, at all) is told to
    try again rather than shown an error. PostgreSQL never gets here: its row locks wait."""

    @wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            raise ValidationError(BUSY) from None

    return run


def _slot(slot_id: int) -> Slot:
    found = (
        Slot.objects.select_related("service__network", "supervisor__person")
        .filter(pk=slot_id)
        .first()
    )
    if found is None:
        raise ValidationError("There is no such session.")
    return found


def bookable_problem(slot: Slot, now: datetime) -> str:
    """Why nobody can book ``slot`` now, or "" if they can (places aside)."""
    if slot.status != SlotStatus.OPEN:
        return "This session has been cancelled."
    if slot.starts_at <= now:
        return "This session is in the past: choose one that has not started."
    supervisor = slot.supervisor
    if supervisor.status != SupervisorStatus.ACTIVE:
        return f"{supervisor} is not taking bookings at the moment."
    day = london(slot.starts_at).date()
    if not supervisor.cleared_on(day):
        return (
            f"{supervisor}'s vetting checks are not all valid on {day.day} {day:%B %Y}, so this "
            "session cannot be booked."
        )
    return ""


def _refuse_for_person(
    slot: Slot, person: Person, now: datetime, ignore: int | None = None
) -> None:
    if slot.supervisor.person_id == person.pk:
        raise ValidationError("You cannot book a session you supervise.")
    mine = Booking.objects.filter(person=person, status=BookingStatus.CONFIRMED)
    if ignore is not None:
        mine = mine.exclude(pk=ignore)
    if mine.filter(slot=slot).exists():
        raise ValidationError(ALREADY_BOOKED)
    clash = (
        mine.filter(slot__starts_at__lt=slot.ends_at, slot__ends_at__gt=slot.starts_at)
        .select_related("slot")
        .first()
    )
    if clash is not None:
        at = london(clash.slot.starts_at)
        raise ValidationError(
            f"You already have supervision booked then ({at:%A} {at.day} {at:%B}, {at:%H:%M})."
        )


def _take_place(slot: Slot) -> None:
    """Take one place, or fail with ``FULL`` if there is none (decided by the database)."""
    try:
        with transaction.atomic():
            updated = Slot.objects.filter(pk=slot.pk, status=SlotStatus.OPEN).update(
                taken=F("taken") + 1, sequence=F("sequence") + 1
            )
    except IntegrityError:
        raise ValidationError(FULL) from None
    if not updated:
        raise ValidationError("This session has just been cancelled.")
    slot.taken += 1
    slot.sequence += 1


def _free_place(slot: Slot) -> None:
    Slot.objects.filter(pk=slot.pk).update(taken=F("taken") - 1, sequence=F("sequence") + 1)
    slot.taken -= 1
    slot.sequence += 1


def _bookable_slot(slot_id: int, now: datetime) -> Slot:
    """The session, once offers that lapsed are released, if anyone may book it now."""
    waiting_offers_lapse(now=now, slot_id=slot_id)
    slot = _slot(slot_id)
    problem = bookable_problem(slot, now)
    if problem:
        raise ValidationError(problem)
    return slot


def _insert_booking(
    slot: Slot,
    person: Person,
    organisation: Organisation,
    profession: str,
    focus: str,
    user: Any | None,
) -> Booking:
    """Record the booking of a place already taken; one confirmed booking per person and
    session (a database constraint)."""
    booking = Booking(
        service=slot.service,
        slot=slot,
        person=person,
        organisation=organisation,
        profession=profession,
        focus=focus,
        booked_by=user,
    )
    booking.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError:
        raise ValidationError(ALREADY_BOOKED) from None
    return booking


@_refused_when_busy
@transaction.atomic
def booking_create(
    *,
    slot_id: int,
    person: Person,
    organisation: Organisation,
    profession: str,
    focus: str = "",
    user: Any | None = None,
    now: datetime | None = None,
) -> Booking:
    """Book a place for ``person`` (staff of ``organisation``, a member provider)."""
    now = now or timezone.now()
    slot = _bookable_slot(slot_id, now)
    offer = WaitingListEntry.objects.filter(
        slot=slot, person=person, status=WaitingStatus.OFFERED
    ).first()
    if offer is not None:
        return waiting_offer_accept(entry=offer, user=user, now=now)
    _refuse_for_person(slot, person, now)
    if slot.taken >= slot.capacity:
        raise ValidationError(FULL)
    _take_place(slot)
    booking = _insert_booking(slot, person, organisation, profession, focus, user)
    WaitingListEntry.objects.filter(slot=slot, person=person, status=WaitingStatus.WAITING).update(
        status=WaitingStatus.BOOKED, booking=booking
    )
    invitations.booking_confirmed(booking)
    return booking


def _locked(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot__supervisor__person", "slot__service__network", "person", "service")
        .get(pk=booking.pk)
    )


def is_late(slot: Slot, now: datetime) -> bool:
    return slot.starts_at - now < timedelta(hours=slot.service.notice_hours)


@transaction.atomic
def booking_cancel(
    *, booking: Booking, user: Any | None, reason: str = "", now: datetime | None = None
) -> Booking:
    """Cancel a booking before the session starts. Within the notice period it is a late
    cancellation (the supervisor is still paid). The place goes to the waiting list."""
    now = now or timezone.now()
    booking = _locked(booking)
    slot = booking.slot
    if booking.status != BookingStatus.CONFIRMED:
        raise ValidationError("This booking is already cancelled.")
    if slot.starts_at <= now:
        raise ValidationError(
            "The session has started, so the booking can no longer be cancelled. The supervisor "
            "or the project manager records what happened."
        )
    late = is_late(slot, now)
    booking.status = BookingStatus.CANCELLED
    booking.attendance = Attendance.CANCELLED_LATE if late else Attendance.NOT_RECORDED
    booking.cancelled_at, booking.cancelled_by = now, user
    booking.cancellation_reason = reason[:300]
    booking.sequence += 1
    booking.save()
    _free_place(slot)
    invitations.booking_cancelled(booking, late=late)
    offer_next(slot=slot, now=now)
    return booking


@_refused_when_busy
@transaction.atomic
def booking_reschedule(
    *, booking: Booking, slot_id: int, user: Any | None, now: datetime | None = None
) -> Booking:
    """Move a booking to another session of the service, before the notice period starts."""
    now = now or timezone.now()
    booking = _locked(booking)
    old = booking.slot
    if booking.status != BookingStatus.CONFIRMED:
        raise ValidationError("This booking is cancelled: book a new session instead.")
    if old.starts_at <= now:
        raise ValidationError("The session has started, so the booking can no longer be moved.")
    if is_late(old, now):
        raise ValidationError(
            f"Less than {old.service.notice_hours} hours before the session the booking can no "
            "longer be moved. You can still cancel it (a late cancellation)."
        )
    new = _bookable_slot(slot_id, now)
    if new.pk == old.pk:
        raise ValidationError("Choose a different session.")
    if new.service_id != old.service_id:
        raise ValidationError("Choose a session of the same service.")
    _refuse_for_person(new, booking.person, now, ignore=booking.pk)
    if new.taken >= new.capacity:
        raise ValidationError(FULL)
    _take_place(new)
    booking.slot = new
    booking.sequence += 1
    booking.save()
    _free_place(old)
    invitations.booking_moved(booking, old)
    offer_next(slot=old, now=now)
    return booking


ATTENDANCE_CHOICES = {Attendance.ATTENDED, Attendance.NO_SHOW, Attendance.NOT_RECORDED}


@transaction.atomic
def attendance_record(*, booking: Booking, attendance: str, now: datetime | None = None) -> Booking:
    """Record whether someone booked came (attended or did not attend), once the session has
    started and until it is paid. Late cancellations are recorded when they happen."""
    now = now or timezone.now()
    booking = _locked(booking)
    if booking.status != BookingStatus.CONFIRMED:
        raise ValidationError(
            f"{booking.person} cancelled this booking"
            + (" late" if booking.attendance == Attendance.CANCELLED_LATE else "")
            + "; there is no attendance to record."
        )
    if attendance not in ATTENDANCE_CHOICES:
        raise ValidationError({"attendance": "Choose attended or did not attend."})
    if booking.slot.starts_at > now:
        raise ValidationError("Attendance can be recorded once the session has started.")
    paid = StatementLine.objects.filter(slot_id=booking.slot_id).select_related("statement").first()
    if paid is not None:
        raise ValidationError(
            f"This session has been paid (statement {paid.statement.number}): its attendance "
            "can no longer change."
        )
    if booking.attendance != attendance:
        booking.attendance = attendance
        booking.save(update_fields=["attendance"])
    return booking


# --- The waiting list ----------------------------------------------------------------------


@transaction.atomic
def waiting_join(
    *,
    slot_id: int,
    person: Person,
    organisation: Organisation,
    profession: str,
    focus: str = "",
    now: datetime | None = None,
) -> WaitingListEntry:
    """Wait for a place in a full session."""
    now = now or timezone.now()
    slot = _bookable_slot(slot_id, now)
    _refuse_for_person(slot, person, now)
    if slot.taken < slot.capacity:
        raise ValidationError("There is a free place in this session: book it instead.")
    if WaitingListEntry.objects.filter(
        slot=slot, person=person, status__in=[WaitingStatus.WAITING, WaitingStatus.OFFERED]
    ).exists():
        raise ValidationError("You are already on this session's waiting list.")
    entry = WaitingListEntry(
        service=slot.service,
        slot=slot,
        person=person,
        organisation=organisation,
        profession=profession,
        focus=focus,
    )
    entry.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise ValidationError("You are already on this session's waiting list.") from None
    return entry


def offer_next(*, slot: Slot, now: datetime) -> list[WaitingListEntry]:
    """Offer each free place of ``slot`` to the next person waiting, holding it for them."""
    offered: list[WaitingListEntry] = []
    expires = min(
        now + timedelta(hours=slot.service.offer_hours), slot.starts_at - LAST_OFFER_BEFORE
    )
    if expires <= now or slot.status != SlotStatus.OPEN:
        return offered
    queue = WaitingListEntry.objects.filter(slot=slot, status=WaitingStatus.WAITING).select_related(
        "person", "slot__supervisor__person", "slot__service__network"
    )
    for entry in queue.order_by("created_at", "pk"):
        if slot.taken >= slot.capacity:
            break
        try:
            _take_place(slot)
        except ValidationError:
            break
        entry.status = WaitingStatus.OFFERED
        entry.offered_at, entry.offer_expires_at = now, expires
        entry.save()
        invitations.place_offered(entry)
        offered.append(entry)
    return offered


def _release(entry: WaitingListEntry, status: str, now: datetime) -> None:
    entry.status = status
    entry.save(update_fields=["status"])
    slot = Slot.objects.select_related("service").get(pk=entry.slot_id)
    _free_place(slot)
    offer_next(slot=slot, now=now)


@_refused_when_busy
@transaction.atomic
def waiting_offer_accept(
    *, entry: WaitingListEntry, user: Any | None, now: datetime | None = None
) -> Booking:
    """Take up the place held for you."""
    now = now or timezone.now()
    entry = WaitingListEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != WaitingStatus.OFFERED:
        raise ValidationError("There is no place held for you in this session.")
    assert entry.offer_expires_at is not None  # a database constraint
    if entry.offer_expires_at <= now:
        _release(entry, WaitingStatus.LAPSED, now)
        raise ValidationError(
            "Sorry, the offer has lapsed and the place has gone to the next person."
        )
    slot = _slot(entry.slot_id)
    problem = bookable_problem(slot, now)
    if problem:
        raise ValidationError(problem)
    _refuse_for_person(slot, entry.person, now)
    booking = _insert_booking(
        slot, entry.person, entry.organisation, entry.profession, entry.focus, user
    )
    entry.status, entry.booking = WaitingStatus.BOOKED, booking
    entry.save(update_fields=["status", "booking"])
    Slot.objects.filter(pk=slot.pk).update(sequence=F("sequence") + 1)
    slot.sequence += 1
    invitations.booking_confirmed(booking)
    return booking


@transaction.atomic
def waiting_leave(*, entry: WaitingListEntry, now: datetime | None = None) -> WaitingListEntry:
    """Leave the waiting list, or decline a place held for you (it goes to the next person)."""
    now = now or timezone.now()
    entry = WaitingListEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status == WaitingStatus.OFFERED:
        _release(entry, WaitingStatus.LEFT, now)
    elif entry.status == WaitingStatus.WAITING:
        entry.status = WaitingStatus.LEFT
        entry.save(update_fields=["status"])
    else:
        raise ValidationError("You are not waiting for this session.")
    return entry


def waiting_offers_lapse(*, now: datetime | None = None, slot_id: int | None = None) -> int:
    """Release places held for offers that were not taken up in time, and offer them on."""
    now = now or timezone.now()
    lapsed = WaitingListEntry.objects.filter(
        status=WaitingStatus.OFFERED, offer_expires_at__lte=now
    )
    if slot_id is not None:
        lapsed = lapsed.filter(slot_id=slot_id)
    count = 0
    with transaction.atomic():
        for entry in lapsed.select_for_update().order_by("offer_expires_at", "pk"):
            _release(entry, WaitingStatus.LAPSED, now)
            count += 1
    return count
