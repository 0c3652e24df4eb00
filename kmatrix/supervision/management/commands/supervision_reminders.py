"""`kmatrix supervision-reminders`: the daily round (reminders before checks expire, lapsed
waiting-list offers, unconfirmed registrations), with a progress bar. Safe to run again."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from kmatrix.supervision import reminders, tasks
from kmatrix.supervision.models import ReminderRun


class Command(BaseCommand):
    help = (
        "Remind supervisors and project teams of vetting checks that expire soon (each expiry "
        "once), release waiting-list offers not taken up, and remove registrations never "
        "confirmed. Run it daily (cron); running it again sends nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the work for `kmatrix worker` instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            run = tasks.reminders_enqueue()
            self.stdout.write(f"Queued reminder run {run.pk} for the worker.")
            return
        run = ReminderRun.objects.create()
        bar: Any = tqdm(total=0, desc="reminders", unit="check", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            run = reminders.reminders_send(run_id=run.pk, progress=progress)
        finally:
            bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"{run.reminders_sent} reminders sent ({run.checks_total} checks due), "
                f"{run.offers_lapsed} waiting-list offers lapsed."
            )
        )
