"""The API of improvement plans: plans, review, actions, measures, progress updates, outcomes,
sustainability checks, the network's updates, evidence and the theme summary.

Plans and updates are changed with the ``version`` read: if someone saved in between, the
answer is a 409 with what is saved now (``current``), and nothing is overwritten.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from kmatrix.core.access import Viewer, can_manage, visible
from kmatrix.core.api import api_get as _get
from kmatrix.core.api import api_signed_in as _signed_in
from kmatrix.core.api import api_viewer as _viewer
from kmatrix.improvement import pages, plan_pages, queries, services
from kmatrix.improvement import plans as rules
from kmatrix.improvement.api_assessments import ERRORS, PAGE_SIZE, choice, invalid
from kmatrix.improvement.models import (
    Gap,
    ImprovementPlan,
    Locality,
    PlanAction,
    PlanMeasure,
    ProgressUpdate,
    SustainabilityCheck,
)
from kmatrix.improvement.schemas import (
    ActionIn,
    ActionOut,
    CheckIn,
    CheckOut,
    ConflictOut,
    EvidenceOut,
    FinishIn,
    MeasureIn,
    MeasureOut,
    OutcomeIn,
    OutcomeOut,
    PlanChange,
    PlanDetail,
    PlanIn,
    PlanOut,
    ReviewIn,
    SpcOut,
    UpdateChange,
    UpdateIn,
    UpdateOut,
    UpdateReviewIn,
)
from kmatrix.indicators import queries as indicator_queries
from kmatrix.networks.models import Network, Organisation, Person, Theme, Workstream
from kmatrix.networks.schemas import ErrorOut

router = Router(tags=["improvement: plans and updates"])
Plan = ImprovementPlan
RAGS = ("", "red", "amber", "green", "none")
WRITE: dict[int, type[Schema]] = {**dict.fromkeys(ERRORS, ErrorOut), 409: ConflictOut}


def _network(viewer: Viewer, slug: str) -> Network:
    return _get(viewer, Network.objects.all(), slug=slug)


def _plan(viewer: Viewer, plan_id: int, *, write: bool = False) -> Plan:
    plans = queries.readable_plans(viewer).select_related("network", "theme", "workstream")
    return _get(viewer, plans, write=write, pk=plan_id)


def _detail(viewer: Viewer, plan_id: int) -> Plan:
    plan = plan_pages.plan_detail(plan_id, viewer)
    if plan is None:
        raise HttpError(404, "No such record, or you do not have access to it.")
    plan.api_timeline = plan_pages.timeline(plan, plan.updates.all())  # type: ignore[attr-defined]
    return plan


def _field(name: str, message: str) -> Status[dict[str, Any]]:
    return Status(422, {"detail": message, "errors": {name: [message]}})


def _conflict(current: Any, what: str) -> Status[dict[str, Any]]:
    shown = PlanOut if isinstance(current, Plan) else UpdateOut
    return Status(
        409,
        {
            "detail": f"Someone else saved this {what} after you read it (it is now version "
            f"{current.version}). Nothing was saved: compare, then send your change again with "
            "that version.",
            "current": shown.from_orm(current).model_dump(mode="json"),
        },
    )


def _plan_fields(viewer: Viewer, network: Network, body: PlanIn) -> dict[str, Any]:
    """The body's ids as records of the network; HttpError 422 naming the first unknown one."""

    def one(model: Any, pk: int | None, name: str, **scope: Any) -> Any:
        if pk is None:
            return None
        found = model.objects.filter(pk=pk, **scope).first()
        if found is None:
            raise HttpError(422, f"{name}: no such record in this network.")
        return found

    return {
        "theme": one(Theme, body.theme_id, "theme_id", adoptions__network=network),
        "workstream": one(Workstream, body.workstream_id, "workstream_id", network=network),
        "locality": one(Locality, body.locality_id, "locality_id", network=network),
        "organisation": one(
            Organisation, body.organisation_id, "organisation_id", network_links__network=network
        ),
        "lead": one(Person, body.lead_id, "lead_id", memberships__network=network),
        "title": body.title,
        "aim": body.aim,
        "baseline": body.baseline,
        "method": body.method,
        "method_other": body.method_other,
        "rag": body.rag,
        "update_every_months": body.update_every_months,
        "visibility": body.visibility,
        "shared_with_partners": body.shared_with_partners,
    }


def _links(viewer: Viewer, network: Network, body: PlanIn) -> tuple[list[Gap], list[Person]]:
    gaps = list(visible(viewer, Gap.objects.filter(network=network, pk__in=body.gap_ids)))
    team = list(
        Person.objects.filter(memberships__network=network, pk__in=body.team_ids).distinct()
    )
    if len(gaps) != len(set(body.gap_ids)):
        raise HttpError(422, "gap_ids: a gap is not in this network or not visible to you.")
    if len(team) != len(set(body.team_ids)):
        raise HttpError(422, "team_ids: everyone on the team must be a member of the network.")
    return gaps, team


# --- Plans --------------------------------------------------------------------------------


@router.get("/networks/{slug}/plans", response={200: list[PlanOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def plan_list(
    request: HttpRequest,
    slug: str,
    theme: int | None = None,
    workstream: int | None = None,
    locality: int | None = None,
    organisation: int | None = None,
    status: str = "",
    rag: str = "",
    q: str = "",
    year: int | None = None,
) -> QuerySet[Plan]:
    """The network's plans you may read (drafts only to their authors and reviewers);
    ``status``, ``rag`` (red, amber, green or none) and ``year`` (published in) narrow them."""
    choice(status, ("", *Plan.Status.values), "status")
    choice(rag, RAGS, "rag")
    if year is not None and not pages.MIN_YEAR <= year <= pages.MAX_YEAR:
        raise HttpError(422, f"year: give a year from {pages.MIN_YEAR} to {pages.MAX_YEAR}.")
    viewer = _viewer(request)
    filters = queries.Filters(
        theme=theme,
        workstream=workstream,
        locality=locality,
        organisation=organisation,
        status=status,
        rag=rag,
        q=q.replace("\x00", "")[:200],
        year=year,
    )
    return queries.plan_list(viewer, _network(viewer, slug), filters).select_related("network")


@router.post("/networks/{slug}/plans", response={201: PlanDetail, **WRITE})
def plan_create(request: HttpRequest, slug: str, body: PlanIn) -> Any:
    """Write a draft plan. Members of the network."""
    viewer = _signed_in(request)
    network = _network(viewer, slug)
    if not (viewer.is_admin or network.pk in viewer.reads_networks):
        raise HttpError(403, "Only members of the network write its plans.")
    gaps, team = _links(viewer, network, body)
    try:
        plan = services.plan_save(
            network=network,
            user=request.user,
            gaps=gaps,
            team=team,
            **_plan_fields(viewer, network, body),
        )
    except DjangoValidationError as exc:
        return invalid(exc)
    return Status(201, _detail(viewer, plan.pk))


@router.get("/plans/{plan_id}", response={200: PlanDetail, ERRORS: ErrorOut})
def plan_detail(request: HttpRequest, plan_id: int) -> Plan:
    """A plan with its actions, measures, outcomes and timeline."""
    viewer = _viewer(request)
    _plan(viewer, plan_id)
    return _detail(viewer, plan_id)


@router.put("/plans/{plan_id}", response={200: PlanDetail, **WRITE})
def plan_change(request: HttpRequest, plan_id: int, body: PlanChange) -> Any:
    """Change a plan, naming the ``version`` you read: 409 if someone saved since."""
    viewer = _signed_in(request)
    plan = _plan(viewer, plan_id, write=True)
    gaps, team = _links(viewer, plan.network, body)
    try:
        services.plan_save(
            plan=plan,
            version=body.version,
            gaps=gaps,
            team=team,
            **_plan_fields(viewer, plan.network, body),
        )
    except services.EditConflict as conflict:
        return _conflict(conflict.current, "plan")
    except DjangoValidationError as exc:
        return invalid(exc)
    return _detail(viewer, plan_id)


@router.post("/plans/{plan_id}/submit", response={200: PlanDetail, **WRITE})
def plan_submit(request: HttpRequest, plan_id: int) -> Any:
    """Send the plan to its theme lead and the communications lead (it needs an aim and a
    RAG rating)."""
    viewer = _signed_in(request)
    plan = _plan(viewer, plan_id, write=True)
    try:
        services.plan_submit(plan=plan, user=request.user)
    except DjangoValidationError as exc:
        return invalid(exc)
    return _detail(viewer, plan_id)


@router.post("/plans/{plan_id}/review", response={200: PlanDetail, **WRITE})
def plan_review(request: HttpRequest, plan_id: int, body: ReviewIn) -> Any:
    """Publish a submitted plan, or return it with a comment (required). Its theme lead, the
    communications lead and coordinators."""
    viewer = _signed_in(request)
    plan = _plan(viewer, plan_id)
    if not (viewer.is_admin or plan.reviewed_by(viewer)):
        raise HttpError(
            403, "Only the plan's theme lead, communications lead and coordinators review it."
        )
    try:
        services.plan_review(
            plan=plan, user=request.user, decision=body.decision, comment=body.comment
        )
    except DjangoValidationError as exc:
        return invalid(exc)
    return _detail(viewer, plan_id)


@router.post("/plans/{plan_id}/finish", response={200: PlanDetail, **WRITE})
def plan_finish(request: HttpRequest, plan_id: int, body: FinishIn) -> Any:
    """Mark a published plan sustained, closed or stopped."""
    viewer = _signed_in(request)
    plan = _plan(viewer, plan_id, write=True)
    try:
        services.plan_finish(plan=plan, status=body.status, version=body.version)
    except services.EditConflict as conflict:
        return _conflict(conflict.current, "plan")
    except DjangoValidationError as exc:
        return invalid(exc)
    return _detail(viewer, plan_id)


# --- Actions and measures -----------------------------------------------------------------


def _action_fields(plan: Plan, body: ActionIn) -> dict[str, Any]:
    owner = None
    if body.owner_id is not None:
        owner = Person.objects.filter(pk=body.owner_id, memberships__network=plan.network).first()
        if owner is None:
            raise HttpError(422, "owner_id: the owner must be a member of the network.")
    return {**body.model_dump(exclude={"owner_id"}), "owner": owner}


@router.post("/plans/{plan_id}/actions", response={201: ActionOut, **WRITE})
def action_create(request: HttpRequest, plan_id: int, body: ActionIn) -> Any:
    """Add an action or milestone (owner, due date, status)."""
    plan = _plan(_signed_in(request), plan_id, write=True)
    try:
        return Status(201, services.action_save(plan=plan, **_action_fields(plan, body)))
    except DjangoValidationError as exc:
        return invalid(exc)


@router.put("/plans/{plan_id}/actions/{action_id}", response={200: ActionOut, **WRITE})
def action_change(request: HttpRequest, plan_id: int, action_id: int, body: ActionIn) -> Any:
    plan = _plan(_signed_in(request), plan_id, write=True)
    action = PlanAction.objects.filter(plan=plan, pk=action_id).first()
    if action is None:
        raise HttpError(404, "No such action on this plan.")
    try:
        return services.action_save(plan=plan, action=action, **_action_fields(plan, body))
    except DjangoValidationError as exc:
        return invalid(exc)


@router.delete("/plans/{plan_id}/actions/{action_id}", response={204: None, **WRITE})
def action_delete(request: HttpRequest, plan_id: int, action_id: int) -> Any:
    """Remove an action or milestone (not on a sustained, closed or stopped plan)."""
    plan = _plan(_signed_in(request), plan_id, write=True)
    action = PlanAction.objects.filter(plan=plan, pk=action_id).first()
    if action is None:
        raise HttpError(404, "No such action on this plan.")
    try:
        services.action_delete(plan=plan, action=action)
    except DjangoValidationError as exc:
        return invalid(exc)
    return Status(204, None)


@router.post("/plans/{plan_id}/measures", response={201: MeasureOut, **WRITE})
def measure_create(request: HttpRequest, plan_id: int, body: MeasureIn) -> Any:
    """Link an indicator series of the network (indicator, organisation) as a measure."""
    viewer = _signed_in(request)
    plan = _plan(viewer, plan_id, write=True)
    indicator = (
        indicator_queries.indicators_for(viewer, plan.network).filter(pk=body.indicator_id).first()
    )
    organisation = Organisation.objects.filter(pk=body.organisation_id).first()
    if indicator is None:
        return _field("indicator_id", "No such indicator in this network that you can see.")
    if organisation is None:
        return _field("organisation_id", "No such organisation.")
    try:
        return Status(
            201, services.measure_add(plan=plan, indicator=indicator, organisation=organisation)
        )
    except DjangoValidationError as exc:
        return invalid(exc)


@router.delete("/plans/{plan_id}/measures/{measure_id}", response={204: None, **WRITE})
def measure_delete(request: HttpRequest, plan_id: int, measure_id: int) -> Any:
    """Unlink a measure from the plan; the indicator's data points stay. A 422 says why when
    its values are in progress updates or an outcome's evidence is its SPC chart."""
    plan = _plan(_signed_in(request), plan_id, write=True)
    measure = PlanMeasure.objects.filter(plan=plan, pk=measure_id).first()
    if measure is None:
        raise HttpError(404, "No such measure on this plan.")
    try:
        services.measure_delete(plan=plan, measure=measure)
    except DjangoValidationError as exc:
        return invalid(exc)
    return Status(204, None)


@router.get("/plans/{plan_id}/measures/{measure_id}/spc", response={200: SpcOut, ERRORS: ErrorOut})
def measure_spc(request: HttpRequest, plan_id: int, measure_id: int) -> dict[str, Any]:
    """The measure's SPC chart as data: each point's value, mean, limits and type, the
    icons, and the periods showing special-cause improvement."""
    viewer = _viewer(request)
    plan = _plan(viewer, plan_id)
    measure = PlanMeasure.objects.filter(plan=plan, pk=measure_id).first()
    if measure is None:
        raise HttpError(404, "No such measure on this plan.")
    spc = indicator_queries.series_spc(
        viewer, indicator_id=measure.indicator_id, organisation_id=measure.organisation_id
    )
    if spc is None:
        raise HttpError(404, "No data for this measure that you can see.")
    return {
        **{
            k: getattr(spc, k)
            for k in (
                "indicator_id",
                "organisation_id",
                "indicator_name",
                "is_illustrative",
                "chart_url",
                "variation_icon",
                "assurance_icon",
                "improvement_periods",
            )
        },
        "points": [vars(row) for row in spc.rows],
    }


# --- Progress updates ---------------------------------------------------------------------


def _updates(plan: Plan, viewer: Viewer) -> QuerySet[ProgressUpdate]:
    found = plan.updates.prefetch_related("measures").order_by("-period")
    if not can_manage(viewer, plan):
        found = found.filter(status=ProgressUpdate.Status.SUBMITTED)
    return found


@router.get("/plans/{plan_id}/updates", response={200: list[UpdateOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def update_list(request: HttpRequest, plan_id: int) -> QuerySet[ProgressUpdate]:
    """The plan's updates, latest period first (drafts only to the people who write them)."""
    viewer = _viewer(request)
    return _updates(_plan(viewer, plan_id), viewer)


def _save_update(request: HttpRequest, plan: Plan, body: UpdateIn, update: Any = None) -> Any:
    values = {
        v.measure_id: services.MeasureValue(v.value, v.numerator, v.denominator)
        for v in body.values
    }
    fields = body.model_dump(include=set(services.UPDATE_FIELDS))
    try:
        saved = services.update_save(
            plan=plan,
            period=body.period,
            update=update,
            user=request.user,
            values=values,
            version=getattr(body, "version", None),
            submit=body.submit,
            **fields,
        )
    except services.EditConflict as conflict:
        return _conflict(conflict.current, "update")
    except DjangoValidationError as exc:
        return invalid(exc)
    return ProgressUpdate.objects.prefetch_related("measures").get(pk=saved.pk)


@router.post("/plans/{plan_id}/updates", response={201: UpdateOut, **WRITE})
def update_create(request: HttpRequest, plan_id: int, body: UpdateIn) -> Any:
    """Write the update for a period (``submit`` to submit it; submitted measure values go
    into the indicators' data and their SPC). A period already written is a 409: change it
    with PUT and its version."""
    plan = _plan(_signed_in(request), plan_id, write=True)
    existing = plan.updates.filter(period=body.period).first()
    if existing is not None:
        return _conflict(existing, "update")
    saved = _save_update(request, plan, body)
    return Status(201, saved) if isinstance(saved, ProgressUpdate) else saved


@router.put("/plans/{plan_id}/updates/{update_id}", response={200: UpdateOut, **WRITE})
def update_change(request: HttpRequest, plan_id: int, update_id: int, body: UpdateChange) -> Any:
    """Change an update, naming the ``version`` you read: 409 if someone saved since."""
    plan = _plan(_signed_in(request), plan_id, write=True)
    update = plan.updates.filter(pk=update_id).first()
    if update is None:
        raise HttpError(404, "No such update of this plan.")
    if body.period != update.period:
        return _field("period", "An update's period does not change.")
    return _save_update(request, plan, body, update)


@router.post("/plans/{plan_id}/updates/{update_id}/review", response={200: UpdateOut, **WRITE})
def update_review(request: HttpRequest, plan_id: int, update_id: int, body: UpdateReviewIn) -> Any:
    """The theme lead's review: feedback to the team and whether the update goes into the
    theme summary."""
    viewer = _signed_in(request)
    plan = _plan(viewer, plan_id)
    if not (viewer.is_admin or plan.reviewed_by(viewer)):
        raise HttpError(
            403, "Only the plan's theme lead, communications lead and coordinators review it."
        )
    update = plan.updates.filter(pk=update_id).first()
    if update is None:
        raise HttpError(404, "No such update of this plan.")
    try:
        services.update_review(update=update, user=request.user, **body.model_dump())
    except DjangoValidationError as exc:
        return invalid(exc)
    return ProgressUpdate.objects.prefetch_related("measures").get(pk=update.pk)


# --- Outcomes -----------------------------------------------------------------------------


@router.post("/plans/{plan_id}/outcomes", response={201: OutcomeOut, **WRITE})
def outcome_create(request: HttpRequest, plan_id: int, body: OutcomeIn) -> Any:
    """Record what changed; 6- and 12-month sustainability checks are scheduled with it."""
    plan = _plan(_signed_in(request), plan_id, write=True)
    measure = None
    if body.measure_id is not None:
        measure = plan.measures.filter(pk=body.measure_id).first()
        if measure is None:
            return _field("measure_id", "Choose one of this plan's measures.")
    if body.recorded_on > timezone.localdate():
        return _field("recorded_on", "An outcome is recorded once it has happened.")
    try:
        outcome = services.outcome_save(
            plan=plan,
            user=request.user,
            measure=measure,
            summary=body.summary,
            evidence=body.evidence,
            recorded_on=body.recorded_on,
        )
    except DjangoValidationError as exc:
        return invalid(exc)
    return Status(201, plan.outcomes.prefetch_related("checks").get(pk=outcome.pk))


@router.put("/plans/{plan_id}/checks/{check_id}", response={200: CheckOut, **WRITE})
def check_record(request: HttpRequest, plan_id: int, check_id: int, body: CheckIn) -> Any:
    """Record a 6- or 12-month sustainability check."""
    plan = _plan(_signed_in(request), plan_id, write=True)
    check = (
        SustainabilityCheck.objects.filter(outcome__plan=plan, pk=check_id)
        .select_related("outcome")
        .first()
    )
    if check is None:
        raise HttpError(404, "No such check on this plan.")
    try:
        return services.check_record(check=check, **body.model_dump())
    except DjangoValidationError as exc:
        return invalid(exc)


# --- The network's updates, evidence and theme summary ------------------------------------


@router.get("/networks/{slug}/updates", response={200: list[UpdateOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def network_updates(
    request: HttpRequest,
    slug: str,
    theme: int | None = None,
    workstream: int | None = None,
    locality: int | None = None,
    rag: str = "",
) -> QuerySet[ProgressUpdate]:
    """Submitted updates of the network's plans you may read, latest period first."""
    choice(rag, RAGS, "rag")
    viewer = _viewer(request)
    filters = queries.Filters(theme=theme, workstream=workstream, locality=locality, rag=rag)
    return queries.update_list(viewer, _network(viewer, slug), filters).prefetch_related("measures")


@router.get("/networks/{slug}/evidence", response={200: list[EvidenceOut], ERRORS: ErrorOut})
def evidence(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """Outcomes of the network's plans, measured improvement (special cause on the measure's
    SPC chart) first."""
    viewer = _viewer(request)
    return [
        {"plan_id": o.plan_id, "plan_title": o.plan.title, "outcome": o, "measured_improvement": ok}
        for o, ok in plan_pages.evidence_list(viewer, _network(viewer, slug))
    ]


@router.get(
    "/networks/{slug}/themes/{theme_id}/summary", response={200: list[UpdateOut], ERRORS: ErrorOut}
)
def theme_summary(
    request: HttpRequest,
    slug: str,
    theme_id: int,
    from_: date | None = None,
    to: date | None = None,
) -> list[ProgressUpdate]:
    """The updates the theme lead chose to feed back to the network, for the periods from
    ``from_`` to ``to`` (first days of months; by default the last three months)."""
    viewer = _viewer(request)
    network = _network(viewer, slug)
    end = rules.month_start(to or timezone.localdate())
    start = rules.month_start(from_) if from_ else rules.add_months(end, -2)
    return plan_pages.theme_summary(
        viewer, network, theme_id, min(start, end), max(start, end)
    ).featured
