"""The project manager's pages (overview, supervisors, vetting, reminders) and a supervisor's
own (profile, availability, their sessions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kmatrix.core.access import get_for
from kmatrix.core.forms import apply_errors
from kmatrix.core.history import history_for
from kmatrix.core.pages import paginate, text_param
from kmatrix.supervision import queries, services, slots, tasks
from kmatrix.supervision.choices import (
    CheckKind,
    Profession,
    RunStatus,
    SupervisorStatus,
    VettingState,
)
from kmatrix.supervision.forms import (
    AvailabilityForm,
    CheckForm,
    ProfileFields,
    StatusForm,
    SupervisorForm,
    supervisor_initial,
)
from kmatrix.supervision.models import Availability, ReminderRun, Supervisor, VettingCheck
from kmatrix.supervision.pages import Context, context, today

SUPERVISORS_PER_PAGE = 50


def _manager(request: HttpRequest, slug: str) -> Context:
    page = context(request, slug)
    page.require_manager()
    return page


@login_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    page = _manager(request, slug)
    return render(
        request,
        "supervision/overview.html",
        page.page(
            overview=queries.overview(page.service, today(), timezone.now()),
            states=VettingState.choices,
            breadcrumbs=page.crumbs(("Overview", "")),
        ),
    )


def _reminder_context(page: Context, run: ReminderRun | None) -> dict[str, Any]:
    running = run is not None and run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    return page.page(
        reminders=run,
        running=running,
        progress_url=reverse("supervision:reminders_progress", args=[page.service.network.slug]),
    )


@login_required
@require_POST
def reminders_start(request: HttpRequest, slug: str) -> HttpResponse:
    page = _manager(request, slug)
    tasks.reminders_enqueue()
    messages.success(request, "Reminders queued: progress shows below.")
    return redirect("supervision:overview", page.service.network.slug)


@login_required
def reminders_progress(request: HttpRequest, slug: str) -> HttpResponse:
    page = _manager(request, slug)
    context_ = _reminder_context(page, ReminderRun.objects.order_by("-started_at").first())
    status = 200 if context_["running"] else 286  # 286 tells htmx to stop polling
    return render(request, "supervision/_reminders.html", context_, status=status)


@login_required
def supervisors(request: HttpRequest, slug: str) -> HttpResponse:
    page = _manager(request, slug)
    state, status = text_param(request, "state"), text_param(request, "status")
    q = text_param(request, "q")
    found = queries.supervisors_list(
        page.viewer, page.service, today=today(), state=state, status=status, q=q
    )
    listing, pagination = paginate(request, found, SUPERVISORS_PER_PAGE)
    return render(
        request,
        "supervision/supervisors.html",
        page.page(
            listing=listing,
            pagination=pagination,
            state=state,
            status=status,
            q=q,
            states=VettingState.choices,
            statuses=SupervisorStatus.choices,
            today=today(),
            breadcrumbs=page.crumbs(("Supervisors", "")),
        ),
    )


@login_required
def supervisor_create(request: HttpRequest, slug: str) -> HttpResponse:
    page = _manager(request, slug)
    form = SupervisorForm(request.POST or None, service=page.service)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_for_supervisor(
                full_name=data["full_name"],
                email=data["email"],
                job_title=f"{Profession(data['profession']).label} (supervisor)",
            )
            made = services.supervisor_save(
                service=page.service,
                person=person,
                modalities=data["modalities"],
                kind=data["kind"],
                provider=data["provider"],
                rate=data["rate"],
                **form.profile(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{made} added. Record their checks to take them on.")
            return redirect(made)
    return render(
        request,
        "supervision/form.html",
        page.page(
            form=form,
            title="Add a supervisor",
            cancel=f"{page.base}supervisors/",
            intro="For internal supervisors and staff who retire and return, or anyone the "
            "project team recruits. External supervisors can also register themselves.",
            breadcrumbs=page.crumbs(("Supervisors", f"{page.base}supervisors/"), ("Add", "")),
        ),
        status=400 if form.errors else 200,
    )


def _supervisor(page: Context, pk: int) -> Supervisor:
    return get_for(
        page.viewer,
        Supervisor.objects.filter(service=page.service).select_related(
            "person", "provider", "service__network"
        ),
        pk=pk,
    )


@login_required
def supervisor(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page = context(request, slug)
    found = _supervisor(page, pk)
    manages = page.roles.project_manager
    own = found.is_self(page.viewer)
    day = today()
    sessions = queries.supervisor_sessions(found, since=timezone.now() - timedelta(hours=1))
    return render(
        request,
        "supervision/supervisor.html",
        page.page(
            supervisor=found,
            manages=manages,
            own=own,
            state=found.vetting_state(day, page.service.reminder_days),
            checks=queries.check_rows(found, day) if manages or own else [],
            sessions=list(sessions[:30]),
            availabilities=list(found.availabilities.filter(last_day__gte=day))
            if manages or own
            else [],
            email_confirmed=services.email_confirmed(found.person.user_id) if manages else None,
            status_form=StatusForm(initial={"status": found.status}) if manages else None,
            history=history_for(found) if manages else [],
            breadcrumbs=page.crumbs(
                ("Supervisors", f"{page.base}supervisors/")
                if manages
                else ("Find a session", f"{page.base}sessions/"),
                (str(found), ""),
            ),
        ),
    )


@login_required
def supervisor_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page = context(request, slug)
    found = _supervisor(page, pk)
    manages, own = page.roles.project_manager, found.is_self(page.viewer)
    if not (manages or own):
        raise PermissionDenied("Only the supervisor and the project managers change a profile.")
    form: ProfileFields = (
        SupervisorForm(
            request.POST or None,
            initial=supervisor_initial(found),
            service=page.service,
            editing=True,
        )
        if manages
        else ProfileFields(request.POST or None, initial=supervisor_initial(found))
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        extra = {k: data[k] for k in ("kind", "provider", "rate") if manages}
        try:
            services.supervisor_save(
                supervisor=found,
                service=page.service,
                person=found.person,
                modalities=data["modalities"],
                **form.profile(),
                **extra,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Profile saved.")
            return redirect(found)
    return render(
        request,
        "supervision/form.html",
        page.page(
            form=form,
            title=f"Edit {found}",
            cancel=found.get_absolute_url(),
            breadcrumbs=page.crumbs((str(found), found.get_absolute_url()), ("Edit", "")),
        ),
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def supervisor_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page = _manager(request, slug)
    found = _supervisor(page, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return redirect(found)
    try:
        services.supervisor_status_set(supervisor=found, status=form.cleaned_data["status"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{found} is now {found.get_status_display().lower()}.")
    return redirect(found)


@login_required
def check_edit(request: HttpRequest, slug: str, pk: int, kind: str) -> HttpResponse:
    page = _manager(request, slug)
    found = _supervisor(page, pk)
    if kind not in CheckKind.values:
        raise Http404("There is no such check.")
    current = VettingCheck.objects.filter(supervisor=found, kind=kind).first()
    form = CheckForm(
        request.POST or None, instance=current or VettingCheck(supervisor=found, kind=kind)
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in CheckForm.Meta.fields}
        try:
            services.vetting_check_save(supervisor=found, kind=kind, user=request.user, **fields)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{CheckKind(kind).label} saved.")
            return redirect(found)
    return render(
        request,
        "supervision/form.html",
        page.page(
            form=form,
            title=f"{CheckKind(kind).label}: {found}",
            intro=_CHECK_HELP[CheckKind(kind)],
            cancel=found.get_absolute_url(),
            history=history_for(current) if current else [],
            breadcrumbs=page.crumbs(
                ("Supervisors", f"{page.base}supervisors/"),
                (str(found), found.get_absolute_url()),
                (CheckKind(kind).label, ""),
            ),
        ),
        status=400 if form.errors else 200,
    )


_CHECK_HELP = {
    CheckKind.IDENTITY: "Photo identity seen, and the right to work checked.",
    CheckKind.REGISTRATION: "The professional register checked: give the registration number "
    "and when the registration must be renewed.",
    CheckKind.DBS: "An enhanced DBS check: give the certificate's 12-digit number, its date, "
    "and when the service needs a new one.",
    CheckKind.REFERENCE_1: "A reference from a recent employer or supervisor: give the referee.",
    CheckKind.REFERENCE_2: "A second reference: give the referee.",
    CheckKind.CONTRACT: "The supervision contract or honorary contract, signed: give its end "
    "date if it has one.",
    CheckKind.TRAINING: "Required training (for example safeguarding and information "
    "governance): give the course and when it must be renewed.",
}


@login_required
def availability_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page = context(request, slug)
    found = _supervisor(page, pk)
    if not (page.roles.project_manager or found.is_self(page.viewer)):
        raise PermissionDenied("Only the supervisor and the project managers offer sessions.")
    form = AvailabilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = slots.availability_create(
                supervisor=found,
                weekday=data["weekday"],
                starts_at=data["start"],
                duration_minutes=data["duration_minutes"],
                first_day=data["first_day"],
                last_day=data["last_day"],
                mode=data["mode"],
                every_weeks=data["every_weeks"],
                capacity=data["capacity"],
                location=data["location"],
                joining_link=data["joining_link"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            skipped = "; ".join(f"{d:%d %B} ({why})" for d, why in series.skipped[:10])
            messages.success(
                request,
                f"{len(series.made)} sessions offered."
                + (f" Left out: {skipped}." if skipped else ""),
            )
            return redirect(found)
    return render(
        request,
        "supervision/form.html",
        page.page(
            form=form,
            title=f"Offer a weekly time: {found}",
            cancel=found.get_absolute_url(),
            intro="A session is made for each week, at the same UK time in summer and winter. "
            "Weeks that would overlap one of your sessions are left out.",
            breadcrumbs=page.crumbs((str(found), found.get_absolute_url()), ("Weekly time", "")),
        ),
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def availability_end(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page = context(request, slug)
    found = get_for(
        page.viewer,
        Availability.objects.filter(service=page.service).select_related(
            "supervisor__service__network"
        ),
        write=True,
        pk=pk,
    )
    ended = slots.availability_end(availability=found)
    messages.success(
        request, f"Weekly time stopped: {ended} sessions nobody had booked were removed."
    )
    return redirect(found.supervisor)


@login_required
def mine(request: HttpRequest, slug: str) -> HttpResponse:
    """A supervisor's own page: sessions coming up, attendance to record, statements."""
    page = context(request, slug)
    found = page.roles.supervisor
    if found is None:
        raise Http404("You are not a supervisor of this service.")
    now = timezone.now()
    return render(
        request,
        "supervision/mine.html",
        page.page(
            supervisor=found,
            state=found.vetting_state(today(), page.service.reminder_days),
            email_confirmed=services.email_confirmed(found.person.user_id),
            sessions=list(queries.supervisor_sessions(found, since=now)[:40]),
            to_record=list(queries.awaiting_attendance(page.service, now, found)[:40]),
            statements=list(
                queries.statements_for(page.viewer, page.service).filter(supervisor=found)[:24]
            ),
            breadcrumbs=page.crumbs(("Your supervision", "")),
        ),
    )
