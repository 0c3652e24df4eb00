"""Session pages: search and book, one session (book, wait, attendance, cancel), offering
sessions, bookings (yours, your staff's, all), moving and cancelling, and waiting-list offers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kmatrix.core import ical
from kmatrix.core.access import can_manage, get_for
from kmatrix.core.exports import csv_response
from kmatrix.core.forms import apply_errors
from kmatrix.core.pages import int_param, paginate, text_param
from kmatrix.networks.models import Person
from kmatrix.supervision import bookings, invitations, queries, slots
from kmatrix.supervision.choices import Attendance, BookingStatus, WaitingStatus
from kmatrix.supervision.forms import BookingForm, CancelForm, MoveForm, SearchForm, SlotForm
from kmatrix.supervision.models import Slot, Supervisor
from kmatrix.supervision.pages import Context, context
from kmatrix.supervision.queries import BookingFilters
from kmatrix.supervision.times import london

PER_PAGE = 20


def _staff(page: Context) -> Any:
    org = page.roles.staff_organisation
    if org is None:
        raise PermissionDenied(
            "Only staff of the network's member providers book sessions: you are not in the "
            "network for a member provider."
        )
    return org


@login_required
def sessions(request: HttpRequest, slug: str) -> HttpResponse:
    """Find a session: by modality, the supervisor's profession, mode, size and time."""
    page = context(request, slug)
    form = SearchForm(request.GET or None)
    found = queries.session_search(page.viewer, page.service, form.filters(), timezone.now())
    listing, pagination = paginate(request, found, PER_PAGE)
    return render(
        request,
        "supervision/sessions.html",
        page.page(
            form=form,
            listing=listing,
            pagination=pagination,
            when_text=invitations.when,
            breadcrumbs=page.crumbs(("Find a session", "")),
        ),
    )


@login_required
def slot(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page = context(request, slug)
    found = queries.slot_for(page.viewer, page.service, pk)
    return _slot_page(request, page, found)


def _slot_page(
    request: HttpRequest,
    page: Context,
    found: Slot,
    *,
    booking_form: BookingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    manages = can_manage(page.viewer, found)
    own_booking, own_entry = queries.own_entry(page.viewer, found)
    last = own_booking or own_entry
    initial = {"profession": last.profession} if last else {}
    return render(
        request,
        "supervision/slot.html",
        page.page(
            slot=found,
            problem=bookings.bookable_problem(found, now),
            started=found.starts_at <= now,
            manages=manages,
            bookings=queries.slot_bookings(page.viewer, found) if manages else [],
            waiting=queries.slot_waiting(page.viewer, found) if manages else [],
            own_booking=own_booking,
            own_entry=own_entry,
            booking_form=booking_form or BookingForm(initial=initial),
            attendance_choices=[
                (Attendance.ATTENDED, "Attended"),
                (Attendance.NO_SHOW, "Did not attend"),
            ],
            breadcrumbs=page.crumbs(
                ("Find a session", f"{page.base}sessions/"), (invitations.when(found), "")
            ),
        ),
        status=status,
    )


@login_required
@require_POST
def slot_book(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _join(request, slug, pk, wait=False)


@login_required
@require_POST
def slot_wait(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _join(request, slug, pk, wait=True)


def _join(request: HttpRequest, slug: str, pk: int, *, wait: bool) -> HttpResponse:
    page = context(request, slug)
    found = queries.slot_for(page.viewer, page.service, pk)
    organisation = _staff(page)
    form = BookingForm(request.POST)
    if form.is_valid():
        person = Person.objects.get(pk=page.viewer.person_id or 0)
        try:
            if wait:
                bookings.waiting_join(
                    slot_id=found.pk,
                    person=person,
                    organisation=organisation,
                    **form.cleaned_data,
                )
            else:
                booked = bookings.booking_create(
                    slot_id=found.pk,
                    person=person,
                    organisation=organisation,
                    user=request.user,
                    **form.cleaned_data,
                )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if wait:
                messages.success(
                    request, "You are on the waiting list. If a place frees up, we will email you."
                )
                return redirect("supervision:slot", slug, found.pk)
            messages.success(request, f"Booked. The invitation is on its way to {person.email}.")
            return redirect("supervision:booking", slug, booked.pk)
    return _slot_page(request, page, found, booking_form=form, status=400)


@login_required
@require_POST
def slot_attendance(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Record attendance of a session's bookings (its supervisor or a project manager)."""
    page = context(request, slug)
    found = queries.slot_for(page.viewer, page.service, pk)
    if not can_manage(page.viewer, found):
        raise PermissionDenied("Only the session's supervisor and the project managers do this.")
    errors = []
    recorded = 0
    for booking in found.bookings.filter(status=BookingStatus.CONFIRMED).select_related("person"):
        value = request.POST.get(f"attendance_{booking.pk}")
        if value is None:
            continue
        try:
            bookings.attendance_record(booking=booking, attendance=value)
            recorded += 1
        except ValidationError as error:
            errors.append(f"{booking.person}: {' '.join(error.messages)}")
    for text in errors:
        messages.error(request, text)
    if recorded and not errors:
        messages.success(request, "Attendance saved.")
    return redirect("supervision:slot", slug, found.pk)


def _supervisor_for_new(page: Context, request: HttpRequest) -> Supervisor:
    chosen = int_param(request, "supervisor")
    if chosen is not None and page.roles.project_manager:
        return get_for(page.viewer, page.service.supervisors.select_related("person"), pk=chosen)
    if page.roles.supervisor is not None:
        return page.roles.supervisor
    if page.roles.project_manager:
        raise Http404("Choose the supervisor from their profile page.")
    raise PermissionDenied("Only supervisors and the project managers offer sessions.")


@login_required
def slot_create(request: HttpRequest, slug: str) -> HttpResponse:
    page = context(request, slug)
    supervisor = _supervisor_for_new(page, request)
    form = SlotForm(request.POST or None, fee=page.roles.project_manager)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = slots.slot_create(
                supervisor=supervisor,
                starts_at=form.starts_at(),  # type: ignore[arg-type]
                duration_minutes=data["duration_minutes"],
                mode=data["mode"],
                capacity=data["capacity"],
                location=data["location"],
                joining_link=data["joining_link"],
                rate=data.get("rate"),
            )
        except ValidationError as error:
            apply_errors(form, _on_form_fields(error))
        else:
            messages.success(request, f"Session offered: {invitations.when(made)}.")
            return redirect("supervision:slot", slug, made.pk)
    return render(
        request,
        "supervision/form.html",
        page.page(
            form=form,
            title=f"Offer a session: {supervisor}",
            intro="Times are UK time. A session cannot overlap another of yours.",
            cancel=supervisor.get_absolute_url(),
            breadcrumbs=page.crumbs(("Offer a session", "")),
        ),
        status=400 if form.errors else 200,
    )


def _on_form_fields(error: ValidationError) -> ValidationError:
    # The service speaks of starts_at; the form has a date and a start time.
    if hasattr(error, "error_dict") and "starts_at" in error.error_dict:
        moved = dict(error.error_dict)
        moved["start"] = moved.pop("starts_at")
        return ValidationError(moved)
    return error


@login_required
def slot_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page = context(request, slug)
    found = get_for(
        page.viewer,
        Slot.objects.filter(service=page.service).select_related("supervisor__person"),
        write=True,
        pk=pk,
    )
    local = london(found.starts_at)
    initial = {
        "day": local.date(),
        "start": local.time().replace(tzinfo=None),
        "duration_minutes": found.duration_minutes,
        "mode": found.mode,
        "capacity": found.capacity,
        "location": found.location,
        "joining_link": found.joining_link,
        "rate": found.rate,
    }
    form = SlotForm(request.POST or None, initial=initial, fee=page.roles.project_manager)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            k: data[k] for k in ("duration_minutes", "mode", "capacity", "location", "joining_link")
        }
        fields["starts_at"] = form.starts_at()
        if data.get("rate") is not None:
            fields["rate"] = data["rate"]
        try:
            slots.slot_update(slot=found, **fields)
        except ValidationError as error:
            apply_errors(form, _on_form_fields(error))
        else:
            messages.success(request, "Session saved; anyone booked has the new details.")
            return redirect("supervision:slot", slug, found.pk)
    return render(
        request,
        "supervision/form.html",
        page.page(
            form=form,
            title=f"Change the session: {invitations.when(found)}",
            cancel=found.get_absolute_url(),
            breadcrumbs=page.crumbs(
                (invitations.when(found), found.get_absolute_url()), ("Change", "")
            ),
        ),
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def slot_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page = context(request, slug)
    found = get_for(page.viewer, Slot.objects.filter(service=page.service), write=True, pk=pk)
    try:
        slots.slot_cancel(
            slot=found, user=request.user, reason=request.POST.get("reason", "")[:300]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Session cancelled; everyone booked has been told.")
    return redirect("supervision:slot", slug, found.pk)


# --- Bookings ------------------------------------------------------------------------------

VIEWS = {"mine": "Your bookings", "provider": "Your staff's bookings", "all": "All bookings"}
WHEN = {"upcoming": "Coming up", "past": "Past", "all": "All"}


@login_required
def bookings_page(request: HttpRequest, slug: str) -> HttpResponse | StreamingHttpResponse:
    page = context(request, slug)
    roles = page.roles
    offered = (
        ["mine"]
        if roles.staff_organisation or not (roles.led_organisations or roles.project_manager)
        else []
    )
    offered += ["provider"] if roles.led_organisations else []
    offered += ["all"] if roles.project_manager else []
    chosen = text_param(request, "view")
    chosen = chosen if chosen in offered else offered[0]
    when = text_param(request, "when")
    when = when if when in WHEN else "upcoming"
    organisation = int_param(request, "organisation")
    if chosen == "provider" and organisation not in roles.led_organisations:
        organisation = None
    filters = BookingFilters(mine=chosen == "mine", when=when, organisation_id=organisation)
    found = queries.bookings_list(page.viewer, page.service, filters, timezone.now())
    if text_param(request, "format") == "csv":
        return csv_response(
            f"{page.service.network.slug}-supervision-bookings.csv", *_booking_table(found)
        )
    listing, pagination = paginate(request, found, 50)
    return render(
        request,
        "supervision/bookings.html",
        page.page(
            listing=listing,
            pagination=pagination,
            views=[(v, VIEWS[v]) for v in offered],
            chosen=chosen,
            when=when,
            whens=WHEN,
            organisation=organisation,
            waiting=queries.own_waiting(page.viewer, page.service) if chosen == "mine" else [],
            breadcrumbs=page.crumbs((VIEWS[chosen], "")),
        ),
    )


def _booking_table(found: Any) -> tuple[list[str], Any]:
    header = [
        "Date",
        "Start",
        "End",
        "Supervisor",
        "Booked by",
        "Provider",
        "Profession",
        "Mode",
        "Status",
        "Attendance",
        "Booked on",
    ]

    def rows() -> Any:
        for b in found.iterator(chunk_size=500):
            start, end = london(b.slot.starts_at), london(b.slot.ends_at)
            yield [
                start.date().isoformat(),
                f"{start:%H:%M}",
                f"{end:%H:%M}",
                b.slot.supervisor.person.full_name,
                b.person.full_name,
                b.organisation.name,
                b.get_profession_display(),
                b.slot.get_mode_display(),
                b.get_status_display(),
                b.get_attendance_display() if b.attendance else "",
                london(b.created_at).date().isoformat(),
            ]

    return header, rows()


@login_required
def booking(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page = context(request, slug)
    found = queries.booking_for(page.viewer, page.service, pk)
    now = timezone.now()
    return render(
        request,
        "supervision/booking.html",
        page.page(
            booking=found,
            slot=found.slot,
            started=found.slot.starts_at <= now,
            late=bookings.is_late(found.slot, now),
            may_change=found.may_change(page.viewer),
            may_record=found.may_record_attendance(page.viewer),
            cancel_form=CancelForm(),
            breadcrumbs=page.crumbs(
                ("Bookings", f"{page.base}bookings/"), (invitations.when(found.slot), "")
            ),
        ),
    )


def _changeable(request: HttpRequest, slug: str, pk: int) -> tuple[Context, Any]:
    page = context(request, slug)
    found = queries.booking_for(page.viewer, page.service, pk)
    if not found.may_change(page.viewer):
        raise PermissionDenied("Only the person booked and the project managers change a booking.")
    return page, found


@login_required
def booking_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page, found = _changeable(request, slug, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bookings.booking_cancel(
                booking=found, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Booking cancelled. The calendar cancellation is on its way.")
            return redirect("supervision:booking", slug, found.pk)
    return render(
        request,
        "supervision/booking_cancel.html",
        page.page(
            booking=found,
            form=form,
            late=bookings.is_late(found.slot, timezone.now()),
            breadcrumbs=page.crumbs(
                (invitations.when(found.slot), found.get_absolute_url()), ("Cancel", "")
            ),
        ),
        status=400 if form.errors else 200,
    )


def _move_choices(page: Context, current: Any) -> list[tuple[int, str]]:
    found = (
        queries.bookable_sessions(page.service, timezone.now())
        .filter(supervisor=current.slot.supervisor)
        .exclude(pk=current.slot_id)
        .filter(taken__lt=F("capacity"))
    )
    return [
        (s.pk, f"{invitations.when(s)} ({s.get_mode_display().lower()}, {s.free} free)")
        for s in found.order_by("starts_at")[:40]
    ]


@login_required
def booking_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page, found = _changeable(request, slug, pk)
    form = MoveForm(request.POST or None, choices=_move_choices(page, found))
    if request.method == "POST" and form.is_valid():
        try:
            bookings.booking_reschedule(
                booking=found, slot_id=form.cleaned_data["slot"], user=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Booking moved. The updated invitation is on its way.")
            return redirect("supervision:booking", slug, found.pk)
    return render(
        request,
        "supervision/booking_move.html",
        page.page(
            booking=found,
            form=form,
            breadcrumbs=page.crumbs(
                (invitations.when(found.slot), found.get_absolute_url()), ("Move", "")
            ),
        ),
        status=400 if form.errors else 200,
    )


@login_required
def booking_ics(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page = context(request, slug)
    found = queries.booking_for(page.viewer, page.service, pk)
    cancelled = found.status == BookingStatus.CANCELLED
    text = ical.calendar(
        [invitations.booking_event(found, cancelled=cancelled)],
        method="CANCEL" if cancelled else "REQUEST",
    )
    return ical.calendar_response(text, f"supervision-{found.pk}.ics", attachment=True)


# --- Waiting list --------------------------------------------------------------------------


@login_required
def waiting(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page = context(request, slug)
    entry = queries.waiting_for(page.viewer, page.service, pk)
    return render(
        request,
        "supervision/waiting.html",
        page.page(
            entry=entry,
            slot=entry.slot,
            own=entry.is_own(page.viewer),
            offered=entry.status == WaitingStatus.OFFERED
            and entry.offer_expires_at
            and entry.offer_expires_at > timezone.now(),
            breadcrumbs=page.crumbs(("Waiting list", "")),
        ),
    )


def _own_entry(request: HttpRequest, slug: str, pk: int) -> tuple[Context, Any]:
    page = context(request, slug)
    entry = queries.waiting_for(page.viewer, page.service, pk)
    if not (entry.is_own(page.viewer) or entry.managed_by(page.viewer)):
        raise PermissionDenied("Only the person waiting and the project managers do this.")
    return page, entry


@login_required
@require_POST
def waiting_accept(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page, entry = _own_entry(request, slug, pk)
    if not entry.is_own(page.viewer):
        raise PermissionDenied("Only the person offered the place can take it up.")
    try:
        booked = bookings.waiting_offer_accept(entry=entry, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("supervision:waiting", slug, entry.pk)
    messages.success(request, "Booked. The invitation is on its way.")
    return redirect("supervision:booking", slug, booked.pk)


@login_required
@require_POST
def waiting_leave(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _page, entry = _own_entry(request, slug, pk)
    try:
        bookings.waiting_leave(entry=entry)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "You have left the waiting list.")
    return redirect("supervision:slot", slug, entry.slot_id)
