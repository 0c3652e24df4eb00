"""The indicators API: definitions, data points, imports and stored SPC results.

Access goes through core/access.py as in the directory API: the network first (a network you
cannot see is a 404), then its indicators through ``visible()``, so a restricted indicator
is a 404 to anyone not named on it. Data points and SPC results are read only through an
indicator the caller may see. Writes are for the network's coordinators and go through
services.py with the same checks as an import. Nothing here computes SPC: the results were
stored when the data came in (series.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from kmatrix.core.access import Viewer, visible
from kmatrix.core.api import api_get as _get
from kmatrix.core.api import api_signed_in as _signed_in
from kmatrix.core.api import api_viewer as _viewer
from kmatrix.indicators import imports, periods, services, tasks
from kmatrix.indicators.models import DataPoint, ImportBatch, Indicator, SeriesResult, Target
from kmatrix.indicators.schemas import (
    DataPointIn,
    DataPointOut,
    ImportBatchOut,
    ImportFailedOut,
    IndicatorDetail,
    IndicatorOut,
    SpcAnalysisOut,
)
from kmatrix.indicators.stored import analysis_document
from kmatrix.networks.models import Network, Organisation
from kmatrix.networks.schemas import ErrorOut

router = Router(tags=["indicators"])

PAGE_SIZE = 50
POINTS_MAX_PAGE_SIZE = 1000
ERRORS = frozenset({400, 401, 403, 404, 422})
# An import's own 422 carries its batch as well as the problems.
IMPORT_ERRORS = ERRORS - {422}
# Files up to this size are imported while the request waits (a long CSV of about 50,000 rows
# takes well under a second); larger ones are queued for the worker and answered with 202.
SYNC_IMPORT_MAX_BYTES = 2 * 1024 * 1024
FileFormat = Literal["auto", "long", "nhs-sickness"]
Invalid = Status[dict[str, Any]]


# Access


def _network(viewer: Viewer, slug: str, *, write: bool = False) -> Network:
    return _get(viewer, Network.objects.all(), write=write, slug=slug)


def _indicators(viewer: Viewer, network: Network) -> QuerySet[Indicator]:
    return visible(viewer, Indicator.objects.filter(network=network)).select_related(
        "network", "theme__framework"
    )


def _indicator(viewer: Viewer, slug: str, code: str, *, write: bool = False) -> Indicator:
    return _get(viewer, _indicators(viewer, _network(viewer, slug)), write=write, code=code)


def _invalid(exc: DjangoValidationError) -> Invalid:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    detail = " ".join(message for messages in errors.values() for message in messages)
    return Status(422, {"detail": detail, "errors": errors})


def _field_error(field: str, message: str) -> Invalid:
    return Status(422, {"detail": message, "errors": {field: [message]}})


def _period(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return periods.parse(text)
    except periods.PeriodError as exc:
        raise HttpError(422, f"{name}: {exc}.") from None


def _organisation(ods_code: str) -> Organisation | None:
    return Organisation.objects.filter(ods_code=ods_code.strip().upper()).first()


# Indicators


@router.get("/networks/{slug}/indicators", response={200: list[IndicatorOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def indicator_list(request: HttpRequest, slug: str) -> QuerySet[Indicator]:
    """The network's indicators that you may see, by code."""
    viewer = _viewer(request)
    return _indicators(viewer, _network(viewer, slug)).order_by("code", "pk")


# Imports: registered before the indicator's own address, which would otherwise take
# .../indicators/import for an indicator code.


@router.post(
    "/networks/{slug}/indicators/import",
    response={
        201: ImportBatchOut,
        202: ImportBatchOut,
        422: ImportFailedOut,
        IMPORT_ERRORS: ErrorOut,
    },
)
def import_create(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    format: Form[FileFormat] = "auto",
    dry_run: Form[bool] = False,
    indicator: Form[str] = imports.SICKNESS_INDICATOR,
) -> Any:
    """Import a file of data points (multipart: ``file``, ``format``, ``dry_run``). The
    network's coordinators only. All or nothing: a file with any problem imports nothing.

    Files up to 2 MB are imported at once: 201 with the finished batch, or 422 with the
    problems by row and column. Larger ones are queued: 202 with the queued batch; follow it
    at ``/import-batches/{id}``. ``indicator`` names the indicator that NHS Digital's sickness
    file fills (default ``sickness-rate``)."""
    viewer = _signed_in(request)
    network = _network(viewer, slug, write=True)
    if (file.size or 0) > SYNC_IMPORT_MAX_BYTES:
        batch = tasks.import_enqueue(
            network=network,
            upload=file,
            user=request.user,
            file_format=format,
            dry_run=dry_run,
            indicator_code=indicator,
        )
    else:
        batch = services.datapoints_import(
            network=network,
            source=file,
            filename=file.name or "upload",
            file_format=format,
            dry_run=dry_run,
            user=request.user,
            indicator_code=indicator,
        )
    batch.network = network
    if batch.status == ImportBatch.Status.FAILED:
        count = len(batch.errors)
        detail = (
            "Nothing was imported: "
            + ("the file has a problem." if count == 1 else f"the file has {count} problems.")
            + " "
            + str(batch.errors[0]["message"] if count else "")
        )
        return Status(422, {"detail": detail.strip(), "errors": batch.errors, "batch": batch})
    return Status(201 if batch.status == ImportBatch.Status.DONE else 202, batch)


@router.get("/networks/{slug}/indicators/{code}", response={200: IndicatorDetail, ERRORS: ErrorOut})
def indicator_detail(request: HttpRequest, slug: str, code: str) -> Indicator:
    """An indicator's definition, SPC settings and targets, and every organisation's latest
    value with its variation and assurance icons."""
    viewer = _viewer(request)
    network = _network(viewer, slug)
    latest = SeriesResult.objects.select_related("organisation").order_by(
        "organisation__name", "organisation_id"
    )
    indicators = _indicators(viewer, network).prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("applies_from")),
        Prefetch("results", queryset=latest.defer("analysis")),
    )
    return _get(viewer, indicators, code=code)


# Data points


@router.get(
    "/networks/{slug}/indicators/{code}/points",
    response={200: list[DataPointOut], ERRORS: ErrorOut},
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE, max_page_size=POINTS_MAX_PAGE_SIZE)
def point_list(
    request: HttpRequest,
    slug: str,
    code: str,
    organisation: str | None = None,
    from_: str | None = Query(None, alias="from"),  # type: ignore[type-arg]
    to: str | None = None,
) -> QuerySet[DataPoint]:
    """An indicator's data points by organisation (ODS code) and period. ``organisation``
    narrows to one organisation; ``from`` and ``to`` (YYYY-MM or YYYY-MM-DD) to the periods
    that start between them, both included. ``page_size`` may be up to 1,000 here."""
    indicator = _indicator(_viewer(request), slug, code)
    points = DataPoint.objects.filter(indicator=indicator).select_related("organisation")
    if organisation:
        found = _organisation(organisation)
        if found is None:
            raise HttpError(422, f"organisation: no organisation has the ODS code {organisation}.")
        points = points.filter(organisation=found)
    start, end = _period(from_, "from"), _period(to, "to")
    if start is not None:
        points = points.filter(period__gte=start)
    if end is not None:
        points = points.filter(period__lte=end)
    return points.order_by("organisation__ods_code", "organisation_id", "period")


@router.post(
    "/networks/{slug}/indicators/{code}/points",
    response={200: DataPointOut, 201: DataPointOut, ERRORS: ErrorOut},
)
def point_save(request: HttpRequest, slug: str, code: str, payload: DataPointIn) -> Any:
    """Add or change one data point. The network's coordinators only; the same checks as an
    import (period not in the future, value possible for the unit, numerator not above the
    denominator ...), a 422 saying which field is wrong otherwise. 201 when the point is new,
    200 when it changed or was already so. The series' SPC result is refreshed."""
    viewer = _signed_in(request)
    indicator = _indicator(viewer, slug, code, write=True)
    organisation = _organisation(payload.organisation)
    if organisation is None:
        return _field_error(
            "organisation", f"No organisation has the ODS code {payload.organisation}."
        )
    existed = _point_exists(indicator, organisation, payload.period)
    try:
        point = services.datapoint_save(
            indicator=indicator,
            organisation=organisation,
            period=payload.period,
            value=payload.value,
            numerator=payload.numerator,
            denominator=payload.denominator,
            note=payload.note,
            user=request.user,
        )
    except DjangoValidationError as exc:
        return _invalid(exc)
    point.organisation = organisation
    return Status(200 if existed else 201, point)


def _point_exists(indicator: Indicator, organisation: Organisation, period: str) -> bool:
    try:
        start = periods.start_of(periods.parse(period), indicator.frequency)
    except periods.PeriodError:
        return False  # datapoint_save says what is wrong with it
    return DataPoint.objects.filter(
        indicator=indicator, organisation=organisation, period=start
    ).exists()


@router.get("/import-batches/{batch_id}", response={200: ImportBatchOut, ERRORS: ErrorOut})
def import_batch_detail(request: HttpRequest, batch_id: int) -> ImportBatch:
    """An import's status, counts and problems: the network's coordinators and whoever
    uploaded it. Anyone else gets a 404."""
    viewer = _signed_in(request)
    batch = (
        ImportBatch.objects.filter(pk=batch_id, network__in=visible(viewer, Network.objects.all()))
        .select_related("network", "uploaded_by")
        .first()
    )
    allowed = batch is not None and (
        viewer.coordinates(batch.network_id) or batch.uploaded_by_id == viewer.user_id
    )
    if batch is None or not allowed:
        raise HttpError(404, "No such record, or you do not have access to it.")
    return batch


# SPC


@router.get(
    "/networks/{slug}/indicators/{code}/spc/{ods_code}",
    response={200: SpcAnalysisOut, ERRORS: ErrorOut},
)
def spc_detail(request: HttpRequest, slug: str, code: str, ods_code: str) -> dict[str, Any]:
    """One organisation's SPC analysis, exactly as ``kmatrix spc`` prints it for the same
    series and settings: segments with their mean and limits, every point's type, rules and
    colour, the icons and the warnings. Stored when the data came in."""
    indicator = _indicator(_viewer(request), slug, code)
    result = (
        SeriesResult.objects.filter(
            indicator=indicator, organisation__ods_code=ods_code.strip().upper()
        )
        .only("organisation_id", "analysis")
        .first()
    )
    if result is None:
        raise HttpError(404, f"No data for {ods_code.upper()} on this indicator.")
    values = list(
        DataPoint.objects.filter(indicator=indicator, organisation_id=result.organisation_id)
        .order_by("period")
        .values_list("period", "value")
    )
    return analysis_document(result.analysis, values)
