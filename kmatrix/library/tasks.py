"""The library's background work: reading files' text, keeping the search index up to date
and sending "still current?" reminders. ``kmatrix worker`` runs them."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from kmatrix.library import services
from kmatrix.library.models import FileVersion
from kmatrix.library.search import index

logger = logging.getLogger(__name__)


@task()
def file_text_read(version_id: int) -> str:
    """Read one file version's text; its status (and why, if it failed) shows on the page."""
    try:
        return str(services.file_text_store(version_id=version_id).extraction)
    except FileVersion.DoesNotExist:
        return "gone"
    except Exception as error:
        logger.exception("Reading the text of file version %s failed", version_id)
        FileVersion.objects.filter(pk=version_id).update(
            extraction=FileVersion.Extraction.FAILED,
            extraction_message=f"The text could not be read ({type(error).__name__}).",
            extracted_at=timezone.now(),
        )
        raise


@task()
def search_index_refresh(kind: str, ids: list[int]) -> int:
    return index.documents_write(kind, ids)


@task()
def search_index_catch_up() -> int:
    return index.catch_up()


@task()
def review_reminders_send() -> int:
    return services.resources_review_remind()
