"""Network pages: home, themes, workstreams, groups, memberships, letters and invitations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kmatrix.core.access import can_manage, forget_viewer, get_for, viewer_for
from kmatrix.core.history import history_for
from kmatrix.networks import letters, queries, services
from kmatrix.networks.forms import (
    AcceptInvitationForm,
    GroupForm,
    InvitationForm,
    MembershipForm,
    NetworkForm,
    ThemeAdoptionForm,
    WorkstreamForm,
)
from kmatrix.networks.models import Group, Membership, Network, Workstream


def _crumbs(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"text": text, "href": href} for text, href in pairs]


def _network_crumbs(network: Network, *more: tuple[str, str]) -> list[dict[str, str]]:
    return _crumbs(("My networks", "/networks/"), (network.name, network.get_absolute_url()), *more)


def _apply_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form fields it names."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def public(request: HttpRequest) -> HttpResponse:
    networks = queries.my_networks(viewer_for(request.user))[1]
    return render(request, "networks/public.html", {"networks": networks})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    own, others = queries.my_networks(viewer_for(request.user))
    return render(request, "networks/mine.html", {"own": own, "others": others})


def home(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = get_for(viewer, Network.objects.all(), slug=slug)
    manages = can_manage(viewer, network)
    context = {
        "page": queries.network_home(viewer, network),
        "manages": manages,
        "history": history_for(network) if manages else [],
        "breadcrumbs": _crumbs(("My networks", "/networks/"), (network.name, "")),
    }
    return render(request, "networks/home.html", context)


@login_required
def network_create(request: HttpRequest) -> HttpResponse:
    if not viewer_for(request.user).is_admin:
        raise PermissionDenied("Only administrators create networks.")
    form = NetworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        network = form.save()
        messages.success(request, f"{network.name} created.")
        return redirect(network)
    return render(
        request,
        "networks/form.html",
        {"form": form, "title": "New network"},
        status=400 if form.errors else 200,
    )


@login_required
def network_edit(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_for(viewer_for(request.user), Network.objects.all(), write=True, slug=slug)
    form = NetworkForm(request.POST or None, instance=network)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Network details saved.")
        return redirect(network)
    return render(
        request,
        "networks/form.html",
        {
            "form": form,
            "title": f"Edit {network.name}",
            "cancel": network.get_absolute_url(),
            "breadcrumbs": _network_crumbs(network, ("Edit", "")),
        },
        status=400 if form.errors else 200,
    )


@login_required
def themes_edit(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_for(viewer_for(request.user), Network.objects.all(), write=True, slug=slug)
    form = ThemeAdoptionForm(request.POST or None, network=network)
    if request.method == "POST" and form.is_valid():
        try:
            services.themes_adopt(network=network, adoptions=form.adoptions())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Themes saved.")
            return redirect(network)
    return render(
        request,
        "networks/themes_form.html",
        {
            "form": form,
            "network": network,
            "breadcrumbs": _network_crumbs(network, ("Themes", "")),
        },
        status=400 if form.errors else 200,
    )


def workstream(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    ws = get_for(
        viewer, Workstream.objects.select_related("network", "theme"), pk=pk, network__slug=slug
    )
    manages = can_manage(viewer, ws)
    return render(
        request,
        "networks/workstream.html",
        {
            "workstream": ws,
            "people": queries.workstream_people(viewer, ws),
            "manages": manages,
            "history": history_for(ws) if manages else [],
            "breadcrumbs": _network_crumbs(ws.network, (ws.name, "")),
        },
    )


def _workstream_form(request: HttpRequest, network: Network, ws: Workstream | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if ws is not None:
        roles = list(ws.members.all())
        initial = {
            "name": ws.name,
            "theme": ws.theme_id,
            "description": ws.description,
            "visibility": ws.visibility,
            "leads": [r.person_id for r in roles if r.is_lead],
            "members": [r.person_id for r in roles if not r.is_lead],
        }
    form = WorkstreamForm(request.POST or None, initial=initial, network=network)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.workstream_save(
                workstream=ws,
                network=network,
                theme=data["theme"],
                name=data["name"],
                description=data["description"],
                visibility=data["visibility"],
                leads=data["leads"],
                members=data["members"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{saved.name} saved.")
            return redirect(saved)
    title = f"Edit {ws.name}" if ws else "New workstream"
    return render(
        request,
        "networks/form.html",
        {
            "form": form,
            "title": title,
            "cancel": (ws or network).get_absolute_url(),
            "breadcrumbs": _network_crumbs(network, (title, "")),
        },
        status=400 if form.errors else 200,
    )


@login_required
def workstream_create(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_for(viewer_for(request.user), Network.objects.all(), write=True, slug=slug)
    return _workstream_form(request, network, None)


@login_required
def workstream_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    ws = get_for(
        viewer, Workstream.objects.select_related("network"), write=True, pk=pk, network__slug=slug
    )
    return _workstream_form(request, ws.network, ws)


def group(request: HttpRequest, slug: str, group_slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    grp = get_for(
        viewer,
        Group.objects.select_related("network", "chair", "theme"),
        network__slug=slug,
        slug=group_slug,
    )
    manages = can_manage(viewer, grp)
    chair_visible = (
        grp.chair_id is not None and queries.visible_people(viewer).filter(pk=grp.chair_id).exists()
    )
    return render(
        request,
        "networks/group.html",
        {
            "group": grp,
            "chair": grp.chair if chair_visible else None,
            "members": queries.group_members(viewer, grp),
            "manages": manages,
            "history": history_for(grp) if manages else [],
            "breadcrumbs": _network_crumbs(grp.network, (grp.name, "")),
        },
    )


def _group_form(request: HttpRequest, network: Network, grp: Group | None) -> HttpResponse:
    form = GroupForm(request.POST or None, instance=grp, network=network)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
        messages.success(request, f"{saved.name} saved.")
        return redirect(saved)
    title = f"Edit {grp.name}" if grp else "New group"
    return render(
        request,
        "networks/form.html",
        {
            "form": form,
            "title": title,
            "cancel": (grp or network).get_absolute_url(),
            "breadcrumbs": _network_crumbs(network, (title, "")),
        },
        status=400 if form.errors else 200,
    )


@login_required
def group_create(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_for(viewer_for(request.user), Network.objects.all(), write=True, slug=slug)
    return _group_form(request, network, None)


@login_required
def group_edit(request: HttpRequest, slug: str, group_slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    grp = get_for(
        viewer,
        Group.objects.select_related("network"),
        write=True,
        network__slug=slug,
        slug=group_slug,
    )
    return _group_form(request, grp.network, grp)


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = get_for(viewer, Network.objects.all(), slug=slug)
    if not (viewer.coordinates(network.pk) or network.pk in viewer.reads_networks):
        raise PermissionDenied("Only the network's members see its membership list.")
    return render(
        request,
        "networks/members.html",
        {
            "network": network,
            "memberships": queries.members_of(viewer, network),
            "manages": can_manage(viewer, network),
            "breadcrumbs": _network_crumbs(network, ("Members", "")),
        },
    )


def _membership_form(
    request: HttpRequest, network: Network, membership: Membership | None
) -> HttpResponse:
    form = MembershipForm(request.POST or None, instance=membership, network=network)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            k: data[k]
            for k in (
                "committed_days_per_month",
                "line_manager_agreed_on",
                "letter_sent_on",
                "joined_on",
                "left_on",
            )
        }
        try:
            services.membership_save(
                membership=membership,
                person=data["person"],
                network=network,
                organisation=data["organisation"],
                roles=data["roles"],
                **fields,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Membership of {data['person']} saved.")
            return redirect("networks:members", network.slug)
    title = f"Edit membership of {membership.person}" if membership else "Add a member"
    return render(
        request,
        "networks/form.html",
        {
            "form": form,
            "title": title,
            "cancel": f"/networks/{network.slug}/members/",
            "history": history_for(membership) if membership else [],
            "breadcrumbs": _network_crumbs(
                network, ("Members", f"/networks/{network.slug}/members/"), (title, "")
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
def membership_create(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_for(viewer_for(request.user), Network.objects.all(), write=True, slug=slug)
    return _membership_form(request, network, None)


def _membership_for(request: HttpRequest, slug: str, pk: int) -> Membership:
    return get_for(
        viewer_for(request.user),
        Membership.objects.select_related("network", "person", "organisation"),
        write=True,
        pk=pk,
        network__slug=slug,
    )


@login_required
def membership_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _membership_for(request, slug, pk)
    return _membership_form(request, membership.network, membership)


@login_required
def membership_letter(request: HttpRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("docx", "pdf"):
        raise Http404("Letters come as .docx or .pdf.")
    membership = _membership_for(request, slug, pk)
    if fmt == "docx":
        body = letters.letter_docx(membership)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        body = letters.letter_pdf(membership)
        content_type = "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="membership-letter-{membership.pk}.{fmt}"'
    )
    return response


@login_required
@require_POST
def membership_letter_send(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = _membership_for(request, slug, pk)
    if not membership.person.email:
        messages.error(
            request, f"{membership.person} has no email address, so the letter was not sent."
        )
        return redirect("networks:members", slug)
    email = EmailMessage(
        f"Your membership of {membership.network.name}",
        letters.letter_text(membership),
        to=[membership.person.email],
    )
    email.attach(
        f"membership-letter-{membership.pk}.docx",
        letters.letter_docx(membership),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    email.attach(
        f"membership-letter-{membership.pk}.pdf", letters.letter_pdf(membership), "application/pdf"
    )
    email.send()
    membership.letter_sent_on = timezone.localdate()
    membership.save(update_fields=["letter_sent_on"])
    messages.success(request, f"Confirmation letter sent to {membership.person.email}.")
    return redirect("networks:members", slug)


@login_required
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_for(viewer_for(request.user), Network.objects.all(), write=True, slug=slug)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_send(
                network=network, invited_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("networks:invite", slug)
    return render(
        request,
        "networks/invite.html",
        {
            "form": form,
            "network": network,
            "invitations": network.invitations.select_related("organisation")[:50],
            "breadcrumbs": _network_crumbs(network, ("Invite", "")),
        },
        status=400 if form.errors else 200,
    )


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_find(token)
    if invitation is None:
        return render(
            request,
            "core/error.html",
            {
                "title": "This invitation cannot be used",
                "text": "It has expired, has been used already, or the link is incomplete. "
                "Ask your network coordinator for a new one.",
            },
            status=404,
        )
    signed_in = request.user if request.user.is_authenticated else None
    if signed_in is not None and signed_in.email.lower() != invitation.email.lower():
        return render(
            request,
            "core/error.html",
            {
                "title": "This invitation is for someone else",
                "text": f"It was sent to {invitation.email}, but you are signed in as "
                f"{signed_in.email}. Sign out, then open the link again.",
            },
            status=403,
        )
    form = AcceptInvitationForm(request.POST or None) if signed_in is None else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            user = services.invitation_accept(
                invitation=invitation,
                user=signed_in,
                password=form.cleaned_data["password1"] if form else None,
            )
        except ValidationError as error:
            if form is None:
                raise PermissionDenied(error.messages[0]) from None
            _apply_errors(form, error)
        else:
            if signed_in is None:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            forget_viewer(user)
            messages.success(request, f"Welcome to {invitation.network.name}.")
            return redirect(invitation.network)
    return render(
        request,
        "networks/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=400 if form is not None and form.errors else 200,
    )
