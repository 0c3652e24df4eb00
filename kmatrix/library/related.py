"""Related items: "similar practice elsewhere", found by the search engine itself.

The significant words of a record's title (and its themes' names) are searched for as
alternatives among the library's resources (and, for a plan's page, the plans) of *other*
networks that the viewer may read; the best-ranked few are shown. Plans and other records ask
through ``similar_practice_for``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q

from kmatrix.core.access import Viewer
from kmatrix.library.models import Resource, SearchEntry
from kmatrix.library.search import engine, readable_entries
from kmatrix.library.search.query import Query, Term, parse
from kmatrix.networks.models import Theme

LIMIT = 5
MAX_WORDS = 12
# Words too common in this domain to say what a record is about.
STOPWORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is",
        "it", "of", "on", "or", "our", "the", "their", "to", "with", "we", "you", "service",
        "services", "care", "health", "people", "mental", "older", "network",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Similar:
    title: str
    url: str
    network_id: int | None


def _words(texts: Sequence[str]) -> list[str]:
    words: list[str] = []
    for text in texts:
        for word in parse(text).words():
            if len(word) > 2 and word not in STOPWORDS and word not in words:
                words.append(word)
    return words[:MAX_WORDS]


def similar_practice_for(
    viewer: Viewer,
    *,
    title: str,
    theme_ids: Sequence[int] = (),
    network_id: int | None,
    exclude: tuple[str, int] | None = None,
    limit: int = LIMIT,
    kinds: Sequence[str] = ("resource",),
) -> list[Similar]:
    """Records of these kinds (resources unless told) from networks other than ``network_id``
    most like ``title`` and themes, among those the viewer may read."""
    themes = list(Theme.objects.filter(pk__in=theme_ids).values_list("name", flat=True))
    words = _words([title, *themes])
    if not words:
        return []
    query = Query(groups=[[Term((w,)) for w in words]])
    entries = SearchEntry.objects.filter(readable_entries(viewer), kind__in=list(kinds))
    if network_id is not None:
        entries = entries.exclude(network_id=network_id)
    if exclude is not None:
        entries = entries.exclude(Q(kind=exclude[0], object_id=exclude[1]))
    found = engine.matching(entries, query).order_by("score", "pk")[:limit]
    return [Similar(e.title, e.url, e.network_id) for e in found.only("title", "url", "network_id")]


def similar_practice(viewer: Viewer, resource: Resource) -> list[Similar]:
    return similar_practice_for(
        viewer,
        title=resource.title,
        theme_ids=[t.pk for t in resource.themes.all()],
        network_id=resource.network_id,
        exclude=("resource", resource.pk),
    )
