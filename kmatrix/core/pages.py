"""What list pages share: text and numbers from the address bar, and paging a list with
previous and next links that keep the page's other query parameters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

MAX_TEXT = 200
MAX_DIGITS = 11  # more than any id, fewer than overflow a 64-bit integer


def text_param(request: HttpRequest, name: str) -> str:
    """Text from the address bar, trimmed. PostgreSQL refuses NUL characters in text, so they
    are dropped here rather than failing the query."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:MAX_TEXT]


def int_param(request: HttpRequest, name: str) -> int | None:
    """A whole number from the address bar, or None for anything else (ASCII digits only:
    Python would read other scripts' digits as numbers too)."""
    text = text_param(request, name)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS else None


def page_of(request: HttpRequest, items: Any, size: int, name: str = "page") -> Page[Any]:
    """One page of ``items``; the number comes from the address bar, and anything odd shows
    the nearest real page."""
    return Paginator(items, size).get_page(request.GET.get(name))


def pager(
    request: HttpRequest,
    page: Page[Any],
    name: str = "page",
    anchor: str = "",
    drop: Iterable[str] = (),
) -> dict[str, Any]:
    """The NHS.UK pagination component's previous and next links for ``page``, keeping the
    other query parameters except those in ``drop``."""
    query = request.GET.copy()
    for dropped in drop:
        query.pop(dropped, None)

    def href(number: int) -> str:
        query[name] = str(number)
        return "?" + query.urlencode() + anchor

    return {
        "previous": {"href": href(page.previous_page_number())} if page.has_previous() else None,
        "next": {"href": href(page.next_page_number())} if page.has_next() else None,
    }


def paginate(
    request: HttpRequest, items: Any, size: int, drop: Iterable[str] = ()
) -> tuple[Page[Any], dict[str, Any]]:
    """The page of ``items`` the address asks for, and its links (see ``pager``)."""
    page = page_of(request, items, size)
    return page, pager(request, page, drop=drop)
