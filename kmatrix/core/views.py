from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kmatrix.core.access import viewer_for
from kmatrix.core.forms import ApiTokenForm
from kmatrix.core.models import ApiToken, User
from kmatrix.core.services import api_token_create, api_token_revoke


def home(request: HttpRequest) -> HttpResponse:
    if viewer_for(request.user).is_authenticated:
        return redirect("networks:mine")
    return redirect("networks:public")


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    tokens = ApiToken.objects.filter(user_id=request.user.pk or 0, revoked_at__isnull=True)
    return render(request, "core/account.html", {"tokens": tokens, "form": ApiTokenForm()})


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        tokens = ApiToken.objects.filter(user_id=request.user.pk or 0, revoked_at__isnull=True)
        return render(request, "core/account.html", {"tokens": tokens, "form": form}, status=400)
    assert isinstance(request.user, User)  # login_required
    _token, raw = api_token_create(user=request.user, name=form.cleaned_data["name"])
    tokens = ApiToken.objects.filter(user_id=request.user.pk or 0, revoked_at__isnull=True)
    return render(
        request, "core/account.html", {"tokens": tokens, "form": ApiTokenForm(), "new_token": raw}
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(
        ApiToken, pk=pk, user_id=request.user.pk or 0, revoked_at__isnull=True
    )
    api_token_revoke(token=token)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("core:account")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": "Page not found",
            "text": "The page you asked for does not exist, or you do not have access to it.",
        },
        status=404,
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": "You cannot do that",
            "text": str(exception)
            if exception and str(exception)
            else "You do not have permission to change this.",
        },
        status=403,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": "Sorry, there is a problem with the service",
            "text": "Try again later. Nothing you entered has been saved.",
        },
        status=500,
    )
