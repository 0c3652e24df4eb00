"""Writing the search index: a few records at a time, from change history, or all at once.

The index holds text and facet facts only; who may read an entry is decided at search time
by the access helper, so an entry whose record became hidden (or was deleted) is never shown
even before the index catches up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from itertools import islice
from typing import Any

from django.db import transaction
from django.db.models import Max

from kmatrix.core.bulk import rows_insert
from kmatrix.core.search import SearchDocument
from kmatrix.library.models import SearchEntry, SearchWatermark
from kmatrix.library.search import engine
from kmatrix.library.search.sources import SOURCES, SearchSource, source_for

# PostgreSQL's tsvector holds at most 1 MB; this much text stays well inside it.
MAX_BODY_CHARS = 250_000
MAX_TITLE_CHARS = 500
CHUNK = 500
BULK_CHUNK = 5_000
# Control characters (but tab and newline) are dropped: our highlight markers are among them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
COLUMNS = (
    "kind",
    "object_id",
    "title",
    "body",
    "url",
    "network_id",
    "organisation_id",
    "theme_ids",
    "year",
)


def _row(doc: SearchDocument) -> tuple[object, ...]:
    themes = " ".join(str(t) for t in sorted(set(doc.theme_ids)))
    return (
        doc.kind,
        doc.id,
        _CONTROL.sub(" ", doc.title)[:MAX_TITLE_CHARS],
        _CONTROL.sub(" ", doc.body)[:MAX_BODY_CHARS],
        doc.url[:500],
        doc.network_id,
        doc.organisation_id,
        f" {themes} " if themes else "",
        doc.year,
    )


def _chunks(items: Iterable[int], size: int) -> Iterator[list[int]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _where(kind: str, ids: list[int]) -> tuple[str, list[Any]]:
    marks = ", ".join(["%s"] * len(ids))
    return f"kind = %s AND object_id IN ({marks})", [kind, *ids]


@transaction.atomic
def documents_write(kind: str, ids: Collection[int]) -> int:
    """Re-read these records of one kind from their source and replace their entries."""
    source = source_for(kind)
    written = 0
    for chunk in _chunks(sorted(set(ids)), CHUNK):
        where, params = _where(kind, chunk)
        engine.text_remove(where, params)
        SearchEntry.objects.filter(kind=kind, object_id__in=chunk).delete()
        rows = [_row(doc) for doc in source.documents(chunk) if doc.kind == kind]
        rows_insert(SearchEntry, COLUMNS, rows)
        engine.text_add(where, params)
        written += len(rows)
    return written


def _history(source: SearchSource) -> object | None:
    return getattr(source.records().model, "history", None)


@transaction.atomic
def catch_up() -> int:
    """Re-index the records of every source whose change history moved on since last time.

    This is how the directory's people and groups reach the index: the networks app imports
    only core, so it cannot call the library when they change.
    """
    written = 0
    for source in SOURCES:
        history = _history(source)
        if history is None:
            continue
        mark, _ = SearchWatermark.objects.select_for_update().get_or_create(kind=source.kind)
        latest = history.aggregate(top=Max("history_id"))["top"] or 0  # type: ignore[attr-defined]
        if latest <= mark.history_id:
            continue
        changed = history.filter(  # type: ignore[attr-defined]
            history_id__gt=mark.history_id, history_id__lte=latest
        ).values_list("id", flat=True)
        written += documents_write(source.kind, set(changed))
        mark.history_id = latest
        mark.save(update_fields=["history_id"])
    return written


def is_behind() -> bool:
    """Whether any source has changes the index has not read (a few indexed lookups)."""
    marks = dict(SearchWatermark.objects.values_list("kind", "history_id"))
    for source in SOURCES:
        history = _history(source)
        if history is None:
            continue
        if history.filter(history_id__gt=marks.get(source.kind, 0)).exists():  # type: ignore[attr-defined]
            return True
    return False


@transaction.atomic
def rebuild(progress: Callable[[str, int], None] = lambda kind, done: None) -> dict[str, int]:
    """Build the whole index afresh from every source, in bulk; ``progress(kind, rows)``."""
    SearchEntry.objects.all().delete()
    engine.text_clear()
    counts: dict[str, int] = {}
    for source in SOURCES:
        counts[source.kind] = 0
        batch: list[tuple[object, ...]] = []
        for doc in source.documents(None):
            batch.append(_row(doc))
            if len(batch) >= BULK_CHUNK:
                counts[source.kind] += _flush(batch, source.kind, progress)
        counts[source.kind] += _flush(batch, source.kind, progress)
        _watermark(source)
    engine.text_rebuild()
    return counts


def _flush(batch: list[tuple[object, ...]], kind: str, progress: Callable[[str, int], None]) -> int:
    size = len(batch)
    rows_insert(SearchEntry, COLUMNS, batch)
    batch.clear()
    progress(kind, size)
    return size


def _watermark(source: SearchSource) -> None:
    history = _history(source)
    if history is None:
        return
    latest = history.aggregate(top=Max("history_id"))["top"] or 0  # type: ignore[attr-defined]
    SearchWatermark.objects.update_or_create(kind=source.kind, defaults={"history_id": latest})
