"""Writes for indicators: importing files of data points, and saving one point from the API.

An import checks every row first (``imports.file_parse``) and writes nothing unless the whole
file is sound; then, in one transaction, it adds new points, updates changed ones (keeping a
``DataPointRevision`` of what they were), leaves unchanged ones alone and refreshes the stored
SPC results of every series it touched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from kmatrix.core.bulk import CHUNK, column, rows_insert
from kmatrix.indicators import imports, series
from kmatrix.indicators.imports import ImportFileError, ParsedFile, RowError, Source
from kmatrix.indicators.models import DataPoint, DataPointRevision, ImportBatch, Indicator
from kmatrix.indicators.periods import PeriodError
from kmatrix.networks.models import Network, NetworkOrganisation, Organisation

Progress = Callable[[int, int], None]
# Shares of the progress reported for checking the rows and for writing them; refreshing the
# SPC results takes the rest. Measured at national scale on SQLite (see bench/README.md).
CHECK_SHARE, WRITE_SHARE = 0.15, 0.40
POINT_COLUMNS = (
    "indicator",
    "organisation",
    "period",
    "value",
    "numerator",
    "denominator",
    "note",
    "batch",
)
REVISION_COLUMNS = (
    "point",
    "value",
    "numerator",
    "denominator",
    "note",
    "replaced_by_batch",
    "replaced_at",
)
UPDATE_COLUMNS = ("value", "numerator", "denominator", "note", "batch")
# (organisation id, period) -> (point id, value, numerator, denominator, note)
Existing = dict[tuple[int, date], tuple[int, float, float | None, float | None, str]]


class _Progress:
    """Turns the phases' own counts into one count of rows for ``progress(done, total)``."""

    def __init__(self, callback: Progress | None) -> None:
        self.callback = callback
        self.total = 0

    def checked(self, done: int, total: int) -> None:
        self.total = total
        self._report(CHECK_SHARE * done / max(total, 1))

    def written(self, done: int, total: int) -> None:
        self._report(CHECK_SHARE + WRITE_SHARE * done / max(total, 1))

    def written_after(self, base: int, total: int, done: int) -> None:
        self.written(base + done, total)

    def refreshed(self, done: int, total: int) -> None:
        self._report(
            CHECK_SHARE + WRITE_SHARE + (1 - CHECK_SHARE - WRITE_SHARE) * done / max(total, 1)
        )

    def finish(self, total: int) -> None:
        self.total = total
        self._report(1.0)

    def _report(self, fraction: float) -> None:
        if self.callback is not None:
            self.callback(min(self.total, round(fraction * self.total)), self.total)


@dataclass
class _Changes:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    # indicator id -> organisations with a new or changed point
    touched: dict[int, set[int]] = field(default_factory=dict)
    # indicator id -> the file's points, where they are the whole of every series touched
    whole: dict[int, dict[tuple[int, date], imports.PointRow]] = field(default_factory=dict)


def datapoints_import(
    *,
    network: Network,
    source: Source,
    filename: str,
    file_format: str = "auto",
    dry_run: bool = False,
    user: Any | None = None,
    batch: ImportBatch | None = None,
    progress: Progress | None = None,
    indicator_code: str = imports.SICKNESS_INDICATOR,
) -> ImportBatch:
    """Import a file of data points into ``network``, all or nothing; returns its batch.

    The batch ends ``done`` with the counts created/changed/unchanged (for a dry run, what an
    import would do), or ``failed`` with ``errors`` as {"row", "column", "message"} dicts. Rows
    skipped as outside the network are ``rows_total`` less the three counts. ``progress(done,
    total)`` counts rows: checking them is the first part of the work, writing them and
    refreshing their series the rest.
    """
    if batch is None:
        batch = ImportBatch.objects.create(
            network=network,
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
            filename=filename[:255],
            file_format=file_format,
            dry_run=dry_run,
            status=ImportBatch.Status.RUNNING,
        )
    else:
        batch.status = ImportBatch.Status.RUNNING
        batch.save(update_fields=["status"])
    report = _Progress(progress)
    try:
        try:
            parsed = imports.file_parse(
                imports.source_read(source),
                network=network,
                file_format=file_format,
                indicator_code=indicator_code,
                progress=report.checked,
            )
        except ImportFileError as error:
            return _batch_fail(batch, [RowError(None, "", str(error))], 1)
        batch.file_format = parsed.file_format
        batch.rows_total = report.total = parsed.rows
        if parsed.error_count:
            return _batch_fail(batch, parsed.errors, parsed.error_count)
        if dry_run:
            _batch_done(batch, _points_apply(parsed, batch, write=False, report=report))
        else:
            with transaction.atomic():
                changes = _points_apply(parsed, batch, write=True, report=report)
                _series_refresh(changes, report)
                _batch_done(batch, changes)
    except Exception as error:
        # Whatever went wrong, the transaction is rolled back: say so rather than leave the
        # batch "running" for ever.
        message = (
            "The import stopped unexpectedly and nothing was applied "
            f"({type(error).__name__}: {error})."
        )
        _batch_fail(batch, [RowError(None, "", message)], 1)
        raise
    report.finish(parsed.rows)
    return batch


def _batch_fail(batch: ImportBatch, errors: Sequence[RowError], count: int) -> ImportBatch:
    stored = [error.as_dict() for error in errors]
    if count > len(stored):
        stored.append(
            {
                "row": None,
                "column": "",
                "message": f"and {count - len(stored):,} more problems not listed",
            }
        )
    batch.status = ImportBatch.Status.FAILED
    batch.errors = stored
    batch.created = batch.changed = batch.unchanged = 0
    batch.finished_at = timezone.now()
    batch.save()
    return batch


def _batch_done(batch: ImportBatch, changes: _Changes) -> None:
    batch.status = ImportBatch.Status.DONE
    batch.created, batch.changed, batch.unchanged = (
        changes.created,
        changes.changed,
        changes.unchanged,
    )
    batch.rows_done = batch.rows_total
    batch.errors = []
    batch.finished_at = timezone.now()
    batch.save()


# --- Applying a checked file --------------------------------------------------------------


def _points_apply(
    parsed: ParsedFile, batch: ImportBatch, *, write: bool, report: _Progress
) -> _Changes:
    """Compare each point with the one stored and, if ``write``, write the difference."""
    changes = _Changes()
    total, done = parsed.point_count, 0
    for indicator_id, by_key in parsed.points.items():
        # A file repeats few periods: each is adapted for the database (text on SQLite) once.
        adapt = connection.ops.adapt_datefield_value
        adapted = {period: adapt(period) for period in {period for _org, period in by_key}}
        existing = _existing_points(indicator_id, by_key, min(adapted), max(adapted))
        diff = _Diff.between(indicator_id, by_key, existing, adapted, batch.pk)
        changes.created += len(diff.new)
        changes.changed += len(diff.updates)
        changes.unchanged += len(by_key) - len(diff.new) - len(diff.updates)
        if diff.touched:
            changes.touched[indicator_id] = diff.touched
        if write:
            if diff.touched and _file_holds_whole_series(
                indicator_id, by_key, existing, diff.touched, min(adapted), max(adapted)
            ):
                changes.whole[indicator_id] = by_key
            diff.write(partial(report.written_after, done, total))
        done += len(by_key)
        report.written(done, total)
    return changes


Row = tuple[Any, ...]


@dataclass
class _Diff:
    """One indicator's rows to insert, its updates (value, numerator, denominator, note,
    batch, id), the revisions keeping what the updated points were, and the organisations
    whose series change."""

    new: list[Row]
    updates: list[Row]
    revisions: list[Row]
    touched: set[int]

    @classmethod
    def between(
        cls,
        indicator_id: int,
        by_key: dict[tuple[int, date], imports.PointRow],
        existing: Existing,
        adapted: dict[date, Any],
        batch_id: int,
    ) -> _Diff:
        if not existing:  # new data, the common case, kept quick
            new = [
                (indicator_id, org, adapted[period], value, num, den, note, batch_id)
                for (org, period), (value, num, den, note, _row) in by_key.items()
            ]
            return cls(new, [], [], {org for org, _period in by_key})
        diff = cls([], [], [], set())
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        for (org, period), (value, num, den, note, _row) in by_key.items():
            old = existing.get((org, period))
            if old is None:
                diff.new.append(
                    (indicator_id, org, adapted[period], value, num, den, note, batch_id)
                )
            elif (old[1], old[2], old[3], old[4]) == (value, num, den, note):
                continue
            else:
                diff.updates.append((value, num, den, note, batch_id, old[0]))
                diff.revisions.append((*old, batch_id, now))
            diff.touched.add(org)
        return diff

    def write(self, written: Callable[[int], None]) -> None:
        # Raw statements, not bulk_create: building a model instance per point costs more
        # than the database's own work, and a national file has 1.44 million of them.
        rows_insert(DataPointRevision, REVISION_COLUMNS, self.revisions)
        if self.updates:
            quote = connection.ops.quote_name
            sets = ", ".join(f"{quote(column(DataPoint, name))} = %s" for name in UPDATE_COLUMNS)
            table = quote(DataPoint._meta.db_table)
            sql = f"UPDATE {table} SET {sets} WHERE {quote('id')} = %s"  # noqa: S608 - model's names
            with connection.cursor() as cursor:
                for start in range(0, len(self.updates), CHUNK):
                    cursor.executemany(sql, self.updates[start : start + CHUNK])
        rows_insert(DataPoint, POINT_COLUMNS, self.new, written)


def _existing_points(
    indicator_id: int, by_key: dict[tuple[int, date], imports.PointRow], first: date, last: date
) -> Existing:
    points = DataPoint.objects.filter(
        indicator_id=indicator_id, period__gte=first, period__lte=last
    )
    organisations = {org for org, _period in by_key}
    if len(organisations) <= 500:
        points = points.filter(organisation_id__in=organisations)
    # No ordering: the model's default one joins three tables to sort by names.
    rows = points.order_by().values_list(
        "organisation_id", "period", "pk", "value", "numerator", "denominator", "note"
    )
    return {(row[0], row[1]): row[2:] for row in rows.iterator(chunk_size=CHUNK)}


def _file_holds_whole_series(
    indicator_id: int,
    by_key: dict[tuple[int, date], imports.PointRow],
    existing: Existing,
    touched: set[int],
    first: date,
    last: date,
) -> bool:
    """Whether the file's points are every point of the series it touches: then their SPC
    results are computed from the file, without reading the series back."""
    if any(key not in by_key for key in existing):
        return False
    outside = DataPoint.objects.filter(indicator_id=indicator_id).exclude(
        period__gte=first, period__lte=last
    )
    if len(touched) <= 500:
        outside = outside.filter(organisation_id__in=touched)
    return not outside.exists()


def _series_in(
    by_key: dict[tuple[int, date], imports.PointRow], touched: set[int]
) -> dict[int, tuple[series.Series, list[date] | None]]:
    """The touched organisations' series from a file that holds the whole of each."""
    grouped: dict[int, list[tuple[date, float]]] = {}
    for (org, period), row in by_key.items():
        points = grouped.get(org)
        if points is None:
            if org not in touched:
                continue
            points = grouped[org] = []
        points.append((period, row[0]))
    found: dict[int, tuple[series.Series, list[date] | None]] = {}
    for org, points in grouped.items():
        points.sort()  # files usually list a series in order, which sorts in one pass
        dates = [period for period, _value in points]
        found[org] = (series.Series(dates[0], dates[-1], [v for _p, v in points]), dates)
    return found


def _series_refresh(changes: _Changes, report: _Progress) -> None:
    touched = changes.touched
    indicators = Indicator.objects.in_bulk(list(touched))
    total = sum(len(orgs) for orgs in touched.values())
    done = 0
    for pk, orgs in touched.items():
        by_key = changes.whole.get(pk)
        series.series_refresh(
            indicator=indicators[pk],
            organisation_ids=sorted(orgs),
            known=None if by_key is None else _series_in(by_key, orgs),
        )
        done += len(orgs)
        report.refreshed(done, total)


# --- One point ----------------------------------------------------------------------------


def _text(number: float | int | Decimal | str | None) -> str:
    """A number as the import checks read it (repr keeps a float exact; NaN is refused)."""
    if number is None:
        return ""
    if isinstance(number, str):
        return number.strip()
    return repr(number) if isinstance(number, float) else str(number)


def datapoint_save(
    *,
    indicator: Indicator,
    organisation: Organisation,
    period: date | str,
    value: float | int | Decimal | str | None,
    numerator: float | int | Decimal | str | None = None,
    denominator: float | int | Decimal | str | None = None,
    note: str = "",
    user: Any | None = None,
) -> DataPoint:
    """Add or change one data point with the checks an import makes; ValidationError by field.

    A change keeps a revision of the old values and is recorded as a one-row batch (format
    ``api``) naming the user; saving the same values again writes nothing.
    """
    start, values, note = _point_checked(
        indicator, organisation, period, value, numerator, denominator, note
    )
    number, num, den = values
    with transaction.atomic():
        point = (
            DataPoint.objects.select_for_update()
            .filter(indicator=indicator, organisation=organisation, period=start)
            .first()
        )
        if point is not None and _stored(point) == (number, num, den, note):
            return point
        batch = ImportBatch.objects.create(
            network_id=indicator.network_id,
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
            filename=f"{indicator.code} {organisation.ods_code or organisation.pk} {start}",
            file_format="api",
            status=ImportBatch.Status.DONE,
            rows_total=1,
            rows_done=1,
            created=int(point is None),
            changed=int(point is not None),
            finished_at=timezone.now(),
        )
        if point is None:
            point = DataPoint(indicator=indicator, organisation=organisation, period=start)
        else:
            DataPointRevision.objects.create(
                point=point,
                value=point.value,
                numerator=point.numerator,
                denominator=point.denominator,
                note=point.note,
                replaced_by_batch=batch,
            )
        point.value, point.numerator, point.denominator = number, num, den
        point.note, point.batch = note, batch
        point.save()
        series.series_refresh(indicator=indicator, organisation_ids=[organisation.pk])
    return point


def _stored(point: DataPoint) -> tuple[float, float | None, float | None, str]:
    return point.value, point.numerator, point.denominator, point.note


def _point_checked(
    indicator: Indicator,
    organisation: Organisation,
    period: date | str,
    value: Any,
    numerator: Any,
    denominator: Any,
    note: str,
) -> tuple[date, imports.Values, str]:
    errors: dict[str, list[str]] = {}
    if not NetworkOrganisation.objects.filter(
        network_id=indicator.network_id, organisation=organisation
    ).exists():
        errors["organisation"] = [f"{organisation} is not in this indicator's network."]
    start = None
    try:
        start = imports.period_read(period, indicator.frequency, timezone.localdate())
    except PeriodError as error:
        errors["period"] = [_sentence(str(error))]
    values, problems = imports.point_values(
        indicator.unit, _text(value), _text(numerator), _text(denominator)
    )
    for name, message in problems:
        errors.setdefault(name, []).append(_sentence(message))
    note = (note or "").strip()
    if len(note) > imports.NOTE_MAX:
        errors["note"] = [f"A note is at most {imports.NOTE_MAX} characters."]
    if errors:
        raise ValidationError(errors)
    assert start is not None
    assert values is not None
    return start, values, note


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
