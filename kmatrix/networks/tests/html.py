"""Reading pages in tests: the Jinja2 backend gives the test client no context, so tests read
what a person would: the error summary, the message under a field, the page's text."""

from __future__ import annotations

import html
import re
from typing import Any

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def text(response: Any) -> str:
    """The page's text, without tags, with runs of white space made one space."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", body))).strip()


def field_error(response: Any, field: str) -> str:
    """The error message shown under a form field ("" when there is none)."""
    found = re.search(
        rf'id="id_{re.escape(field)}-error"[^>]*>(.*?)</span>\s*(?:</span>|<)',
        response.content.decode(),
        flags=re.S,
    )
    if found is None:
        return ""
    message = _SPACE.sub(" ", html.unescape(_TAG.sub("", found.group(1)))).strip()
    return message.removeprefix("Error:").strip()


def error_summary(response: Any) -> list[str]:
    """The messages in the error summary at the top of a form."""
    found = re.search(
        r'class="[^"]*nhsuk-error-summary__list[^"]*"[^>]*>(.*?)</ul>',
        response.content.decode(),
        re.S,
    )
    if found is None:
        return []
    items = re.findall(r"<li[^>]*>(.*?)</li>", found.group(1), flags=re.S)
    return [_SPACE.sub(" ", html.unescape(_TAG.sub("", item))).strip() for item in items]
