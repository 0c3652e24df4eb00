"""Inserting many rows at once, for imports of hundreds of thousands of them.

Raw statements rather than ``bulk_create``: building and preparing a model instance per row
costs more than the database's own work. Rows are tuples in the order of ``names`` (model
field names), already in the database's form (``adapt``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, models

CHUNK = 50_000


def column(model: type[models.Model], name: str) -> str:
    return str(model._meta.get_field(name).column)  # type: ignore[union-attr]


def adapt_date(day: date) -> Any:
    return connection.ops.adapt_datefield_value(day)


def adapt_datetime(moment: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def rows_insert(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    written: Callable[[int], None] = lambda done: None,
) -> None:
    """Insert ``rows`` into ``model``'s table; ``written(done)`` after each chunk."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(column(model, name)) for name in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is several times faster than INSERT on PostgreSQL.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for done, row in enumerate(rows, start=1):
                    copy.write_row(row)
                    if done % CHUNK == 0:
                        written(done)
            written(len(rows))
            return
        marks = ", ".join(["%s"] * len(names))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - model's names
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(sql, rows[start : start + CHUNK])
            written(min(start + CHUNK, len(rows)))
