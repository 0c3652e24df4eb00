"""The one search box, the Knowledge Matrix, the Atom feed and the catalogue's downloads.

All of them work without signing in and then show public records only: the access helper
decides every row, count and facet for whoever asks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.feedgenerator import Atom1Feed

from kmatrix.core.access import viewer_for
from kmatrix.core.exports import csv_response
from kmatrix.library import matrix as grid
from kmatrix.library import queries, services
from kmatrix.library.models import Resource
from kmatrix.library.params import catalogue_filters, number, search_filters, text, year
from kmatrix.library.search import FACETS, search
from kmatrix.library.search import index as search_index

CATCH_UP_EVERY = 60  # seconds between checks that the directory's changes are indexed
FACET_LABELS = {
    "kind": "Type",
    "theme": "Theme",
    "network": "Network",
    "organisation": "Organisation",
    "year": "Year",
}
EXPORT_HEADER = (
    "id", "title", "type", "network", "organisation", "themes", "date", "published",
    "licence", "link", "address", "summary",
)  # fmt: skip


def _catch_up_if_due() -> None:
    """People and groups change in the directory, which cannot tell the library: now and
    then a search checks their history and queues a catch-up if the index is behind."""
    if cache.add("library:search-catch-up", True, CATCH_UP_EVERY) and search_index.is_behind():
        services.search_index_catch_up_enqueue()


def search_page(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request.user)
    q = text(request, "q")
    filters = search_filters(request)
    results = search(viewer, q, filters, page=number(request, "page") or 1) if q else None
    if q:
        _catch_up_if_due()
    return render(
        request,
        "library/search.html",
        {
            "q": q,
            "results": results,
            "facet_names": FACETS,
            "facet_labels": FACET_LABELS,
            "base_query": _without(request, "page"),
            "breadcrumbs": [{"text": "Search", "href": ""}],
        },
    )


def _without(request: HttpRequest, *names: str) -> dict[str, str]:
    return {k: str(v) for k, v in request.GET.items() if k not in names and v}


def matrix_page(request: HttpRequest) -> HttpResponse:
    """The grid of counts, or with ``?view=progress`` its second view: progress on the themes."""
    viewer = viewer_for(request.user)
    framework, region = text(request, "framework", 60), text(request, "region", 100)
    if text(request, "view", 20) == "progress":
        context: dict[str, object] = {
            "view": "progress",
            "matrix": grid.progress_matrix(viewer, framework_slug=framework, region=region),
        }
    else:
        page = grid.knowledge_matrix(
            viewer, framework_slug=framework, region=region, year=year(request)
        )
        context = {"view": "counts", "matrix": page, "years": range(2026, 2015, -1)}
    context["breadcrumbs"] = [{"text": "Knowledge Matrix", "href": ""}]
    return render(request, "library/matrix.html", context)


def practice_feed(request: HttpRequest) -> HttpResponse:
    """Atom: the newest positive practice the requester may read (public, without a session)."""
    viewer = viewer_for(request.user)
    feed = Atom1Feed(
        title="Knowledge Matrix: new positive practice",
        link=settings.SITE_URL + "/library/?kind=positive_practice",
        description="Positive practice examples newly published in the library",
        language="en-gb",
        feed_url=settings.SITE_URL + request.path,
    )
    for item in queries.newly_published_practice(viewer):
        feed.add_item(
            title=item.title,
            link=settings.SITE_URL + item.get_absolute_url(),
            description=item.summary,
            unique_id=settings.SITE_URL + item.get_absolute_url(),
            pubdate=item.published_at,
            updateddate=item.updated_at,
            author_name=item.network.name,
            categories=[item.get_kind_display()],
        )
    return HttpResponse(
        feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8"
    )


def _export_rows(request: HttpRequest) -> Iterator[tuple[Any, ...]]:
    viewer = viewer_for(request.user)
    resources = queries.resources_with_themes(queries.catalogue(viewer, catalogue_filters(request)))
    for r in resources.iterator(chunk_size=500):
        yield _export_row(r)


def _export_row(r: Resource) -> tuple[Any, ...]:
    return (
        r.pk,
        r.title,
        r.get_kind_display(),
        r.network.name,
        r.organisation.name if r.organisation else "",
        "; ".join(t.name for t in r.themes.all()),
        r.resource_date.isoformat() if r.resource_date else "",
        r.published_at.date().isoformat() if r.published_at else "",
        r.get_licence_display() if r.licence else "",
        r.link,
        settings.SITE_URL + r.get_absolute_url(),
        r.summary,
    )


def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    return csv_response("library.csv", [h.title() for h in EXPORT_HEADER], _export_rows(request))


def export_json(request: HttpRequest) -> StreamingHttpResponse:
    def chunks() -> Iterator[str]:
        yield '{"resources": ['
        for i, row in enumerate(_export_rows(request)):
            yield ("," if i else "") + json.dumps(dict(zip(EXPORT_HEADER, row, strict=True)))
        yield "]}"

    response = StreamingHttpResponse(chunks(), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="library.json"'
    return response
