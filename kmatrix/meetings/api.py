"""The meetings API: meetings with their agenda, carried actions, attendance, decisions and
actions; the action tracker; and the writes a secretary and an action's owner make.

Built from the same reads as the pages (queries.py), through the access helper: a meeting you
may not read is a 404, and so are its decisions and actions. People are named only where the
pages would name them. An action with no owner, a duplicate decision number, a time the
clocks skip, or an end before the start are 422s saying which field and why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from kmatrix.core.access import Viewer, visible
from kmatrix.core.api import (
    FieldProblem,
    api_field_error,
    api_get,
    api_invalid,
    api_signed_in,
    api_viewer,
)
from kmatrix.indicators.queries import indicators_for
from kmatrix.meetings import queries, services
from kmatrix.meetings.models import Action, Meeting
from kmatrix.meetings.schemas import (
    ActionIn,
    ActionOut,
    ActionPatch,
    DecisionIn,
    DecisionOut,
    MeetingDetail,
    MeetingIn,
    MeetingOut,
)
from kmatrix.networks.models import Group, Network, Person, Theme
from kmatrix.networks.schemas import ErrorOut
from kmatrix.programmes.queries import programmes_of

router = Router(tags=["meetings"])
PAGE_SIZE = 50
ERRORS = frozenset({400, 401, 403, 404, 422})

# --- Shaping -------------------------------------------------------------------------------


def _group(group: Group | None) -> dict[str, Any] | None:
    return None if group is None else {"id": group.pk, "slug": group.slug, "name": group.name}


def _meeting(m: Meeting, programmes: set[int]) -> dict[str, Any]:
    """A meeting; ``programmes``, those the viewer may read (another is not named)."""
    return {
        "id": m.pk,
        "title": m.title,
        "url": m.get_absolute_url(),
        "network": m.network.slug,
        "group": _group(m.group),
        "programme": m.programme.slug if m.programme and m.programme_id in programmes else None,
        "date": m.date,
        "date_precision": m.date_precision,
        "when": m.when,
        "start_time": m.start_time,
        "end_time": m.end_time,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "place": m.place,
        "is_virtual": m.is_virtual,
        "status": m.status,
        "visibility": m.visibility,
    }


def _action(row: queries.TrackerRow) -> dict[str, Any]:
    a = row.action
    return {
        "id": a.pk,
        "url": a.get_absolute_url(),
        "title": a.title,
        "description": a.description,
        "owner": row.owner,
        "owner_person_id": a.owner_id if a.owner_id and row.owner != queries.HIDDEN else None,
        "owner_group": _group(a.owner_group),
        "due_on": a.due_on,
        "status": a.status,
        "overdue": row.overdue,
        "closed_on": a.closed_on,
        "result": a.result,
        "meeting_id": a.meeting_id,
        "meeting": str(a.meeting),
        "decision": a.decision.number if a.decision else None,
    }


def _actions(viewer: Viewer, actions: list[Action]) -> list[dict[str, Any]]:
    return [_action(row) for row in queries.tracker_rows(viewer, actions)]


def _link(link: Any) -> dict[str, Any]:
    target = link.target
    name = target.title if link.kind == "plan" else target.name
    return {"kind": link.kind, "id": target.pk, "name": name}


def _detail(viewer: Viewer, meeting: Meeting) -> dict[str, Any]:
    page = queries.meeting_page(viewer, meeting)
    return {
        **_meeting(meeting, page.programmes),
        "minutes": meeting.minutes,
        "attendance_note": meeting.attendance_note,
        "agenda": [
            {
                "id": i.pk,
                "position": i.position,
                "title": i.title,
                "presenter": page.person(i.presenter) or i.presenter_note,
                "notes": i.notes,
                "programme": i.programme.slug
                if i.programme and i.programme_id in page.programmes
                else None,
                "papers": [{"title": p.title, "url": p.url} for p in i.papers.all()],
                "library_papers": [
                    {"id": r.pk, "title": r.title, "url": r.get_absolute_url()}
                    for r in i.shown_resources  # type: ignore[attr-defined]
                ],
            }
            for i in page.agenda
        ],
        "carried_actions": _actions(viewer, page.carried),
        "attendance": [
            {"person_id": a.person_id, "name": a.person.full_name, "status": a.status}
            for a in page.attendance
        ],
        "decisions": [
            {
                "id": d.pk,
                "number": d.number,
                "text": d.text,
                "links": [_link(x) for x in d.shown_links],  # type: ignore[attr-defined]
                "actions": _actions(viewer, page.actions_of(d)),
            }
            for d in page.decisions
        ],
        "other_actions": _actions(viewer, page.other_actions),
    }


# --- Access --------------------------------------------------------------------------------


def _network(viewer: Viewer, slug: str) -> Network:
    return api_get(viewer, Network.objects.all(), slug=slug)


def _meeting_for(viewer: Viewer, slug: str, meeting_id: int, *, write: bool = False) -> Meeting:
    network = _network(viewer, slug)
    return api_get(viewer, queries.meetings_of(viewer, network), write=write, pk=meeting_id)


def _decision_links(viewer: Viewer, network: Network, payload: DecisionIn) -> list[Any]:
    themes = list(Theme.objects.filter(pk__in=payload.themes, adoptions__network=network))
    programmes = list(programmes_of(viewer, network).filter(slug__in=payload.programmes))
    indicators = list(indicators_for(viewer, network).filter(code__in=payload.indicators))
    plans = list(queries.plans_to_link(viewer, network).filter(pk__in=payload.plans))
    for name, asked, found in (
        ("themes", payload.themes, themes),
        ("programmes", payload.programmes, programmes),
        ("indicators", payload.indicators, indicators),
        ("plans", payload.plans, plans),
    ):
        if len(found) != len(set(asked)):
            raise FieldProblem(
                name, f"One of the {name} is not the network's (or not one you may see)."
            )
    return [*themes, *programmes, *indicators, *plans]


def _action_fields(meeting: Meeting, payload: ActionIn) -> dict[str, Any]:
    data = payload.model_dump()
    if data["decision"] is not None:
        decision = meeting.decisions.filter(number=data["decision"]).first()
        if decision is None:
            raise FieldProblem("decision", f"This meeting has no decision {data['decision']}.")
        data["decision"] = decision
    if data["owner"] is not None:
        owner = Person.objects.filter(
            pk=data["owner"], memberships__network=meeting.network
        ).first()
        if owner is None:
            raise FieldProblem("owner", "The owner must be a member of the network.")
        data["owner"] = owner
    if data["owner_group"] is not None:
        group = Group.objects.filter(network=meeting.network, slug=data["owner_group"]).first()
        if group is None:
            raise FieldProblem("owner_group", "The network has no group with this slug.")
        data["owner_group"] = group
    return data


# --- Routes --------------------------------------------------------------------------------


@router.get("/networks/{slug}/meetings", response={200: list[MeetingOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def meeting_list(request: HttpRequest, slug: str, group: str | None = None) -> list[dict[str, Any]]:
    """The network's meetings you may read, latest first; ``group`` (a slug) for one group's."""
    viewer = api_viewer(request)
    meetings = queries.network_meetings(viewer, _network(viewer, slug))
    if group:
        meetings = meetings.filter(group__slug=group)
    return _Shaped(meetings, lambda rows: _meetings_out(viewer, rows))  # type: ignore[return-value]


def _meetings_out(viewer: Viewer, rows: Sequence[Meeting]) -> list[dict[str, Any]]:
    programmes = queries.readable_programme_ids(viewer, (m.programme_id for m in rows))
    return [_meeting(m, programmes) for m in rows]


class _Shaped:
    """A queryset the paginator slices, shaping only the page it takes (so a page of actions
    costs one lookup of owners, not one per action)."""

    def __init__(self, items: Any, shape: Callable[[list[Any]], list[dict[str, Any]]]) -> None:
        self.items, self.shape = items, shape

    def __len__(self) -> int:
        return int(self.items.count())

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return self.shape(list(self.items[index]))


@router.get(
    "/networks/{slug}/meetings/{meeting_id}", response={200: MeetingDetail, ERRORS: ErrorOut}
)
def meeting_detail(request: HttpRequest, slug: str, meeting_id: int) -> dict[str, Any]:
    viewer = api_viewer(request)
    return _detail(viewer, _meeting_for(viewer, slug, meeting_id))


@router.post(
    "/networks/{slug}/groups/{group_slug}/meetings", response={201: MeetingDetail, ERRORS: ErrorOut}
)
def meeting_create(
    request: HttpRequest, slug: str, group_slug: str, payload: MeetingIn
) -> Status[Any]:
    """Add a meeting to a group you run (the network's coordinators and the group's chair)."""
    viewer = api_signed_in(request)
    network = _network(viewer, slug)
    group = api_get(viewer, Group.objects.filter(network=network), write=True, slug=group_slug)
    data = payload.model_dump()
    if data["visibility"] is None:
        data.pop("visibility")
    try:
        meeting = services.meeting_save(group=group, **data)
    except ValidationError as exc:
        return api_invalid(exc)
    return Status(201, _detail(viewer, _meeting_for(viewer, slug, meeting.pk)))


@router.post(
    "/networks/{slug}/meetings/{meeting_id}/decisions",
    response={201: DecisionOut, ERRORS: ErrorOut},
)
def decision_create(
    request: HttpRequest, slug: str, meeting_id: int, payload: DecisionIn
) -> Status[Any]:
    """Record a decision, numbered next unless ``number`` is given (a number in use is a 422)."""
    viewer = api_signed_in(request)
    meeting = _meeting_for(viewer, slug, meeting_id, write=True)
    try:
        links = _decision_links(viewer, meeting.network, payload)
        decision = services.decision_save(
            meeting=meeting, text=payload.text, number=payload.number, links=links
        )
    except FieldProblem as error:
        return api_field_error(error.field, error.message)
    except ValidationError as exc:
        return api_invalid(exc)
    found = next(d for d in _detail(viewer, meeting)["decisions"] if d["id"] == decision.pk)
    return Status(201, found)


@router.post(
    "/networks/{slug}/meetings/{meeting_id}/actions", response={201: ActionOut, ERRORS: ErrorOut}
)
def action_create(
    request: HttpRequest, slug: str, meeting_id: int, payload: ActionIn
) -> Status[Any]:
    """Add an action; it needs an owner (``owner``, a person id, or ``owner_group``)."""
    viewer = api_signed_in(request)
    meeting = _meeting_for(viewer, slug, meeting_id, write=True)
    try:
        action = services.action_save(meeting=meeting, **_action_fields(meeting, payload))
    except FieldProblem as error:
        return api_field_error(error.field, error.message)
    except ValidationError as exc:
        return api_invalid(exc)
    return Status(201, _actions(viewer, [queries.action_for(viewer, action.pk)])[0])


@router.get("/actions", response={200: list[ActionOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def action_list(
    request: HttpRequest,
    status: str = "open",
    network: str | None = None,
    q: str = "",
    mine: bool = False,
) -> list[dict[str, Any]]:
    """The action tracker: ``status`` open (with in progress), overdue, closed or all."""
    viewer = api_viewer(request)
    if status not in queries.STATUS_FILTERS:
        raise HttpError(422, f"status must be one of {', '.join(queries.STATUS_FILTERS)}.")
    found = visible(viewer, Network.objects.all()).filter(slug=network).first() if network else None
    if network and found is None:
        raise HttpError(404, "No such network, or you do not have access to it.")
    actions = queries.tracker(
        viewer, status=status, network=found, q=q.replace("\x00", ""), mine=mine
    )
    ids = actions.values_list("pk", flat=True)
    return _Shaped(ids, lambda page: _actions(viewer, queries.actions_in_order(page)))  # type: ignore[return-value]


@router.get("/actions/{action_id}", response={200: ActionOut, ERRORS: ErrorOut})
def action_detail(request: HttpRequest, action_id: int) -> dict[str, Any]:
    viewer = api_viewer(request)
    return _actions(viewer, [api_get(viewer, queries.visible_actions(viewer), pk=action_id)])[0]


@router.patch("/actions/{action_id}", response={200: ActionOut, ERRORS: ErrorOut})
def action_update(request: HttpRequest, action_id: int, payload: ActionPatch) -> Any:
    """Record progress on an action you own (or run the meeting of): status, result, closed on."""
    viewer = api_signed_in(request)
    action = api_get(viewer, queries.visible_actions(viewer), write=True, pk=action_id)
    data: dict[str, Any] = {
        "status": action.status,
        "result": action.result,
        "closed_on": action.closed_on,
    }
    data.update(payload.model_dump(exclude_unset=True))
    if data["status"] in ("open", "in_progress"):
        data["closed_on"] = None
    elif data["closed_on"] is None:
        data["closed_on"] = timezone.localdate()
    try:
        services.action_progress(action=action, **data)
    except ValidationError as exc:
        return api_invalid(exc)
    return _actions(viewer, [queries.action_for(viewer, action_id)])[0]
