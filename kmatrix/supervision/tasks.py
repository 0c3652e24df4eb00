"""Background work: payment runs and the daily reminders, queued through django-tasks.

Each task writes its progress to its run record (supervisors done of total; checks done of
total), which the pages show and refresh with htmx while it runs.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from kmatrix.supervision import payments, reminders
from kmatrix.supervision.choices import RunStatus
from kmatrix.supervision.models import PaymentRun, ReminderRun

logger = logging.getLogger(__name__)


@task()
def payment_run_task(run_id: int) -> str:
    try:
        return str(payments.payment_run_execute(run_id=run_id).status)
    except Exception as error:
        logger.exception("Payment run %s failed", run_id)
        PaymentRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            error=f"The run stopped ({type(error).__name__}: {error}). Run it again to finish it: "
            "statements already made are kept.",
            finished_at=timezone.now(),
        )
        raise


def payment_run_enqueue(run_id: int) -> None:
    try:
        payment_run_task.enqueue(run_id)
    except Exception as error:
        logger.exception("Could not queue payment run %s", run_id)
        PaymentRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, error=f"The run could not be queued ({error})."
        )


@task()
def reminders_task(run_id: int) -> str:
    try:
        return str(reminders.reminders_send(run_id=run_id).status)
    except Exception as error:
        logger.exception("Reminder run %s failed", run_id)
        ReminderRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )
        raise


def reminders_enqueue() -> ReminderRun:
    run = ReminderRun.objects.create()
    try:
        reminders_task.enqueue(run.pk)
    except Exception as error:
        logger.exception("Could not queue reminder run %s", run.pk)
        ReminderRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=f"The run could not be queued ({error})."
        )
    return run
