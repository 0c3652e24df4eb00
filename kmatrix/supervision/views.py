"""Supervision pages: the list of services, a service's home, its set-up and roles, and
registration for external supervisors. Sessions, management and payments have their own
modules (views_sessions.py, views_manage.py, views_payments.py)."""

from __future__ import annotations

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kmatrix.core.access import can_manage, get_for, viewer_for, visible
from kmatrix.core.forms import apply_errors
from kmatrix.core.history import history_for
from kmatrix.networks.models import Network
from kmatrix.programmes.queries import programmes_of
from kmatrix.supervision import queries, services
from kmatrix.supervision.forms import RegistrationForm, RoleForm, ServiceForm
from kmatrix.supervision.models import Booking, ServiceRole, SupervisionService
from kmatrix.supervision.pages import context
from kmatrix.supervision.queries import BookingFilters
from kmatrix.supervision.times import london


def index(request: HttpRequest) -> HttpResponse:
    """Every supervision service the viewer can see, with their own next bookings."""
    viewer = viewer_for(request.user)
    found = list(visible(viewer, SupervisionService.objects.select_related("network")))
    upcoming = []
    if viewer.person_id:
        upcoming = list(
            visible(viewer, Booking.objects.filter(person_id=viewer.person_id))
            .filter(status="confirmed", slot__starts_at__gte=timezone.now())
            .select_related("slot__supervisor__person", "service__network")
            .order_by("slot__starts_at")[:10]
        )
    return render(
        request,
        "supervision/index.html",
        {"services": found, "upcoming": upcoming, "local": london},
    )


def home(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    service = visible(viewer, SupervisionService.objects.filter(network__slug=slug)).first()
    if service is None:
        # No service, or none this viewer may see: the network decides between a 404, the
        # page saying there is none, and (for its coordinators) setting one up.
        network = get_for(viewer, Network.objects.all(), slug=slug)
        if SupervisionService.objects.filter(network=network).exists() or not can_manage(
            viewer, network
        ):
            return render(
                request,
                "core/error.html",
                {
                    "title": "No supervision service",
                    "text": f"{network.name} does not run a supervision booking service.",
                },
                status=404,
            )
        return redirect("supervision:setup", network.slug)
    page = context(request, slug)
    now = timezone.now()
    upcoming = []
    if page.roles.staff_organisation is not None:
        upcoming = list(
            queries.bookings_list(viewer, page.service, BookingFilters(mine=True), now)[:5]
        )
    return render(
        request,
        "supervision/home.html",
        page.page(
            upcoming=upcoming,
            waiting=queries.own_waiting(viewer, page.service) if viewer.person_id else [],
            manages=can_manage(viewer, page.service),
            breadcrumbs=page.crumbs((page.service.name, "")),
        ),
    )


@login_required
def setup(request: HttpRequest, slug: str) -> HttpResponse:
    """Set up a network's service (its coordinators), or change its settings (coordinators and
    project managers)."""
    viewer = viewer_for(request.user)
    network = get_for(viewer, Network.objects.all(), slug=slug)
    service = SupervisionService.objects.filter(network=network).first()
    allowed = can_manage(viewer, service) if service else can_manage(viewer, network)
    if not allowed:
        raise PermissionDenied("Only the network's coordinators and the project managers do this.")
    form = ServiceForm(
        request.POST or None,
        instance=service,
        network_id=network.pk,
        programmes=programmes_of(viewer, network).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = services.service_save(service=service, network=network, **fields)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{saved.name} saved.")
            return redirect("supervision:home", network.slug)
    title = f"{service.name}: settings" if service else "Set up a supervision service"
    return render(
        request,
        "supervision/form.html",
        {
            "form": form,
            "title": title,
            "intro": ""
            if service
            else (
                "Staff of the network's member providers find and book supervision; the "
                "project managers you appoint run vetting, booking and payment."
            ),
            "cancel": network.get_absolute_url(),
            "history": history_for(service) if service else [],
            "breadcrumbs": [
                {"text": "My networks", "href": "/networks/"},
                {"text": network.name, "href": network.get_absolute_url()},
            ],
        },
        status=400 if form.errors else 200,
    )


@login_required
def roles(request: HttpRequest, slug: str) -> HttpResponse:
    page = context(request, slug)
    if not can_manage(page.viewer, page.service):
        raise PermissionDenied("Only the network's coordinators and the project managers do this.")
    form = RoleForm(request.POST or None, service=page.service)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.service_role_add(
                service=page.service,
                person=data["person"],
                role=data["role"],
                organisation=data["organisation"] if data["role"] == "provider_lead" else None,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{data['person']} added.")
            return redirect("supervision:roles", slug)
    held = visible(page.viewer, page.service.roles.select_related("person", "organisation"))
    return render(
        request,
        "supervision/roles.html",
        page.page(form=form, held=list(held), breadcrumbs=page.crumbs(("Roles", ""))),
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def role_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page = context(request, slug)
    role = get_for(page.viewer, ServiceRole.objects.filter(service=page.service), write=True, pk=pk)
    try:
        services.service_role_remove(role=role)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{role} removed.")
    return redirect("supervision:roles", slug)


def register(request: HttpRequest, slug: str) -> HttpResponse:
    """External supervisors register: an account (its email confirmed through allauth) and a
    profile awaiting vetting, nothing more."""
    page = context(request, slug)
    service = page.service
    if request.user.is_authenticated:
        return render(
            request,
            "supervision/register_signed_in.html",
            page.page(
                breadcrumbs=page.crumbs(("Register as a supervisor", "")),
            ),
        )
    if not service.open_for_applications:
        return render(
            request,
            "core/error.html",
            {
                "title": "Not taking applications",
                "text": f"{service.name} is not taking applications from supervisors just now.",
            },
            status=404,
        )
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        key = request.POST.get("email", "").strip().lower()[:254] or "-"
        if not ratelimit.consume(request, action="supervisor_register", key=key):
            return render(
                request,
                "core/error.html",
                {
                    "title": "Too many registrations",
                    "text": "Too many registrations have come from here. Wait an hour, then "
                    "try again.",
                },
                status=429,
            )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.supervisor_register(
                service=service,
                request=request,
                full_name=data["full_name"],
                email=data["email"],
                password=data["password1"],
                modalities=data["modalities"],
                sign_in_url=request.build_absolute_uri(reverse("account_login")),
                **form.profile(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return render(
                request,
                "supervision/register_sent.html",
                page.page(
                    email=data["email"],
                    breadcrumbs=page.crumbs(("Register as a supervisor", "")),
                ),
            )
    return render(
        request,
        "supervision/register.html",
        page.page(form=form, breadcrumbs=page.crumbs(("Register as a supervisor", ""))),
        status=400 if form.errors else 200,
    )
