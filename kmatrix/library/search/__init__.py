"""The one search across everything: ranked, with facets and highlighted snippets.

``search(viewer, text, filters)`` reads the text into terms (``query.parse``), asks the engine
for every index entry that matches *and* that the viewer may read, and counts the facets and
picks the page from those rows. Who may read an entry is decided by ``core.access.visible``
on the record's own model, per kind (``sources.SOURCES``), inside the same SQL statement, so
a hidden record is never a hit, a snippet or part of a count.
"""

from __future__ import annotations

import heapq
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import Any, Final, cast

from django.db import DatabaseError, connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from markupsafe import Markup

from kmatrix.core.access import Viewer, visible
from kmatrix.library.models import SearchEntry
from kmatrix.library.search import engine
from kmatrix.library.search.query import Query, parse
from kmatrix.library.search.sources import BY_KIND, SOURCES, SearchSource
from kmatrix.networks.models import Network, Organisation, Theme

logger = logging.getLogger(__name__)
PER_PAGE = 20
MAX_PAGE = 50
FACETS = ("kind", "theme", "network", "organisation", "year")
# Where each fact sits in a row of matches (see _rows).
_KIND: Final = 1
_NETWORK: Final = 2
_ORGANISATION: Final = 3
_YEAR: Final = 4
_THEMES: Final = 5
_SCORE: Final = 6


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    theme: int | None = None
    network: int | None = None
    organisation: int | None = None
    year: int | None = None

    def chosen(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in FACETS if getattr(self, name)}


@dataclass(frozen=True)
class Hit:
    kind: str
    kind_label: str
    object_id: int
    url: str
    title: Markup
    snippet: Markup
    network_id: int | None
    year: int | None


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Results:
    query: Query
    filters: Filters
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 0
    facets: dict[str, list[FacetOption]] = field(default_factory=dict)
    message: str = ""


def readable_records(viewer: Viewer, source: SearchSource) -> QuerySet[Any]:
    """The source's records the viewer may read (and reach: inside a network they read)."""
    records = visible(viewer, source.records())
    if source.network_path:
        networks = visible(viewer, Network.objects.all()).values("pk")
        records = records.filter(**{f"{source.network_path}__in": networks})
    return records


def readable_entries(viewer: Viewer) -> Q:
    """Entries whose record the viewer may read, decided per kind by the access helper."""
    q = Q(pk__in=[])
    for source in SOURCES:
        if source.signed_in_only and not viewer.is_authenticated:
            continue
        records = readable_records(viewer, source).filter(pk=OuterRef("object_id"))
        q |= Q(kind=source.kind) & Q(Exists(records))
    return q


def search(viewer: Viewer, text: str, filters: Filters | None = None, page: int = 1) -> Results:
    query = parse(text)
    results = Results(query=query, filters=filters or Filters())
    if query.is_empty:
        if query.excluded:
            results.message = "Add a word to look for, as well as the words to leave out."
        return results
    rows = _rows(viewer, query)
    if rows is None:
        results.message = "The search could not read that. Try fewer or simpler words."
        return results
    chosen = [r for r in rows if _passes(r, results.filters)] if results.filters.chosen() else rows
    results.facets = _facets(rows, results.filters)
    results.total = len(chosen)
    results.pages = math.ceil(results.total / PER_PAGE)
    results.page = max(1, min(page, results.pages or 1, MAX_PAGE))
    start = (results.page - 1) * PER_PAGE
    best = heapq.nsmallest(start + PER_PAGE, chosen, key=itemgetter(_SCORE, 0))
    results.hits = _hits(best[start:], query)
    return results


Row = tuple[int, str, int | None, int | None, int | None, str, float]


# Up to this many matches (before access rules), the matches are read first and each kind's
# access rules then applied to just those records, by primary key; past it, each kind's
# readable records are worked out once, in the same statement as the match (bench/library.py
# chose the line at national scale).
PER_RECORD_UP_TO = 10_000


def _rows(viewer: Viewer, query: Query) -> list[Row] | None:
    try:
        # How many match, up to one past the line (cheap: no ranking and no rows read).
        if engine.count_up_to(query, PER_RECORD_UP_TO + 1) <= PER_RECORD_UP_TO:
            matched = engine.matching(SearchEntry.objects.all(), query)
            return _readable_of(viewer, list(matched.values_list(*ROW_FIELDS, "object_id")))
        if not engine.is_postgres():
            every = [(w.kind, w.every, w.every_params) for w in _readable_sql(viewer)]
            return cast(list[Row], engine.matching_rows_in(query, every))
        # PostgreSQL hashes each kind's readable records once for this statement by itself.
        clauses, params = [], []
        for w in _readable_sql(viewer):
            clauses.append(
                f'("{ENTRY_TABLE}"."kind" = %s AND "{ENTRY_TABLE}"."object_id" IN ({w.every}))'
            )
            params += [w.kind, *w.every_params]
        entries = SearchEntry.objects.extra(  # noqa: S610 - the access helper's own SQL
            where=[" OR ".join(clauses) or "FALSE"], params=params
        )
        return cast(list[Row], list(engine.matching(entries, query).values_list(*ROW_FIELDS)))
    except DatabaseError:
        # Our own query syntax should never fail; if an engine still refuses it, say so.
        logger.exception("Search failed for %r", query.text)
        return None


ENTRY_TABLE = SearchEntry._meta.db_table
ROW_FIELDS = ("id", "kind", "network_id", "organisation_id", "year", "theme_ids", "score")


def _readable_of(viewer: Viewer, matched: list[tuple[Any, ...]]) -> list[Row]:
    """Of these matches, those whose record the access helper lets the viewer read."""
    wanted: dict[str, list[int]] = {}
    for row in matched:
        wanted.setdefault(row[_KIND], []).append(row[7])
    readable: dict[str, set[int]] = {}
    with connection.cursor() as cursor:
        for written in _readable_sql(viewer):
            if ids := wanted.get(written.kind):
                cursor.execute(written.some, written.some_params(engine.id_list(ids)))
                readable[written.kind] = {pk for (pk,) in cursor.fetchall()}
    return [cast(Row, row[:7]) for row in matched if row[7] in readable.get(row[_KIND], ())]


_IDS = "\x00the ids\x00"  # stands for the list of ids in a query written once (see Written)


@dataclass(frozen=True)
class Written:
    """One kind's access query, as the access helper wrote it for one viewer: ``every`` (SQL
    and parameters) selects the ids of all the records they may read; ``some`` the same for
    a list of ids, given as one parameter."""

    kind: str
    every: str
    every_params: tuple[Any, ...]
    some: str
    params: tuple[Any, ...]

    def some_params(self, ids: object) -> list[Any]:
        return [ids if p is _IDS else p for p in self.params]


# Each viewer's access queries as written, by viewer and day (see _readable_sql).
_WRITTEN: dict[tuple[Viewer, date], tuple[Written, ...]] = {}
WRITTEN_KEPT = 512


def _readable_sql(viewer: Viewer) -> tuple[Written, ...]:
    """Each kind's access queries for the kinds this viewer searches (see ``Written``).

    Writing them takes the ORM about 20 ms, as long as a rare word's whole search, so the text
    is kept per viewer (a Viewer is what decides access: its memberships, roles and partners)
    and day (memberships end on a date). Only the text is kept: the database reads the records
    afresh every time. Were the helper ever to read the database while writing a query, or to
    put the time of day into one, the text would not be kept (see _written)."""
    key = (viewer, timezone.localdate())
    found = _WRITTEN.get(key)
    if found is None:
        found, keep = _written(viewer)
        if keep:
            if len(_WRITTEN) >= WRITTEN_KEPT:
                _WRITTEN.clear()
            _WRITTEN[key] = found
    return found


def _written(viewer: Viewer) -> tuple[tuple[Written, ...], bool]:
    found: list[Written] = []
    asked: list[str] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        asked.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        for source in SOURCES:
            if source.signed_in_only and not viewer.is_authenticated:
                continue
            records = readable_records(viewer, source).order_by()
            every, every_params = records.values("pk").query.sql_with_params()
            listed = records.filter(pk__in=RawSQL(engine.id_list_sql(), [_IDS]))  # noqa: S611
            some, params = listed.values("pk").query.sql_with_params()
            found.append(Written(source.kind, every, tuple(every_params), some, tuple(params)))
    timed = any(_is_time(p) for w in found for p in (*w.every_params, *w.params))
    if asked or timed:
        logger.debug("Access queries not kept: %s", asked[:3] or "a time among the parameters")
    return tuple(found), not asked and not timed


_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d")


def _is_time(param: object) -> bool:
    """A time of day among a query's parameters (SQLite's are already text by then)."""
    return isinstance(param, datetime) or (isinstance(param, str) and bool(_TIME.match(param)))


def _fails(row: Row, name: str, value: object) -> bool:
    if name == "theme":
        return f" {value} " not in row[_THEMES]
    index = {"kind": _KIND, "network": _NETWORK, "organisation": _ORGANISATION, "year": _YEAR}
    return row[index[name]] != value


def _passes(row: Row, filters: Filters) -> bool:
    return not any(_fails(row, name, value) for name, value in filters.chosen().items())


def _count(counts: dict[str, Counter[object]], rows: Iterable[Row], names: Iterable[str]) -> None:
    rows = list(rows)
    for name in names:
        if name == "theme":
            # Few distinct sets of themes: count the sets, then the themes in them.
            for themes, n in Counter(r[_THEMES] for r in rows).items():
                for theme in themes.split():
                    counts[name][int(theme)] += n
            continue
        index = {"kind": _KIND, "network": _NETWORK, "organisation": _ORGANISATION, "year": _YEAR}
        counts[name].update(map(itemgetter(index[name]), rows))
        counts[name].pop(None, None)


def _facets(rows: list[Row], filters: Filters) -> dict[str, list[FacetOption]]:
    """Each facet counts the rows that pass every other chosen filter (its own aside)."""
    counts: dict[str, Counter[object]] = {name: Counter() for name in FACETS}
    chosen = filters.chosen()
    if not chosen:
        _count(counts, rows, FACETS)
    else:
        passing: list[Row] = []
        missed_one: dict[str, list[Row]] = {name: [] for name in chosen}
        for row in rows:
            failed = [name for name, value in chosen.items() if _fails(row, name, value)]
            if not failed:
                passing.append(row)
            elif len(failed) == 1:
                missed_one[failed[0]].append(row)
        _count(counts, passing, FACETS)
        for name, missed in missed_one.items():
            _count(counts, missed, [name])
    labels = _labels(counts)
    facets = {}
    for name in FACETS:
        options = [
            FacetOption(str(v), labels[name][v], n, chosen.get(name) == v)
            for v, n in counts[name].items()
            if v in labels[name]
        ]
        if name == "year":
            options.sort(key=lambda o: o.value, reverse=True)
        else:
            options.sort(key=lambda o: (-o.count, o.label))
        facets[name] = options
    return facets


def _labels(counts: dict[str, Counter[object]]) -> dict[str, dict[object, str]]:
    def names(
        model: type[Network | Organisation | Theme], ids: Iterable[object]
    ) -> dict[object, str]:
        short = "short_name" if model is Network else "name"
        found = model._default_manager.filter(pk__in=list(ids)).values_list("pk", short, "name")
        return {pk: brief or name for pk, brief, name in found}

    return {
        "kind": {k: BY_KIND[str(k)].label for k in counts["kind"] if str(k) in BY_KIND},
        "network": names(Network, counts["network"]),
        "organisation": names(Organisation, counts["organisation"]),
        "theme": names(Theme, counts["theme"]),
        "year": {y: str(y) for y in counts["year"]},
    }


def _hits(rows: list[Row], query: Query) -> list[Hit]:
    ids = [r[0] for r in rows]
    marked = engine.highlights(ids, query)
    found = SearchEntry.objects.filter(pk__in=ids).values_list("pk", "url", "object_id")
    links = {pk: (url, object_id) for pk, url, object_id in found}
    hits = []
    for row in rows:
        title, snippet = marked.get(row[0], (Markup(""), Markup("")))
        hits.append(
            Hit(
                kind=row[_KIND],
                kind_label=BY_KIND[row[_KIND]].label if row[_KIND] in BY_KIND else row[_KIND],
                object_id=links.get(row[0], ("", 0))[1],
                url=links.get(row[0], ("", 0))[0],
                title=title,
                snippet=snippet,
                network_id=row[_NETWORK],
                year=row[_YEAR],
            )
        )
    return hits
