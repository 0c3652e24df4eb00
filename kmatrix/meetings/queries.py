"""Reads for the meeting pages, the action tracker, the calendar feeds, the API and other apps,
each through the access helper. People named on a page (presenters, attendees, owners) are
shown only when the viewer may see them.

Other apps call these named functions (never the models):

- ``board_meetings``: each group's meetings in a date range with what they discussed and
  decided, per strategic theme, for the Board paper;
- ``meeting_search_records``/``meeting_search_documents`` and ``decision_search_records``/
  ``decision_search_documents``: the platform search's records and plain-text documents (the
  library's contract), and ``search_visible``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from kmatrix.core.access import Viewer, get_for, visible
from kmatrix.core.search import SearchDocument
from kmatrix.improvement.queries import readable_plans
from kmatrix.indicators.queries import indicators_for
from kmatrix.library.queries import CatalogueFilters, catalogue, resource_readable
from kmatrix.meetings.models import (
    OPEN_STATUSES,
    Action,
    AgendaItem,
    Attendance,
    Decision,
    DecisionLink,
    Meeting,
)
from kmatrix.networks.models import Group, Network, Person, Theme
from kmatrix.programmes.models import Programme
from kmatrix.programmes.queries import programmes_of, theme_order

HIDDEN = "Someone you cannot see"  # an owner the viewer may not see, in their place

# --- What a page is about ------------------------------------------------------------------


def network_for(viewer: Viewer, slug: str) -> Network:
    return get_for(viewer, Network.objects.all(), slug=slug)


def group_for(viewer: Viewer, network: Network, slug: str, *, write: bool = False) -> Group:
    return get_for(
        viewer,
        Group.objects.filter(network=network).select_related("network"),
        write=write,
        slug=slug,
    )


def _meetings() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("network", "group", "programme")


def meetings_of(viewer: Viewer, network: Network) -> QuerySet[Meeting]:
    return visible(viewer, _meetings().filter(network=network))


def meeting_for(viewer: Viewer, network: Network, pk: int, *, write: bool = False) -> Meeting:
    return get_for(viewer, _meetings().filter(network=network), write=write, pk=pk)


def _actions() -> QuerySet[Action]:
    return Action.objects.select_related(
        "meeting__network", "meeting__group", "decision", "owner", "owner_group"
    )


def visible_actions(viewer: Viewer, meetings: QuerySet[Meeting] | None = None) -> QuerySet[Action]:
    """The actions of the meetings the viewer may read (an action is read with its meeting).

    Filtering through the meetings the access helper allows, rather than joining each action
    to its meeting, lets the database go from the few readable meetings to their actions by
    index; at national scale that is several times faster for the tracker."""
    readable = visible(viewer, meetings if meetings is not None else Meeting.objects.all())
    return _actions().filter(meeting__in=readable.values("pk"))


def actions_in_order(ids: Sequence[int]) -> list[Action]:
    """The actions with these ids, in this order, with what their rows show."""
    found = {a.pk: a for a in _actions().filter(pk__in=list(ids))}
    return [found[pk] for pk in ids if pk in found]


def action_for(viewer: Viewer, pk: int, *, write: bool = False) -> Action:
    return get_for(viewer, _actions(), write=write, pk=pk)


def _shown_people(viewer: Viewer, ids: Iterable[int | None]) -> set[int]:
    """Which of these people the viewer may see (one query)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return set()
    people = visible(viewer, Person.objects.filter(pk__in=wanted))
    return set(people.values_list("pk", flat=True))


# --- One meeting ---------------------------------------------------------------------------


def _siblings(viewer: Viewer, meeting: Meeting) -> list[tuple[date, int]]:
    """The (date, id) of every meeting of the group the viewer may read, in order."""
    if meeting.group_id is None:
        return []
    found = visible(viewer, Meeting.objects.filter(group_id=meeting.group_id))
    return list(found.order_by("date", "pk").values_list("date", "pk"))


def _carried(meeting: Meeting, siblings: Sequence[tuple[date, int]]) -> QuerySet[Action]:
    # An action is read exactly when its meeting is, so the readable earlier meetings' actions
    # are the readable ones: no second pass through the access helper is needed.
    earlier = [pk for day, pk in siblings if day < meeting.date]
    return (
        _actions()
        .filter(meeting_id__in=earlier)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=meeting.date))
        .order_by("meeting__date", "pk")
    )


def carried_actions(viewer: Viewer, meeting: Meeting) -> QuerySet[Action]:
    """Actions from the group's earlier meetings still open when this one met: they carry to
    its agenda as matters arising (with what has become of them since)."""
    return _carried(meeting, _siblings(viewer, meeting))


def _neighbours(
    meeting: Meeting, siblings: Sequence[tuple[date, int]]
) -> tuple[Meeting | None, Meeting | None]:
    """The group's meetings just before and just after this one (one query for both)."""
    here = (meeting.date, meeting.pk)
    before = [pk for day, pk in siblings if (day, pk) < here][-1:]
    after = [pk for day, pk in siblings if (day, pk) > here][:1]
    if not before and not after:
        return None, None
    found = {m.pk: m for m in _meetings().filter(pk__in=before + after)}
    return (found.get(before[0]) if before else None, found.get(after[0]) if after else None)


@dataclass
class MeetingPage:
    meeting: Meeting
    agenda: list[AgendaItem]
    carried: list[Action]
    attendance: list[Attendance]
    decisions: list[Decision]
    actions: list[Action]  # raised at this meeting, from a decision or not
    shown: set[int]  # people the viewer may see
    programmes: set[int]  # programmes named on the page that the viewer may read
    previous: Meeting | None
    following: Meeting | None
    today: date

    def actions_of(self, decision: Decision) -> list[Action]:
        return [a for a in self.actions if a.decision_id == decision.pk]

    @property
    def other_actions(self) -> list[Action]:
        return [a for a in self.actions if a.decision_id is None]

    def person(self, person: Person | None) -> str:
        return person.full_name if person is not None and person.pk in self.shown else ""

    def programme(self, programme: Programme | None) -> Programme | None:
        """The programme if the viewer may read it: one they may not is not named."""
        return programme if programme is not None and programme.pk in self.programmes else None

    def owner(self, action: Action) -> str:
        if action.owner_id is not None:
            return self.person(action.owner) or HIDDEN
        return action.owner_group.name if action.owner_group else ""


def _decisions(viewer: Viewer, network: Network, decisions: QuerySet[Decision]) -> list[Decision]:
    """Decisions with ``shown_links``: their links to themes, and to the programmes,
    indicators and improvement plans the viewer may read (one they may not read is left out,
    not named)."""
    links = DecisionLink.objects.select_related(
        "theme", "programme__network", "indicator__network", "plan__network"
    )
    found = list(decisions.prefetch_related(Prefetch("links", queryset=links)))
    every = [link for d in found for link in d.links.all()]
    programmes = {link.programme_id for link in every if link.programme_id}
    indicators = {link.indicator_id for link in every if link.indicator_id}
    plans = {link.plan_id for link in every if link.plan_id}
    if programmes:
        shown = programmes_of(viewer, network).filter(pk__in=programmes)
        programmes = set(shown.values_list("pk", flat=True))
    if indicators:
        readable = indicators_for(viewer, network).filter(pk__in=indicators)
        indicators = set(readable.values_list("pk", flat=True))
    if plans:
        plans = set(readable_plans(viewer).filter(pk__in=plans).values_list("pk", flat=True))
    for d in found:
        d.shown_links = [  # type: ignore[attr-defined]
            link
            for link in d.links.all()
            if (link.programme_id is None or link.programme_id in programmes)
            and (link.indicator_id is None or link.indicator_id in indicators)
            and (link.plan_id is None or link.plan_id in plans)
        ]
    return found


def readable_programme_ids(viewer: Viewer, ids: Iterable[int | None]) -> set[int]:
    """Those of the programmes ``ids`` that the viewer may read (the rest are not named)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return set()
    return set(
        visible(viewer, Programme.objects.filter(pk__in=wanted)).values_list("pk", flat=True)
    )


def papers_to_choose(viewer: Viewer, network: Network) -> QuerySet[Any]:
    """The network's published library resources the viewer may read: the papers an agenda
    item may be given."""
    return catalogue(viewer, CatalogueFilters(network=network.pk)).order_by("title", "pk")


def meeting_page(viewer: Viewer, meeting: Meeting) -> MeetingPage:
    """The meeting with what its page shows; each agenda item's ``shown_resources`` are its
    library papers the viewer may read (one they may not read is left out, not named)."""
    readable = resource_readable(viewer).order_by("title", "pk")
    items = meeting.agenda.select_related("presenter", "programme__network").prefetch_related(
        "papers", Prefetch("resources", queryset=readable, to_attr="shown_resources")
    )
    agenda: list[AgendaItem] = [*items]
    attendance = list(meeting.attendance.select_related("person__organisation"))
    decisions = _decisions(viewer, meeting.network, meeting.decisions.all())
    actions = list(_actions().filter(meeting=meeting).order_by("decision__number", "pk"))
    siblings = _siblings(viewer, meeting)
    carried = list(_carried(meeting, siblings))
    shown = _shown_people(
        viewer,
        [i.presenter_id for i in agenda]
        + [a.person_id for a in attendance]
        + [a.owner_id for a in actions + carried],
    )
    previous, following = _neighbours(meeting, siblings)
    programmes = readable_programme_ids(
        viewer, [meeting.programme_id, *(i.programme_id for i in agenda)]
    )
    return MeetingPage(
        meeting=meeting,
        agenda=agenda,
        carried=carried,
        attendance=[a for a in attendance if a.person_id in shown],
        decisions=decisions,
        actions=actions,
        shown=shown,
        programmes=programmes,
        previous=previous,
        following=following,
        today=timezone.localdate(),
    )


# --- A group's meetings --------------------------------------------------------------------


@dataclass
class GroupMeetings:
    group: Group
    upcoming: list[Meeting]
    past: list[Meeting]
    open_actions: int


def group_meetings(viewer: Viewer, group: Group, *, past_limit: int | None = None) -> GroupMeetings:
    today = timezone.localdate()
    meetings = visible(viewer, _meetings().filter(group=group))
    upcoming = list(meetings.filter(date__gte=today).order_by("date", "start_time", "pk"))
    past_qs = meetings.filter(date__lt=today).order_by("-date", "-pk")
    past = list(past_qs[:past_limit] if past_limit else past_qs)
    open_count = (
        visible_actions(viewer).filter(meeting__group=group, status__in=OPEN_STATUSES).count()
    )
    return GroupMeetings(group, upcoming, past, open_count)


def network_meetings(viewer: Viewer, network: Network) -> QuerySet[Meeting]:
    return meetings_of(viewer, network).order_by("-date", "-pk")


# --- The action tracker --------------------------------------------------------------------

STATUS_FILTERS = {
    "open": "Open or in progress",
    "overdue": "Overdue",
    "closed": "Done or dropped",
    "all": "All",
}


def tracker(
    viewer: Viewer,
    *,
    status: str = "open",
    network: Network | None = None,
    group: Group | None = None,
    q: str = "",
    mine: bool = False,
) -> QuerySet[Action]:
    """Actions across every group the viewer may read, most urgent first (by due date, those
    with none last, then in the order they were made)."""
    meetings = Meeting.objects.filter(network=network) if network is not None else None
    actions = visible_actions(viewer, meetings)
    today = timezone.localdate()
    if status == "open":
        actions = actions.filter(status__in=OPEN_STATUSES)
    elif status == "overdue":
        actions = actions.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    elif status == "closed":
        actions = actions.exclude(status__in=OPEN_STATUSES)
    if group is not None:
        actions = actions.filter(Q(meeting__group=group) | Q(owner_group=group))
    if q:
        actions = actions.filter(Q(title__icontains=q) | Q(description__icontains=q))
    if mine:
        actions = actions.filter(_mine(viewer))
    return actions.order_by(F("due_on").asc(nulls_last=True), "pk")


def _mine(viewer: Viewer) -> Q:
    q = Q(owner_id=viewer.person_id) if viewer.person_id else Q(pk__in=[])
    if viewer.chaired_groups:
        q |= Q(owner_group_id__in=viewer.chaired_groups)
    return q


@dataclass
class TrackerRow:
    action: Action
    owner: str
    overdue: bool


def tracker_rows(viewer: Viewer, actions: Sequence[Action]) -> list[TrackerRow]:
    today = timezone.localdate()
    shown = _shown_people(viewer, [a.owner_id for a in actions])
    rows = []
    for a in actions:
        if a.owner is not None:
            owner = a.owner.full_name if a.owner.pk in shown else HIDDEN
        else:
            owner = a.owner_group.name if a.owner_group else ""
        rows.append(TrackerRow(a, owner, a.is_overdue(today)))
    return rows


def tracker_table(
    viewer: Viewer, actions: QuerySet[Action]
) -> tuple[list[str], Iterator[list[Any]]]:
    header = [
        "Action",
        "Owner",
        "Due by",
        "Status",
        "Done or dropped on",
        "Meeting",
        "Meeting date",
        "Group",
        "Network",
        "Decision",
        "Result",
        "Address",
    ]

    def rows() -> Iterator[list[Any]]:
        chunk: list[Action] = []
        for action in actions.iterator(chunk_size=1000):
            chunk.append(action)
            if len(chunk) == 1000:
                yield from _tracker_lines(viewer, chunk)
                chunk = []
        yield from _tracker_lines(viewer, chunk)

    return header, rows()


def _tracker_lines(viewer: Viewer, actions: list[Action]) -> Iterator[list[Any]]:
    for row in tracker_rows(viewer, actions):
        a = row.action
        yield [
            a.title,
            row.owner,
            a.due_on,
            a.get_status_display(),
            a.closed_on,
            a.meeting.title,
            a.meeting.date,
            a.meeting.group.name if a.meeting.group else "",
            a.meeting.network.name,
            f"{a.decision.reference}: {a.decision.text}" if a.decision else "",
            a.result,
            a.get_absolute_url(),
        ]


# --- Decisions about a programme -----------------------------------------------------------


def programme_decisions(viewer: Viewer, programme_id: int) -> list[Decision]:
    meetings = visible(viewer, Meeting.objects.all())
    return list(
        Decision.objects.filter(meeting__in=meetings, links__programme_id=programme_id)
        .select_related("meeting__network", "meeting__group")
        .distinct()
        .order_by("-meeting__date", "number")
    )


def plan_decisions(viewer: Viewer, plan_id: int) -> list[Decision]:
    """The decisions the viewer may read that link to an improvement plan (the plan's page
    lists them; the caller has checked the viewer reads the plan)."""
    meetings = visible(viewer, Meeting.objects.all())
    return list(
        Decision.objects.filter(meeting__in=meetings, links__plan_id=plan_id)
        .select_related("meeting__network", "meeting__group")
        .distinct()
        .order_by("-meeting__date", "number")
    )


def plans_to_link(viewer: Viewer, network: Network) -> QuerySet[Any]:
    """The network's improvement plans the viewer may read: those a decision may link to."""
    return readable_plans(viewer).filter(network=network).order_by("title", "pk")


def plan_for(viewer: Viewer, network: Network, pk: int) -> Any:
    """One of the network's improvement plans the viewer may read, or 404."""
    return get_for(viewer, readable_plans(viewer).filter(network=network), pk=pk)


# --- Calendar feeds ------------------------------------------------------------------------


def feed_meetings(
    viewer: Viewer, *, group: Group | None = None, person_id: int | None = None
) -> list[Meeting]:
    """Meetings with a known day for a calendar feed: a group's, or those of the groups a
    person belongs to or chairs and the meetings they attended. Never one the viewer may not
    read. Past meetings stay in (calendars show history); a group meets perhaps 26 times a
    year, so a feed stays small."""
    meetings = visible(viewer, _meetings()).filter(date_precision="day")
    if group is not None:
        meetings = meetings.filter(group=group)
    elif person_id is not None:
        groups = Group.objects.filter(Q(members=person_id) | Q(chair_id=person_id)).values("pk")
        meetings = meetings.filter(Q(group__in=groups) | Q(attendance__person_id=person_id))
    return list(meetings.prefetch_related("agenda").distinct().order_by("date", "start_time", "pk"))


# --- For the Board paper -------------------------------------------------------------------


@dataclass(frozen=True)
class BoardDecision:
    number: int
    text: str  # Markdown
    theme_ids: tuple[int, ...]
    programme_ids: tuple[int, ...]
    actions: tuple[str, ...]  # each "title (owner, status)"


@dataclass(frozen=True)
class BoardMeeting:
    id: int
    title: str
    when: str  # "Friday 9 June 2023" or "April 2023"
    date: date
    place: str
    url: str
    discussed: tuple[str, ...]  # agenda item titles, each with its notes when it has some
    decided: tuple[BoardDecision, ...]
    minutes: str  # Markdown


@dataclass(frozen=True)
class BoardGroup:
    group_id: int | None  # None: meetings of a programme rather than a group
    group: str
    meetings: tuple[BoardMeeting, ...]


@dataclass(frozen=True)
class BoardThemeMeetings:
    theme_id: int | None  # None: groups with no theme of their own
    theme: str
    groups: tuple[BoardGroup, ...]


def _board_meeting(m: Meeting, decisions: list[Decision], owner: dict[int, str]) -> BoardMeeting:
    decided = []
    for d in decisions:
        links = d.shown_links  # type: ignore[attr-defined]
        decided.append(
            BoardDecision(
                number=d.number,
                text=d.text,
                theme_ids=tuple(link.theme_id for link in links if link.theme_id),
                programme_ids=tuple(link.programme_id for link in links if link.programme_id),
                actions=tuple(
                    f"{a.title} ({owner.get(a.pk, '')}, {a.get_status_display().lower()})"
                    for a in d.actions.all()
                ),
            )
        )
    return BoardMeeting(
        id=m.pk,
        title=m.title,
        when=m.when,
        date=m.date,
        place=m.place,
        url=m.get_absolute_url(),
        discussed=tuple(f"{i.title}: {i.notes}" if i.notes else i.title for i in m.agenda.all()),
        decided=tuple(decided),
        minutes=m.minutes,
    )


def board_meetings(
    viewer: Viewer, network: Network, start: date, end: date
) -> list[BoardThemeMeetings]:
    """Per strategic theme (the group's theme, or the programme's for a programme's event), each
    group's meetings the viewer may read from ``start`` to ``end`` (a month-only date counts
    when its month overlaps), with the agenda discussed and the decisions made and their
    actions. Groups with no theme come last, under None."""
    first_of_month = start.replace(day=1)
    meetings = list(
        meetings_of(viewer, network)
        .filter(date__lte=end)
        .filter(Q(date__gte=start) | Q(date_precision="month", date__gte=first_of_month))
        .exclude(status="cancelled")
        .select_related("group__theme", "programme__theme")
        .prefetch_related("agenda")
        .order_by("date", "pk")
    )
    decided: dict[int, list[Decision]] = {}
    with_actions = Decision.objects.filter(meeting__in=[m.pk for m in meetings]).prefetch_related(
        Prefetch("actions", queryset=_actions().order_by("pk"))
    )
    for d in _decisions(viewer, network, with_actions.order_by("meeting_id", "number")):
        decided.setdefault(d.meeting_id, []).append(d)
    actions = [a for ds in decided.values() for d in ds for a in d.actions.all()]
    rows = tracker_rows(viewer, actions)
    owner = {row.action.pk: row.owner for row in rows}
    by_theme: dict[int | None, tuple[Theme | None, dict[Any, tuple[str, list[BoardMeeting]]]]] = {}
    for m in meetings:
        theme = m.group.theme if m.group else (m.programme.theme if m.programme else None)
        source = ("group", m.group_id) if m.group else ("programme", m.programme_id)
        label = m.group.name if m.group else (m.programme.name if m.programme else m.title)
        groups = by_theme.setdefault(theme.pk if theme else None, (theme, {}))[1]
        made = _board_meeting(m, decided.get(m.pk, []), owner)
        groups.setdefault(source, (label, []))[1].append(made)
    order = {tid: i for i, tid in enumerate(theme_order(network))}
    result = []
    for theme_id in sorted(
        by_theme, key=lambda k: (k is None, order.get(k, len(order)) if k else 0)
    ):
        theme, groups = by_theme[theme_id]
        result.append(
            BoardThemeMeetings(
                theme.pk if theme else None,
                theme.name if theme else "Across the themes",
                tuple(
                    BoardGroup(gkey[1] if gkey[0] == "group" else None, label, tuple(ms))
                    for gkey, (label, ms) in sorted(groups.items(), key=lambda kv: kv[1][0])
                ),
            )
        )
    return result


# --- For the platform search ---------------------------------------------------------------


def _meeting_themes(m: Meeting) -> list[int]:
    if m.group and m.group.theme_id:
        return [m.group.theme_id]
    if m.programme and m.programme.theme_id:
        return [m.programme.theme_id]
    return []


def meeting_search_records() -> QuerySet[Meeting]:
    """Meetings for the search; Meeting's access_scope decides who reads each one."""
    return Meeting.objects.all()


def meeting_search_documents(ids: Collection[int] | None = None) -> Iterator[SearchDocument]:
    """A plain-text document for each meeting (all when ``ids`` is None): agenda and minutes."""
    meetings = (
        _meetings().select_related("group__theme", "programme__theme").prefetch_related("agenda")
    )
    if ids is not None:
        meetings = meetings.filter(pk__in=list(ids))
    for m in meetings.order_by("pk").iterator(chunk_size=500):
        agenda = [f"{i.title}\n{i.notes}".strip() for i in m.agenda.all()]
        yield SearchDocument(
            kind="meeting",
            id=m.pk,
            title=str(m),
            body="\n\n".join([*agenda, m.minutes]).strip(),
            url=m.get_absolute_url(),
            network_id=m.network_id,
            theme_ids=tuple(_meeting_themes(m)),
            year=m.date.year,
        )


def decision_search_records() -> QuerySet[Decision]:
    """Decisions for the search; Decision's access_scope (its meeting's) decides who reads them."""
    return Decision.objects.all()


def decision_search_documents(ids: Collection[int] | None = None) -> Iterator[SearchDocument]:
    """A plain-text document for each decision (all when ``ids`` is None)."""
    decisions = Decision.objects.select_related(
        "meeting__network", "meeting__group__theme", "meeting__programme__theme"
    ).prefetch_related("links")
    if ids is not None:
        decisions = decisions.filter(pk__in=list(ids))
    for d in decisions.order_by("pk").iterator(chunk_size=500):
        m = d.meeting
        linked = [link.theme_id for link in d.links.all() if link.theme_id]
        yield SearchDocument(
            kind="decision",
            id=d.pk,
            title=f"{d.reference}, {m}",
            body=d.text,
            url=f"{m.get_absolute_url()}#decision-{d.number}",
            network_id=m.network_id,
            theme_ids=tuple(dict.fromkeys(_meeting_themes(m) + linked)),
            year=m.date.year,
        )


def search_visible(viewer: Viewer, kind: str, ids: Iterable[int]) -> set[int]:
    """Which of these meeting or decision ids the viewer may read and reach (the pages also
    need the network to be readable, which the access_scope alone does not say)."""
    networks = visible(viewer, Network.objects.all())
    if kind == "meeting":
        meetings = Meeting.objects.filter(pk__in=list(ids), network__in=networks)
        return set(visible(viewer, meetings).values_list("pk", flat=True))
    if kind == "decision":
        decisions = Decision.objects.filter(pk__in=list(ids), meeting__network__in=networks)
        return set(visible(viewer, decisions).values_list("pk", flat=True))
    raise ValueError(f"Unknown kind {kind!r}: meeting or decision")
