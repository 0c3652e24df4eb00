"""`kmatrix send-reminders [--today DATE] [--now]`: the daily reminders about progress updates.

Meant for cron or a systemd timer, once a day. By default it queues the background task
(``improvement.tasks.reminders_send``) for the worker; ``--now`` sends in this process with a
progress bar. Either way it lists what was sent when it knows (a queued task reports to the
worker's log instead). Running it twice the same day sends nothing twice.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from kmatrix.improvement import tasks


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--today: {text!r} is not a date like 2025-03-31.") from None


class Command(BaseCommand):
    help = (
        "Send the reminders due today: updates due soon (KMATRIX_REMINDER_DAYS_BEFORE days "
        "ahead) and overdue, overdue updates to theme leads, and sustainability checks due. "
        "Queues the background task unless --now is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", metavar="DATE", help="act as if today were DATE (YYYY-MM-DD)"
        )
        parser.add_argument(
            "--now", action="store_true", help="send in this process instead of queueing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["today"]) if options["today"] else None
        if options["now"]:
            quiet = options["verbosity"] == 0

            def bar(items: Any) -> Any:
                return tqdm(items, desc="Plans", unit="plan", file=sys.stderr, disable=quiet)

            lines = [sent.line() for sent in tasks.reminders_due(today, progress=bar)]
            self._report(lines)
            return
        result = tasks.reminders_send.enqueue(today.isoformat() if today else None)
        if not result.is_finished:
            self.stdout.write(f"Queued the reminders task {result.id}; the worker sends them.")
            return
        if result.status != "SUCCESSFUL":
            raise CommandError(f"The reminders task {result.id} failed: see the log.")
        self._report([tasks.Sent(**sent).line() for sent in result.return_value or []])

    def _report(self, lines: list[str]) -> None:
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(f"{len(lines)} reminder(s) sent.")
