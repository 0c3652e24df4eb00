"""Directory pages: organisations and people, with search and CSV export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from kmatrix.core.access import can_manage, can_view, get_for, viewer_for, visible
from kmatrix.core.exports import csv_response
from kmatrix.core.history import history_for
from kmatrix.core.pages import page_of, pager, text_param
from kmatrix.networks import queries, services
from kmatrix.networks.forms import OrganisationForm, PersonForm
from kmatrix.networks.models import Network, Organisation, Person

PAGE_SIZE = 50


def organisations(request: HttpRequest) -> HttpResponse:
    q = text_param(request, "q")
    sector = request.GET.get("sector", "")
    if sector not in Organisation.Sector.values:
        sector = ""
    viewer = viewer_for(request.user)
    page = page_of(
        request, visible(viewer, queries.organisation_list(q=q, sector=sector)), PAGE_SIZE
    )
    return render(
        request,
        "networks/organisations.html",
        {
            "page": page,
            "pagination": pager(request, page),
            "q": q,
            "sector": sector,
            "sectors": Organisation.Sector.choices,
            "can_create": viewer.is_admin or bool(viewer.coordinated_networks),
            "breadcrumbs": [{"text": "Organisations", "href": ""}],
        },
    )


def organisations_export(request: HttpRequest) -> StreamingHttpResponse:
    orgs = visible(viewer_for(request.user), queries.organisation_list(q=text_param(request, "q")))
    return csv_response(
        "organisations.csv",
        ["Name", "ODS code", "Sector", "Region", "Website", "Networks"],
        (
            (o.name, o.ods_code, o.get_sector_display(), o.region, o.website, o.network_count)  # type: ignore[attr-defined]
            for o in orgs.iterator(chunk_size=500)
        ),
    )


def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    org = get_for(viewer, Organisation.objects.all(), pk=pk)
    manages = can_manage(viewer, org)
    people = queries.people_directory(viewer, organisation_id=org.pk)
    page = page_of(request, people, PAGE_SIZE)
    return render(
        request,
        "networks/organisation.html",
        {
            "organisation": org,
            "networks": queries.organisation_networks(viewer, org),
            "page": page,
            "rows": queries.directory_rows(viewer, page.object_list),
            "pagination": pager(request, page),
            "manages": manages,
            "history": history_for(org) if manages else [],
            "breadcrumbs": [
                {"text": "Organisations", "href": "/organisations/"},
                {"text": org.name, "href": ""},
            ],
        },
    )


def organisation_by_ods(request: HttpRequest, code: str) -> HttpResponse:
    if not (code.isascii() and code.isalnum()):
        raise Http404("An ODS code is letters and digits.")
    org = get_for(viewer_for(request.user), Organisation.objects.all(), ods_code=code.upper())
    return redirect(org)


def _organisation_form(request: HttpRequest, org: Organisation | None) -> HttpResponse:
    form = OrganisationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        saved = services.organisation_save(organisation=org, **form.cleaned_data)
        messages.success(request, f"{saved.name} saved.")
        return redirect(saved)
    title = f"Edit {org.name}" if org else "New organisation"
    return render(
        request,
        "networks/form.html",
        {
            "form": form,
            "title": title,
            "cancel": org.get_absolute_url() if org else "/organisations/",
            "breadcrumbs": [
                {"text": "Organisations", "href": "/organisations/"},
                {"text": title, "href": ""},
            ],
        },
        status=400 if form.errors else 200,
    )


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request.user)
    if not (viewer.is_admin or viewer.coordinated_networks):
        raise PermissionDenied("Only network coordinators and administrators add organisations.")
    return _organisation_form(request, None)


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for(viewer_for(request.user), Organisation.objects.all(), write=True, pk=pk)
    return _organisation_form(request, org)


def _people_filters(request: HttpRequest) -> dict[str, Any]:
    viewer = viewer_for(request.user)
    network = None
    slug = text_param(request, "network")
    if slug:
        network = visible(viewer, Network.objects.all()).filter(slug=slug).first()
    return {"q": text_param(request, "q"), "network": network}


@login_required
def people(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request.user)
    filters = _people_filters(request)
    page = page_of(request, queries.people_directory(viewer, **filters), PAGE_SIZE)
    return render(
        request,
        "networks/people.html",
        {
            "page": page,
            "rows": queries.directory_rows(viewer, page.object_list),
            "pagination": pager(request, page),
            **filters,
            "networks": queries.my_networks(viewer)[0],
            "can_create": viewer.is_admin or bool(viewer.coordinated_networks),
            "breadcrumbs": [{"text": "People", "href": ""}],
        },
    )


@login_required
def people_export(request: HttpRequest) -> StreamingHttpResponse:
    viewer = viewer_for(request.user)
    people = queries.people_directory(viewer, **_people_filters(request))

    def rows() -> Any:
        for row in queries.directory_rows(viewer, people.iterator(chunk_size=500)):
            p = row.person
            yield (
                p.full_name,
                p.job_title,
                p.organisation.name if p.organisation else "",
                p.email if row.show_contact else "",
                p.phone if row.show_contact else "",
            )

    return csv_response(
        "people.csv", ["Name", "Job title", "Organisation", "Email", "Phone"], rows()
    )


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    obj = get_for(viewer, Person.objects.select_related("organisation"), pk=pk)
    manages = can_manage(viewer, obj)
    memberships = list(
        obj.memberships.filter(network__in=visible(viewer, Network.objects.all()))
        .select_related("network", "organisation")
        .prefetch_related("roles")
    )
    return render(
        request,
        "networks/person.html",
        {
            "person": obj,
            "memberships": memberships,
            "show_contact": queries.can_see_contact(viewer, obj),
            "workstreams": visible(viewer, obj.workstreams.select_related("network")),
            "groups": visible(viewer, obj.member_groups.select_related("network")),
            "manages": manages,
            "history": history_for(obj) if manages else [],
            "breadcrumbs": [
                {"text": "People", "href": "/people/"},
                {"text": obj.full_name, "href": ""},
            ],
        },
    )


def _person_form(request: HttpRequest, obj: Person | None) -> HttpResponse:
    form = PersonForm(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.save()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if can_view(viewer_for(request.user), saved):
                messages.success(request, f"{saved.full_name} saved.")
                return redirect(saved)
            # Someone new belongs to no network yet, so only administrators can see them: send
            # the coordinator on to add them to a network rather than to a page that is a 404.
            messages.success(
                request,
                f"{saved.full_name} saved. Add them to a network from its "
                "members page so that you and its members can see them.",
            )
            return redirect("networks:people")
    title = f"Edit {obj.full_name}" if obj else "Add a person"
    return render(
        request,
        "networks/form.html",
        {
            "form": form,
            "title": title,
            "cancel": obj.get_absolute_url() if obj else "/people/",
            "breadcrumbs": [{"text": "People", "href": "/people/"}, {"text": title, "href": ""}],
        },
        status=400 if form.errors else 200,
    )


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request.user)
    if not (viewer.is_admin or viewer.coordinated_networks):
        raise PermissionDenied("Only network coordinators and administrators add people.")
    return _person_form(request, None)


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for(viewer_for(request.user), Person.objects.all(), write=True, pk=pk)
    return _person_form(request, obj)
