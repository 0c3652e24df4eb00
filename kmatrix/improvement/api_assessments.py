"""The API of checklists, localities, assessments, the gap register and the heatmap.

The same access rules and services as the pages: a record you may not read is a 404; a write
you may not make is a 403; bad input is a 422 naming the field (and, for a checklist file,
every problem by line and column).
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from kmatrix.core.access import Viewer, visible
from kmatrix.core.api import api_get as _get
from kmatrix.core.api import api_signed_in as _signed_in
from kmatrix.core.api import api_viewer as _viewer
from kmatrix.improvement import assessments, checklists, queries, services
from kmatrix.improvement.models import (
    Assessment,
    Checklist,
    ChecklistItem,
    ChecklistSection,
    Gap,
    ItemRating,
    Locality,
)
from kmatrix.improvement.schemas import (
    AssessmentDetail,
    AssessmentIn,
    AssessmentOut,
    ChecklistDetail,
    ChecklistFailedOut,
    ChecklistOut,
    ComparisonOut,
    GapOut,
    HeatmapOut,
    LocalityIn,
    LocalityOut,
    RatingsIn,
)
from kmatrix.networks.models import Network, Organisation
from kmatrix.networks.schemas import ErrorOut

router = Router(tags=["improvement: baseline and gaps"])
ERRORS = frozenset({400, 401, 403, 404, 409, 422})
PAGE_SIZE = 50


def _network(viewer: Viewer, slug: str, *, write: bool = False) -> Network:
    return _get(viewer, Network.objects.all(), write=write, slug=slug)


def invalid(exc: DjangoValidationError) -> Status[dict[str, Any]]:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    detail = " ".join(m for messages in errors.values() for m in messages)
    return Status(422, {"detail": detail, "errors": errors})


def choice(value: str, allowed: tuple[str, ...], name: str) -> str:
    """A query parameter that must be one of ``allowed`` (paginated routes take plain text)."""
    if value not in allowed:
        shown = ", ".join(a or '""' for a in allowed)
        raise HttpError(422, f"{name}: choose one of {shown}.")
    return value


def _sections_prefetch() -> Prefetch[Any]:
    items = ChecklistItem.objects.order_by("position", "pk")
    return Prefetch(
        "sections",
        queryset=ChecklistSection.objects.order_by("position", "pk").prefetch_related(
            Prefetch("items", queryset=items)
        ),
    )


# --- Checklists ---------------------------------------------------------------------------


@router.get("/networks/{slug}/checklists", response={200: list[ChecklistOut], ERRORS: ErrorOut})
def checklist_list(request: HttpRequest, slug: str) -> QuerySet[Checklist]:
    """The network's checklist versions that you may see."""
    viewer = _viewer(request)
    network = _network(viewer, slug)
    return visible(viewer, Checklist.objects.filter(network=network)).order_by("name", "pk")


@router.post(
    "/networks/{slug}/checklists/import",
    response={201: ChecklistDetail, 422: ChecklistFailedOut, ERRORS: ErrorOut},
)
def checklist_import(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    format: Form[Literal["auto", "yaml", "csv"]] = "auto",
    name: Form[str] = "",
    checklist_slug: Form[str] = "",
    version: Form[str] = "",
) -> Any:
    """Load a checklist file (multipart: ``file``, ``format``; for CSV also ``name``,
    ``checklist_slug`` and ``version``). Coordinators only. All or nothing: 422 lists every
    problem with its line and column."""
    viewer = _signed_in(request)
    network = _network(viewer, slug, write=True)
    file_format = checklists.format_for(file.name or "") if format == "auto" else format
    try:
        checklist = checklists.checklist_import(
            network=network,
            data=file.read(checklists.MAX_BYTES + 1),
            file_format=file_format,
            name=name,
            slug=checklist_slug,
            version=version,
        )
    except checklists.ChecklistFileError as error:
        problems = [vars(p) for p in error.problems]
        detail = f"Nothing was loaded: the file has {len(problems)} problem(s). {error}"
        return Status(422, {"detail": detail, "errors": problems})
    return Status(201, _checklist(viewer, network, checklist.pk))


def _checklist(viewer: Viewer, network: Network, pk: int) -> Checklist:
    found = Checklist.objects.filter(network=network).prefetch_related(_sections_prefetch())
    return _get(viewer, found, pk=pk)


@router.get(
    "/networks/{slug}/checklists/{checklist_id}", response={200: ChecklistDetail, ERRORS: ErrorOut}
)
def checklist_detail(request: HttpRequest, slug: str, checklist_id: int) -> Checklist:
    """A checklist version with its sections and items."""
    viewer = _viewer(request)
    return _checklist(viewer, _network(viewer, slug), checklist_id)


@router.get("/networks/{slug}/checklists/{checklist_id}/export", response={ERRORS: ErrorOut})
def checklist_export(
    request: HttpRequest, slug: str, checklist_id: int, format: Literal["yaml", "csv"] = "yaml"
) -> HttpResponse:
    """The checklist as a file that ``import`` reads back: YAML, or CSV (one row per item)."""
    viewer = _viewer(request)
    checklist = _checklist(viewer, _network(viewer, slug), checklist_id)
    if format == "yaml":
        response = HttpResponse(checklists.as_yaml(checklist), content_type="application/yaml")
    else:
        import csv
        import io

        header, rows = checklists.as_rows(checklist)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{checklist.slug}.{format}"'
    return response


@router.get("/networks/{slug}/localities", response={200: list[LocalityOut], ERRORS: ErrorOut})
def locality_list(request: HttpRequest, slug: str) -> QuerySet[Locality]:
    """The network's localities with the ids of the organisations in each."""
    viewer = _viewer(request)
    network = _network(viewer, slug)
    return (
        visible(viewer, Locality.objects.filter(network=network))
        .prefetch_related("organisations")
        .order_by("name", "pk")
    )


@router.post("/networks/{slug}/localities", response={201: LocalityOut, ERRORS: ErrorOut})
def locality_create(request: HttpRequest, slug: str, body: LocalityIn) -> Any:
    """Add a locality: its name (unique in the network), kind and the organisations of the
    network in it. Coordinators."""
    network = _network(_signed_in(request), slug, write=True)
    saved = _locality_save(network, body)
    if isinstance(saved, Status):
        return saved
    return Status(201, saved)


@router.put(
    "/networks/{slug}/localities/{locality_id}",
    response={200: LocalityOut, ERRORS: ErrorOut},
)
def locality_change(request: HttpRequest, slug: str, locality_id: int, body: LocalityIn) -> Any:
    """Change a locality's name, kind and organisations (the list replaces the one saved); its
    slug stays as it is. Coordinators."""
    viewer = _signed_in(request)
    network = _network(viewer, slug, write=True)
    locality = _get(viewer, Locality.objects.filter(network=network), pk=locality_id)
    return _locality_save(network, body, locality)


def _locality_save(
    network: Network, body: LocalityIn, locality: Locality | None = None
) -> Locality | Status[dict[str, Any]]:
    wanted = set(body.organisation_ids)
    organisations = list(Organisation.objects.filter(network_links__network=network, pk__in=wanted))
    if len(organisations) != len(wanted):
        message = "Choose organisations of this network."
        return Status(422, {"detail": message, "errors": {"organisation_ids": [message]}})
    try:
        return services.locality_save(
            network=network,
            locality=locality,
            name=body.name,
            kind=body.kind,
            organisations=organisations,
        )
    except DjangoValidationError as exc:
        return invalid(exc)


# --- Assessments --------------------------------------------------------------------------


@router.get("/networks/{slug}/assessments", response={200: list[AssessmentOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def assessment_list(
    request: HttpRequest, slug: str, locality: int | None = None
) -> QuerySet[Assessment]:
    """The network's assessments you may see, latest first; ``locality`` narrows to one."""
    viewer = _viewer(request)
    found = visible(viewer, Assessment.objects.filter(network=_network(viewer, slug)))
    if locality is not None:
        found = found.filter(locality_id=locality)
    return found.select_related("locality", "organisation").order_by("-assessed_on", "-pk")


@router.post("/networks/{slug}/assessments", response={201: AssessmentDetail, ERRORS: ErrorOut})
def assessment_create(request: HttpRequest, slug: str, body: AssessmentIn) -> Any:
    """Start an assessment of a locality or an organisation (one of them) against a checklist
    version: every item comes unrated. Members of the network."""
    viewer = _signed_in(request)
    network = _network(viewer, slug)
    if not (viewer.is_admin or network.pk in viewer.reads_networks):
        raise HttpError(403, "Only members of the network start assessments.")
    checklist = visible(
        viewer, Checklist.objects.filter(network=network, pk=body.checklist_id)
    ).first()
    if checklist is None:
        return Status(
            422,
            {
                "detail": "No such checklist in this network.",
                "errors": {"checklist_id": ["No such checklist in this network."]},
            },
        )
    locality = Locality.objects.filter(network=network, pk=body.locality_id or 0).first()
    organisation = Organisation.objects.filter(pk=body.organisation_id or 0).first()
    if body.locality_id and locality is None:
        return Status(
            422,
            {
                "detail": "No such locality in this network.",
                "errors": {"locality_id": ["No such locality in this network."]},
            },
        )
    try:
        assessment = assessments.assessment_start(
            checklist=checklist,
            assessed_on=body.assessed_on,
            locality=locality,
            organisation=organisation,
            user=request.user,
            visibility=body.visibility,
            summary=body.summary,
        )
    except DjangoValidationError as exc:
        return invalid(exc)
    return Status(201, _assessment(viewer, assessment.pk))


def _assessment(viewer: Viewer, pk: int, *, write: bool = False) -> Assessment:
    found = Assessment.objects.select_related("locality", "organisation").prefetch_related(
        Prefetch(
            "ratings",
            queryset=ItemRating.objects.select_related("item").order_by(
                "item__section__position", "item__position", "pk"
            ),
        )
    )
    return _get(viewer, found, write=write, pk=pk)


@router.get("/assessments/{assessment_id}", response={200: AssessmentDetail, ERRORS: ErrorOut})
def assessment_detail(request: HttpRequest, assessment_id: int) -> Assessment:
    """An assessment with every item's rating, evidence, provision and planned developments."""
    return _assessment(_viewer(request), assessment_id)


@router.put(
    "/assessments/{assessment_id}/ratings", response={200: AssessmentDetail, ERRORS: ErrorOut}
)
def ratings_save(request: HttpRequest, assessment_id: int, body: RatingsIn) -> Any:
    """Rate items (by item id) of the assessment. An item of another checklist version is a
    422 and nothing is saved. Once complete, the gap register follows the new ratings."""
    viewer = _signed_in(request)
    assessment = _assessment(viewer, assessment_id, write=True)
    given = [assessments.RatingInput(**r.model_dump()) for r in body.ratings]
    try:
        assessments.ratings_save(assessment=assessment, ratings=given)
    except DjangoValidationError as exc:
        return invalid(exc)
    return _assessment(viewer, assessment_id)


@router.post(
    "/assessments/{assessment_id}/complete", response={200: AssessmentDetail, ERRORS: ErrorOut}
)
def assessment_complete(request: HttpRequest, assessment_id: int) -> Any:
    """Complete the assessment (every item must be rated) and update the gap register."""
    viewer = _signed_in(request)
    assessment = _assessment(viewer, assessment_id, write=True)
    try:
        assessments.assessment_complete(assessment=assessment)
    except DjangoValidationError as exc:
        return invalid(exc)
    return _assessment(viewer, assessment_id)


@router.get("/assessments/{assessment_id}/compare", response={200: ComparisonOut, ERRORS: ErrorOut})
def assessment_compare(
    request: HttpRequest, assessment_id: int, with_: int | None = None
) -> dict[str, Any]:
    """What closed, opened and moved between this assessment and another of the same place
    (``with_``, by default the one before it)."""
    viewer = _viewer(request)
    assessment = _assessment(viewer, assessment_id)
    others = assessments.comparable(viewer, assessment)
    other = others.filter(pk=with_).first() if with_ else others.first()
    if other is None:
        raise HttpError(404, "There is no other assessment of this place to compare with.")
    result = assessments.compare(other, assessment)
    return {
        "earlier_id": result.earlier.pk,
        "later_id": result.later.pk,
        "closed": len(result.closed),
        "opened": len(result.opened),
        "moved": len(result.moved),
        "unchanged": len(result.unchanged),
        "changes": [{**vars(c), "kind": c.kind} for c in result.changes],
    }


# --- Gaps and heatmap ---------------------------------------------------------------------


@router.get("/networks/{slug}/gaps", response={200: list[GapOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def gap_list(
    request: HttpRequest,
    slug: str,
    theme: int | None = None,
    workstream: int | None = None,
    locality: int | None = None,
    organisation: int | None = None,
    status: str = "open",
    rating: str = "",
    q: str = "",
) -> QuerySet[Gap]:
    """The gap register: open gaps by default (``status`` open, closed or all; ``rating``
    partly_met or not_met), with the same filters as the page."""
    choice(status, ("open", "closed", "all"), "status")
    choice(rating, ("", "partly_met", "not_met"), "rating")
    viewer = _viewer(request)
    network = _network(viewer, slug)
    filters = queries.Filters(
        theme=theme,
        workstream=workstream,
        locality=locality,
        organisation=organisation,
        status=status,
        rating=rating,
        q=q.replace("\x00", "")[:200],
    )
    return queries.gap_list(viewer, network, filters)


@router.get("/networks/{slug}/heatmap", response={200: HeatmapOut, ERRORS: ErrorOut})
def heatmap(request: HttpRequest, slug: str, checklist: int | None = None) -> dict[str, Any]:
    """Open gaps per locality and section of a checklist version (by default the first);
    ``gaps`` is null where the locality has no complete assessment against it."""
    viewer = _viewer(request)
    network = _network(viewer, slug)
    available = visible(viewer, Checklist.objects.filter(network=network)).order_by(
        "name", "-created_at"
    )
    chosen = available.filter(pk=checklist).first() if checklist else available.first()
    if chosen is None:
        raise HttpError(404, "No such checklist in this network.")
    board = assessments.heatmap(
        viewer, chosen, Locality.objects.filter(network=network).order_by("name")
    )
    return {
        "checklist_id": chosen.pk,
        "sections": [
            {"id": s.pk, "title": s.title, "theme_id": s.theme_id, "items": []}
            for s in board.sections
        ],
        "rows": [
            {
                "locality_id": locality.pk,
                "locality": locality.name,
                "cells": [
                    {"section_id": c.section.pk, "items": c.items, "gaps": c.gaps} for c in cells
                ],
            }
            for locality, cells in board.rows
        ],
    }
