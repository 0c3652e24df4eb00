"""kmatrix library-remind: queue the "still current?" reminders (run it daily, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kmatrix.library import services
from kmatrix.library.tasks import review_reminders_send


class Command(BaseCommand):
    help = (
        "Email the contact (or author) of every published resource past its review date, once "
        "per review date. Queued for the worker, or sent now with --now."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="send now instead of queueing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            sent = services.resources_review_remind()
            self.stdout.write(f"Sent {sent:,} reminders.")
            return
        review_reminders_send.enqueue()
        self.stdout.write("Queued the reminders for the worker.")
