"""iCalendar (RFC 5545) text for meeting feeds and booking invitations.

Times are written in UTC (``...Z``), so no VTIMEZONE block is needed: calendar programs show
them in the reader's own zone, and a meeting at 10:00 Europe/London stays at 10:00 across a
clock change because the aware datetime already carries the right offset. An event whose
start and end are dates rather than datetimes is an all-day event (``VALUE=DATE``; its end is
the day after its last day, as the RFC counts). Text values are escaped and long lines folded
at 75 octets, as the RFC requires.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.http import HttpResponse

PRODID = "-//Knowledge Matrix//Knowledge Matrix//EN"
METHODS = ("PUBLISH", "REQUEST", "CANCEL")
STATUSES = ("TENTATIVE", "CONFIRMED", "CANCELLED")


@dataclass(frozen=True)
class Event:
    """One VEVENT. ``start`` and ``end`` are timezone-aware datetimes, or both dates for an
    all-day event (``end`` is then the day after the last day)."""

    uid: str
    start: datetime | date
    end: datetime | date
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    status: str = "CONFIRMED"
    # Raise it each time the event changes, so that calendars replace their copy.
    sequence: int = 0
    organizer: str = ""  # an e-mail address
    attendees: tuple[str, ...] = ()  # e-mail addresses


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newlines escaped (RFC 5545 3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line into 75-octet pieces without splitting a UTF-8 character."""
    pieces: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, 74  # continuation lines start with a space
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def utc_stamp(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("iCalendar times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _when(event: Event) -> tuple[str, str]:
    """The DTSTART and DTEND lines: UTC times, or dates for an all-day event."""
    timed = isinstance(event.start, datetime), isinstance(event.end, datetime)
    if timed == (True, True):
        start, end = utc_stamp(event.start), utc_stamp(event.end)  # type: ignore[arg-type]
        if event.end <= event.start:
            raise ValueError("An event must end after it starts")
        return f"DTSTART:{start}", f"DTEND:{end}"
    if timed != (False, False):
        raise ValueError("An event's start and end must both be datetimes or both be dates")
    if event.end <= event.start:
        raise ValueError("An all-day event ends on a later day than it starts")
    return (
        f"DTSTART;VALUE=DATE:{event.start:%Y%m%d}",
        f"DTEND;VALUE=DATE:{event.end:%Y%m%d}",
    )


def _event_lines(event: Event, stamp: str) -> list[str]:
    if event.status not in STATUSES:
        raise ValueError(f"Unknown event status {event.status!r}")
    start, end = _when(event)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{stamp}",
        start,
        end,
        f"SUMMARY:{escape_text(event.summary)}",
        f"STATUS:{event.status}",
        f"SEQUENCE:{event.sequence}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    if event.organizer:
        lines.append(f"ORGANIZER:mailto:{event.organizer}")
    lines += [f"ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:{a}" for a in event.attendees]
    lines.append("END:VEVENT")
    return lines


def calendar(
    events: Iterable[Event],
    *,
    name: str = "",
    method: str = "PUBLISH",
    stamp: datetime | None = None,
) -> str:
    """A whole VCALENDAR: ``PUBLISH`` for a subscribed feed, ``REQUEST`` for an invitation,
    ``CANCEL`` to withdraw one. ``stamp`` (default now) is every event's DTSTAMP."""
    if method not in METHODS:
        raise ValueError(f"Unknown calendar method {method!r}")
    stamped = utc_stamp(stamp or datetime.now(UTC))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for event in events:
        lines += _event_lines(event, stamped)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def calendar_response(text: str, filename: str, *, attachment: bool = False) -> HttpResponse:
    """Serve calendar text; a feed is inline (calendar programs subscribe to the address),
    an invitation download is an attachment."""
    response = HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
