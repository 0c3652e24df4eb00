"""Drafting in the background: a run is queued, a worker drafts the paper and writes its
progress to the run (sections done of sections, and what it is reading) for the page to show."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from kmatrix.boardpapers import services
from kmatrix.boardpapers.models import BoardPaper, DraftRun

logger = logging.getLogger(__name__)
RunStatus = DraftRun.RunStatus


class RunProgress:
    """Writes a run's progress whenever the section or the step within it changes."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id

    def __call__(self, done: int, total: int, label: str) -> None:
        DraftRun.objects.filter(pk=self.run_id).update(
            status=RunStatus.RUNNING, steps_done=done, steps_total=total, step_label=label[:200]
        )


@task()
def draft_run(run_id: int) -> str:
    run = DraftRun.objects.select_related("paper__network", "requested_by").get(pk=run_id)
    run.status = RunStatus.RUNNING
    run.save(update_fields=["status"])
    try:
        outcome = services.paper_draft(
            paper=run.paper, user=run.requested_by, progress=RunProgress(run_id)
        )
    except Exception as error:
        logger.exception("Drafting run %s failed", run_id)
        DraftRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            error=f"The paper could not be drafted and nothing was changed ({error}).",
            finished_at=timezone.now(),
        )
        raise
    DraftRun.objects.filter(pk=run_id).update(
        status=RunStatus.DONE,
        drafted=outcome.replaced,
        waiting=outcome.waiting,
        finished_at=timezone.now(),
    )
    return str(RunStatus.DONE)


def draft_enqueue(*, paper: BoardPaper, user: Any) -> DraftRun:
    """Queue the drafting of a paper, or return the run already queued or running for it."""
    running = paper.draft_runs.filter(status__in=(RunStatus.QUEUED, RunStatus.RUNNING)).first()
    if running is not None:
        return running
    run = DraftRun.objects.create(
        paper=paper, requested_by=user if getattr(user, "is_authenticated", False) else None
    )
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    try:
        draft_run.enqueue(run_id)
    except Exception as error:
        logger.exception("Could not queue drafting run %s", run_id)
        DraftRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            error=f"The drafting could not be queued ({error}).",
            finished_at=timezone.now(),
        )
