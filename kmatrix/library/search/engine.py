"""The two engines behind the one search: SQLite FTS5 and PostgreSQL full-text search.

Everything that differs between them is here: how a queryset of index entries is narrowed to
those matching a query (with a score, lower is better), how highlighted titles and snippets
are made for one page of results, and how the text half of the index is written. Queries
reach the engines only as written by ``query.to_fts5`` and ``query.to_tsquery``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from markupsafe import Markup, escape

from kmatrix.library.models import SearchEntry
from kmatrix.library.search.query import Query, to_fts5, to_tsquery

START, STOP = "\x02", "\x03"  # highlight markers; documents are stripped of them
FTS = "library_search_fts"
ENTRY = "library_searchentry"
TITLE_WEIGHT = 10.0  # a match in the title counts ten times one in the body (FTS5 bm25)
SNIPPET_WORDS = 32
HEADLINE_CHARS = 100_000  # PostgreSQL's ts_headline reads the text from the start


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def matching(entries: QuerySet[SearchEntry], query: Query) -> QuerySet[SearchEntry]:
    """``entries`` that match ``query``, each with a ``score`` (lower is a better match)."""
    if is_postgres():
        tsquery = to_tsquery(query)
        return entries.extra(  # noqa: S610 - the query is a parameter, written by to_tsquery
            select={"score": f"-ts_rank({ENTRY}.vector, to_tsquery('english', %s))"},
            select_params=[tsquery],
            where=[f"{ENTRY}.vector @@ to_tsquery('english', %s)"],
            params=[tsquery],
        )
    return entries.extra(  # noqa: S610 - the query is a parameter, written by to_fts5
        select={"score": f"bm25({FTS}, {TITLE_WEIGHT}, 1.0)"},
        tables=[FTS],
        where=[f"{FTS}.rowid = {ENTRY}.id", f"{FTS} MATCH %s"],
        params=[to_fts5(query)],
    )


def count_up_to(query: Query, limit: int) -> int:
    """How many entries match ``query``, counting no further than ``limit``."""
    if is_postgres():
        sql = f"SELECT 1 FROM {ENTRY} WHERE vector @@ to_tsquery('english', %s)"  # noqa: S608
        params: list[Any] = [to_tsquery(query)]
    else:
        sql = f"SELECT 1 FROM {FTS} WHERE {FTS} MATCH %s"  # noqa: S608
        params = [to_fts5(query)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT %s) AS found", [*params, limit])  # noqa: S608
        return int(cursor.fetchone()[0])


def id_list_sql() -> str:
    """A subquery giving the ids of one parameter made by ``id_list``."""
    if is_postgres():
        return "SELECT unnest(%s::bigint[])"
    return "SELECT value FROM json_each(%s)"


def id_list(ids: Sequence[int]) -> object:
    """Record ids as one query parameter (a JSON array for SQLite, an array for PostgreSQL),
    so that a query's text stays the same whatever their number."""
    return list(ids) if is_postgres() else json.dumps(list(ids))


def matching_rows_in(
    query: Query, readable: Sequence[tuple[str, str, Sequence[Any]]]
) -> list[tuple[Any, ...]]:
    """SQLite, for queries matching many entries: the same rows as ``matching`` but with each
    kind's readable records worked out once (``readable``: kind, and the SQL and parameters
    of the access helper's query for its records' ids) instead of record by record. The
    CROSS JOIN keeps FTS5 in front, and ``+`` keeps SQLite from driving the join from the
    records instead (which would run the text query once per record)."""
    clauses, params = [], [to_fts5(query)]
    for kind, sql, kind_params in readable:
        clauses.append(f"(e.kind = %s AND +e.object_id IN ({sql}))")
        params += [kind, *kind_params]
    sql = (
        f"SELECT e.id, e.kind, e.network_id, e.organisation_id, e.year, e.theme_ids, "  # noqa: S608
        f"bm25({FTS}, {TITLE_WEIGHT}, 1.0) FROM {FTS} CROSS JOIN {ENTRY} e "
        f"ON e.id = {FTS}.rowid WHERE {FTS} MATCH %s AND ({' OR '.join(clauses) or '0'})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def direct_sql(query: Query, limit: int) -> tuple[str, list[Any]]:
    """The bare engine query for the best ``limit`` matches: the benchmark's yardstick."""
    if is_postgres():
        sql = (
            f"SELECT id FROM {ENTRY} WHERE vector @@ to_tsquery('english', %s) "  # noqa: S608
            f"ORDER BY ts_rank(vector, to_tsquery('english', %s)) DESC LIMIT %s"
        )
        tsquery = to_tsquery(query)
        return sql, [tsquery, tsquery, limit]
    sql = f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s ORDER BY rank LIMIT %s"  # noqa: S608
    return sql, [to_fts5(query), limit]


def _marked(text: str) -> Markup:
    """Escape the engine's text, then turn our markers into <mark>."""
    safe = str(escape(text))
    return Markup(safe.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S704


def highlights(ids: Sequence[int], query: Query) -> dict[int, tuple[Markup, Markup]]:
    """Highlighted title and snippet of the body, by entry id, for one page of results."""
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if is_postgres():
            options = f"StartSel={START}, StopSel={STOP}"
            cursor.execute(
                f"SELECT id, ts_headline('english', title, q, %s), "  # noqa: S608
                f"ts_headline('english', left(body, {HEADLINE_CHARS}), q, %s) "
                f"FROM {ENTRY}, to_tsquery('english', %s) q WHERE id IN ({marks})",
                [
                    f"HighlightAll=true, {options}",
                    f'MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=" … ", {options}',
                    to_tsquery(query),
                    *ids,
                ],
            )
        else:
            cursor.execute(
                f"SELECT rowid, highlight({FTS}, 0, %s, %s), "  # noqa: S608
                f"snippet({FTS}, 1, %s, %s, '…', {SNIPPET_WORDS}) "
                # FTS5 takes no list of rowids: with ``rowid IN`` it would evaluate the
                # query once per id (a prefix query's whole doclist each time). A range
                # evaluates it once, and ``+rowid IN`` then keeps the page's entries.
                f"FROM {FTS} WHERE {FTS} MATCH %s AND rowid BETWEEN %s AND %s "
                f"AND +rowid IN ({marks})",
                [START, STOP, START, STOP, to_fts5(query), min(ids), max(ids), *ids],
            )
        return {row[0]: (_marked(row[1] or ""), _marked(row[2] or "")) for row in cursor}


# --- Writing the text half of the index ----------------------------------------------------
# PostgreSQL's vector is a generated column, so it follows the entries by itself; FTS5's
# external-content table has to be told of every row that goes and comes.


def text_remove(where: str, params: Sequence[Any]) -> None:
    """Before entries selected by ``where`` are deleted: take their text out of FTS5."""
    if is_postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {FTS}({FTS}, rowid, title, body) "  # noqa: S608
            f"SELECT 'delete', id, title, body FROM {ENTRY} WHERE {where}",
            list(params),
        )


def text_add(where: str, params: Sequence[Any]) -> None:
    """After entries selected by ``where`` are inserted: put their text into FTS5."""
    if is_postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {FTS}(rowid, title, body) "  # noqa: S608
            f"SELECT id, title, body FROM {ENTRY} WHERE {where}",
            list(params),
        )


def text_clear() -> None:
    if not is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('delete-all')")  # noqa: S608


def text_rebuild() -> None:
    """After a bulk load of entries: index all their text at once (FTS5), or analyse."""
    with connection.cursor() as cursor:
        if not is_postgres():
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")  # noqa: S608
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")  # noqa: S608
        # Fresh statistics, so that the planners check a few matches' access by primary key
        # rather than scanning for every readable record.
        cursor.execute("ANALYZE")
