"""The programmes API: programmes, their funding awards and allocations, and the funding
summary, built from the same reads as the pages (queries.py) so the figures agree.

Reading follows the access helper (a network or programme you may not read is a 404). Writes
are for the people who manage the programme (the network's coordinators, its lead, the chair
of its sponsoring group) and go through services.py: a negative, non-numeric or over-precise
amount, allocations beyond the award, an end before the start or a financial year that is not
April to March are 422s saying which field and why.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from kmatrix.core.access import Viewer
from kmatrix.core.api import (
    FieldProblem,
    api_field_error,
    api_get,
    api_invalid,
    api_signed_in,
    api_viewer,
)
from kmatrix.indicators.queries import indicators_for
from kmatrix.networks.models import Group, Network, Organisation, Theme
from kmatrix.networks.schemas import ErrorOut
from kmatrix.programmes import funding, money, queries, services, years
from kmatrix.programmes.models import FundingAward, Programme, ProgrammeLink
from kmatrix.programmes.schemas import (
    AllocationIn,
    AllocationOut,
    AwardIn,
    AwardOut,
    AwardPatch,
    FundingOut,
    LinkIn,
    LinkOut,
    ProgrammeDetail,
    ProgrammeIn,
    ProgrammeOut,
    ProgrammePatch,
)

router = Router(tags=["programmes"])
PAGE_SIZE = 50
ERRORS = frozenset({400, 401, 403, 404, 422})
Invalid = Status[dict[str, Any]]
ZERO = Decimal("0.00")

# --- Shaping -------------------------------------------------------------------------------


def _org(org: Organisation | None) -> dict[str, Any] | None:
    return None if org is None else {"id": org.pk, "name": org.name, "ods_code": org.ods_code}


def _total(total: funding.Total) -> dict[str, Any]:
    return {
        "label": total.label,
        "amount": total.amount,
        "awards": total.awards,
        "unquantified": total.unquantified,
    }


def _programme(row: queries.ProgrammeRow) -> dict[str, Any]:
    p = row.programme
    sponsor = p.sponsor
    return {
        "id": p.pk,
        "slug": p.slug,
        "name": p.name,
        "url": p.get_absolute_url(),
        "theme": {"id": p.theme.pk, "name": p.theme.name} if p.theme else None,
        "status": p.status,
        "sponsor": {"id": sponsor.pk, "name": sponsor.name, "slug": sponsor.slug}
        if sponsor
        else None,
        "lead_organisation": _org(p.lead_organisation),
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "summary": p.summary,
        "visibility": p.visibility,
        "funders": row.funders,
        "secured": _total(row.secured),
        "bids": _total(row.bid),
    }


def _award(view: queries.AwardView) -> dict[str, Any]:
    a = view.award
    return {
        "id": a.pk,
        "funder": _org(a.funder),
        "funder_note": a.funder_note,
        "amount": a.amount,
        "amount_note": a.amount_note,
        "first_year": years.label(a.first_year) if a.first_year else None,
        "last_year": years.label(a.last_year) if a.last_year else None,
        "financial_years": a.years,
        "term_years": a.term_years,
        "status": a.status,
        "secured_on": a.secured_on,
        "notes": a.notes,
        "allocations": [
            {
                "id": x.pk,
                "organisation": _org(x.organisation),
                "purpose": x.purpose,
                "amount": x.amount,
                "notes": x.notes,
            }
            for x in a.allocations.all()
        ],
        "allocated": view.allocated,
        "drawn": view.drawn,
        "remaining": view.remaining,
    }


def _link(link: ProgrammeLink) -> dict[str, Any]:
    target = link.target
    return {
        "id": link.pk,
        "kind": link.kind,
        "target_id": target.pk,
        "name": target.title if link.kind == "plan" else target.name,
        "url": target.get_absolute_url(),
        "note": link.note,
    }


def _detail(viewer: Viewer, programme: Programme) -> dict[str, Any]:
    page = queries.programme_page(viewer, programme)
    awards = [v.award for v in page.awards]
    row = queries.ProgrammeRow(
        programme,
        page.secured,
        funding.total_of([a for a in awards if a.status == "bid"], "Bids"),
        queries.funders_of(awards),
    )
    return {
        **_programme(row),
        "description": programme.description,
        "partners": [_org(o) for o in page.partners],
        "awards": [_award(v) for v in page.awards],
        "milestones": [
            {
                "id": m.pk,
                "title": m.title,
                "status": m.status,
                "on": m.on,
                "precision": m.precision,
                "when": m.when,
            }
            for m in page.milestones
        ],
        "updates": [
            {"id": u.pk, "on": u.on, "text": u.text, "source": u.source} for u in page.updates
        ],
        "links": [_link(link) for link in page.links],
    }


# --- Access --------------------------------------------------------------------------------


def _network(viewer: Viewer, slug: str) -> Network:
    return api_get(viewer, Network.objects.all(), slug=slug)


def _programme_for(viewer: Viewer, slug: str, pslug: str, *, write: bool = False) -> Programme:
    network = _network(viewer, slug)
    return api_get(
        viewer,
        Programme.objects.filter(network=network).select_related(
            "network", "theme", "sponsor", "lead_organisation", "lead"
        ),
        write=write,
        slug=pslug,
    )


def _references(network: Network, data: dict[str, Any]) -> dict[str, Any]:
    """Ids and slugs in a request body as the records they name; 422 for an unknown one."""
    if data.get("theme") is not None:
        theme = Theme.objects.filter(pk=data["theme"], adoptions__network=network).first()
        if theme is None:
            raise FieldProblem("theme", "The network has not adopted a theme with this id.")
        data["theme"] = theme
    if data.get("sponsor") is not None:
        group = Group.objects.filter(network=network, slug=data["sponsor"]).first()
        if group is None:
            raise FieldProblem("sponsor", "The network has no group with this slug.")
        data["sponsor"] = group
    for name in ("lead_organisation", "funder", "organisation"):
        if data.get(name) is not None:
            data[name] = _organisation(name, data[name])
    if "partners" in data:
        found = list(Organisation.objects.filter(pk__in=data["partners"]))
        if len(found) != len(set(data["partners"])):
            raise FieldProblem(
                "partners", "One of the partners is not an organisation in the directory."
            )
        data["partners"] = found
    return data


def _organisation(field: str, pk: int) -> Organisation:
    org = Organisation.objects.filter(pk=pk).first()
    if org is None:
        raise FieldProblem(field, "There is no organisation with this id.")
    return org


def _award_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Amounts checked and financial years read, or ValidationError naming the field."""
    errors: dict[str, str] = {}
    for name in ("first_year", "last_year"):
        if data.get(name) is not None:
            try:
                data[name] = years.parse(data[name])
            except years.FinancialYearError as error:
                errors[name] = str(error)
    if data.get("amount") is not None:
        try:
            data["amount"] = money.check(data["amount"])
        except money.AmountError as error:
            errors["amount"] = str(error)
    if errors:
        raise ValidationError(errors)
    return data


# --- Routes --------------------------------------------------------------------------------


@router.get("/networks/{slug}/programmes", response={200: list[ProgrammeOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def programme_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """The network's programmes you may read, by theme as on the page, each with the funding
    it has secured (exact amounts) and bid for."""
    viewer = api_viewer(request)
    page = queries.by_theme(viewer, _network(viewer, slug))
    return [_programme(row) for section in page.sections for row in section.rows]


@router.get("/networks/{slug}/funding", response={200: FundingOut, ERRORS: ErrorOut})
def funding_summary(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Funding secured by theme, funder, financial year, status and organisation."""
    viewer = api_viewer(request)
    summary = queries.funding_summary(viewer, _network(viewer, slug))
    return {
        "secured": _total(summary.secured),
        "by_theme": [_total(t) for t in summary.by_theme],
        "by_funder": [_total(t) for t in summary.by_funder],
        "by_year": [_total(t) for t in summary.by_year],
        "by_status": [_total(t) for t in summary.by_status],
        "by_organisation": [
            {
                "organisation": {"id": o.organisation_id, "name": o.name},
                "led": _total(o.led),
                "allocated": o.allocated,
            }
            for o in summary.by_organisation
        ],
    }


@router.get(
    "/networks/{slug}/programmes/{pslug}", response={200: ProgrammeDetail, ERRORS: ErrorOut}
)
def programme_detail(request: HttpRequest, slug: str, pslug: str) -> dict[str, Any]:
    viewer = api_viewer(request)
    return _detail(viewer, _programme_for(viewer, slug, pslug))


@router.post("/networks/{slug}/programmes", response={201: ProgrammeDetail, ERRORS: ErrorOut})
def programme_create(request: HttpRequest, slug: str, payload: ProgrammeIn) -> Status[Any]:
    """Add a programme to a network you coordinate."""
    viewer = api_signed_in(request)
    network = api_get(viewer, Network.objects.all(), write=True, slug=slug)
    try:
        data = _references(network, payload.model_dump())
        partners = data.pop("partners")
        saved = services.programme_save(network=network, partners=partners, **data)
    except FieldProblem as error:
        return api_field_error(error.field, error.message)
    except ValidationError as exc:
        return api_invalid(exc)
    return Status(201, _detail(viewer, _programme_for(viewer, slug, saved.slug)))


@router.patch(
    "/networks/{slug}/programmes/{pslug}", response={200: ProgrammeDetail, ERRORS: ErrorOut}
)
def programme_update(request: HttpRequest, slug: str, pslug: str, payload: ProgrammePatch) -> Any:
    """Change a programme you manage; only the fields you send change."""
    viewer = api_signed_in(request)
    programme = _programme_for(viewer, slug, pslug, write=True)
    try:
        data = _references(programme.network, payload.model_dump(exclude_unset=True))
        partners = data.pop("partners", None)
        services.programme_save(programme=programme, partners=partners, **data)
    except FieldProblem as error:
        return api_field_error(error.field, error.message)
    except ValidationError as exc:
        return api_invalid(exc)
    return _detail(viewer, _programme_for(viewer, slug, pslug))


def _award_response(viewer: Viewer, programme: Programme, award_id: int) -> dict[str, Any]:
    page = queries.programme_page(viewer, programme)
    return next(_award(v) for v in page.awards if v.award.pk == award_id)


@router.post(
    "/networks/{slug}/programmes/{pslug}/awards", response={201: AwardOut, ERRORS: ErrorOut}
)
def award_create(request: HttpRequest, slug: str, pslug: str, payload: AwardIn) -> Status[Any]:
    """Record a funding award (a bid, or money secured, received or spent)."""
    viewer = api_signed_in(request)
    programme = _programme_for(viewer, slug, pslug, write=True)
    try:
        data = _award_fields(_references(programme.network, payload.model_dump()))
        award = services.award_save(programme=programme, **data)
    except FieldProblem as error:
        return api_field_error(error.field, error.message)
    except ValidationError as exc:
        return api_invalid(exc)
    return Status(201, _award_response(viewer, programme, award.pk))


def _award_of(programme: Programme, award_id: int) -> FundingAward:
    award = programme.awards.filter(pk=award_id).first()
    if award is None:
        raise HttpError(404, "No such funding award.")
    return award


@router.patch(
    "/networks/{slug}/programmes/{pslug}/awards/{award_id}",
    response={200: AwardOut, ERRORS: ErrorOut},
)
def award_update(
    request: HttpRequest, slug: str, pslug: str, award_id: int, payload: AwardPatch
) -> Any:
    viewer = api_signed_in(request)
    programme = _programme_for(viewer, slug, pslug, write=True)
    award = _award_of(programme, award_id)
    try:
        data = _award_fields(_references(programme.network, payload.model_dump(exclude_unset=True)))
        services.award_save(award=award, **data)
    except FieldProblem as error:
        return api_field_error(error.field, error.message)
    except ValidationError as exc:
        return api_invalid(exc)
    return _award_response(viewer, programme, award.pk)


@router.post(
    "/networks/{slug}/programmes/{pslug}/awards/{award_id}/allocations",
    response={201: AllocationOut, ERRORS: ErrorOut},
)
def allocation_create(
    request: HttpRequest, slug: str, pslug: str, award_id: int, payload: AllocationIn
) -> Status[Any]:
    """Allocate part of an award; all its allocations together may not exceed it."""
    viewer = api_signed_in(request)
    programme = _programme_for(viewer, slug, pslug, write=True)
    award = _award_of(programme, award_id)
    try:
        data = _references(programme.network, payload.model_dump())
        with transaction.atomic():
            saved = services.allocation_save(award=award, **data)
    except FieldProblem as error:
        return api_field_error(error.field, error.message)
    except ValidationError as exc:
        return api_invalid(exc)
    return Status(
        201,
        {
            "id": saved.pk,
            "organisation": _org(saved.organisation),
            "purpose": saved.purpose,
            "amount": saved.amount,
            "notes": saved.notes,
        },
    )


def _link_target(viewer: Viewer, network: Network, payload: LinkIn) -> dict[str, Any]:
    """The indicator or plan a link names, as a record; 422 for one not found or not readable."""
    if (payload.indicator is None) == (payload.plan is None):
        raise FieldProblem("indicator", "Give an indicator or an improvement plan (one of them).")
    if payload.indicator is not None:
        indicator = indicators_for(viewer, network).filter(code=payload.indicator).first()
        if indicator is None:
            raise FieldProblem("indicator", "The network has no indicator with this code.")
        return {"indicator": indicator}
    plan = queries.plans_to_link(viewer, network).filter(pk=payload.plan).first()
    if plan is None:
        raise FieldProblem(
            "plan", "The network has no improvement plan with this id that you may read."
        )
    return {"plan": plan}


@router.post("/networks/{slug}/programmes/{pslug}/links", response={201: LinkOut, ERRORS: ErrorOut})
def link_create(request: HttpRequest, slug: str, pslug: str, payload: LinkIn) -> Status[Any]:
    """Link the programme to an indicator or an improvement plan it works towards."""
    viewer = api_signed_in(request)
    programme = _programme_for(viewer, slug, pslug, write=True)
    try:
        target = _link_target(viewer, programme.network, payload)
        link = services.link_add(programme=programme, note=payload.note, **target)
    except FieldProblem as error:
        return api_field_error(error.field, error.message)
    except ValidationError as exc:
        return api_invalid(exc)
    return Status(201, _link(link))
