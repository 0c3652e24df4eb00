"""What every page's chrome needs: the header's navigation and account links."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from kmatrix.core.access import viewer_for

NAVIGATION = [
    ("My networks", "networks:mine"),
    ("My work", "improvement:my_work"),
    ("Library", "library:catalogue"),
    ("Knowledge Matrix", "library:matrix"),
    ("Actions", "meetings:tracker"),
    ("Board papers", "boardpapers:mine"),
    ("Supervision", "supervision:index"),
    ("Organisations", "networks:organisations"),
    ("People", "networks:people"),
]


def nhs_chrome(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    viewer = viewer_for(user)
    path = request.path
    items = []
    for text, name in NAVIGATION:
        href = reverse(name)
        items.append(
            {"text": text, "href": href, "current": path == href, "active": path.startswith(href)}
        )
    if viewer.is_admin:
        items.append({"text": "Admin", "href": reverse("admin:index")})
    if viewer.is_authenticated and user is not None:
        account = {
            "items": [
                {
                    "text": user.email or "Your account",
                    "href": reverse("core:account"),
                    "icon": True,
                },
                {"text": "Sign out", "href": reverse("account_logout")},
            ]
        }
    else:
        account = {"items": [{"text": "Sign in", "href": reverse("account_login"), "icon": True}]}
    return {
        "viewer": viewer,
        "header_params": {
            "service": {"text": "Knowledge Matrix", "href": "/"},
            "navigation": {"items": items if viewer.is_authenticated else []},
            # The one search box for the whole platform (the library's search page).
            "search": {
                "action": reverse("library:search"),
                "name": "q",
                "label": {"visuallyHiddenText": "Search Knowledge Matrix"},
                "input": {"placeholder": "Search Knowledge Matrix"},
            },
            "account": account,
        },
        # The NHS.UK page template marks its one inline script with `cspNonce`. django-csp's
        # lazy nonce reads as false until used, so it is made here, once per page.
        "cspNonce": str(getattr(request, "csp_nonce", "")),
        "socialaccount_providers": _identity_providers(),
    }


def _identity_providers() -> list[dict[str, str]]:
    """The OpenID Connect sign-in buttons, when an NHS identity provider is configured."""
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    return [
        {
            "name": app["name"],
            "login_url": reverse(
                "openid_connect_login", kwargs={"provider_id": app["provider_id"]}
            ),
        }
        for app in apps
    ]
