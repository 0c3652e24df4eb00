"""Indicator pages: the dashboard, one indicator across providers, one provider's report, the
review of two periods, SPC charts with their settings and notes, and imports.

Every page's table downloads as CSV or XLSX (``?format=csv|xlsx``) and every chart as PNG or SVG
(``?format=png|svg``, rendered by vl-convert from the spec the browser draws).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html, json_script
from django.views.decorators.http import require_POST

from kmatrix.core.access import Viewer, can_manage, get_for, viewer_for
from kmatrix.core.exports import csv_response, xlsx_response
from kmatrix.core.pages import page_of, pager, text_param
from kmatrix.indicators import charts, queries, series, tasks
from kmatrix.indicators.forms import AnnotationForm, ReviewForm, SpcSettingsForm, UploadForm
from kmatrix.indicators.models import Annotation, ImportBatch, Indicator
from kmatrix.networks.models import Network, Organisation

PROVIDERS_PER_PAGE = 8  # columns of the dashboard
CHARTS_PER_PAGE = 9  # small multiples: three rows of three
Rows = Iterable[Sequence[Any]]

# --- Helpers ------------------------------------------------------------------------------


def _crumbs(network: Network, *more: tuple[str, str]) -> list[dict[str, str]]:
    return [
        {"text": "My networks", "href": "/networks/"},
        {"text": network.name, "href": network.get_absolute_url()},
        *({"text": text, "href": href} for text, href in more),
    ]


def _format(request: HttpRequest) -> str | None:
    fmt = request.GET.get("format")
    if fmt is not None and fmt not in {"csv", "xlsx", "png", "svg", "json", "html"}:
        raise Http404("Downloads come as csv, xlsx, png, svg or json.")
    return fmt


def _table_download(
    fmt: str | None, filename: str, table: Callable[[], tuple[Sequence[str], Rows]]
) -> HttpResponse | StreamingHttpResponse | None:
    if fmt == "csv":
        header, rows = table()
        return csv_response(f"{filename}.csv", header, rows)
    if fmt == "xlsx":
        header, rows = table()
        return xlsx_response(filename, header, rows)
    return None


def _chart_download(fmt: str | None, filename: str, spec: dict[str, Any]) -> HttpResponse | None:
    if fmt == "json":
        return JsonResponse(spec)
    if fmt in ("png", "svg"):
        body = charts.render(spec, "png" if fmt == "png" else "svg")
        response = HttpResponse(body, content_type="image/png" if fmt == "png" else "image/svg+xml")
        response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
        return response
    return None


def _spec_script(spec: dict[str, Any], element_id: str) -> str:
    """The spec as a JSON data block the chart script reads (not run, so the CSP allows it)."""
    return json_script(spec, element_id)


@dataclass(frozen=True)
class Links:
    """Addresses of one network's indicator pages, for table rows: reverse() and static() in
    every row of a 300-row table cost more than the rest of the page."""

    base: str  # the dashboard's address

    def indicator(self, code: str) -> str:
        return f"{self.base}{code}/"

    def chart(self, code: str, org_pk: int) -> str:
        return f"{self.base}{code}/{org_pk}/"

    def organisation(self, pk: int) -> str:
        return f"{self.base}organisation/{pk}/"


ICON_LABELS = {
    **{
        f"variation-{name}": f"Variation: {label}"
        for name, label in charts.VARIATION_LABELS.items()
    },
    **{
        f"assurance-{name}": f"Assurance: {label}"
        for name, label in charts.ASSURANCE_LABELS.items()
    },
}


def _icon_maker() -> Callable[..., str]:
    """``icon("variation", name, labelled=False)``: an MDC summary icon with its label as alt
    text (and as visible text when labelled). A function rather than a template macro: it is
    drawn twice in every row of tables with hundreds of rows."""
    sources = {key: static(f"indicators/icons/{key}.svg") for key in ICON_LABELS}

    def icon(kind: str, name: str, labelled: bool = False) -> str:
        key = f"{kind}-{name}"
        if key not in ICON_LABELS:
            return ""
        label = ICON_LABELS[key]
        shown = format_html('<span class="km-spc-icon-label">{}</span>', label.split(": ", 1)[1])
        return format_html(
            '<span class="km-spc-icon-wrap"><img class="km-spc-icon" src="{}" alt="{}" '
            'title="{}" width="28" height="28">{}</span>',
            sources[key],
            label,
            label,
            shown if labelled else "",
        )

    return icon


def _labels(network: Network) -> dict[str, Any]:
    return {
        "links": Links(reverse("indicators:overview", args=[network.slug])),
        "icon": _icon_maker(),
        "variation_labels": charts.VARIATION_LABELS,
        "assurance_labels": charts.ASSURANCE_LABELS,
        "number": charts.number,
        "change": charts.change,
        "period_label": charts.period_label,
        "judged": queries.judged,
    }


def _y_title(indicator: Indicator) -> str:
    return str(indicator.get_unit_display())


# --- Dashboard ----------------------------------------------------------------------------


def overview(request: HttpRequest, slug: str) -> HttpResponse | StreamingHttpResponse:
    viewer = viewer_for(request.user)
    network = queries.network_for(viewer, slug)
    fmt = _format(request)
    download = _table_download(
        fmt, f"{network.slug}-indicators", lambda: queries.overview_table(viewer, network)
    )
    if download is not None:
        return download
    q = text_param(request, "q")
    page = page_of(request, queries.providers(network, q), PROVIDERS_PER_PAGE)
    return render(
        request,
        "indicators/overview.html",
        {
            **_labels(network),
            "network": network,
            "dashboard": queries.overview(viewer, network, list(page.object_list)),
            "page": page,
            "pagination": pager(request, page),
            "q": q,
            "manages": can_manage(viewer, network),
            "breadcrumbs": _crumbs(network, ("Indicators", "")),
        },
    )


# --- One indicator across providers -------------------------------------------------------


def _indicator(viewer: Viewer, slug: str, code: str) -> tuple[Network, Indicator]:
    network = queries.network_for(viewer, slug)
    return network, queries.indicator_for(viewer, network, code)


def _provider_multiples(indicator: Indicator, orgs: Sequence[Organisation]) -> charts.Multiples:
    found = queries.provider_series(indicator, orgs)
    return charts.Multiples([(org.name, indicator.unit, rows) for org, rows in found])


def _charts_section(request: HttpRequest, items: Sequence[Any]) -> dict[str, Any]:
    """The page's small multiples: which page of them, and the address htmx loads them from
    once the page is shown (they cost more to build than the rest of the page)."""
    chart_page = page_of(request, items, CHARTS_PER_PAGE, "charts")
    return {
        "chart_page": chart_page,
        "chart_pagination": pager(request, chart_page, "charts", "#charts"),
        "charts_url": f"{request.path}charts/?page={chart_page.number}",
    }


def indicator(request: HttpRequest, slug: str, code: str) -> HttpResponse | StreamingHttpResponse:
    viewer = viewer_for(request.user)
    network, ind = _indicator(viewer, slug, code)
    page = queries.indicator_page(network, ind)
    download = _table_download(_format(request), f"{network.slug}-{ind.code}", page.table)
    if download is not None:
        return download
    return render(
        request,
        "indicators/indicator.html",
        {
            **_labels(network),
            **_charts_section(request, [row.organisation for row in page.rows]),
            "network": network,
            "indicator": ind,
            "page": page,
            "manages": can_manage(viewer, ind),
            "breadcrumbs": _crumbs(
                network,
                ("Indicators", reverse("indicators:overview", args=[network.slug])),
                (ind.name, ""),
            ),
        },
    )


def _multiples_response(
    request: HttpRequest, name: str, found: charts.Multiples, label: str
) -> HttpResponse | StreamingHttpResponse:
    """Small multiples as the page's fragment (``format=html``, with their data table), a
    Vega-Lite spec (the default), an image or a table to download."""
    fmt = _format(request) or "json"
    if fmt == "html":
        return render(request, "indicators/_multiples.html", {
            "multiples": found.series,
            "spec": _spec_script(found.spec(), "multiples-spec") if found.series else "",
            "pivot": found.pivot(),
            "label": label,
        })  # fmt: skip
    return (
        _table_download(fmt, name, found.table)
        or _chart_download(fmt, name, found.spec())
        or JsonResponse(found.spec())
    )


def indicator_charts(
    request: HttpRequest, slug: str, code: str
) -> HttpResponse | StreamingHttpResponse:
    """The small multiples of one page of providers, as a spec, an image or their data."""
    viewer = viewer_for(request.user)
    network, ind = _indicator(viewer, slug, code)
    chart_page = page_of(request, queries.providers(network), CHARTS_PER_PAGE)
    found = _provider_multiples(ind, list(chart_page.object_list))
    name = f"{network.slug}-{ind.code}-charts-{chart_page.number}"
    label = f"Small SPC charts of {ind.name}, one for each organisation"
    return _multiples_response(request, name, found, label)


# --- One provider's report ----------------------------------------------------------------


def _provider(viewer: Viewer, slug: str, pk: int) -> tuple[Network, Organisation]:
    network = queries.network_for(viewer, slug)
    return network, queries.provider_for(network, pk)


def _indicator_multiples(org: Organisation, indicators: Sequence[Indicator]) -> charts.Multiples:
    found = queries.indicator_series(indicators, org)
    return charts.Multiples([(ind.name, ind.unit, rows) for ind, rows in found], shared_x=False)


def organisation(request: HttpRequest, slug: str, pk: int) -> HttpResponse | StreamingHttpResponse:
    viewer = viewer_for(request.user)
    network, org = _provider(viewer, slug, pk)
    report = queries.organisation_page(viewer, network, org)
    filename = f"{network.slug}-{org.ods_code or org.pk}-indicators"
    download = _table_download(_format(request), filename, report.table)
    if download is not None:
        return download
    return render(
        request,
        "indicators/organisation.html",
        {
            **_labels(network),
            **_charts_section(request, [row.indicator for row in report.rows]),
            "network": network,
            "organisation": org,
            "report": report,
            "illustrative": [row.indicator for row in report.rows if row.indicator.is_illustrative],
            "breadcrumbs": _crumbs(
                network,
                ("Indicators", reverse("indicators:overview", args=[network.slug])),
                (org.name, ""),
            ),
        },
    )


def organisation_charts(
    request: HttpRequest, slug: str, pk: int
) -> HttpResponse | StreamingHttpResponse:
    viewer = viewer_for(request.user)
    network, org = _provider(viewer, slug, pk)
    chart_page = page_of(request, queries.indicators_for(viewer, network), CHARTS_PER_PAGE)
    found = _indicator_multiples(org, list(chart_page.object_list))
    name = f"{network.slug}-{org.ods_code or org.pk}-charts-{chart_page.number}"
    label = f"Small SPC charts of each indicator for {org.name}"
    return _multiples_response(request, name, found, label)


# --- Review: two periods side by side -----------------------------------------------------


def review(request: HttpRequest, slug: str) -> HttpResponse | StreamingHttpResponse:
    viewer = viewer_for(request.user)
    network = queries.network_for(viewer, slug)
    indicators = queries.indicators_for(viewer, network)
    bound = any(name in request.GET for name in ("indicator", "first", "second"))
    form = ReviewForm(
        request.GET if bound else None,
        indicators=indicators,
        ranges=lambda ind: queries.periods_with_data(network, ind),
    )
    result = None
    if bound and form.is_valid():
        data = form.cleaned_data
        result = queries.review(
            network, data["indicator"], data["first_period"], data["second_period"]
        )
        name = f"{network.slug}-{data['indicator'].code}-review"
        download = _table_download(_format(request), name, result.table)
        if download is not None:
            return download
    return render(
        request,
        "indicators/review.html",
        {
            **_labels(network),
            "network": network,
            "form": form,
            "review": result,
            "breadcrumbs": _crumbs(
                network,
                ("Indicators", reverse("indicators:overview", args=[network.slug])),
                ("Review", ""),
            ),
        },
        status=400 if form.errors else 200,
    )


# --- One SPC chart ------------------------------------------------------------------------


def _series(
    viewer: Viewer, slug: str, code: str, org_pk: int
) -> tuple[Network, Indicator, Organisation]:
    network, ind = _indicator(viewer, slug, code)
    return network, ind, queries.provider_for(network, org_pk)


def _series_spec(page: queries.SeriesPage) -> dict[str, Any]:
    ind, org = page.indicator, page.organisation
    return charts.spc_spec(
        page.rows,
        title=f"{ind.name}: {org.name}",
        unit=ind.unit,
        y_title=_y_title(ind),
        show_two_sigma=ind.show_two_sigma,
        annotations=[charts.Marker(a.period, a.text) for a in page.annotations],
        recalculations=charts.recalculation_periods(page.analysis),
    )


def _chart_page(
    request: HttpRequest,
    network: Network,
    page: queries.SeriesPage,
    *,
    settings_form: SpcSettingsForm | None = None,
    annotation_form: AnnotationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    viewer = viewer_for(request.user)
    ind, org = page.indicator, page.organisation
    manages = can_manage(viewer, ind)
    if manages:
        settings_form = settings_form or SpcSettingsForm(instance=ind)
        annotation_form = annotation_form or AnnotationForm(indicator=ind, series=page.periods)
    return render(
        request,
        "indicators/chart.html",
        {
            **_labels(network),
            "network": network,
            "indicator": ind,
            "organisation": org,
            "page": page,
            "spec": _spec_script(_series_spec(page), "chart-spec") if page.rows else "",
            "manages": manages,
            "settings_form": settings_form,
            "annotation_form": annotation_form,
            "base_url": reverse("indicators:chart", args=[network.slug, ind.code, org.pk]),
            "breadcrumbs": _crumbs(
                network,
                ("Indicators", reverse("indicators:overview", args=[network.slug])),
                (ind.name, reverse("indicators:indicator", args=[network.slug, ind.code])),
                (org.name, ""),
            ),
        },
        status=status,
    )


def chart(
    request: HttpRequest, slug: str, code: str, org_pk: int
) -> HttpResponse | StreamingHttpResponse:
    viewer = viewer_for(request.user)
    network, ind, org = _series(viewer, slug, code, org_pk)
    page = queries.series_page(ind, org)
    fmt = _format(request)
    name = f"{network.slug}-{ind.code}-{org.ods_code or org.pk}"
    download = _table_download(fmt, name, page.table)
    if download is None and fmt is not None:
        download = _chart_download(fmt, name, _series_spec(page))
    return download or _chart_page(request, network, page)


def _managed_series(
    request: HttpRequest, slug: str, code: str, org_pk: int
) -> tuple[Network, Indicator, Organisation]:
    network, ind, org = _series(viewer_for(request.user), slug, code, org_pk)
    if not can_manage(viewer_for(request.user), ind):
        raise PermissionDenied("Only the indicator's owners change its charts.")
    return network, ind, org


@login_required
@require_POST
def chart_settings(request: HttpRequest, slug: str, code: str, org_pk: int) -> HttpResponse:
    network, ind, org = _managed_series(request, slug, code, org_pk)
    # The form writes into the instance while it checks; the page is drawn from the saved one.
    form = SpcSettingsForm(request.POST, instance=copy.copy(ind))
    if form.is_valid():
        with transaction.atomic():
            form.save()
            count = series.series_refresh(indicator=form.instance)
        messages.success(
            request, f"Chart settings saved; {count} charts of {ind.name} recalculated."
        )
        return redirect("indicators:chart", network.slug, ind.code, org.pk)
    page = queries.series_page(ind, org)
    return _chart_page(request, network, page, settings_form=form, status=400)


@login_required
@require_POST
def annotation_add(request: HttpRequest, slug: str, code: str, org_pk: int) -> HttpResponse:
    network, ind, org = _managed_series(request, slug, code, org_pk)
    page = queries.series_page(ind, org)
    form = AnnotationForm(request.POST, indicator=ind, series=page.periods)
    if form.is_valid():
        annotation = form.annotation(org.pk)
        try:
            annotation.full_clean()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            with transaction.atomic():
                annotation.save()
                if annotation.recalculate:
                    only = None if annotation.organisation_id is None else [org.pk]
                    series.series_refresh(indicator=ind, organisation_ids=only)
            messages.success(request, f"Note “{annotation.text}” added.")
            return redirect("indicators:chart", network.slug, ind.code, org.pk)
    return _chart_page(request, network, page, annotation_form=form, status=400)


@login_required
@require_POST
def annotation_delete(
    request: HttpRequest, slug: str, code: str, org_pk: int, pk: int
) -> HttpResponse:
    network, ind, org = _managed_series(request, slug, code, org_pk)
    annotation = Annotation.objects.filter(indicator=ind, pk=pk).first()
    if annotation is None:
        raise Http404("No such note.")
    with transaction.atomic():
        annotation.delete()
        if annotation.recalculate:
            only = None if annotation.organisation_id is None else [org.pk]
            series.series_refresh(indicator=ind, organisation_ids=only)
    messages.success(request, f"Note “{annotation.text}” removed.")
    return redirect("indicators:chart", network.slug, ind.code, org.pk)


# --- Imports ------------------------------------------------------------------------------


def _coordinated(request: HttpRequest, slug: str) -> Network:
    viewer = viewer_for(request.user)
    network = get_for(viewer, Network.objects.all(), slug=slug)
    if not can_manage(viewer, network):
        raise PermissionDenied("Only the network's coordinators import indicator data.")
    return network


@login_required
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    network = _coordinated(request, slug)
    codes = [(i.code, f"{i.name} ({i.code})") for i in network.indicators.order_by("name")]
    form = UploadForm(request.POST or None, request.FILES or None, codes=codes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        batch = tasks.import_enqueue(
            network=network,
            upload=data["upload"],
            user=request.user,
            file_format=data["file_format"],
            dry_run=data["dry_run"],
            **({"indicator_code": data["indicator_code"]} if data["indicator_code"] else {}),
        )
        return redirect("indicators:batch", network.slug, batch.pk)
    return render(
        request,
        "indicators/upload.html",
        {
            "network": network,
            "form": form,
            "max_mb": settings.KMATRIX_MAX_UPLOAD_BYTES // (1024 * 1024),
            "batches": network.import_batches.select_related("uploaded_by")[:10],
            "breadcrumbs": _crumbs(
                network,
                ("Indicators", reverse("indicators:overview", args=[network.slug])),
                ("Import", ""),
            ),
        },
        status=400 if form.errors else 200,
    )


def _batch_context(network: Network, batch: ImportBatch) -> dict[str, Any]:
    running = batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING)
    percent = batch.rows_done * 100 // batch.rows_total if batch.rows_total else 0
    return {
        "network": network,
        "batch": batch,
        "running": running,
        "percent": min(percent, 100),
        "progress_url": reverse("indicators:batch_progress", args=[network.slug, batch.pk]),
    }


@login_required
def batch(request: HttpRequest, slug: str, batch_pk: int) -> HttpResponse | StreamingHttpResponse:
    network = _coordinated(request, slug)
    found = queries.batch_for(network, batch_pk)
    download = _table_download(
        _format(request),
        f"{network.slug}-import-{found.pk}-errors",
        lambda: (
            ["Row", "Column", "Message"],
            [[e.get("row"), e.get("column"), e.get("message")] for e in found.errors or []],
        ),
    )
    if download is not None:
        return download
    return render(
        request,
        "indicators/batch.html",
        {
            **_batch_context(network, found),
            "breadcrumbs": _crumbs(
                network,
                ("Indicators", reverse("indicators:overview", args=[network.slug])),
                ("Import", reverse("indicators:upload", args=[network.slug])),
                (found.filename, ""),
            ),
        },
    )


@login_required
def batch_progress(request: HttpRequest, slug: str, batch_pk: int) -> HttpResponse:
    """The batch's status, swapped in by htmx every second; 286 tells htmx to stop polling."""
    network = _coordinated(request, slug)
    context = _batch_context(network, queries.batch_for(network, batch_pk))
    status = 200 if context["running"] else 286
    return render(request, "indicators/_batch_status.html", context, status=status)
