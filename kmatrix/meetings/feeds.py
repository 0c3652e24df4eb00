"""Meetings as calendar events (core/ical.py writes the text).

A meeting with times is a timed event in UTC (so 10:00 in London stays 10:00 across a clock
change); a meeting whose day is known but not its time is an all-day event; one known only to
the month is in no feed. Each event's UID is stable, and its SEQUENCE rises when the meeting's
time, place or status changes, so subscribed calendars replace their copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse

from kmatrix.core import ical
from kmatrix.meetings import services
from kmatrix.meetings.models import Meeting, MeetingStatus
from kmatrix.networks.models import Group


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "kmatrix.invalid"


def event(meeting: Meeting) -> ical.Event | None:
    if meeting.date_precision != "day":
        return None
    start, end = meeting.starts_at, meeting.ends_at
    agenda = [item.title for item in meeting.agenda.all()]
    url = settings.SITE_URL + meeting.get_absolute_url()
    description = (
        "\n".join(["Agenda:", *(f"{i}. {t}" for i, t in enumerate(agenda, 1))]) if agenda else ""
    )
    return ical.Event(
        uid=f"meeting-{meeting.pk}@{_host()}",
        start=start if start is not None else meeting.date,
        end=end if end is not None else meeting.date + timedelta(days=1),
        summary=meeting.title,
        description="\n\n".join(part for part in (description, url) if part),
        location=meeting.place
        if not meeting.join_url
        else f"{meeting.place} {meeting.join_url}".strip(),
        url=url,
        status="CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED",
        sequence=meeting.sequence,
    )


def feed(meetings: Iterable[Meeting], name: str) -> HttpResponse:
    events = [e for e in (event(m) for m in meetings) if e is not None]
    response = ical.calendar_response(ical.calendar(events, name=name), "meetings.ics")
    # Calendars poll the address; a private feed must not sit in shared caches.
    response["Cache-Control"] = "private, max-age=900"
    return response


def webcal(address: str) -> str:
    """The same address for calendar programs to subscribe to (webcal://)."""
    return "webcal://" + address.split("://", 1)[-1]


def subscribe_addresses(user: Any, group: Group) -> dict[str, Any]:
    """Where to subscribe to a group's calendar: through the person's secret address when
    signed in (the feed then shows what they may read), the open address otherwise."""
    private = bool(getattr(user, "is_authenticated", False))
    if private:
        token = services.calendar_token(user)
        path = reverse("meetings:group_feed_for", args=[token, group.pk])
    else:
        path = reverse("meetings:group_feed", args=[group.network.slug, group.slug])
    address = settings.SITE_URL + path
    return {
        "address": address,
        "webcal": webcal(address),
        "private": private,
    }
