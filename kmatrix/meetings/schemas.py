"""Request and response bodies of the meetings API (kmatrix/meetings/api.py).

Dates are ISO dates; times are UK wall-clock times (Europe/London) as on the pages, and
``starts_at``/``ends_at`` give the same moments as aware datetimes with their offset.
"""

from __future__ import annotations

from datetime import date, datetime, time

from ninja import Field, Schema

from kmatrix.core.access import Visibility
from kmatrix.meetings.models import ActionStatus, AttendanceStatus, DatePrecision, MeetingStatus
from kmatrix.networks.schemas import PatchInput, StrictInput


class GroupRef(Schema):
    id: int
    slug: str
    name: str


class MeetingOut(Schema):
    id: int
    title: str
    url: str
    network: str = Field(description="The network's slug")
    group: GroupRef | None
    programme: str | None = Field(description="The programme's slug, for a programme's event")
    date: date
    date_precision: DatePrecision
    when: str
    start_time: time | None
    end_time: time | None
    starts_at: datetime | None
    ends_at: datetime | None
    place: str
    is_virtual: bool
    status: MeetingStatus
    visibility: Visibility


class PaperOut(Schema):
    title: str
    url: str


class LibraryPaperOut(Schema):
    id: int
    title: str
    url: str


class AgendaItemOut(Schema):
    id: int
    position: int
    title: str
    presenter: str = Field(description="As the page shows it; empty when not shown to you")
    notes: str
    programme: str | None
    papers: list[PaperOut] = Field(description="Papers outside the library")
    library_papers: list[LibraryPaperOut] = Field(
        description="Papers from the library that you may read"
    )


class AttendanceOut(Schema):
    person_id: int
    name: str
    status: AttendanceStatus


class LinkOut(Schema):
    kind: str = Field(description="theme, programme, indicator or plan (an improvement plan)")
    id: int
    name: str


class ActionOut(Schema):
    id: int
    url: str
    title: str
    description: str
    owner: str = Field(description="The person or group; 'Someone you cannot see' otherwise")
    owner_person_id: int | None
    owner_group: GroupRef | None
    due_on: date | None
    status: ActionStatus
    overdue: bool
    closed_on: date | None
    result: str
    meeting_id: int
    meeting: str
    decision: int | None = Field(description="The number of the decision it came from")


class DecisionOut(Schema):
    id: int
    number: int
    text: str
    links: list[LinkOut]
    actions: list[ActionOut]


class MeetingDetail(MeetingOut):
    minutes: str
    attendance_note: str
    agenda: list[AgendaItemOut]
    carried_actions: list[ActionOut] = Field(
        description="Actions from the group's earlier meetings still open when this one met"
    )
    attendance: list[AttendanceOut]
    decisions: list[DecisionOut]
    other_actions: list[ActionOut]


class MeetingIn(StrictInput):
    title: str
    date: date
    date_precision: DatePrecision = DatePrecision.DAY
    start_time: time | None = Field(None, description="UK time, e.g. 10:00")
    end_time: time | None = None
    location: str = ""
    is_virtual: bool = False
    join_url: str = ""
    status: MeetingStatus = MeetingStatus.SCHEDULED
    minutes: str = ""
    visibility: Visibility | None = Field(None, description="Defaults to the group's")


class DecisionIn(StrictInput):
    number: int | None = Field(None, description="Leave out for the next number")
    text: str
    themes: list[int] = Field(default_factory=list, description="Theme ids")
    programmes: list[str] = Field(default_factory=list, description="Programme slugs")
    indicators: list[str] = Field(default_factory=list, description="Indicator codes")
    plans: list[int] = Field(
        default_factory=list, description="Ids of the network's improvement plans you may read"
    )


class ActionIn(StrictInput):
    title: str
    description: str = ""
    decision: int | None = Field(None, description="Number of the meeting's decision")
    owner: int | None = Field(None, description="Person id")
    owner_group: str | None = Field(None, description="Slug of one of the network's groups")
    due_on: date | None = None
    status: ActionStatus = ActionStatus.OPEN


class ActionPatch(PatchInput):
    status: ActionStatus = ActionStatus.OPEN
    result: str = ""
    closed_on: date | None = None
