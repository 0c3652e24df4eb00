"""`kmatrix supervision-payments --network SLUG --month YYYY-MM`: a month's payment run, with
a progress bar. Asking again for a month already run changes nothing."""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from kmatrix.supervision import payments
from kmatrix.supervision.models import SupervisionService
from kmatrix.supervision.times import month_label, parse_month


class Command(BaseCommand):
    help = (
        "Run a month's supervision payments for a network's service: one statement per "
        "supervisor for the sessions delivered. A month already run is left as it was."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--network", required=True, help="The network's slug, e.g. em-alliance")
        parser.add_argument("--month", required=True, help="A month that has ended, as YYYY-MM")

    def handle(self, *args: Any, **options: Any) -> None:
        service = SupervisionService.objects.filter(network__slug=options["network"]).first()
        if service is None:
            raise CommandError(f"{options['network']} runs no supervision service.")
        month = parse_month(options["month"])
        if month is None:
            raise CommandError("Give the month as YYYY-MM, for example 2026-03.")
        try:
            run, made = payments.payment_run_start(
                service=service, month=month, user=None, enqueue=False
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if not made and run.status == "done":
            self.stdout.write(f"{month_label(month)} was run already; nothing has changed.")
        else:
            bar: Any = tqdm(total=0, desc="payments", unit="supervisor", file=sys.stderr)

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                run = payments.payment_run_execute(run_id=run.pk, progress=progress)
            finally:
                bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"{month_label(month)}: {run.statements.count()} statements, {run.sessions} "
                f"sessions, £{run.total:,.2f} ({run.financial_year_label})."
            )
        )
