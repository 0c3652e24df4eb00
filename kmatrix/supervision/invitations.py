"""Emails about sessions, with calendar invitations (.ics) made by core/ical.py.

A member of staff gets one event per booking (``supervision-booking-<id>``): METHOD:REQUEST
when it is booked or moved (its SEQUENCE raised, so calendars replace their copy) and
METHOD:CANCEL when it is cancelled. The supervisor gets one event per session
(``supervision-session-<id>``) listing everyone booked, sent again whenever that changes.
Mail is sent after the transaction commits, so a refused booking sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from email.mime.text import MIMEText
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from kmatrix.core import ical
from kmatrix.supervision.choices import BookingStatus, Mode
from kmatrix.supervision.models import Booking, Slot, SupervisionService, WaitingListEntry
from kmatrix.supervision.times import london


def _host() -> str:
    return urlparse(settings.SITE_URL).hostname or "kmatrix.invalid"


def booking_uid(booking: Booking) -> str:
    return f"supervision-booking-{booking.pk}@{_host()}"


def session_uid(slot: Slot) -> str:
    return f"supervision-session-{slot.pk}@{_host()}"


def when(slot: Slot) -> str:
    start = london(slot.starts_at)
    return f"{start:%A} {start.day} {start:%B %Y}, {start:%H:%M} to {london(slot.ends_at):%H:%M}"


def _where(slot: Slot, *, booked: bool) -> str:
    if slot.mode == Mode.IN_PERSON:
        return slot.location
    platform = slot.location or "Video call"
    return f"{platform}: {slot.joining_link}" if booked and slot.joining_link else platform


def _organizer(service: SupervisionService) -> str:
    return service.contact_email or _from_address()


def _from_address() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    return sender.rsplit("<", 1)[-1].rstrip(">") if "<" in sender else sender


def booking_event(booking: Booking, *, cancelled: bool = False) -> ical.Event:
    slot = booking.slot
    supervisor = slot.supervisor
    kind = "group" if slot.is_group else "individual"
    lines = [
        f"{kind.capitalize()} supervision with {supervisor.person.full_name} "
        f"({supervisor.get_profession_display()}).",
        f"{slot.get_mode_display()}: {_where(slot, booked=not cancelled)}",
        f"Your booking: {settings.SITE_URL}{booking.get_absolute_url()}",
    ]
    if booking.focus:
        lines.insert(1, f"What you would like to bring: {booking.focus}")
    return ical.Event(
        uid=booking_uid(booking),
        start=slot.starts_at,
        end=slot.ends_at,
        summary=f"Therapy supervision with {supervisor.person.full_name}",
        description="\n".join(lines),
        location=_where(slot, booked=not cancelled),
        url=f"{settings.SITE_URL}{booking.get_absolute_url()}",
        status="CANCELLED" if cancelled else "CONFIRMED",
        sequence=booking.sequence,
        organizer=_organizer(booking.service),
        attendees=tuple(e for e in (booking.person.email, supervisor.person.email) if e),
    )


def session_event(
    slot: Slot, attendees: Sequence[Booking], *, cancelled: bool = False
) -> ical.Event:
    names = ", ".join(b.person.full_name for b in attendees) or "nobody yet"
    return ical.Event(
        uid=session_uid(slot),
        start=slot.starts_at,
        end=slot.ends_at,
        summary=f"Supervision session ({len(attendees)} of {slot.capacity} booked)",
        description=f"Booked: {names}.\nThe session: {settings.SITE_URL}{slot.get_absolute_url()}",
        location=_where(slot, booked=True),
        url=f"{settings.SITE_URL}{slot.get_absolute_url()}",
        status="CANCELLED" if cancelled else "CONFIRMED",
        sequence=slot.sequence,
        organizer=_organizer(slot.service),
        attendees=tuple(b.person.email for b in attendees if b.person.email),
    )


def _calendar_part(event: ical.Event, method: str) -> MIMEText:
    part = MIMEText(ical.calendar([event], method=method), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def _send(
    service: SupervisionService,
    to: str,
    subject: str,
    body: str,
    event: ical.Event | None = None,
    method: str = "REQUEST",
) -> None:
    if not to:
        return
    message = EmailMessage(
        subject, body, to=[to], reply_to=[service.contact_email] if service.contact_email else None
    )
    if event is not None:
        message.attach(_calendar_part(event, method))
    message.send()


# The demo loads sessions and bookings of fictional people without emailing anyone.
_muted: ContextVar[bool] = ContextVar("supervision_mail_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def _later(send: object) -> None:
    if not _muted.get():
        transaction.on_commit(send)  # type: ignore[arg-type]


def _supervisor_update(slot: Slot, *, cancelled: bool = False) -> None:
    """Send the supervisor their session as it now stands."""
    booked = list(slot.bookings.filter(status=BookingStatus.CONFIRMED).select_related("person"))
    event = session_event(slot, booked, cancelled=cancelled)
    supervisor = slot.supervisor.person
    subject = f"{'Cancelled' if cancelled else 'Your session'}: {when(slot)}"
    body = (
        f"Dear {supervisor.full_name},\n\n"
        + (
            "This session has been cancelled.\n"
            if cancelled
            else f"{len(booked)} of {slot.capacity} places are booked "
            f"({', '.join(b.person.full_name for b in booked) or 'none yet'}).\n"
        )
        + f"\n{settings.SITE_URL}{slot.get_absolute_url()}\n"
    )
    _send(
        slot.service, supervisor.email, subject, body, event, "CANCEL" if cancelled else "REQUEST"
    )


def booking_confirmed(booking: Booking) -> None:
    def send() -> None:
        slot = booking.slot
        body = (
            f"Dear {booking.person.full_name},\n\n"
            f"Your supervision with {slot.supervisor.person.full_name} is booked for "
            f"{when(slot)}.\n{slot.get_mode_display()}: {_where(slot, booked=True)}\n\n"
            f"The invitation is attached. To cancel or move it, open your booking:\n"
            f"{settings.SITE_URL}{booking.get_absolute_url()}\n\n"
            f"Please cancel at least {booking.service.notice_hours} hours before the session; "
            "a later cancellation counts as a late cancellation and the session is still paid "
            "for.\n"
        )
        _send(
            booking.service,
            booking.person.email,
            f"Supervision booked: {when(slot)}",
            body,
            booking_event(booking),
        )
        _supervisor_update(slot)

    _later(send)


def booking_cancelled(booking: Booking, *, late: bool) -> None:
    def send() -> None:
        slot = booking.slot
        note = (
            "It was cancelled within the notice period, so it is recorded as a late cancellation.\n"
            if late
            else ""
        )
        body = (
            f"Dear {booking.person.full_name},\n\nYour supervision on {when(slot)} is cancelled.\n"
            f"{note}\nBook another session: {settings.SITE_URL}"
            f"{slot.service.get_absolute_url()}sessions/\n"
        )
        _send(
            booking.service,
            booking.person.email,
            f"Cancelled: supervision on {when(slot)}",
            body,
            booking_event(booking, cancelled=True),
            "CANCEL",
        )
        _supervisor_update(slot)

    _later(send)


def booking_moved(booking: Booking, old_slot: Slot) -> None:
    def send() -> None:
        slot = booking.slot
        body = (
            f"Dear {booking.person.full_name},\n\nYour supervision has moved from "
            f"{when(old_slot)} to {when(slot)}, with {slot.supervisor.person.full_name}.\n"
            f"{slot.get_mode_display()}: {_where(slot, booked=True)}\n\n"
            "The updated invitation is attached.\n"
            f"{settings.SITE_URL}{booking.get_absolute_url()}\n"
        )
        _send(
            booking.service,
            booking.person.email,
            f"Supervision moved to {when(slot)}",
            body,
            booking_event(booking),
        )
        _supervisor_update(old_slot)
        _supervisor_update(slot)

    _later(send)


def session_cancelled(slot: Slot, bookings: Sequence[Booking], reason: str) -> None:
    def send() -> None:
        for booking in bookings:
            body = (
                f"Dear {booking.person.full_name},\n\nThe supervision session on {when(slot)} "
                f"with {slot.supervisor.person.full_name} has been cancelled"
                + (f": {reason}" if reason else ".")
                + f"\n\nBook another session: {settings.SITE_URL}"
                f"{slot.service.get_absolute_url()}sessions/\n"
            )
            _send(
                slot.service,
                booking.person.email,
                f"Cancelled: supervision on {when(slot)}",
                body,
                booking_event(booking, cancelled=True),
                "CANCEL",
            )
        _supervisor_update(slot, cancelled=True)

    _later(send)


def place_offered(entry: WaitingListEntry) -> None:
    def send() -> None:
        slot = entry.slot
        expires = london(entry.offer_expires_at) if entry.offer_expires_at else None
        until = f"{expires:%A} {expires.day} {expires:%B}, {expires:%H:%M}" if expires else ""
        body = (
            f"Dear {entry.person.full_name},\n\nA place has come free in the supervision session "
            f"on {when(slot)} with {slot.supervisor.person.full_name}. It is held for you until "
            f"{until}.\n\nAccept or decline it here:\n{settings.SITE_URL}"
            f"{slot.service.get_absolute_url()}waiting/{entry.pk}/\n"
        )
        _send(
            slot.service, entry.person.email, f"A place is free: supervision on {when(slot)}", body
        )

    _later(send)
