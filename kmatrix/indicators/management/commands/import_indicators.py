"""`kmatrix import-indicators FILE... --network SLUG`: import data point files, each all or none."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from tqdm import tqdm

from kmatrix.indicators import imports
from kmatrix.indicators.models import ImportBatch
from kmatrix.indicators.services import datapoints_import
from kmatrix.networks.models import Network

# Exit status when a file has problems, as for bad input elsewhere in the CLI.
INPUT_ERROR = 2


class Command(BaseCommand):
    help = (
        "Import indicator data points from CSV or XLSX files into a network: the long format "
        "(indicator_code, org_code, period, value[, numerator, denominator, note]) or NHS "
        "Digital's monthly sickness absence CSV as published. Every row is checked first; a "
        "file with any problem is not applied at all. Exits with status 2 if any file had problems."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", type=Path)
        parser.add_argument("--network", required=True, metavar="SLUG", help="the network's slug")
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=imports.FORMATS,
            default="auto",
            help="auto (the default) tells the format from the header",
        )
        parser.add_argument(
            "--indicator",
            default=imports.SICKNESS_INDICATOR,
            metavar="CODE",
            help="for nhs-sickness files: the indicator to fill "
            f"(default {imports.SICKNESS_INDICATOR})",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and compare, but change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            network = Network.objects.get(slug=options["network"])
        except Network.DoesNotExist:
            raise CommandError(f"No network with the slug {options['network']!r}.") from None
        failed = 0
        for path in options["files"]:
            if not path.is_file():
                self.stderr.write(f"{path}: no such file")
                failed += 1
                continue
            batch = self._import(path, network, options)
            failed += batch.status != ImportBatch.Status.DONE
            self._report(path, batch)
        if failed:
            raise CommandError(
                f"{failed} of {len(options['files'])} files had problems and were not applied.",
                returncode=INPUT_ERROR,
            )

    def _import(self, path: Path, network: Network, options: dict[str, Any]) -> ImportBatch:
        with tqdm(
            total=0,
            desc=path.name,
            unit="row",
            file=sys.stderr,
            leave=False,
            disable=options["verbosity"] == 0,
        ) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)  # tqdm redraws at most every tenth of a second

            try:
                return datapoints_import(
                    network=network,
                    source=path,
                    filename=path.name,
                    file_format=options["file_format"],
                    dry_run=options["dry_run"],
                    progress=progress,
                    indicator_code=options["indicator"],
                )
            except DatabaseError as error:
                raise CommandError(f"{path}: the database refused the import ({error}).") from None

    def _report(self, path: Path, batch: ImportBatch) -> None:
        if batch.status != ImportBatch.Status.DONE:
            self.stderr.write(self.style.ERROR(f"{path}: not applied; problems:"))
            for error in batch.errors:
                self.stderr.write(
                    f"  {imports.RowError(error['row'], error['column'], error['message'])}"
                )
            return
        skipped = batch.rows_total - batch.created - batch.changed - batch.unchanged
        counts = f"{batch.created:,} new, {batch.changed:,} changed, {batch.unchanged:,} unchanged"
        line = (
            f"{path}: dry run, nothing written; it would make {counts}"
            if batch.dry_run
            else f"{path}: {counts}"
        )
        if skipped:
            line += f"; {skipped:,} rows skipped (organisations not in this network)"
        self.stdout.write(self.style.SUCCESS(line + "."))
