"""Imports in the background: the upload is stored, its batch queued, and a worker imports it.

The worker writes progress to the batch (``rows_done`` of ``rows_total``) about every 1% so the
page can show it. Checking the rows is visible as it happens; writing them is one transaction,
so its progress shows at the end, with the batch's status.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django_tasks import task

from kmatrix.indicators import imports
from kmatrix.indicators.models import ImportBatch
from kmatrix.indicators.services import datapoints_import
from kmatrix.networks.models import Network

logger = logging.getLogger(__name__)
UPLOAD_DIR = "imports"
UNFINISHED = (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING)


class BatchProgress:
    """A progress callback that stores the count on the batch whenever it moves on by 1%."""

    def __init__(self, batch_id: int) -> None:
        self.batch_id = batch_id
        self.step = -1

    def __call__(self, done: int, total: int) -> None:
        step = done * 100 // max(total, 1)
        if step != self.step:
            self.step = step
            ImportBatch.objects.filter(pk=self.batch_id).update(rows_done=done, rows_total=total)


def _failed(batch_id: int, message: str) -> None:
    # Only a batch still unfinished: the import may already have recorded why it failed.
    ImportBatch.objects.filter(pk=batch_id, status__in=UNFINISHED).update(
        status=ImportBatch.Status.FAILED,
        errors=[{"row": None, "column": "", "message": message}],
        finished_at=timezone.now(),
    )


@task()
def import_run(
    batch_id: int, stored_path: str, indicator_code: str = imports.SICKNESS_INDICATOR
) -> str:
    """Import the stored file of a queued batch; returns the batch's final status."""
    try:
        batch = ImportBatch.objects.select_related("network", "uploaded_by").get(pk=batch_id)
        with default_storage.open(stored_path, "rb") as stored:
            batch = datapoints_import(
                network=batch.network,
                source=stored,
                filename=batch.filename,
                file_format=batch.file_format,
                dry_run=batch.dry_run,
                user=batch.uploaded_by,
                batch=batch,
                progress=BatchProgress(batch_id),
                indicator_code=indicator_code,
            )
    except Exception as error:
        logger.exception("Import batch %s failed", batch_id)
        _failed(
            batch_id,
            f"The import could not run and nothing was applied ({type(error).__name__}: {error}).",
        )
        raise
    finally:
        # The data now lives in the database; the file may be confidential, so it goes.
        if default_storage.exists(stored_path):
            default_storage.delete(stored_path)
    return str(batch.status)


def import_enqueue(
    *,
    network: Network,
    upload: File[Any],
    user: Any | None,
    file_format: str = "auto",
    dry_run: bool = False,
    indicator_code: str = imports.SICKNESS_INDICATOR,
) -> ImportBatch:
    """Store an uploaded file under ``imports/``, queue its batch and the task that imports it.

    A file over the size limit or an unknown format fails at once, without a task.
    """
    name = Path(upload.name or "upload").name
    batch = ImportBatch(
        network=network,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        filename=name[:255],
        file_format=file_format,
        dry_run=dry_run,
        status=ImportBatch.Status.QUEUED,
    )
    problem = _upload_problem(upload, file_format)
    if problem:
        batch.status = ImportBatch.Status.FAILED
        batch.errors = [{"row": None, "column": "", "message": problem}]
        batch.finished_at = timezone.now()
        batch.save()
        return batch
    batch.save()
    stored = default_storage.save(f"{UPLOAD_DIR}/{batch.pk}-{get_valid_filename(name)}", upload)
    transaction.on_commit(lambda: _enqueue(batch.pk, stored, indicator_code))
    return batch


def _upload_problem(upload: File[Any], file_format: str) -> str:
    if file_format not in imports.FORMATS:
        return f"Unknown format {file_format!r}: use {', '.join(imports.FORMATS)}."
    limit = settings.KMATRIX_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        return f"The file is larger than the limit of {limit / 1024 / 1024:,.0f} MB: split it."
    return ""


def _enqueue(batch_id: int, stored: str, indicator_code: str) -> None:
    try:
        import_run.enqueue(batch_id, stored, indicator_code)
    except Exception as error:
        logger.exception("Could not queue import batch %s", batch_id)
        _failed(batch_id, f"The import could not be queued ({type(error).__name__}: {error}).")
