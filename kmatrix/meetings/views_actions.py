"""The action tracker across groups, "my actions", one action from its decision to its result,
and the calendar: your secret feed address and the feeds calendar programs subscribe to."""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kmatrix.core.access import can_manage, get_for, viewer_for, visible
from kmatrix.core.exports import table_download
from kmatrix.core.forms import apply_errors
from kmatrix.core.history import history_for
from kmatrix.core.pages import page_of, pager
from kmatrix.meetings import display, feeds, queries, services
from kmatrix.meetings.forms import ActionForm, ActionProgressForm, TrackerFilterForm
from kmatrix.meetings.views import _form_page
from kmatrix.networks.models import Group, Network

PER_PAGE = 50


def _tracker_page(request: HttpRequest, *, mine: bool) -> HttpResponse | StreamingHttpResponse:
    viewer = viewer_for(request.user)
    networks = visible(viewer, Network.objects.all()).order_by("name")
    form = TrackerFilterForm(request.GET or None, networks=networks)
    data = form.cleaned_data if form.is_valid() else {}
    actions = queries.tracker(
        viewer,
        status=data.get("status") or "open",
        network=data.get("network"),
        q=(data.get("q") or "").replace("\x00", ""),
        mine=mine,
    )
    header, rows = queries.tracker_table(viewer, actions)
    download = table_download(
        request.GET.get("format"), "my-actions" if mine else "actions", header, rows
    )
    if download is not None:
        return download
    # A page of ids first, then those actions with what their rows show: sorting every
    # readable action with its joins, to keep fifty, was most of the page's time.
    page = page_of(request, actions.values_list("pk", flat=True), PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "meetings/tracker.html",
        {
            "form": form,
            "page": page,
            "rows": queries.tracker_rows(viewer, queries.actions_in_order(list(page.object_list))),
            "urls": display.Links(),
            "status_tags": display.status_tags,
            "day": display.day,
            "mine": mine,
            "pagination": pager(request, page),
            "query": query.urlencode(),
            "breadcrumbs": [{"text": "Actions", "href": reverse("meetings:tracker")}]
            if mine
            else [],
        },
        status=400 if form.errors else 200,
    )


@login_required
def tracker(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _tracker_page(request, mine=False)


@login_required
def my_actions(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _tracker_page(request, mine=True)


def _action_page(
    request: HttpRequest,
    viewer: Any,
    found: Any,
    form: ActionProgressForm | None,
    status: int = 200,
) -> HttpResponse:
    """One action, from its meeting and decision to its result, with the progress form for
    those who may record it."""
    manages = can_manage(viewer, found)
    (row,) = queries.tracker_rows(viewer, [found])
    return render(
        request,
        "meetings/action.html",
        {
            "action": found,
            "owner": row.owner,
            "overdue": row.overdue,
            "status_tags": display.status_tags,
            "manages": manages,
            "runs_meeting": can_manage(viewer, found.meeting),
            "form": form if manages else None,
            "history": history_for(found) if manages else [],
            "breadcrumbs": [
                {"text": "Actions", "href": reverse("meetings:tracker")},
                {"text": str(found.meeting), "href": found.meeting.get_absolute_url()},
            ],
        },
        status=status,
    )


def action(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    found = queries.action_for(viewer, pk)
    initial = {"status": found.status, "result": found.result, "closed_on": found.closed_on}
    return _action_page(request, viewer, found, ActionProgressForm(initial=initial))


@login_required
@require_POST
def action_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner (or whoever runs the meeting) records progress: status, result, date closed."""
    viewer = viewer_for(request.user)
    found = queries.action_for(viewer, pk, write=True)
    form = ActionProgressForm(request.POST)
    if form.is_valid():
        try:
            services.action_progress(action=found, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"“{found.title}” updated.")
            return redirect(found)
    return _action_page(request, viewer, found, form, status=400)


@login_required
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about an action, for the people who run its meeting."""
    viewer = viewer_for(request.user)
    found = queries.action_for(viewer, pk)
    get_for(
        viewer, queries.meetings_of(viewer, found.meeting.network), write=True, pk=found.meeting_id
    )
    form = ActionForm(request.POST or None, instance=copy.copy(found), meeting=found.meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_save(action=found, meeting=found.meeting, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Action saved.")
            return redirect(found)
    return _form_page(
        request,
        form,
        f"Edit action: {found.title}",
        found.get_absolute_url(),
        [
            {"text": "Actions", "href": reverse("meetings:tracker")},
            {"text": found.title, "href": found.get_absolute_url()},
        ],
        history_for(found),
    )


# --- Calendars -----------------------------------------------------------------------------


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """Your calendar address: every meeting you may read of the groups you belong to."""
    token = services.calendar_token(request.user)
    address = settings.SITE_URL + reverse("meetings:person_feed", args=[token])
    return render(
        request,
        "meetings/calendar.html",
        {"address": address, "webcal": feeds.webcal(address), "breadcrumbs": []},
    )


@login_required
@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    services.calendar_reset(user=request.user)
    messages.success(
        request,
        "Your calendar address has been changed: the old one no longer works. "
        "Subscribe again with the new one.",
    )
    return redirect("meetings:calendar")


def _feed_user(token: str) -> Any:
    user = services.calendar_user(token)
    if user is None:
        raise Http404("No such calendar address: it may have been reset.")
    return user


def person_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's feed, for calendar programs (no session: the secret address is the key)."""
    user = _feed_user(token)
    viewer = viewer_for(user)
    meetings = queries.feed_meetings(viewer, person_id=viewer.person_id) if viewer.person_id else []
    return feeds.feed(meetings, "My meetings (Knowledge Matrix)")


def group_feed_for(request: HttpRequest, token: str, group_pk: int) -> HttpResponse:
    """One group's feed through a person's secret address: what that person may read."""
    viewer = viewer_for(_feed_user(token))
    grp = get_for(viewer, Group.objects.select_related("network"), pk=group_pk)
    return feeds.feed(queries.feed_meetings(viewer, group=grp), f"{grp.name} meetings")


def group_feed(request: HttpRequest, slug: str, group_slug: str) -> HttpResponse:
    """A group's feed as whoever asks sees it: public meetings for a calendar program."""
    viewer = viewer_for(request.user)
    network = queries.network_for(viewer, slug)
    grp = queries.group_for(viewer, network, group_slug)
    return feeds.feed(queries.feed_meetings(viewer, group=grp), f"{grp.name} meetings")
