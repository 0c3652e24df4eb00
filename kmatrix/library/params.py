"""Filters read from the address bar: anything odd is ignored rather than an error."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kmatrix.core.access import Viewer, visible
from kmatrix.library.models import Resource
from kmatrix.library.queries import CatalogueFilters, catalogue
from kmatrix.library.search import Filters
from kmatrix.library.search.sources import BY_KIND
from kmatrix.networks.models import Network, Organisation, ThemeFramework

YEARS = range(1990, 2100)


def text(request: HttpRequest, name: str, limit: int = 256) -> str:
    # PostgreSQL refuses NUL characters in text, so they are dropped rather than failing.
    return request.GET.get(name, "").replace("\x00", "").strip()[:limit]


def number(request: HttpRequest, name: str) -> int | None:
    raw = text(request, name, 12)
    if not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if 0 < value < 2**62 else None


def year(request: HttpRequest) -> int | None:
    value = number(request, "year")
    return value if value in YEARS else None


def catalogue_filters(request: HttpRequest) -> CatalogueFilters:
    kind = text(request, "kind", 30)
    return CatalogueFilters(
        kind=kind if kind in Resource.Kind.values else "",
        theme=number(request, "theme"),
        network=number(request, "network"),
        organisation=number(request, "organisation"),
        year=year(request),
    )


def search_filters(request: HttpRequest) -> Filters:
    kind = text(request, "kind", 30)
    return Filters(
        kind=kind if kind in BY_KIND else "",
        theme=number(request, "theme"),
        network=number(request, "network"),
        organisation=number(request, "organisation"),
        year=year(request),
    )


def filter_choices(viewer: Viewer) -> dict[str, Any]:
    """The catalogue's filter options: only networks the viewer can see or is partnered with."""
    networks = visible(viewer, Network.objects.all()) | Network.objects.filter(
        pk__in=viewer.partner_networks
    )
    return {
        "kinds": Resource.Kind.choices,
        "networks": list(networks.distinct().order_by("name").values_list("pk", "name")),
        "themes": [
            (framework.name, [(t.pk, t.name) for t in framework.themes.all()])
            for framework in ThemeFramework.objects.prefetch_related("themes")
        ],
        # Only the organisations of resources the viewer reads, so none betrays a hidden one.
        "organisations": list(
            Organisation.objects.filter(
                pk__in=catalogue(viewer).order_by().values("organisation_id")
            )
            .order_by("name")
            .values_list("pk", "name")
        ),
    }
