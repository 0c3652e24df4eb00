"""Programme pages: programmes by theme with their funding, one programme, the funding summary,
and the forms that change them. Every table downloads as CSV or XLSX (``?format=csv|xlsx``)
with the same figures the page shows."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kmatrix.core.access import Viewer, can_manage, get_for, viewer_for
from kmatrix.core.exports import table_download
from kmatrix.core.forms import apply_errors
from kmatrix.core.history import history_for
from kmatrix.indicators.queries import indicators_for
from kmatrix.networks.models import Network
from kmatrix.programmes import money, queries, services
from kmatrix.programmes.forms import (
    AllocationForm,
    AwardForm,
    LinkForm,
    MilestoneForm,
    PlanLinkForm,
    ProgrammeForm,
    UpdateForm,
)
from kmatrix.programmes.models import Programme

Table = Callable[[], tuple[list[str], list[list[Any]]]]


def _download(
    request: HttpRequest, filename: str, table: Table
) -> HttpResponse | StreamingHttpResponse | None:
    """The table as CSV or XLSX when ``?format=`` asks for it (worked out only then)."""
    fmt = request.GET.get("format")
    if fmt is None:
        return None
    header, rows = table()
    return table_download(fmt, filename, header, rows)


def _crumbs(network: Network, *more: tuple[str, str]) -> list[dict[str, str]]:
    return [
        {"text": "My networks", "href": "/networks/"},
        {"text": network.name, "href": network.get_absolute_url()},
        {"text": "Programmes", "href": reverse("programmes:by_theme", args=[network.slug])},
        *({"text": text, "href": href} for text, href in more),
    ]


def _form_page(
    request: HttpRequest,
    form: BaseForm,
    *,
    network: Network,
    title: str,
    cancel: str,
    crumbs: list[dict[str, str]],
    history: Any = (),
) -> HttpResponse:
    return render(
        request,
        "networks/form.html",
        {
            "form": form,
            "title": title,
            "cancel": cancel,
            "network": network,
            "breadcrumbs": crumbs,
            "history": history,
        },
        status=400 if form.errors else 200,
    )


def _part_form(
    request: HttpRequest,
    form: BaseForm,
    network: Network,
    found: Programme,
    title: str,
    history: Any = (),
) -> HttpResponse:
    """A form for part of a programme (an award, a milestone ...), under the programme."""
    back = found.get_absolute_url()
    return _form_page(
        request,
        form,
        network=network,
        title=f"{title}: {found.name}",
        cancel=back,
        crumbs=_crumbs(network, (found.name, back), (title, "")),
        history=history,
    )


def _managed(request: HttpRequest, slug: str, pslug: str) -> tuple[Viewer, Network, Programme]:
    viewer = viewer_for(request.user)
    network = queries.network_for(viewer, slug)
    return viewer, network, queries.programme_for(viewer, network, pslug, write=True)


# --- Reading ------------------------------------------------------------------------------


def by_theme(request: HttpRequest, slug: str) -> HttpResponse | StreamingHttpResponse:
    viewer = viewer_for(request.user)
    network = queries.network_for(viewer, slug)
    page = queries.by_theme(viewer, network)
    download = _download(request, f"{network.slug}-programmes", page.table)
    if download is not None:
        return download
    return render(
        request,
        "programmes/by_theme.html",
        {
            "network": network,
            "page": page,
            "pounds": money.pounds,
            "manages": can_manage(viewer, network),
            "breadcrumbs": [*_crumbs(network)[:-1], {"text": "Programmes", "href": ""}],
        },
    )


def funding(request: HttpRequest, slug: str) -> HttpResponse | StreamingHttpResponse:
    viewer = viewer_for(request.user)
    network = queries.network_for(viewer, slug)
    summary = queries.funding_summary(viewer, network)
    tables = summary.tables()
    name = request.GET.get("table", "secured")
    if "format" in request.GET:
        if name not in tables:
            raise Http404("No such table.")
        response = _download(request, f"{network.slug}-funding-{name}", lambda: tables[name])
        assert response is not None
        return response
    return render(
        request,
        "programmes/funding.html",
        {
            "network": network,
            "summary": summary,
            "pounds": money.pounds,
            "breadcrumbs": _crumbs(network, ("Funding", "")),
        },
    )


def programme(request: HttpRequest, slug: str, pslug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = queries.network_for(viewer, slug)
    found = queries.programme_for(viewer, network, pslug)
    manages = can_manage(viewer, found)
    return render(
        request,
        "programmes/programme.html",
        {
            "network": network,
            "programme": found,
            "page": queries.programme_page(viewer, found),
            "pounds": money.pounds,
            "manages": manages,
            "history": history_for(found) if manages else [],
            "breadcrumbs": _crumbs(network, (found.name, "")),
        },
    )


# --- Programmes ---------------------------------------------------------------------------


def _programme_form(
    request: HttpRequest, network: Network, found: Programme | None
) -> HttpResponse:
    form = ProgrammeForm(request.POST or None, instance=copy.copy(found), network=network)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        partners = data.pop("partners")
        try:
            saved = services.programme_save(
                programme=found, network=network, partners=partners, **data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{saved.name} saved.")
            return redirect(saved)
    title = f"Edit {found.name}" if found else "New programme"
    back = (
        found.get_absolute_url() if found else reverse("programmes:by_theme", args=[network.slug])
    )
    return _form_page(
        request,
        form,
        network=network,
        title=title,
        cancel=back,
        crumbs=_crumbs(network, (title, "")),
        history=history_for(found) if found else (),
    )


@login_required
def programme_create(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_for(viewer_for(request.user), Network.objects.all(), write=True, slug=slug)
    return _programme_form(request, network, None)


@login_required
def programme_edit(request: HttpRequest, slug: str, pslug: str) -> HttpResponse:
    _viewer, network, found = _managed(request, slug, pslug)
    return _programme_form(request, network, found)


# --- Funding awards and allocations --------------------------------------------------------


def _award_form(request: HttpRequest, slug: str, pslug: str, pk: int | None) -> HttpResponse:
    _viewer, network, found = _managed(request, slug, pslug)
    award = queries.award_for(found, pk) if pk else None
    form = AwardForm(request.POST or None, instance=copy.copy(award))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.award_save(award=award, programme=found, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Funding award saved: {saved}.")
            return redirect(found)
    title = "Edit funding award" if award else "Add a funding award"
    return _part_form(request, form, network, found, title, history_for(award) if award else ())


@login_required
def award_create(request: HttpRequest, slug: str, pslug: str) -> HttpResponse:
    return _award_form(request, slug, pslug, None)


@login_required
def award_edit(request: HttpRequest, slug: str, pslug: str, pk: int) -> HttpResponse:
    return _award_form(request, slug, pslug, pk)


@login_required
def allocation_create(request: HttpRequest, slug: str, pslug: str, pk: int) -> HttpResponse:
    _viewer, network, found = _managed(request, slug, pslug)
    award = queries.award_for(found, pk)
    form = AllocationForm(request.POST or None, network=network)
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_save(award=award, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Allocation saved.")
            return redirect(found)
    return _part_form(request, form, network, found, "Allocate part of the award")


@login_required
@require_POST
def allocation_delete(
    request: HttpRequest, slug: str, pslug: str, pk: int, allocation_pk: int
) -> HttpResponse:
    _viewer, _network, found = _managed(request, slug, pslug)
    award = queries.award_for(found, pk)
    allocation = award.allocations.filter(pk=allocation_pk).first()
    if allocation is None:
        raise Http404("No such allocation.")
    services.allocation_delete(allocation=allocation)
    messages.success(request, f"Allocation removed: {allocation}.")
    return redirect(found)


# --- Milestones, updates and links --------------------------------------------------------


def _milestone_form(request: HttpRequest, slug: str, pslug: str, pk: int | None) -> HttpResponse:
    _viewer, network, found = _managed(request, slug, pslug)
    milestone = found.milestones.filter(pk=pk).first() if pk else None
    if pk and milestone is None:
        raise Http404("No such milestone.")
    form = MilestoneForm(request.POST or None, instance=copy.copy(milestone))
    if request.method == "POST" and form.is_valid():
        services.milestone_save(milestone=milestone, programme=found, **form.cleaned_data)
        messages.success(request, "Milestone saved.")
        return redirect(found)
    title = "Edit milestone" if milestone else "Add a milestone"
    return _part_form(request, form, network, found, title)


@login_required
def milestone_create(request: HttpRequest, slug: str, pslug: str) -> HttpResponse:
    return _milestone_form(request, slug, pslug, None)


@login_required
def milestone_edit(request: HttpRequest, slug: str, pslug: str, pk: int) -> HttpResponse:
    return _milestone_form(request, slug, pslug, pk)


@login_required
def update_create(request: HttpRequest, slug: str, pslug: str) -> HttpResponse:
    _viewer, network, found = _managed(request, slug, pslug)
    form = UpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.update_add(programme=found, author=request.user, **form.cleaned_data)
        messages.success(request, "Update added.")
        return redirect(found)
    title = "Add an update"
    return _part_form(request, form, network, found, title)


def _link_form(
    request: HttpRequest, network: Network, found: Programme, form: Any, title: str
) -> HttpResponse:
    """Add the programme's link chosen on ``form`` (an indicator or an improvement plan)."""
    if request.method == "POST" and form.is_valid():
        try:
            services.link_add(programme=found, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Link added.")
            return redirect(found)
    return _part_form(request, form, network, found, title)


@login_required
def link_create(request: HttpRequest, slug: str, pslug: str) -> HttpResponse:
    viewer, network, found = _managed(request, slug, pslug)
    form = LinkForm(request.POST or None, indicators=indicators_for(viewer, network))
    return _link_form(request, network, found, form, "Link an indicator")


@login_required
def plan_link_create(request: HttpRequest, slug: str, pslug: str) -> HttpResponse:
    viewer, network, found = _managed(request, slug, pslug)
    form = PlanLinkForm(request.POST or None, plans=queries.plans_to_link(viewer, network))
    return _link_form(request, network, found, form, "Link an improvement plan")


def plan_programmes(request: HttpRequest, slug: str, plan_pk: int) -> HttpResponse:
    """The improvement plan page's programmes section, loaded by htmx (improvement does not
    import programmes)."""
    viewer = viewer_for(request.user)
    plan = queries.plan_for(viewer, queries.network_for(viewer, slug), plan_pk)
    return render(
        request,
        "programmes/_plan_programmes_fragment.html",
        {"programmes": queries.plan_programmes(viewer, plan.pk)},
    )


@login_required
@require_POST
def link_delete(request: HttpRequest, slug: str, pslug: str, pk: int) -> HttpResponse:
    _viewer, _network, found = _managed(request, slug, pslug)
    deleted, _ = found.links.filter(pk=pk).delete()
    if not deleted:
        raise Http404("No such link.")
    messages.success(request, "Link removed.")
    return redirect(found)
