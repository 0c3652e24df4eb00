"""Writes to meetings, agendas, attendance, decisions and actions, and the calendar addresses.

Each function validates with ``full_clean()`` under one transaction. Decision numbers are unique
within a meeting in the database as well; a clash found only by the database (two people
numbering at once) is still reported as the same field error.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from kmatrix.core.services import validated_save
from kmatrix.library.services import search_index_update
from kmatrix.meetings import schedule
from kmatrix.meetings.models import (
    CLOSED_STATUSES,
    Action,
    AgendaItem,
    AgendaPaper,
    Attendance,
    CalendarFeed,
    Decision,
    DecisionLink,
    Meeting,
)
from kmatrix.networks.models import Group, Person

# Changes to these make calendars replace their copy of the meeting (its SEQUENCE goes up).
CALENDAR_FIELDS = (
    "date",
    "date_precision",
    "start_time",
    "end_time",
    "location",
    "is_virtual",
    "status",
    "title",
)


# --- Meetings ------------------------------------------------------------------------------


@transaction.atomic
def meeting_save(*, meeting: Meeting | None = None, **fields: Any) -> Meeting:
    """Create or update a meeting; a group's meeting belongs to the group's network."""
    obj = meeting or Meeting()
    group = fields.get("group", obj.group if obj.group_id else None)
    if group is not None:
        fields.setdefault("network", group.network)
        if obj.pk is None:
            fields.setdefault("visibility", group.visibility)
    if obj.pk is not None and any(
        name in fields and fields[name] != getattr(obj, name) for name in CALENDAR_FIELDS
    ):
        fields["sequence"] = obj.sequence + 1
    saved: Meeting = validated_save(obj, **fields)
    _meeting_reindex(saved)
    return saved


def _meeting_reindex(meeting: Meeting) -> None:
    """The search re-reads the meeting and its decisions (whose titles carry the meeting's)."""
    search_index_update(kind="meeting", ids=[meeting.pk])
    search_index_update(kind="decision", ids=list(meeting.decisions.values_list("pk", flat=True)))


@dataclass(frozen=True)
class Scheduled:
    made: list[Meeting]
    skipped: list[date]  # days the group already had a meeting on


@transaction.atomic
def meetings_schedule(
    *,
    group: Group,
    first: date,
    until: date,
    start_time: time,
    end_time: time,
    title: str = "",
    location: str = "",
    is_virtual: bool = False,
    join_url: str = "",
) -> Scheduled:
    """Meetings on the group's cadence from ``first`` to ``until`` at the same UK time. Days
    the group already meets are skipped, so scheduling again adds only what is missing."""
    try:
        slots = schedule.meetings(group.cadence, first, until, start_time, end_time)
    except schedule.ScheduleError as error:
        raise ValidationError(str(error)) from None
    taken = set(
        group.meetings.filter(date__gte=first, date__lte=until).values_list("date", flat=True)
    )
    made, skipped = [], []
    for start, _end in slots:
        day = start.date()
        if day in taken:
            skipped.append(day)
            continue
        made.append(
            meeting_save(
                group=group,
                title=title or group.name,
                date=day,
                start_time=start_time,
                end_time=end_time,
                location=location,
                is_virtual=is_virtual,
                join_url=join_url,
            )
        )
    return Scheduled(made, skipped)


# --- Agenda, attendance and minutes --------------------------------------------------------


@transaction.atomic
def agenda_item_save(
    *,
    item: AgendaItem | None = None,
    meeting: Meeting,
    papers: Sequence[tuple[str, str]] | None = None,
    resources: Iterable[Any] | None = None,
    **fields: Any,
) -> AgendaItem:
    """Add or change an agenda item; new items go to the end. ``papers`` are (title, address)
    of papers outside the library; ``resources`` the library's papers (replacing any it had),
    each of the meeting's network. The caller has checked the editor may read them."""
    obj = item or AgendaItem(meeting=meeting)
    if obj.pk is None and "position" not in fields:
        last = meeting.agenda.aggregate(last=Max("position"))["last"]
        fields["position"] = (last or 0) + 1
    saved: AgendaItem = validated_save(obj, **fields)
    if papers is not None:
        saved.papers.all().delete()
        for title, url in papers:
            validated_save(AgendaPaper(item=saved), title=title, url=url)
    if resources is not None:
        chosen = list(dict.fromkeys(resources))
        for resource in chosen:
            if resource.network_id != meeting.network_id:
                raise ValidationError({"resources": f"“{resource}” is another network's."})
        saved.resources.set(chosen)
    search_index_update(kind="meeting", ids=[meeting.pk])
    return saved


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem) -> None:
    item.delete()
    search_index_update(kind="meeting", ids=[item.meeting_id])


@transaction.atomic
def attendance_set(
    *, meeting: Meeting, records: Iterable[tuple[Person, str, str]], note: str | None = None
) -> list[Attendance]:
    """Record who came and who sent apologies: (person, status, role) for each person."""
    wanted = {person.pk: (person, status, role) for person, status, role in records}
    meeting.attendance.exclude(person_id__in=list(wanted)).delete()
    saved = []
    for person, status, role in wanted.values():
        found = meeting.attendance.filter(person=person).first() or Attendance(
            meeting=meeting, person=person
        )
        saved.append(validated_save(found, status=status, role_note=role))
    if note is not None:
        meeting.attendance_note = note
        meeting.save(update_fields=["attendance_note", "updated_at"])
    return saved


# --- Decisions -----------------------------------------------------------------------------


def _next_number(meeting: Meeting) -> int:
    return (meeting.decisions.aggregate(last=Max("number"))["last"] or 0) + 1


@transaction.atomic
def decision_save(
    *,
    decision: Decision | None = None,
    meeting: Meeting,
    text: str,
    number: int | None = None,
    links: Iterable[Any] | None = None,
) -> Decision:
    """Record a decision, numbered next in the meeting unless a number is given; a number the
    meeting already has is a field error. ``links`` are the themes, programmes, indicators and
    improvement plans it is about (replacing any it had)."""
    obj = decision or Decision(meeting=meeting)
    chosen = number if number is not None else (obj.number or _next_number(meeting))
    clash = meeting.decisions.filter(number=chosen).exclude(pk=obj.pk)
    if clash.exists():
        raise ValidationError({"number": f"This meeting already has a decision {chosen}."})
    try:
        with transaction.atomic():
            saved: Decision = validated_save(obj, number=chosen, text=text)
    except IntegrityError:
        raise ValidationError(
            {"number": f"This meeting already has a decision {chosen}."}
        ) from None
    if links is not None:
        decision_links_set(decision=saved, targets=links)
    search_index_update(kind="decision", ids=[saved.pk])
    return saved


# The model each kind of target is, and the link's field that holds it.
LINK_FIELDS = {
    "theme": "theme",
    "programme": "programme",
    "indicator": "indicator",
    "improvementplan": "plan",
}


def decision_links_set(*, decision: Decision, targets: Iterable[Any]) -> list[DecisionLink]:
    """Link a decision to themes, programmes, indicators and improvement plans (each by its
    model). The caller has checked the editor may read each target."""
    decision.links.all().delete()
    network_id = decision.meeting.network_id
    made = []
    for target in dict.fromkeys(targets):
        name = LINK_FIELDS.get(target._meta.model_name)
        if name is None:
            raise ValidationError({"links": f"A decision cannot be linked to {target}."})
        if name == "theme" and not target.adoptions.filter(network_id=network_id).exists():
            raise ValidationError({"links": f"The network has not adopted the theme {target}."})
        if name != "theme" and target.network_id != network_id:
            raise ValidationError({"links": f"{target} belongs to another network."})
        made.append(validated_save(DecisionLink(decision=decision), **{name: target}))
    search_index_update(kind="decision", ids=[decision.pk])  # its themes
    return made


# --- Actions -------------------------------------------------------------------------------


@transaction.atomic
def action_save(*, action: Action | None = None, meeting: Meeting, **fields: Any) -> Action:
    """Create or change an action raised at ``meeting``. It needs an owner (a person or a
    group); closing it (done or dropped) without a date closes it today."""
    obj = action or Action(meeting=meeting)
    if fields.get("status") in CLOSED_STATUSES and not fields.get("closed_on"):
        fields["closed_on"] = obj.closed_on or timezone.localdate()
    saved: Action = validated_save(obj, **fields)
    return saved


@transaction.atomic
def action_progress(
    *, action: Action, status: str, result: str = "", closed_on: date | None = None
) -> Action:
    """What an owner records as they go: the status, what came of it and when it closed."""
    return action_save(
        action=action, meeting=action.meeting, status=status, result=result, closed_on=closed_on
    )


# --- Calendar addresses --------------------------------------------------------------------

_FEED_SALT = "kmatrix.meetings.calendar-feed"


def _digest(user_id: int, key: str) -> str:
    return salted_hmac(_FEED_SALT, f"{user_id}:{key}", algorithm="sha256").hexdigest()


def _key(user_id: int) -> str:
    # No row yet means the first address, whose key is empty: showing it writes nothing.
    key = CalendarFeed.objects.filter(user_id=user_id).values_list("key", flat=True).first()
    return key or ""


def calendar_token(user: Any) -> str:
    """The secret part of the user's calendar address."""
    return f"{user.pk}-{_digest(user.pk, _key(user.pk))}"


@transaction.atomic
def calendar_reset(*, user: Any) -> str:
    """A new calendar address for the user; the old one stops working at once."""
    CalendarFeed.objects.update_or_create(user=user, defaults={"key": secrets.token_hex(32)})
    return calendar_token(user)


def calendar_user(token: str) -> Any | None:
    """The active user whose calendar address carries ``token``, or None."""
    user_part, _, digest = token.partition("-")
    if not user_part.isdigit() or len(digest) != 64:
        return None
    user_id = int(user_part)
    if not constant_time_compare(digest, _digest(user_id, _key(user_id))):
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is not None:
        CalendarFeed.objects.filter(user_id=user_id).update(last_used_at=timezone.now())
    return user
