"""Small helpers the improvement pages share: breadcrumbs, downloads, and the lists' filters
and pagination read from the address bar (with kmatrix.core.pages)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse

from kmatrix.core import pages as core_pages
from kmatrix.core.access import Viewer, visible
from kmatrix.core.exports import csv_response, xlsx_response
from kmatrix.core.pages import int_param, text_param
from kmatrix.improvement.models import Locality
from kmatrix.improvement.queries import PAGE_SIZE, Filters
from kmatrix.networks.models import Network, Theme, Workstream

Rows = Iterable[Sequence[Any]]


def crumbs(network: Network, *more: tuple[str, str]) -> list[dict[str, str]]:
    return [
        {"text": "My networks", "href": "/networks/"},
        {"text": network.name, "href": network.get_absolute_url()},
        *({"text": text, "href": href} for text, href in more),
    ]


def download(
    request: HttpRequest, filename: str, table: Callable[[], tuple[Sequence[str], Rows]]
) -> HttpResponse | StreamingHttpResponse | None:
    """The table as CSV or XLSX when the address asks for it (``?format=``), else None."""
    fmt = request.GET.get("format")
    if fmt is None:
        return None
    if fmt not in ("csv", "xlsx"):
        raise Http404("Downloads come as csv or xlsx.")
    header, rows = table()
    if fmt == "csv":
        return csv_response(f"{filename}.csv", header, rows)
    return xlsx_response(filename, header, rows)


MIN_YEAR, MAX_YEAR = 1900, 2999  # a year typed outside these is ignored, not a server error


def filters(request: HttpRequest, choices: Mapping[str, Iterable[str]]) -> Filters:
    """Filters from the address bar; a value that is not one of ``choices`` is ignored."""

    def chosen(name: str) -> str:
        value = text_param(request, name)
        return value if value in set(choices.get(name, ())) else ""

    return Filters(
        theme=int_param(request, "theme"),
        workstream=int_param(request, "workstream"),
        locality=int_param(request, "locality"),
        organisation=int_param(request, "organisation"),
        status=chosen("status"),
        rag=chosen("rag"),
        rating=chosen("rating"),
        q=text_param(request, "q"),
        year=year
        if (year := int_param(request, "year")) and MIN_YEAR <= year <= MAX_YEAR
        else None,
    )


def paginate(
    request: HttpRequest, items: Any, size: int = PAGE_SIZE
) -> tuple[Page[Any], dict[str, Any]]:
    """A page of a list, with links that leave out ``?format=`` (the CSV and XLSX download)."""
    return core_pages.paginate(request, items, size, drop=("format",))


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()


def filter_choices(viewer: Viewer, network: Network) -> dict[str, Any]:
    """The options of the lists' filters: the network's themes, workstreams and localities."""
    return {
        "themes": Theme.objects.filter(adoptions__network=network).order_by("adoptions__position"),
        "workstreams": visible(viewer, Workstream.objects.filter(network=network)).order_by("name"),
        "localities": Locality.objects.filter(network=network).order_by("name"),
    }
