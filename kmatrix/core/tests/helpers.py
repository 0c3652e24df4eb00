"""Test helpers shared by the apps' permission and API tests."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

# The named users of the `world` fixture (kmatrix/conftest.py), in the permission tables' order.
NAMED_USERS = (
    "anonymous",
    "outsider",
    "member",
    "theme_lead",
    "coordinator",
    "board_reader",
    "administrator",
    "other_member",
)


def api_call(client: Client, method: str, path: str, body: Any = None, **extra: Any) -> Any:
    """Send ``body`` as JSON (a str is sent as it is), or as multipart when it holds a file."""
    send = getattr(client, method.lower())
    if body is None:
        return send(path, **extra)
    if isinstance(body, dict) and any(isinstance(v, SimpleUploadedFile) for v in body.values()):
        return client.post(path, body, **extra)
    text = body if isinstance(body, str) else json.dumps(body)
    return send(path, data=text, content_type="application/json", **extra)


def api_items(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return list(response.json()["items"])


LOGIN = "LOGIN"  # a redirect to the sign-in page, in the permission tables


def outcome(response: Any) -> Any:
    """A permission table's cell for a response: its status, or LOGIN for the sign-in redirect."""
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return LOGIN
    return response.status_code


def uncovered_routes(urlpatterns: Any, addresses: Any) -> list[str]:
    """The routes no address of a permission table reaches (a literal part must match; a
    ``<converter>`` part matches anything, an ``.ics`` file name any ``.ics`` name)."""
    split = [address.split("?")[0].strip("/").split("/") for address in addresses]

    def matches(part: str, given: str) -> bool:
        return "<" in part or part == given or (part.endswith(".ics") and given.endswith(".ics"))

    def covered(route: str) -> bool:
        parts = route.strip("/").split("/")
        return any(
            len(parts) == len(address)
            and all(matches(p, g) for p, g in zip(parts, address, strict=True))
            for address in split
        )

    return [str(p.pattern) for p in urlpatterns if not covered(str(p.pattern))]
