"""The API of "my work", the workstream dashboard and time given.

The same reads as the pages (``improvement.work``), so the same access rules and the same
fixed number of queries. Time logs are the caller's own: another person's log is a 404.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from kmatrix.core.access import Viewer, visible
from kmatrix.core.api import api_get as _get
from kmatrix.core.api import api_signed_in as _signed_in
from kmatrix.core.api import api_viewer as _viewer
from kmatrix.improvement import work
from kmatrix.improvement.models import ImprovementPlan
from kmatrix.networks.models import Network, Person, Workstream
from kmatrix.networks.schemas import ErrorOut, StrictInput

router = Router(tags=["improvement"])

ERRORS = frozenset({400, 401, 403, 404, 422})
PAGE_SIZE = 50


# --- Schemas ------------------------------------------------------------------------------


class PlanRef(Schema):
    id: int
    title: str
    network: str = Field(..., alias="network.slug")
    status: str
    rag: str
    latest_period: date | None = None
    latest_rag: str | None = None


class DueUpdateOut(Schema):
    plan_id: int
    plan_title: str
    period: date
    due_on: date
    overdue: bool
    update_id: int | None


class ActionOut(Schema):
    id: int
    title: str
    plan_id: int
    plan_title: str = Field(..., alias="plan.title")
    owner: str | None
    due_on: date | None
    status: str
    is_milestone: bool

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.full_name if obj.owner_id else None


class CountOut(Schema):
    value: str
    label: str
    count: int


class GapOut(Schema):
    id: int
    item_code: str = Field(..., alias="item.code")
    question: str = Field(..., alias="item.question")
    place: str
    rating: str

    @staticmethod
    def resolve_place(obj: Any) -> str:
        return str(obj.locality or obj.organisation)


class UpdateRef(Schema):
    id: int
    plan_id: int
    plan_title: str = Field(..., alias="plan.title")
    period: date
    rag: str
    submitted_at: Any = None


class DashboardOut(Schema):
    workstream: str
    network: str
    today: date
    plans: list[PlanRef]
    rag_counts: list[CountOut]
    status_counts: list[CountOut]
    overdue_updates: list[DueUpdateOut]
    overdue_actions: list[ActionOut]
    gaps_total: int
    gaps: list[GapOut]
    recent_updates: list[UpdateRef]


class TimeMonthOut(Schema):
    network: str
    logged: Decimal
    committed: Decimal


class MyWorkOut(Schema):
    today: date
    plans: list[PlanRef]
    actions: list[ActionOut]
    updates_due: list[DueUpdateOut]
    reviews_total: int
    reviews: list[PlanRef]
    time_this_month: list[TimeMonthOut]


class TimeLogOut(Schema):
    id: int
    month: date
    days: Decimal
    plan_id: int | None
    note: str


class TimeLogIn(StrictInput):
    month: str = Field(..., description="Year and month, e.g. 2025-03", examples=["2025-03"])
    days: Decimal = Field(..., description="More than 0, at most 31; one decimal place")
    plan_id: int | None = None
    note: str = Field("", max_length=300)


class MemberTimeOut(Schema):
    person_id: int
    name: str
    organisation: str
    committed_per_month: Decimal
    days: list[Decimal]
    committed: list[Decimal]
    total: Decimal
    committed_total: Decimal


class TimeReportOut(Schema):
    network: str
    months: list[date]
    members: list[MemberTimeOut]
    totals: list[Decimal]
    committed_totals: list[Decimal]
    total: Decimal
    committed_total: Decimal


# --- Shaping ------------------------------------------------------------------------------


def _due(items: list[work.DueUpdate], today: date) -> list[dict[str, Any]]:
    return [
        {
            "plan_id": d.plan.pk,
            "plan_title": d.plan.title,
            "period": d.period,
            "due_on": d.due_on,
            "overdue": d.is_overdue(today),
            "update_id": d.update.pk if d.update else None,
        }
        for d in items
    ]


def _invalid(exc: DjangoValidationError) -> Status[dict[str, Any]]:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    detail = " ".join(m for messages in errors.values() for m in messages)
    return Status(422, {"detail": detail, "errors": errors})


def _field_error(name: str, message: str) -> Status[dict[str, Any]]:
    return Status(422, {"detail": message, "errors": {name: [message]}})


def _network(viewer: Viewer, slug: str) -> Network:
    return _get(viewer, Network.objects.all(), slug=slug)


def _loggable(viewer: Viewer, slug: str) -> Network:
    network = _network(viewer, slug)
    if not work.may_log_time(viewer, network):
        raise HttpError(403, "Only members of the network log the time they give to it.")
    return network


# --- Routes -------------------------------------------------------------------------------


@router.get("/my-work", response={200: MyWorkOut, ERRORS: ErrorOut})
def my_work(request: HttpRequest) -> dict[str, Any]:
    """Your open plans, the actions you own, updates due or overdue on your plans (due within
    the reminder days), plans waiting for your review and your time this month."""
    viewer = _signed_in(request)
    today = timezone.localdate()
    mine = work.my_work(viewer, today)
    return {
        "today": today,
        "plans": mine.plans,
        "actions": mine.actions,
        "updates_due": _due(mine.updates_due, today),
        "reviews_total": mine.reviews_total,
        "reviews": mine.reviews,
        "time_this_month": [
            {"network": t.network.slug, "logged": t.logged, "committed": t.committed}
            for t in mine.time
        ],
    }


@router.get(
    "/networks/{slug}/workstreams/{workstream_id}/dashboard",
    response={200: DashboardOut, ERRORS: ErrorOut},
)
def dashboard(request: HttpRequest, slug: str, workstream_id: int) -> dict[str, Any]:
    """A workstream's plans with status and RAG, overdue updates and actions, open gaps of its
    theme and recent updates: what you may see of them."""
    viewer = _viewer(request)
    workstream = _get(
        viewer,
        Workstream.objects.select_related("network", "theme"),
        pk=workstream_id,
        network__slug=slug,
    )
    today = timezone.localdate()
    board = work.workstream_dashboard(viewer, workstream, today)
    return {
        "workstream": workstream.name,
        "network": workstream.network.slug,
        "today": today,
        "plans": board.plans,
        "rag_counts": board.rag_counts,
        "status_counts": board.status_counts,
        "overdue_updates": _due(board.overdue_updates, today),
        "overdue_actions": board.overdue_actions,
        "gaps_total": board.gaps_total,
        "gaps": board.gaps,
        "recent_updates": board.recent_updates,
    }


@router.get("/networks/{slug}/time-logs", response={200: list[TimeLogOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def time_log_list(request: HttpRequest, slug: str) -> Any:
    """Your own time logs in the network, latest month first."""
    viewer = _signed_in(request)
    return work.own_logs(viewer, _loggable(viewer, slug))


@router.post("/networks/{slug}/time-logs", response={201: TimeLogOut, ERRORS: ErrorOut})
def time_log_create(request: HttpRequest, slug: str, body: TimeLogIn) -> Any:
    """Log days you gave in a month (not a month still to come), optionally on a plan of the
    network that you can see."""
    viewer = _signed_in(request)
    network = _loggable(viewer, slug)
    try:
        month = work.parse_month(body.month)
    except ValueError as exc:
        return _field_error("month", str(exc))
    plan = None
    if body.plan_id is not None:
        plan = visible(viewer, ImprovementPlan.objects.filter(pk=body.plan_id)).first()
        if plan is None:
            return _field_error("plan_id", "No plan with this id that you can see.")
    try:
        log = work.timelog_save(
            log=None,
            person=Person.objects.get(pk=viewer.person_id or 0),
            network=network,
            month=month,
            days=body.days,
            plan=plan,
            note=body.note,
        )
    except DjangoValidationError as exc:
        return _invalid(exc)
    return Status(201, log)


@router.delete("/networks/{slug}/time-logs/{log_id}", response={204: None, ERRORS: ErrorOut})
def time_log_delete(request: HttpRequest, slug: str, log_id: int) -> Any:
    """Delete one of your own time logs; anyone else's is a 404."""
    viewer = _signed_in(request)
    log = work.own_logs(viewer, _loggable(viewer, slug)).filter(pk=log_id).first()
    if log is None:
        raise HttpError(404, "No such time log of yours.")
    work.timelog_delete(log=log)
    return Status(204, None)


@router.get("/networks/{slug}/time-report", response={200: TimeReportOut, ERRORS: ErrorOut})
def time_report(
    request: HttpRequest,
    slug: str,
    from_: str | None = Query(None, alias="from"),  # type: ignore[type-arg]
    to: str | None = None,
) -> Any:
    """Each member's days a month against their commitment, and the network's totals, for
    the months ``from`` to ``to`` (YYYY-MM; default the last 12). Coordinators and theme leads."""
    viewer = _signed_in(request)
    network = _network(viewer, slug)
    if not work.may_see_time_report(viewer, network):
        raise HttpError(403, "Only the network's coordinators and theme leads see this report.")
    months: dict[str, date | None] = {}
    for name, text in (("from", from_), ("to", to)):
        try:
            months[name] = work.parse_month(text) if text else None
        except ValueError as exc:
            return _field_error(name, str(exc))
    try:
        start, end = work.report_range(months["from"], months["to"], timezone.localdate())
    except DjangoValidationError as exc:
        return _invalid(exc)
    report = work.time_report(viewer, network, start, end)
    return {
        "network": network.slug,
        "months": report.months,
        "members": [
            {
                "person_id": r.person.pk,
                "name": r.person.full_name,
                "organisation": r.organisation,
                "committed_per_month": r.committed_per_month,
                "days": r.days,
                "committed": r.committed,
                "total": r.total,
                "committed_total": r.committed_total,
            }
            for r in report.rows
        ],
        "totals": report.totals,
        "committed_totals": report.committed_totals,
        "total": report.total,
        "committed_total": report.committed_total,
    }
