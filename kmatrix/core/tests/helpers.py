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
