"""Pages: the workstream dashboard, "my work", time given and the time report."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from kmatrix.core.access import Viewer, get_for, viewer_for
from kmatrix.core.exports import csv_response, xlsx_response
from kmatrix.core.forms import apply_errors
from kmatrix.improvement import pages, work
from kmatrix.improvement.forms_work import ReportRangeForm, TimeLogForm
from kmatrix.improvement.models import TimeLog
from kmatrix.networks.models import Network, Person, Workstream


def plan_link(plan: Any) -> str:
    return format_html('<a href="{}">{}</a>', plan.get_absolute_url(), plan.title)


# --- Dashboard and my work ----------------------------------------------------------------


def dashboard(request: HttpRequest, slug: str, workstream_pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    workstream = get_for(
        viewer,
        Workstream.objects.select_related("network", "theme"),
        pk=workstream_pk,
        network__slug=slug,
    )
    board = work.workstream_dashboard(viewer, workstream, timezone.localdate())
    return render(
        request,
        "improvement/work/dashboard.html",
        {
            "board": board,
            "plan_link": plan_link,
            "network": workstream.network,
            "breadcrumbs": pages.crumbs(
                workstream.network,
                (workstream.name, workstream.get_absolute_url()),
                ("Dashboard", ""),
            ),
        },
    )


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request.user)
    return render(
        request,
        "improvement/work/my_work.html",
        {
            "mine": work.my_work(viewer, timezone.localdate()),
            "plan_link": plan_link,
            "has_person": viewer.person_id is not None,
            "breadcrumbs": [{"text": "My networks", "href": "/networks/"}, {"text": "My work"}],
        },
    )


# --- Time given ---------------------------------------------------------------------------


def _network_to_log(viewer: Viewer, slug: str) -> Network:
    network = get_for(viewer, Network.objects.all(), slug=slug)
    if not work.may_log_time(viewer, network):
        raise PermissionDenied("Only members of the network log the time they give to it.")
    return network


def _save_log(
    request: HttpRequest, viewer: Viewer, network: Network, form: TimeLogForm, log: TimeLog | None
) -> TimeLog | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    person = viewer.person_id
    assert person is not None  # may_log_time
    try:
        return work.timelog_save(
            log=log,
            person=log.person if log else Person.objects.get(pk=person),
            network=network,
            month=data["month"],
            days=data["days"],
            plan=data["plan"],
            note=data["note"],
            today=form.today,
        )
    except ValidationError as error:
        apply_errors(form, error)
        return None


@login_required
def time(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = _network_to_log(viewer, slug)
    form = TimeLogForm(request.POST or None, viewer=viewer, network=network)
    if request.method == "POST" and _save_log(request, viewer, network, form, None):
        messages.success(request, "Time logged. Thank you.")
        return redirect("improvement:time", network.slug)
    today = timezone.localdate()
    return render(
        request,
        "improvement/work/time.html",
        {
            "network": network,
            "form": form,
            "logs": list(work.own_logs(viewer, network)[:120]),
            "this_month": [
                t
                for t in work.time_this_month(viewer.person_id or 0, today)
                if t.network.pk == network.pk
            ],
            "may_report": work.may_see_time_report(viewer, network),
            "breadcrumbs": pages.crumbs(network, ("Time given", "")),
        },
        status=400 if form.errors else 200,
    )


def _own_log(viewer: Viewer, network: Network, pk: int) -> TimeLog:
    log = work.own_logs(viewer, network).select_related("person").filter(pk=pk).first()
    if log is None:
        raise Http404("No such time log of yours.")
    return log


@login_required
def time_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = _network_to_log(viewer, slug)
    log = _own_log(viewer, network, pk)
    form = TimeLogForm(
        request.POST or None, viewer=viewer, network=network, initial=TimeLogForm.initial_for(log)
    )
    if request.method == "POST" and _save_log(request, viewer, network, form, log):
        messages.success(request, "Time log saved.")
        return redirect("improvement:time", network.slug)
    return render(
        request,
        "improvement/work/time_edit.html",
        {
            "network": network,
            "form": form,
            "log": log,
            "breadcrumbs": pages.crumbs(
                network, ("Time given", f"/networks/{network.slug}/time/"), ("Edit", "")
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def time_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = _network_to_log(viewer, slug)
    log = _own_log(viewer, network, pk)
    work.timelog_delete(log=log)
    messages.success(request, f"Deleted {log.days} day(s) logged for {log.month:%B %Y}.")
    return redirect("improvement:time", network.slug)


@login_required
def time_report(request: HttpRequest, slug: str) -> HttpResponse | StreamingHttpResponse:
    viewer = viewer_for(request.user)
    network = get_for(viewer, Network.objects.all(), slug=slug)
    if not work.may_see_time_report(viewer, network):
        raise PermissionDenied("Only the network's coordinators and theme leads see this report.")
    fmt = request.GET.get("format")
    if fmt not in (None, "csv", "xlsx"):
        raise Http404("The report downloads as csv or xlsx.")
    form = ReportRangeForm(request.GET or None)
    report = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        start, end = work.report_range(data.get("start"), data.get("end"), form.today)
        report = work.time_report(viewer, network, start, end)
        if fmt is not None:
            name = f"{network.slug}-time-{start:%Y-%m}-to-{end:%Y-%m}"
            header, rows = report.table()
            if fmt == "csv":
                return csv_response(f"{name}.csv", header, rows)
            return xlsx_response(name, header, rows)
    return render(
        request,
        "improvement/work/time_report.html",
        {
            "network": network,
            "form": form,
            "report": report,
            "query": _without_format(request),
            "breadcrumbs": pages.crumbs(
                network, ("Time given", f"/networks/{network.slug}/time/"), ("Report", "")
            ),
            "month_label": _month_label,
        },
        status=400 if form.errors else 200,
    )


def _without_format(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("format", None)
    return query.urlencode()


def _month_label(month: date) -> str:
    return month.strftime("%b %Y")
