"""The supervision API: supervisors and vetting, sessions, bookings and the waiting list,
payments and need, under /api/v1/supervision/{network slug}/.

Every read goes through core/access.py (``visible()`` for lists, ``api_get`` for one record),
so a record you may not read is a 404, and every write through the same service functions as
the pages, so the same rules and messages apply. A refused write is a 422 with the reason.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from kmatrix.core.access import Viewer, visible
from kmatrix.core.api import api_get, api_signed_in, api_viewer
from kmatrix.networks.models import Organisation, Person
from kmatrix.networks.schemas import ErrorOut
from kmatrix.supervision import bookings, drawdown, payments, queries, services, slots
from kmatrix.supervision.forms import SearchForm
from kmatrix.supervision.models import (
    Availability,
    Booking,
    PaymentRun,
    Slot,
    Statement,
    SupervisionService,
    Supervisor,
    WaitingListEntry,
    may_enter_need,
)
from kmatrix.supervision.queries import BookingFilters, Roles
from kmatrix.supervision.schemas import (
    AttendanceIn,
    BookingIn,
    BookingOut,
    CancelIn,
    CheckIn,
    CheckOut,
    DrawdownOut,
    InvoiceIn,
    MoveIn,
    NeedIn,
    NeedOut,
    RunIn,
    RunOut,
    ServiceOut,
    SessionIn,
    SessionOut,
    SessionPatch,
    StatementDetail,
    StatementOut,
    StatusIn,
    SupervisorIn,
    SupervisorOut,
    VettingOut,
    WaitIn,
    WaitingOut,
    WeeklyIn,
    WeeklyOut,
    YearTotalOut,
)
from kmatrix.supervision.times import parse_month

router = Router(tags=["supervision"])
S = "/supervision/{slug}"
PAGE_SIZE = 50
ERRORS = frozenset({400, 401, 403, 404, 422})
Refused = Status[dict[str, Any]]


def _refused(error: ValidationError) -> Refused:
    by_field = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return Status(
        422,
        {
            "detail": " ".join(m for messages in by_field.values() for m in messages),
            "errors": by_field,
        },
    )


def _service(viewer: Viewer, slug: str) -> tuple[SupervisionService, Roles]:
    service = api_get(
        viewer,
        SupervisionService.objects.select_related("network", "sponsor_group"),
        network__slug=slug,
    )
    return service, queries.roles_for(viewer, service)


def _manager(viewer: Viewer, slug: str) -> tuple[SupervisionService, Roles]:
    service, roles = _service(viewer, slug)
    if not roles.project_manager:
        raise HttpError(403, "Only the service's project managers do this.")
    return service, roles


def _person(viewer: Viewer) -> Person:
    return Person.objects.get(pk=viewer.person_id or 0)


def _staff(viewer: Viewer, roles: Roles) -> tuple[Person, Organisation]:
    if roles.staff_organisation is None:
        raise HttpError(403, "Only staff of the network's member providers book sessions.")
    return _person(viewer), roles.staff_organisation


# --- Services and supervisors --------------------------------------------------------------


@router.get("/supervision", response=list[ServiceOut])
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def service_list(request: HttpRequest) -> QuerySet[SupervisionService]:
    return visible(
        api_viewer(request), SupervisionService.objects.select_related("network")
    ).order_by("pk")


@router.get(S + "/supervisors", response={200: list[SupervisorOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def supervisor_list(
    request: HttpRequest, slug: str, state: str = "", status: str = "", q: str = ""
) -> QuerySet[Supervisor]:
    """Supervisors you can see: project managers see all (``state``: valid, expiring, expired,
    pending, failed); staff of member providers see active ones."""
    viewer = api_signed_in(request)
    service, _roles = _service(viewer, slug)
    return queries.supervisors_list(
        viewer, service, today=timezone.localdate(), state=state, status=status, q=q.strip()[:100]
    )


def _supervisor(viewer: Viewer, service: SupervisionService, pk: int) -> Supervisor:
    found = Supervisor.objects.filter(service=service).select_related("person", "provider")
    return api_get(viewer, found.prefetch_related("modalities"), pk=pk)


@router.get(S + "/supervisors/{pk}", response={200: SupervisorOut, ERRORS: ErrorOut})
def supervisor_detail(request: HttpRequest, slug: str, pk: int) -> Supervisor:
    viewer = api_signed_in(request)
    service, _roles = _service(viewer, slug)
    return _supervisor(viewer, service, pk)


@router.post(S + "/supervisors", response={201: SupervisorOut, ERRORS: ErrorOut})
def supervisor_create(request: HttpRequest, slug: str, payload: SupervisorIn) -> Status[Any]:
    """Add a supervisor (project managers): someone in the directory, found by email, or new."""
    viewer = api_signed_in(request)
    service, _roles = _manager(viewer, slug)
    data = payload.model_dump()
    provider = None
    if data["provider"]:
        provider = (
            queries.member_providers(service).filter(ods_code=data["provider"].upper()).first()
        )
        if provider is None:
            return Status(
                422,
                {
                    "detail": "provider: no such member provider.",
                    "errors": {"provider": ["No such member provider."]},
                },
            )
    try:
        person = services.person_for_supervisor(
            full_name=data.pop("full_name") or data["email"],
            email=data.pop("email"),
            job_title="Supervisor",
        )
        data["provider"] = provider
        made = services.supervisor_save(
            service=service, person=person, modalities=data.pop("modalities"), **data
        )
    except ValidationError as error:
        return _refused(error)
    return Status(201, _supervisor(viewer, service, made.pk))


@router.get(S + "/supervisors/{pk}/vetting", response={200: VettingOut, ERRORS: ErrorOut})
def vetting_detail(request: HttpRequest, slug: str, pk: int) -> dict[str, Any]:
    """A supervisor's checks: project managers, and the supervisor themself."""
    viewer = api_signed_in(request)
    service, roles = _service(viewer, slug)
    found = _supervisor(viewer, service, pk)
    if not (roles.project_manager or found.is_self(viewer)):
        raise HttpError(403, "Only the project managers and the supervisor see the checks.")
    today = timezone.localdate()
    rows = queries.check_rows(found, today)
    return {
        "supervisor": found.pk,
        "state": found.vetting_state(today, service.reminder_days),
        "cleared_until": found.cleared_until,
        "rate": found.rate,
        "checks": [
            CheckOut(
                kind=r.kind,
                required=r.required,
                status=r.check.status if r.check else "pending",
                reference=r.check.reference if r.check else "",
                checked_on=r.check.checked_on if r.check else None,
                expires_on=r.check.expires_on if r.check else None,
                valid_today=r.valid_today,
            )
            for r in rows
        ],
    }


@router.put(S + "/supervisors/{pk}/checks/{kind}", response={200: VettingOut, ERRORS: ErrorOut})
def check_save(request: HttpRequest, slug: str, pk: int, kind: str, payload: CheckIn) -> Any:
    viewer = api_signed_in(request)
    service, _roles = _manager(viewer, slug)
    found = _supervisor(viewer, service, pk)
    try:
        services.vetting_check_save(
            supervisor=found, kind=kind, user=request.user, **payload.model_dump()
        )
    except ValidationError as error:
        return _refused(error)
    return vetting_detail(request, slug, pk)


@router.post(S + "/supervisors/{pk}/status", response={200: SupervisorOut, ERRORS: ErrorOut})
def supervisor_status(request: HttpRequest, slug: str, pk: int, payload: StatusIn) -> Any:
    viewer = api_signed_in(request)
    service, _roles = _manager(viewer, slug)
    found = _supervisor(viewer, service, pk)
    try:
        services.supervisor_status_set(supervisor=found, status=payload.status)
    except ValidationError as error:
        return _refused(error)
    return _supervisor(viewer, service, pk)


# --- Sessions ------------------------------------------------------------------------------


@router.get(S + "/sessions", response={200: list[SessionOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def session_list(
    request: HttpRequest,
    slug: str,
    modality: str = "",
    profession: str = "",
    mode: str = "",
    size: str = "",
    time_of_day: str = "",
    first_day: str = "",
    last_day: str = "",
    with_places: bool = False,
) -> QuerySet[Slot]:
    """Sessions you can book now, soonest first, narrowed like the search page: ``size``
    individual or group, ``time_of_day`` morning, afternoon or evening, days as YYYY-MM-DD."""
    viewer = api_signed_in(request)
    service, _roles = _service(viewer, slug)
    given = {
        "modality": modality,
        "profession": profession,
        "mode": mode,
        "size": size,
        "time_of_day": time_of_day,
        "first_day": first_day,
        "last_day": last_day,
        "with_places": "on" if with_places else "",
    }
    form = SearchForm({k: v for k, v in given.items() if v})
    if not form.is_valid():
        raise HttpError(422, " ".join(f"{k}: {v[0]}" for k, v in form.errors.items()))
    return queries.session_search(viewer, service, form.filters(), timezone.now())


def _slot(viewer: Viewer, service: SupervisionService, pk: int, *, write: bool = False) -> Slot:
    found = Slot.objects.filter(service=service).select_related("supervisor__person")
    return api_get(viewer, found, write=write, pk=pk)


@router.get(S + "/sessions/{pk}", response={200: SessionOut, ERRORS: ErrorOut})
def session_detail(request: HttpRequest, slug: str, pk: int) -> Slot:
    viewer = api_signed_in(request)
    service, _roles = _service(viewer, slug)
    return _slot(viewer, service, pk)


def _offering(
    viewer: Viewer, service: SupervisionService, roles: Roles, pk: int | None
) -> Supervisor:
    if pk is not None and roles.project_manager:
        return _supervisor(viewer, service, pk)
    if roles.supervisor is not None and pk in (None, roles.supervisor.pk):
        return roles.supervisor
    raise HttpError(
        403, "Supervisors offer their own sessions; project managers name the supervisor."
    )


@router.post(S + "/sessions", response={201: SessionOut, ERRORS: ErrorOut})
def session_create(request: HttpRequest, slug: str, payload: SessionIn) -> Any:
    viewer = api_signed_in(request)
    service, roles = _service(viewer, slug)
    supervisor = _offering(viewer, service, roles, payload.supervisor)
    data = payload.model_dump(exclude={"supervisor"})
    if not roles.project_manager:
        data.pop("rate")
    try:
        made = slots.slot_create(supervisor=supervisor, **data)
    except ValidationError as error:
        return _refused(error)
    return Status(201, _slot(viewer, service, made.pk))


@router.post(S + "/weekly", response={201: WeeklyOut, ERRORS: ErrorOut})
def weekly_create(request: HttpRequest, slug: str, payload: WeeklyIn) -> Any:
    """A weekly time and its sessions, at the same UK time all year."""
    viewer = api_signed_in(request)
    service, roles = _service(viewer, slug)
    supervisor = _offering(viewer, service, roles, payload.supervisor)
    try:
        series = slots.availability_create(
            supervisor=supervisor, **payload.model_dump(exclude={"supervisor"})
        )
    except ValidationError as error:
        return _refused(error)
    return Status(
        201,
        {
            "made": series.made,
            "skipped": [{"day": d.isoformat(), "reason": why} for d, why in series.skipped],
        },
    )


@router.patch(S + "/sessions/{pk}", response={200: SessionOut, ERRORS: ErrorOut})
def session_update(request: HttpRequest, slug: str, pk: int, payload: SessionPatch) -> Any:
    """Change a session (its supervisor and project managers); people booked are sent the
    updated invitation."""
    viewer = api_signed_in(request)
    service, roles = _service(viewer, slug)
    found = _slot(viewer, service, pk, write=True)
    fields = payload.model_dump(exclude_unset=True)
    if "rate" in fields and not roles.project_manager:
        raise HttpError(403, "Only the project managers change a session's fee.")
    try:
        slots.slot_update(slot=found, **fields)
    except ValidationError as error:
        return _refused(error)
    return _slot(viewer, service, pk)


@router.post(S + "/weekly/{pk}/end", response={200: dict[str, int], ERRORS: ErrorOut})
def weekly_end(request: HttpRequest, slug: str, pk: int) -> Any:
    """Stop a weekly time: its future sessions nobody has booked are removed."""
    viewer = api_signed_in(request)
    service, _roles = _service(viewer, slug)
    found = api_get(viewer, Availability.objects.filter(service=service), write=True, pk=pk)
    return {"removed": slots.availability_end(availability=found)}


@router.post(S + "/sessions/{pk}/cancel", response={200: SessionOut, ERRORS: ErrorOut})
def session_cancel(request: HttpRequest, slug: str, pk: int, payload: CancelIn) -> Any:
    viewer = api_signed_in(request)
    service, _roles = _service(viewer, slug)
    found = _slot(viewer, service, pk, write=True)
    try:
        slots.slot_cancel(slot=found, user=request.user, reason=payload.reason)
    except ValidationError as error:
        return _refused(error)
    return _slot(viewer, service, pk)


@router.post(S + "/sessions/{pk}/waiting-list", response={201: WaitingOut, ERRORS: ErrorOut})
def waiting_join(request: HttpRequest, slug: str, pk: int, payload: WaitIn) -> Any:
    viewer = api_signed_in(request)
    service, roles = _service(viewer, slug)
    found = _slot(viewer, service, pk)
    person, organisation = _staff(viewer, roles)
    try:
        entry = bookings.waiting_join(
            slot_id=found.pk, person=person, organisation=organisation, **payload.model_dump()
        )
    except ValidationError as error:
        return _refused(error)
    return Status(201, entry)


def _entry(viewer: Viewer, service: SupervisionService, pk: int) -> WaitingListEntry:
    entry = api_get(viewer, WaitingListEntry.objects.filter(service=service), pk=pk)
    if not entry.is_own(viewer):
        raise HttpError(403, "Only the person waiting does this.")
    return entry


@router.post(S + "/waiting/{pk}/accept", response={201: BookingOut, ERRORS: ErrorOut})
def waiting_accept(request: HttpRequest, slug: str, pk: int) -> Any:
    viewer = api_signed_in(request)
    service, _roles = _service(viewer, slug)
    try:
        booked = bookings.waiting_offer_accept(entry=_entry(viewer, service, pk), user=request.user)
    except ValidationError as error:
        return _refused(error)
    return Status(201, _booking(viewer, service, booked.pk))


@router.post(S + "/waiting/{pk}/leave", response={200: WaitingOut, ERRORS: ErrorOut})
def waiting_leave(request: HttpRequest, slug: str, pk: int) -> Any:
    viewer = api_signed_in(request)
    service, _roles = _service(viewer, slug)
    try:
        return bookings.waiting_leave(entry=_entry(viewer, service, pk))
    except ValidationError as error:
        return _refused(error)


# --- Bookings ------------------------------------------------------------------------------


def _booking(viewer: Viewer, service: SupervisionService, pk: int) -> Booking:
    found = Booking.objects.filter(service=service).select_related(
        "slot__supervisor__person", "slot__service", "person", "organisation", "service"
    )
    return api_get(viewer, found, pk=pk)


@router.get(S + "/bookings", response={200: list[BookingOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def booking_list(
    request: HttpRequest, slug: str, mine: bool = False, when: str = "all"
) -> QuerySet[Booking]:
    """Bookings you can see: your own, your staff's (provider leads), all (project managers,
    supervisors for their sessions). ``when``: upcoming, past or all."""
    viewer = api_signed_in(request)
    service, _roles = _service(viewer, slug)
    filters = BookingFilters(mine=mine, when=when if when in ("upcoming", "past") else "all")
    return queries.bookings_list(viewer, service, filters, timezone.now())


@router.get(S + "/bookings/{pk}", response={200: BookingOut, ERRORS: ErrorOut})
def booking_detail(request: HttpRequest, slug: str, pk: int) -> Booking:
    viewer = api_signed_in(request)
    service, _roles = _service(viewer, slug)
    return _booking(viewer, service, pk)


@router.post(S + "/bookings", response={201: BookingOut, ERRORS: ErrorOut})
def booking_create(request: HttpRequest, slug: str, payload: BookingIn) -> Any:
    """Book a place (staff of member providers). A full session, a past one, or one whose
    supervisor's checks are not valid on its date is a 422 with the reason."""
    viewer = api_signed_in(request)
    service, roles = _service(viewer, slug)
    found = _slot(viewer, service, payload.session)
    person, organisation = _staff(viewer, roles)
    try:
        made = bookings.booking_create(
            slot_id=found.pk,
            person=person,
            organisation=organisation,
            profession=payload.profession,
            focus=payload.focus,
            user=request.user,
        )
    except ValidationError as error:
        return _refused(error)
    return Status(201, _booking(viewer, service, made.pk))


def _changeable(viewer: Viewer, service: SupervisionService, pk: int) -> Booking:
    found = _booking(viewer, service, pk)
    if not found.may_change(viewer):
        raise HttpError(403, "Only the person booked and the project managers change a booking.")
    return found


@router.post(S + "/bookings/{pk}/cancel", response={200: BookingOut, ERRORS: ErrorOut})
def booking_cancel(request: HttpRequest, slug: str, pk: int, payload: CancelIn) -> Any:
    viewer = api_signed_in(request)
    service, _roles = _service(viewer, slug)
    try:
        bookings.booking_cancel(
            booking=_changeable(viewer, service, pk), user=request.user, reason=payload.reason
        )
    except ValidationError as error:
        return _refused(error)
    return _booking(viewer, service, pk)


@router.post(S + "/bookings/{pk}/move", response={200: BookingOut, ERRORS: ErrorOut})
def booking_move(request: HttpRequest, slug: str, pk: int, payload: MoveIn) -> Any:
    viewer = api_signed_in(request)
    service, _roles = _service(viewer, slug)
    target = _slot(viewer, service, payload.session)
    try:
        bookings.booking_reschedule(
            booking=_changeable(viewer, service, pk), slot_id=target.pk, user=request.user
        )
    except ValidationError as error:
        return _refused(error)
    return _booking(viewer, service, pk)


@router.post(S + "/bookings/{pk}/attendance", response={200: BookingOut, ERRORS: ErrorOut})
def booking_attendance(request: HttpRequest, slug: str, pk: int, payload: AttendanceIn) -> Any:
    viewer = api_signed_in(request)
    service, _roles = _service(viewer, slug)
    found = _booking(viewer, service, pk)
    if not found.may_record_attendance(viewer):
        raise HttpError(
            403, "Only the session's supervisor and the project managers record attendance."
        )
    try:
        bookings.attendance_record(booking=found, attendance=payload.attendance)
    except ValidationError as error:
        return _refused(error)
    return _booking(viewer, service, pk)


# --- Payments ------------------------------------------------------------------------------


@router.get(S + "/payment-runs", response={200: list[RunOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def run_list(request: HttpRequest, slug: str) -> QuerySet[PaymentRun]:
    viewer = api_signed_in(request)
    service, _roles = _manager(viewer, slug)
    return queries.runs_for(viewer, service)


@router.post(S + "/payment-runs", response={201: RunOut, 200: RunOut, ERRORS: ErrorOut})
def run_start(request: HttpRequest, slug: str, payload: RunIn) -> Any:
    """Run a month's payments (201), or get the run already made for it, unchanged (200)."""
    viewer = api_signed_in(request)
    service, _roles = _manager(viewer, slug)
    month = parse_month(payload.month)
    if month is None:
        return Status(
            422, {"detail": "month: give YYYY-MM.", "errors": {"month": ["Give YYYY-MM."]}}
        )
    try:
        run, made = payments.payment_run_start(service=service, month=month, user=request.user)
    except ValidationError as error:
        return _refused(error)
    return Status(201 if made else 200, run)


@router.get(S + "/payment-runs/{pk}", response={200: RunOut, ERRORS: ErrorOut})
def run_detail(request: HttpRequest, slug: str, pk: int) -> PaymentRun:
    viewer = api_signed_in(request)
    service, _roles = _manager(viewer, slug)
    return api_get(viewer, service.payment_runs.all(), pk=pk)


@router.get(S + "/payment-totals", response={200: list[YearTotalOut], ERRORS: ErrorOut})
def payment_totals(request: HttpRequest, slug: str) -> Any:
    """Payments by financial year (April to March): committed, approved and paid."""
    viewer = api_signed_in(request)
    service, _roles = _manager(viewer, slug)
    return queries.payment_totals_by_year(service)


@router.get(S + "/drawdown", response={200: DrawdownOut, ERRORS: ErrorOut})
def drawdown_read(request: HttpRequest, slug: str) -> Any:
    """The payments against the funding programme's awards: per award (financial years), the
    amount, drawn (paid), committed (approved or due) and remaining, exact in pounds."""
    viewer = api_signed_in(request)
    service, _roles = _manager(viewer, slug)
    found = drawdown.drawdown_for(viewer, service)
    return {
        "programme_id": found.programme_id,
        "readable": found.readable,
        "rows": [
            {
                "label": r.label,
                "years": list(r.years),
                "award_id": r.award.award_id if r.award else None,
                "amount": r.amount,
                "drawn": r.drawn,
                "approved": r.approved,
                "due": r.due,
                "committed": r.committed,
                "remaining": r.remaining,
                "over": r.over,
            }
            for r in found.rows
        ],
    }


@router.get(S + "/statements", response={200: list[StatementOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def statement_list(request: HttpRequest, slug: str) -> QuerySet[Statement]:
    """Statements you can see: all (project managers) or your own (supervisors)."""
    viewer = api_signed_in(request)
    service, _roles = _service(viewer, slug)
    return queries.statements_for(viewer, service)


@router.get(S + "/statements/{pk}", response={200: StatementDetail, ERRORS: ErrorOut})
def statement_detail(request: HttpRequest, slug: str, pk: int) -> Statement:
    viewer = api_signed_in(request)
    service, _roles = _service(viewer, slug)
    return api_get(viewer, queries.statements_for(viewer, service).prefetch_related("lines"), pk=pk)


@router.post(S + "/statements/{pk}/status", response={200: StatementOut, ERRORS: ErrorOut})
def statement_status(request: HttpRequest, slug: str, pk: int, payload: InvoiceIn) -> Any:
    viewer = api_signed_in(request)
    service, _roles = _manager(viewer, slug)
    found = api_get(viewer, queries.statements_for(viewer, service), pk=pk)
    try:
        payments.statement_status_set(
            statement=found, status=payload.status, user=request.user, paid_on=payload.paid_on
        )
    except ValidationError as error:
        return _refused(error)
    return api_get(viewer, queries.statements_for(viewer, service), pk=pk)


# --- Need ----------------------------------------------------------------------------------


def _need(service: SupervisionService, year: int) -> dict[str, Any]:
    page = queries.need_page(service, year)
    return {
        "year": year,
        "label": page.label,
        "rows": [
            {
                "organisation": r.organisation.ods_code or r.organisation.name,
                "profession": r.profession,
                "needed": r.needed,
                "booked": r.booked,
                "delivered": r.delivered,
                "gap": r.gap,
            }
            for r in page.rows
        ],
    }


@router.get(S + "/need", response={200: NeedOut, ERRORS: ErrorOut})
def need_detail(request: HttpRequest, slug: str, year: int | None = None) -> Any:
    """Sessions needed by provider and profession against booked and delivered: the HR
    Directors, provider leads and project managers."""
    viewer = api_signed_in(request)
    service, roles = _service(viewer, slug)
    if not roles.sees_need:
        raise HttpError(
            403, "Need and provision are for the HR Directors, provider leads and project managers."
        )
    from kmatrix.supervision.times import financial_year

    chosen = (
        year if year is not None and 2000 <= year <= 2100 else financial_year(timezone.localdate())
    )
    return _need(service, chosen)


@router.put(S + "/need", response={200: NeedOut, ERRORS: ErrorOut})
def need_save(request: HttpRequest, slug: str, payload: NeedIn) -> Any:
    viewer = api_signed_in(request)
    service, _roles = _service(viewer, slug)
    ref = payload.organisation.strip()
    lookup: dict[str, Any] = {"pk": int(ref)} if ref.isdigit() else {"ods_code": ref.upper()}
    organisation = queries.member_providers(service).filter(**lookup).first()
    if organisation is None:
        raise HttpError(404, "No such member provider.")
    if not may_enter_need(viewer, service, organisation.pk):
        raise HttpError(
            403, "Only the project managers and this provider's HR Director enter its need."
        )
    try:
        services.need_save(
            service=service,
            organisation=organisation,
            financial_year=payload.year,
            needs={str(k): v for k, v in payload.needs.items()},
            user=request.user,
        )
    except ValidationError as error:
        return _refused(error)
    return _need(service, payload.year)
