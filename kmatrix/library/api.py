"""The library API: resources, their files, moderation, the one search and the Matrix.

Every read goes through ``core.access`` as the pages do (a resource you may not read is a
404); writes go through services.py with the same checks as the forms."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import File, Form, Router, Status, UploadedFile
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from kmatrix.core.access import Viewer
from kmatrix.core.api import api_get as _get
from kmatrix.core.api import api_signed_in as _signed_in
from kmatrix.core.api import api_viewer as _viewer
from kmatrix.library import matrix as grid
from kmatrix.library import queries, services
from kmatrix.library.models import FileVersion, Resource
from kmatrix.library.queries import CatalogueFilters
from kmatrix.library.schemas import (
    FileVersionOut,
    MatrixOut,
    ResourceDetail,
    ResourceIn,
    ResourceOut,
    ReturnIn,
    SearchOut,
)
from kmatrix.library.search import Filters, search
from kmatrix.networks.models import Network, Organisation, Theme
from kmatrix.networks.schemas import ErrorOut

router = Router(tags=["library"])
ERRORS = frozenset({400, 401, 403, 404, 422})
Invalid = Status[dict[str, Any]]


def _invalid(exc: DjangoValidationError) -> Invalid:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    detail = " ".join(m for messages in errors.values() for m in messages)
    return Status(422, {"detail": detail, "errors": errors})


def _resource(viewer: Viewer, pk: int, *, write: bool = False) -> Resource:
    return _get(
        viewer, queries.resource_readable(viewer).prefetch_related("themes"), write=write, pk=pk
    )


@router.get("/library/resources", response={200: list[ResourceOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=50)
def resource_list(
    request: HttpRequest,
    kind: str = "",
    network: str = "",
    theme: int | None = None,
    organisation: int | None = None,
    year: int | None = None,
) -> QuerySet[Resource]:
    """Published resources you may read, newest first (the catalogue)."""
    viewer = _viewer(request)
    network_id = None
    if network:
        found = Network.objects.filter(slug=network).values_list("pk", flat=True).first()
        network_id = found or -1
    filters = CatalogueFilters(kind, theme, network_id, organisation, year)
    return queries.resources_with_themes(queries.catalogue(viewer, filters))


@router.get("/library/resources/{pk}", response={200: ResourceDetail, ERRORS: ErrorOut})
def resource_detail(request: HttpRequest, pk: int) -> Any:
    """One resource with its files and every version."""
    viewer = _viewer(request)
    found = _resource(viewer, pk)
    found.files.all()
    contact = queries.contact_for(viewer, found)
    found.contact_id = contact.pk if contact else None
    return found


def _fields(viewer: Viewer, body: ResourceIn) -> dict[str, Any]:
    data = body.dict(exclude={"network", "theme_ids", "organisation_id"})
    data["organisation"] = (
        Organisation.objects.filter(pk=body.organisation_id).first()
        if body.organisation_id
        else None
    )
    if body.organisation_id and data["organisation"] is None:
        raise HttpError(422, "organisation_id: no such organisation.")
    return data


def _themes(ids: list[int]) -> list[Theme]:
    themes = list(Theme.objects.filter(pk__in=ids))
    if len(themes) != len(set(ids)):
        raise HttpError(422, "theme_ids: unknown theme.")
    return themes


@router.post("/library/resources", response={201: ResourceDetail, ERRORS: ErrorOut})
def resource_create(request: HttpRequest, body: ResourceIn) -> Any:
    """Add a draft resource to one of your networks' libraries."""
    viewer = _signed_in(request)
    network = _get(viewer, Network.objects.all(), slug=body.network)
    try:
        made = services.resource_save(
            viewer=viewer,
            user=request.user,
            network=network,
            themes=_themes(body.theme_ids),
            **_fields(viewer, body),
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except DjangoValidationError as exc:
        return _invalid(exc)
    return Status(201, _resource(viewer, made.pk))


@router.put("/library/resources/{pk}", response={200: ResourceDetail, ERRORS: ErrorOut})
def resource_update(request: HttpRequest, pk: int, body: ResourceIn) -> Any:
    """Change a resource (its author and the network's moderators). ``network`` is ignored."""
    viewer = _signed_in(request)
    found = _resource(viewer, pk, write=True)
    try:
        services.resource_save(
            viewer=viewer,
            user=request.user,
            network=found.network,
            resource=found,
            themes=_themes(body.theme_ids),
            **_fields(viewer, body),
        )
    except DjangoValidationError as exc:
        return _invalid(exc)
    return _resource(viewer, pk)


def _act(request: HttpRequest, pk: int, action: Any, **extra: Any) -> Any:
    viewer = _signed_in(request)
    found = _resource(viewer, pk)
    try:
        action(viewer=viewer, resource=found, **extra)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except DjangoValidationError as exc:
        return _invalid(exc)
    return _resource(viewer, pk)


@router.post("/library/resources/{pk}/submit", response={200: ResourceDetail, ERRORS: ErrorOut})
def resource_submit(request: HttpRequest, pk: int) -> Any:
    """Send a draft for review."""
    return _act(request, pk, services.resource_submit)


@router.post("/library/resources/{pk}/publish", response={200: ResourceDetail, ERRORS: ErrorOut})
def resource_publish(request: HttpRequest, pk: int) -> Any:
    """Publish (the network's knowledge managers and coordinators)."""
    return _act(request, pk, services.resource_publish)


@router.post("/library/resources/{pk}/return", response={200: ResourceDetail, ERRORS: ErrorOut})
def resource_return(request: HttpRequest, pk: int, body: ReturnIn) -> Any:
    """Return a resource in review to its author, with a note."""
    return _act(request, pk, services.resource_return, note=body.note)


@router.post("/library/resources/{pk}/withdraw", response={200: ResourceDetail, ERRORS: ErrorOut})
def resource_withdraw(request: HttpRequest, pk: int) -> Any:
    """Take a published resource back to draft."""
    return _act(request, pk, services.resource_withdraw)


@router.post("/library/resources/{pk}/files", response={201: FileVersionOut, ERRORS: ErrorOut})
def file_upload(
    request: HttpRequest, pk: int, file: File[UploadedFile], file_id: Form[int | None] = None
) -> Any:
    """Upload a file (multipart ``file``), or a new version of ``file_id``. Its text is read in
    the background: follow ``extraction`` on the resource."""
    viewer = _signed_in(request)
    found = _resource(viewer, pk, write=True)
    attached = found.files.filter(pk=file_id).first() if file_id else None
    if file_id and attached is None:
        raise HttpError(404, "No such file on this resource.")
    try:
        version = services.file_upload(
            viewer=viewer,
            resource=found,
            upload=file,
            filename=file.name or "file",
            size=file.size,
            user=request.user,
            attached=attached,
        )
    except DjangoValidationError as exc:
        return Status(422, {"detail": " ".join(exc.messages), "errors": {"file": exc.messages}})
    return Status(201, FileVersion.objects.select_related("file").get(pk=version.pk))


@router.get("/search", response={200: SearchOut, ERRORS: ErrorOut})
def search_everything(
    request: HttpRequest,
    q: str,
    kind: str = "",
    theme: int | None = None,
    network: int | None = None,
    organisation: int | None = None,
    year: int | None = None,
    page: int = 1,
) -> Any:
    """The one search, with facets: only what you may read is found or counted."""
    viewer = _viewer(request)
    results = search(
        viewer, q.replace("\x00", " "), Filters(kind, theme, network, organisation, year), page=page
    )
    return {
        "query": results.query.text,
        "total": results.total,
        "page": results.page,
        "pages": results.pages,
        "message": results.message,
        "hits": results.hits,
        "facets": results.facets,
    }


@router.get("/matrix", response={200: MatrixOut, ERRORS: ErrorOut})
def knowledge_matrix(
    request: HttpRequest, framework: str = "", region: str = "", year: int | None = None
) -> Any:
    """The Knowledge Matrix: per network and theme, counts of what you may read."""
    viewer = _viewer(request)
    found = grid.knowledge_matrix(viewer, framework_slug=framework, region=region, year=year)
    return {
        "framework": found.framework.slug if found.framework else None,
        "themes": [{"id": t.pk, "name": t.name} for t in found.themes],
        "counts": [c.key for c in found.counters],
        "rows": [
            {
                "network": row.network.slug,
                "network_name": row.network.name,
                "partner": row.is_partner,
                "cells": [
                    {"theme_id": c.theme.pk, "counts": c.counts, "total": c.total}
                    for c in row.cells
                ],
            }
            for row in found.rows
        ],
    }
