"""kmatrix action-reminders: email owners about actions due within a week or overdue.

Run it once a day (cron, a systemd timer); running it again the same day sends nothing twice.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from kmatrix.meetings import tasks
from kmatrix.meetings.reminders import reminders_send


class Command(BaseCommand):
    help = "Email reminders about actions due within a week or overdue (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD)")
        parser.add_argument("--dry-run", action="store_true", help="Count, send nothing")
        parser.add_argument(
            "--queue", action="store_true", help="Queue the background task for `kmatrix worker`"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = self._date(options["date"])
        if options["queue"]:
            result = tasks.action_reminders.enqueue(today.isoformat() if today else None)
            self.stdout.write(f"Queued the reminders task ({result.id}).")
            return
        bar: Any = tqdm(total=0, desc="reminders", unit="email", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        run = reminders_send(today=today, dry_run=options["dry_run"], progress=progress)
        bar.close()
        verb = "Would send" if options["dry_run"] else "Sent"
        self.stdout.write(
            f"{verb} {run.emails} email(s) covering {run.reminders} reminder(s); "
            f"{run.due} action(s) due a reminder."
        )
        if run.no_address:
            self.stdout.write(
                f"{len(run.no_address)} action(s) have nobody to email (no owner's address or "
                f"group chair): {', '.join(map(str, run.no_address))}."
            )

    def _date(self, text: str | None) -> date | None:
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"--date must be a date like 2023-06-09, not {text!r}.") from None
