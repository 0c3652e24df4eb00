"""Library pages: the catalogue, a resource, its form, moderation and its files.

Every lookup goes through ``core.access.get_for``: a resource the viewer may not read is a
404, whatever the address (its page, files, versions or actions)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kmatrix.core.access import Viewer, can_manage, get_for, viewer_for
from kmatrix.core.history import history_for
from kmatrix.core.pages import page_of, pager
from kmatrix.library import queries, related, services
from kmatrix.library.files import CONTENT_TYPES
from kmatrix.library.forms import ResourceForm, ReturnForm, UploadForm, VersionForm
from kmatrix.library.models import FileVersion, Resource, ResourceFile
from kmatrix.library.params import catalogue_filters, filter_choices
from kmatrix.networks.models import Network

PAGE_SIZE = 25


def _crumbs(*more: tuple[str, str]) -> list[dict[str, str]]:
    return [{"text": "Library", "href": "/library/"}, *({"text": t, "href": h} for t, h in more)]


def _resource(request: HttpRequest, pk: int, *, write: bool = False) -> tuple[Viewer, Resource]:
    viewer = viewer_for(request.user)
    return viewer, get_for(viewer, queries.resource_readable(viewer), write=write, pk=pk)


# --- The catalogue -------------------------------------------------------------------------


def catalogue(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request.user)
    filters = catalogue_filters(request)
    found = queries.resources_with_themes(queries.catalogue(viewer, filters))
    page = page_of(request, found, PAGE_SIZE)
    return render(
        request,
        "library/catalogue.html",
        {
            "page": page,
            "pagination": pager(request, page),
            "filters": filters,
            "choices": filter_choices(viewer),
            "mine": list(queries.mine(viewer)[:20]),
            "waiting": queries.moderation_queue(viewer).count() if viewer.is_authenticated else 0,
            "can_add": viewer.is_authenticated and queries.networks_to_add_to(viewer).exists(),
            "query_string": request.GET.urlencode(),
            "breadcrumbs": [{"text": "Library", "href": ""}],
        },
    )


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request.user)
    return render(
        request,
        "library/review.html",
        {
            "resources": list(queries.moderation_queue(viewer)),
            "breadcrumbs": _crumbs(("Waiting for review", "")),
        },
    )


# --- One resource -------------------------------------------------------------------------


def resource(request: HttpRequest, pk: int) -> HttpResponse:
    viewer, found = _resource(request, pk)
    manages = can_manage(viewer, found)
    return render(
        request,
        "library/resource.html",
        {
            "resource": found,
            "themes": list(found.themes.select_related("framework")),
            "files": queries.resource_files(found),
            "contact": queries.contact_for(viewer, found),
            "similar": related.similar_practice(viewer, found),
            "manages": manages,
            "moderates": found.moderated_by(viewer),
            "is_author": viewer.user_id is not None and found.created_by_id == viewer.user_id,
            "history": history_for(found) if manages else [],
            "review_due": found.review_on is not None and found.review_on <= timezone.localdate(),
            "breadcrumbs": _crumbs((found.title, "")),
        },
    )


def _resource_form(request: HttpRequest, viewer: Viewer, found: Resource | None) -> HttpResponse:
    networks = queries.networks_to_add_to(viewer)
    initial = {"network": request.GET.get("network")} if found is None else None
    form = ResourceForm(
        request.POST or None, instance=found, viewer=viewer, networks=networks, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        network: Network = data.pop("network", None) or found.network  # type: ignore[union-attr]
        themes = list(data.pop("themes"))
        try:
            saved = services.resource_save(
                viewer=viewer,
                user=request.user,
                network=network,
                resource=found,
                themes=themes,
                **data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{saved.title}” saved.")
            return redirect(saved)
    return render(
        request,
        "library/form.html",
        {
            "form": form,
            "resource": found,
            "title": f"Edit “{found.title}”" if found else "Add to the library",
            "breadcrumbs": _crumbs(("Add a resource" if found is None else found.title, "")),
        },
        status=400 if form.errors else 200,
    )


@login_required
def resource_create(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request.user)
    if not queries.networks_to_add_to(viewer).exists():
        raise PermissionDenied("Only members of a network add resources to its library.")
    return _resource_form(request, viewer, None)


@login_required
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer, found = _resource(request, pk, write=True)
    return _resource_form(request, viewer, found)


def _act(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    viewer, found = _resource(request, pk)
    try:
        action(viewer=viewer, resource=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(found)


@login_required
@require_POST
def resource_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.resource_submit, "Sent for review.")


@login_required
@require_POST
def resource_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.resource_publish, "Published.")


@login_required
@require_POST
def resource_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.resource_withdraw, "Withdrawn: it is a draft again.")


@login_required
@require_POST
def resource_still_current(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.resource_confirm_current, "Thank you: marked as current.")


@login_required
def resource_return(request: HttpRequest, pk: int) -> HttpResponse:
    viewer, found = _resource(request, pk)
    if not found.moderated_by(viewer):
        raise PermissionDenied("Only the network's moderators return a resource.")
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_return(viewer=viewer, resource=found, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Returned to its author.")
        return redirect(found)
    return render(
        request,
        "library/return.html",
        {
            "form": form,
            "resource": found,
            "breadcrumbs": _crumbs((found.title, found.get_absolute_url()), ("Return", "")),
        },
        status=400 if form.errors else 200,
    )


# --- Files ---------------------------------------------------------------------------------


def _upload(request: HttpRequest, pk: int, file_pk: int | None) -> HttpResponse:
    viewer, found = _resource(request, pk, write=True)
    attached = None
    if file_pk is not None:
        # Files are reached only through their resource, which the viewer may change.
        attached = ResourceFile.objects.filter(resource=found, pk=file_pk).first()
        if attached is None:
            raise Http404("No such file.")
    form = (VersionForm if attached else UploadForm)(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            services.file_upload(
                viewer=viewer,
                resource=found,
                upload=upload,
                filename=upload.name,
                size=upload.size,
                user=request.user,
                attached=attached,
                title=form.cleaned_data.get("title", ""),
            )
        except ValidationError as error:
            form.add_error("upload", error)
        else:
            messages.success(request, f"{upload.name} uploaded: its text is being read.")
            return redirect(found)
    return render(
        request,
        "library/upload.html",
        {
            "form": form,
            "resource": found,
            "attached": attached,
            "max_mb": settings.LIBRARY_MAX_FILE_BYTES // 2**20,
            "breadcrumbs": _crumbs((found.title, found.get_absolute_url()), ("Upload", "")),
        },
        status=400 if form.errors else 200,
    )


@login_required
def file_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _upload(request, pk, None)


@login_required
def file_version_create(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    return _upload(request, pk, file_pk)


def file_download(request: HttpRequest, pk: int, file_pk: int, number: int) -> FileResponse:
    _viewer, found = _resource(request, pk)
    version = FileVersion.objects.filter(
        file__resource=found, file_id=file_pk, number=number
    ).first()
    if version is None:
        raise Http404("No such file version.")
    response = FileResponse(
        version.stored.open("rb"),
        as_attachment=True,
        filename=version.filename,
        content_type=CONTENT_TYPES.get(version.file_type, "application/octet-stream"),
    )
    # Never shown inline, never sniffed into something runnable.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def files_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The files table alone, polled by htmx while any text is still being read."""
    viewer, found = _resource(request, pk)
    return render(
        request,
        "library/_files.html",
        {
            "resource": found,
            "files": queries.resource_files(found),
            "manages": can_manage(viewer, found),
        },
    )
