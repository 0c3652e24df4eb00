"""Meeting pages: a network's meetings, a group's meetings (and the part of the group page that
lists them), one meeting with its agenda, carried actions, attendance, minutes, decisions and
actions, and the forms that change them."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kmatrix.core.access import Viewer, can_manage, viewer_for
from kmatrix.core.exports import table_download
from kmatrix.core.forms import apply_errors
from kmatrix.core.history import history_for
from kmatrix.core.pages import page_of, pager
from kmatrix.indicators.queries import indicators_for
from kmatrix.meetings import display, feeds, queries, services
from kmatrix.meetings import schedule as plan
from kmatrix.meetings.forms import (
    ActionForm,
    AgendaItemForm,
    AttendanceForm,
    DecisionForm,
    MeetingForm,
    MinutesForm,
    ScheduleForm,
    network_people,
)
from kmatrix.meetings.models import Meeting
from kmatrix.networks.models import Group, Network
from kmatrix.programmes.queries import network_for as programme_network_for
from kmatrix.programmes.queries import programme_for, programmes_of

PER_PAGE = 25


def _crumbs(network: Network, *more: tuple[str, str]) -> list[dict[str, str]]:
    return [
        {"text": "My networks", "href": "/networks/"},
        {"text": network.name, "href": network.get_absolute_url()},
        *({"text": text, "href": href} for text, href in more),
    ]


def _meeting_crumbs(meeting: Meeting, *more: tuple[str, str]) -> list[dict[str, str]]:
    trail = []
    if meeting.group is not None:
        trail.append(
            (
                meeting.group.name,
                reverse("meetings:group", args=[meeting.network.slug, meeting.group.slug]),
            )
        )
    return _crumbs(meeting.network, *trail, (str(meeting), meeting.get_absolute_url()), *more)


def _form_page(
    request: HttpRequest,
    form: BaseForm,
    title: str,
    cancel: str,
    crumbs: list[dict[str, str]],
    history: Any = (),
) -> HttpResponse:
    return render(
        request,
        "networks/form.html",
        {"form": form, "title": title, "cancel": cancel, "breadcrumbs": crumbs, "history": history},
        status=400 if form.errors else 200,
    )


def _managed_meeting(request: HttpRequest, slug: str, pk: int) -> tuple[Viewer, Meeting]:
    viewer = viewer_for(request.user)
    network = queries.network_for(viewer, slug)
    return viewer, queries.meeting_for(viewer, network, pk, write=True)


# --- Lists ---------------------------------------------------------------------------------


def network_meetings(request: HttpRequest, slug: str) -> HttpResponse | StreamingHttpResponse:
    viewer = viewer_for(request.user)
    network = queries.network_for(viewer, slug)
    meetings = queries.network_meetings(viewer, network)
    header = ["Date", "Meeting", "Group", "Place", "Status", "Address"]
    download = table_download(
        request.GET.get("format"),
        f"{network.slug}-meetings",
        header,
        (
            [
                m.when,
                m.title,
                m.group.name if m.group else "",
                m.place,
                m.get_status_display(),
                m.get_absolute_url(),
            ]
            for m in meetings.iterator()
        ),
    )
    if download is not None:
        return download
    page = page_of(request, meetings, PER_PAGE)
    return render(
        request,
        "meetings/list.html",
        {
            "network": network,
            "page": page,
            # A programme the viewer may not read is not named beside its meeting.
            "shown_programmes": queries.readable_programme_ids(
                viewer, (m.programme_id for m in page.object_list)
            ),
            "pagination": pager(request, page),
            "breadcrumbs": _crumbs(network, ("Meetings", "")),
        },
    )


def group(request: HttpRequest, slug: str, group_slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = queries.network_for(viewer, slug)
    grp = queries.group_for(viewer, network, group_slug)
    return render(
        request,
        "meetings/group.html",
        {
            "network": network,
            "group": grp,
            "page": queries.group_meetings(viewer, grp),
            "manages": can_manage(viewer, grp),
            "subscribe": feeds.subscribe_addresses(request.user, grp),
            "breadcrumbs": _crumbs(network, (grp.name, grp.get_absolute_url()), ("Meetings", "")),
        },
    )


def group_fragment(request: HttpRequest, slug: str, group_slug: str) -> HttpResponse:
    """The group page's meetings section, loaded by htmx (networks does not import meetings)."""
    viewer = viewer_for(request.user)
    network = queries.network_for(viewer, slug)
    grp = queries.group_for(viewer, network, group_slug)
    return render(
        request,
        "meetings/_group_fragment.html",
        {
            "network": network,
            "group": grp,
            "page": queries.group_meetings(viewer, grp, past_limit=3),
            "manages": can_manage(viewer, grp),
            "subscribe": feeds.subscribe_addresses(request.user, grp),
        },
    )


def programme_decisions(request: HttpRequest, slug: str, pslug: str) -> HttpResponse:
    """The programme page's decisions section, loaded by htmx."""
    viewer = viewer_for(request.user)
    programme = programme_for(viewer, programme_network_for(viewer, slug), pslug)
    return render(
        request,
        "meetings/_decisions_fragment.html",
        {
            "decisions": queries.programme_decisions(viewer, programme.pk),
            "fragment_id": "programme-decisions",
            "record": "programme",
        },
    )


def plan_decisions(request: HttpRequest, slug: str, plan_pk: int) -> HttpResponse:
    """The improvement plan page's decisions section, loaded by htmx (improvement does not
    import meetings)."""
    viewer = viewer_for(request.user)
    plan = queries.plan_for(viewer, queries.network_for(viewer, slug), plan_pk)
    return render(
        request,
        "meetings/_decisions_fragment.html",
        {
            "decisions": queries.plan_decisions(viewer, plan.pk),
            "fragment_id": "plan-decisions",
            "record": "plan",
        },
    )


# --- One meeting ---------------------------------------------------------------------------


def meeting(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = queries.network_for(viewer, slug)
    found = queries.meeting_for(viewer, network, pk)
    manages = can_manage(viewer, found)
    return render(
        request,
        "meetings/meeting.html",
        {
            "network": network,
            "meeting": found,
            "page": queries.meeting_page(viewer, found),
            "urls": display.Links(),
            "status_tags": display.status_tags,
            "day": display.day,
            "manages": manages,
            "history": history_for(found) if manages else [],
            "breadcrumbs": [*_meeting_crumbs(found)[:-1], {"text": str(found), "href": ""}],
        },
    )


def _meeting_form(
    request: HttpRequest, network: Network, grp: Group | None, found: Meeting | None
) -> HttpResponse:
    initial = {"title": grp.name, "visibility": grp.visibility} if grp and not found else None
    form = MeetingForm(
        request.POST or None, instance=copy.copy(found), initial=initial, network=network
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.meeting_save(
                meeting=found, network=network, group=grp, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{saved.title} saved.")
            return redirect(saved)
    title = f"Edit {found}" if found else f"New meeting of {grp.name}" if grp else "New meeting"
    cancel = (
        found.get_absolute_url()
        if found
        else reverse("meetings:group", args=[network.slug, grp.slug])
        if grp
        else network.get_absolute_url()
    )
    return _form_page(
        request,
        form,
        title,
        cancel,
        _crumbs(network, (title, "")),
        history_for(found) if found else (),
    )


@login_required
def meeting_create(request: HttpRequest, slug: str, group_slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = queries.network_for(viewer, slug)
    grp = queries.group_for(viewer, network, group_slug, write=True)
    return _meeting_form(request, network, grp, None)


@login_required
def meeting_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _viewer, found = _managed_meeting(request, slug, pk)
    return _meeting_form(request, found.network, found.group, found)


@login_required
def schedule(request: HttpRequest, slug: str, group_slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = queries.network_for(viewer, slug)
    grp = queries.group_for(viewer, network, group_slug, write=True)
    form = ScheduleForm(request.POST or None)
    preview: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        confirmed = data.pop("confirm")
        try:
            preview = plan.meetings(
                grp.cadence, data["first"], data["until"], data["start_time"], data["end_time"]
            )
            if confirmed:
                done = services.meetings_schedule(group=grp, **data)
                skipped = (
                    f"; {len(done.skipped)} day(s) already had a meeting" if done.skipped else ""
                )
                messages.success(request, f"{len(done.made)} meeting(s) scheduled{skipped}.")
                return redirect("meetings:group", network.slug, grp.slug)
        except (ValidationError, plan.ScheduleError) as error:
            form.add_error(
                None, error.messages if isinstance(error, ValidationError) else str(error)
            )
            preview = []
    return render(
        request,
        "meetings/schedule.html",
        {
            "network": network,
            "group": grp,
            "form": form,
            "preview": preview,
            "regular": grp.cadence in plan.EVERY_DAYS or grp.cadence in plan.EVERY_MONTHS,
            "group_manages": can_manage(viewer, grp),
            "breadcrumbs": _crumbs(
                network,
                (grp.name, grp.get_absolute_url()),
                ("Meetings", reverse("meetings:group", args=[network.slug, grp.slug])),
                ("Schedule", ""),
            ),
        },
        status=400 if form.errors else 200,
    )


# --- Agenda, attendance, minutes -----------------------------------------------------------


def _agenda_form(request: HttpRequest, slug: str, pk: int, item_pk: int | None) -> HttpResponse:
    viewer, found = _managed_meeting(request, slug, pk)
    item = found.agenda.filter(pk=item_pk).first() if item_pk else None
    if item_pk and item is None:
        raise Http404("No such agenda item.")
    initial = {}
    if item is not None:
        initial = {
            "title": item.title,
            "presenter": item.presenter_id,
            "presenter_note": item.presenter_note,
            "notes": item.notes,
            "programme": item.programme_id,
            "papers": "\n".join(
                f"{p.title} | {p.url}" if p.url else p.title for p in item.papers.all()
            ),
            "resources": [r.pk for r in item.resources.all()],
        }
    resources = queries.papers_to_choose(viewer, found.network)
    form = AgendaItemForm(
        request.POST or None,
        initial=initial,
        network=found.network,
        programmes=programmes_of(viewer, found.network),
        resources=resources,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        # Papers the editor may not choose (someone else added them) stay as they were.
        kept = item.resources.exclude(pk__in=resources.values("pk")) if item else []
        data["resources"] = [*data["resources"], *kept]
        services.agenda_item_save(item=item, meeting=found, **data)
        messages.success(request, "Agenda saved.")
        return redirect(found)
    title = "Edit agenda item" if item else "Add an agenda item"
    return _form_page(
        request, form, title, found.get_absolute_url(), _meeting_crumbs(found, (title, ""))
    )


@login_required
def agenda_item_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _agenda_form(request, slug, pk, None)


@login_required
def agenda_item_edit(request: HttpRequest, slug: str, pk: int, item_pk: int) -> HttpResponse:
    return _agenda_form(request, slug, pk, item_pk)


@login_required
@require_POST
def agenda_item_delete(request: HttpRequest, slug: str, pk: int, item_pk: int) -> HttpResponse:
    _viewer, found = _managed_meeting(request, slug, pk)
    item = found.agenda.filter(pk=item_pk).first()
    if item is None:
        raise Http404("No such agenda item.")
    services.agenda_item_delete(item=item)
    messages.success(request, f"“{item.title}” removed from the agenda.")
    return redirect(found)


@login_required
def attendance(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _viewer, found = _managed_meeting(request, slug, pk)
    current = {a.person_id: a.status for a in found.attendance.all()}
    people = list(
        network_people(found.network)
        .filter(
            pk__in=[
                *current,
                *(found.group.members.values_list("pk", flat=True) if found.group else []),
            ]
        )
        .distinct()
    )
    form = AttendanceForm(
        request.POST or None,
        people=people,
        current=current,
        initial={"note": found.attendance_note},
    )
    if request.method == "POST" and form.is_valid():
        services.attendance_set(
            meeting=found, records=form.records(), note=form.cleaned_data["note"]
        )
        messages.success(request, "Attendance saved.")
        return redirect(found)
    return _form_page(
        request,
        form,
        f"Attendance: {found}",
        found.get_absolute_url(),
        _meeting_crumbs(found, ("Attendance", "")),
    )


@login_required
def minutes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _viewer, found = _managed_meeting(request, slug, pk)
    form = MinutesForm(request.POST or None, instance=copy.copy(found))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_save(meeting=found, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Minutes saved.")
            return redirect(found)
    return _form_page(
        request,
        form,
        f"Minutes: {found}",
        found.get_absolute_url(),
        _meeting_crumbs(found, ("Minutes", "")),
    )


# --- Decisions and actions -----------------------------------------------------------------


def _decision_form(request: HttpRequest, slug: str, pk: int, number: int | None) -> HttpResponse:
    viewer, found = _managed_meeting(request, slug, pk)
    decision = found.decisions.filter(number=number).first() if number else None
    if number and decision is None:
        raise Http404("No such decision.")
    initial: dict[str, Any] = {}
    if decision is not None:
        links = list(decision.links.all())
        initial = {
            "number": decision.number,
            "text": decision.text,
            "themes": [x.theme_id for x in links if x.theme_id],
            "programmes": [x.programme_id for x in links if x.programme_id],
            "indicators": [x.indicator_id for x in links if x.indicator_id],
            "plans": [x.plan_id for x in links if x.plan_id],
        }
    form = DecisionForm(
        request.POST or None,
        initial=initial,
        network=found.network,
        programmes=programmes_of(viewer, found.network),
        indicators=indicators_for(viewer, found.network),
        plans=queries.plans_to_link(viewer, found.network),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decision_save(
                decision=decision,
                meeting=found,
                text=data["text"],
                number=data["number"],
                links=form.links(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Decision saved.")
            return redirect(found)
    title = f"Edit decision {decision.number}" if decision else "Record a decision"
    return _form_page(
        request,
        form,
        title,
        found.get_absolute_url(),
        _meeting_crumbs(found, (title, "")),
        history_for(decision) if decision else (),
    )


@login_required
def decision_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _decision_form(request, slug, pk, None)


@login_required
def decision_edit(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    return _decision_form(request, slug, pk, number)


@login_required
def action_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _viewer, found = _managed_meeting(request, slug, pk)
    decision = request.GET.get("decision")
    form = ActionForm(
        request.POST or None, meeting=found, initial={"decision": decision} if decision else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.action_save(meeting=found, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Action “{saved.title}” added.")
            return redirect(found)
    return _form_page(
        request,
        form,
        "Add an action",
        found.get_absolute_url(),
        _meeting_crumbs(found, ("Add an action", "")),
    )
