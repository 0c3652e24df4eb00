"""Payments (runs by month and financial year, statements as CSV and PDF, invoice status) and
need against provision per provider."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import json_script
from django.views.decorators.http import require_POST

from kmatrix.core.exports import csv_response
from kmatrix.core.forms import apply_errors
from kmatrix.core.pages import int_param, paginate
from kmatrix.supervision import charts, drawdown, payments, queries, services
from kmatrix.supervision.choices import RunStatus
from kmatrix.supervision.forms import InvoiceForm, NeedForm, RunForm
from kmatrix.supervision.models import PaymentRun, may_enter_need
from kmatrix.supervision.pages import Context, context, today
from kmatrix.supervision.times import (
    financial_year,
    financial_year_label,
    month_bounds,
    month_label,
)


def _manager(request: HttpRequest, slug: str) -> Context:
    page = context(request, slug)
    page.require_manager()
    return page


@login_required
def payments_page(request: HttpRequest, slug: str) -> HttpResponse:
    page = context(request, slug)
    if not page.roles.project_manager:
        if page.roles.supervisor is not None:
            return redirect("supervision:mine", slug)
        raise PermissionDenied("Only the project managers and supervisors see payments.")
    form = RunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run, made = payments.payment_run_start(
                service=page.service, month=form.cleaned_data["month"], user=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if made:
                messages.success(
                    request, f"Payments for {month_label(run.month)} are being worked out."
                )
            else:
                messages.success(
                    request,
                    f"Payments for {month_label(run.month)} were run on "
                    f"{timezone.localtime(run.started_at):%d %B %Y}; nothing has changed.",
                )
            return redirect(run)
    runs, pagination = paginate(request, queries.runs_for(page.viewer, page.service), 24)
    return render(
        request,
        "supervision/payments.html",
        page.page(
            form=form,
            runs=runs,
            pagination=pagination,
            years=queries.payment_totals_by_year(page.service),
            breadcrumbs=page.crumbs(("Payments", "")),
        ),
        status=400 if form.errors else 200,
    )


def _run_context(page: Context, run: PaymentRun) -> dict[str, Any]:
    running = run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    total = run.supervisors_total
    return page.page(
        run=run,
        running=running,
        percent=min(run.supervisors_done * 100 // total, 100) if total else 0,
        progress_url=reverse(
            "supervision:payment_run_progress", args=[page.service.network.slug, run.pk]
        ),
    )


@login_required
def payment_run(request: HttpRequest, slug: str, pk: int) -> HttpResponse | StreamingHttpResponse:
    page = _manager(request, slug)
    run = queries.run_for(page.viewer, page.service, pk)
    statements = queries.run_statements(run)
    if request.GET.get("format") == "csv":
        header = ["Statement", "Supervisor", "Sessions", "Total (£)", "Status", "Paid on"]
        rows = (
            [
                s.number,
                s.supervisor.person.full_name,
                s.sessions,
                f"{s.total:.2f}",
                s.get_status_display(),
                s.paid_on.isoformat() if s.paid_on else "",
            ]
            for s in statements
        )
        return csv_response(f"supervision-payments-{run.month:%Y-%m}.csv", header, rows)
    _start, end = month_bounds(run.month)
    waiting = [o for o in payments.unpaid_sessions(page.service, end) if o.unrecorded]
    year = drawdown.drawdown_for(page.viewer, page.service).row_for(run.financial_year)
    return render(
        request,
        "supervision/payment_run.html",
        {
            **_run_context(page, run),
            "statements": list(statements),
            "awaiting": waiting[:50],
            "awaiting_count": len(waiting),
            "drawdown_rows": [year] if year is not None else [],
            "breadcrumbs": page.crumbs(
                ("Payments", f"{page.base}payments/"), (month_label(run.month), "")
            ),
        },
    )


DRAWDOWN_HEADER = [
    "Financial year",
    "Award (£)",
    "Drawn, paid (£)",
    "Approved (£)",
    "Due (£)",
    "Committed (£)",
    "Remaining (£)",
]


def _drawdown_rows(rows: list[drawdown.AwardDrawdown]) -> list[list[Any]]:
    def pounds(value: Any) -> str:
        return "" if value is None else f"{value:.2f}"

    return [
        [
            r.label,
            pounds(r.amount),
            pounds(r.drawn),
            pounds(r.approved),
            pounds(r.due),
            pounds(r.committed),
            pounds(r.remaining),
        ]
        for r in rows
    ]


@login_required
def drawdown_page(request: HttpRequest, slug: str) -> HttpResponse | StreamingHttpResponse:
    """The service's payments against its funding programme's awards, by financial year."""
    page = _manager(request, slug)
    found = drawdown.drawdown_for(page.viewer, page.service)
    if request.GET.get("format") == "csv":
        name = f"{page.service.network.slug}-supervision-drawdown.csv"
        return csv_response(name, DRAWDOWN_HEADER, _drawdown_rows(found.rows))
    return render(
        request,
        "supervision/drawdown.html",
        page.page(
            drawdown=found,
            breadcrumbs=page.crumbs(
                ("Payments", f"{page.base}payments/"), ("Funding drawdown", "")
            ),
        ),
    )


@login_required
def payment_run_progress(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page = _manager(request, slug)
    run = queries.run_for(page.viewer, page.service, pk)
    found = _run_context(page, run)
    return render(
        request, "supervision/_run_status.html", found, status=200 if found["running"] else 286
    )


@login_required
def statement(request: HttpRequest, slug: str, pk: int) -> HttpResponse | StreamingHttpResponse:
    page = context(request, slug)
    found = queries.statement_for(page.viewer, page.service, pk)
    lines = list(found.lines.order_by("starts_at", "pk"))
    fmt = request.GET.get("format")
    if fmt == "csv":
        return csv_response(
            f"{found.number}.csv", payments.LINE_HEADER, payments.statement_rows(lines)
        )
    if fmt == "pdf":
        response = HttpResponse(
            payments.statement_pdf(found, lines), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="{found.number}.pdf"'
        return response
    if fmt is not None:
        raise Http404("Statements come as csv or pdf.")
    manages = page.roles.project_manager
    return render(
        request,
        "supervision/statement.html",
        page.page(
            statement=found,
            lines=lines,
            rows=payments.statement_rows(lines),
            columns=payments.LINE_HEADER,
            manages=manages,
            form=InvoiceForm(initial={"status": found.status, "paid_on": today()})
            if manages
            else None,
            breadcrumbs=page.crumbs(
                ("Payments", f"{page.base}payments/"),
                (month_label(found.run.month), found.run.get_absolute_url() if manages else ""),
                (found.number, ""),
            ),
        ),
    )


@login_required
@require_POST
def statement_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page = _manager(request, slug)
    found = queries.statement_for(page.viewer, page.service, pk)
    form = InvoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status, and a date for a payment.")
        return redirect(found)
    try:
        payments.statement_status_set(
            statement=found,
            status=form.cleaned_data["status"],
            user=request.user,
            paid_on=form.cleaned_data["paid_on"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{found.number} is {found.get_status_display().lower()}.")
    return redirect(found)


# --- Need and provision --------------------------------------------------------------------


def _need_reader(request: HttpRequest, slug: str) -> Context:
    page = context(request, slug)
    if not page.roles.sees_need:
        raise PermissionDenied(
            "Need and provision are for the HR Directors, the provider leads and the project "
            "managers."
        )
    return page


@login_required
def need(request: HttpRequest, slug: str) -> HttpResponse | StreamingHttpResponse:
    page = _need_reader(request, slug)
    years = queries.need_years(page.service, today())
    year = int_param(request, "year")
    year = year if year in years else financial_year(today())
    found = queries.need_page(page.service, year)
    fmt = request.GET.get("format")
    if fmt == "csv":
        header, rows = found.table()
        return csv_response(
            f"{page.service.network.slug}-supervision-need-{year}.csv", header, rows
        )
    spec = charts.need_spec(found)
    if fmt == "json":
        from django.http import JsonResponse

        return JsonResponse(spec)
    editable = [
        org
        for org in queries.member_providers(page.service)
        if may_enter_need(page.viewer, page.service, org.pk)
    ]
    return render(
        request,
        "supervision/need.html",
        page.page(
            need=found,
            years=years,
            year=year,
            editable=editable,
            spec=json_script(spec, "need-spec"),
            breadcrumbs=page.crumbs(("Need and provision", "")),
        ),
    )


@login_required
def need_edit(request: HttpRequest, slug: str) -> HttpResponse:
    page = _need_reader(request, slug)
    organisation_id = int_param(request, "organisation")
    organisation = queries.member_providers(page.service).filter(pk=organisation_id or 0).first()
    if organisation is None:
        raise Http404("Choose one of the network's member providers.")
    if not may_enter_need(page.viewer, page.service, organisation.pk):
        raise PermissionDenied(
            "Only the project managers and this provider's HR Director enter its need."
        )
    years = queries.need_years(page.service, today())
    year = int_param(request, "year") or financial_year(today())
    if not 2000 <= year <= 2100:
        raise Http404("Choose a financial year.")
    current = {
        n.profession: n.sessions_needed
        for n in page.service.needs.filter(organisation=organisation, financial_year=year)
    }
    form = NeedForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_save(
                service=page.service,
                organisation=organisation,
                financial_year=year,
                needs=form.needs(),
                user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Need for {organisation.name} saved.")
            return redirect(f"{reverse('supervision:need', args=[slug])}?year={year}")
    return render(
        request,
        "supervision/need_edit.html",
        page.page(
            form=form,
            organisation=organisation,
            year=year,
            years=years,
            label=financial_year_label(year),
            breadcrumbs=page.crumbs(
                ("Need and provision", f"{page.base}need/"), (organisation.name, "")
            ),
        ),
        status=400 if form.errors else 200,
    )
