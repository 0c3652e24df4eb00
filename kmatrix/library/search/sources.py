"""The kinds of record the one search finds, and where each comes from.

Each source names two functions in its own app's ``queries.py`` (the only way apps reach one
another): ``records()``, the queryset of the model whose ``access_scope`` decides who reads a
record (the search narrows it with ``core.access.visible`` for every viewer), and
``documents(ids)``, the plain-text ``SearchDocument`` of each record (all of them when ``ids``
is None; a record left out is taken out of the index). Adding a kind is one line in
``SOURCES``; see kmatrix/library/README.md.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from kmatrix.core.search import SearchDocument
from kmatrix.improvement import queries as improvement_queries
from kmatrix.library import queries as library_queries
from kmatrix.meetings import queries as meetings_queries
from kmatrix.networks import queries as networks_queries
from kmatrix.programmes import queries as programmes_queries


@dataclass(frozen=True)
class SearchSource:
    kind: str
    label: str  # plural, for the type facet: "Library resources"
    records: Callable[[], QuerySet[Any]]
    documents: Callable[[Collection[int] | None], Iterable[SearchDocument]]
    # The directory's people pages need signing in, so its people are not found without.
    signed_in_only: bool = False
    # Where the record's network is, for kinds whose pages open only inside a network the
    # viewer may read (meetings, decisions, programmes): records of other networks are left
    # out however visible the record itself is.
    network_path: str = ""


SOURCES: tuple[SearchSource, ...] = (
    SearchSource(
        "resource",
        "Library resources",
        library_queries.resource_search_records,
        library_queries.resource_search_documents,
    ),
    SearchSource(
        "person",
        "People",
        networks_queries.person_search_records,
        networks_queries.person_search_documents,
        signed_in_only=True,
    ),
    SearchSource(
        "group",
        "Groups",
        networks_queries.group_search_records,
        networks_queries.group_search_documents,
    ),
    SearchSource(
        "plan",
        "Improvement plans",
        improvement_queries.plan_search_records,
        improvement_queries.plan_search_documents,
    ),
    SearchSource(
        "update",
        "Progress updates",
        improvement_queries.update_search_records,
        improvement_queries.update_search_documents,
    ),
    SearchSource(
        "gap",
        "Checklist gaps",
        improvement_queries.gap_search_records,
        improvement_queries.gap_search_documents,
    ),
    SearchSource(
        "meeting",
        "Meetings",
        meetings_queries.meeting_search_records,
        meetings_queries.meeting_search_documents,
        network_path="network",
    ),
    SearchSource(
        "decision",
        "Decisions",
        meetings_queries.decision_search_records,
        meetings_queries.decision_search_documents,
        network_path="meeting__network",
    ),
    SearchSource(
        "programme",
        "Programmes",
        programmes_queries.programme_search_records,
        programmes_queries.programme_search_documents,
        network_path="network",
    ),
)
BY_KIND = {source.kind: source for source in SOURCES}


def source_for(kind: str) -> SearchSource:
    try:
        return BY_KIND[kind]
    except KeyError:
        raise ValueError(f"No search source of kind {kind!r}") from None
