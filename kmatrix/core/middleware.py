"""Request checks that protect every page and API endpoint at once."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


class RejectNullCharacters:
    """Refuse a NUL character in the address or query string with a 400.

    PostgreSQL cannot store or compare text containing NUL, so without this any search box
    or filter would answer 500 to ``?q=%00``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in value for values in request.GET.lists() for value in values[1]
        ):
            return HttpResponseBadRequest(
                "The address contains a null character, which is not allowed.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
