"""`kmatrix spc FILE`: SPC (XmR, Making Data Count) for a CSV of period,value rows.

The logic lives in ``kmatrix.indicators.spc_cli``; this command only declares the options.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kmatrix.indicators.spc import SpcError
from kmatrix.indicators.spc_cli import PERIOD_FORMATS, CliOptions, SpcInputError, run

# Exit status for bad input or options, as argparse uses for bad usage.
INPUT_ERROR = 2


class Command(BaseCommand):
    help = (
        "Analyse one series as an NHS 'Making Data Count' XmR chart. FILE is a CSV with the "
        f"columns period,value (periods as {PERIOD_FORMATS}; '-' reads standard input), one "
        "row per period with no gaps. Prints JSON (default) or a table."
    )
    # Reads a file and prints; it needs neither the database nor the system checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="the CSV file, or - for stdin")
        parser.add_argument(
            "--direction",
            choices=["increase", "decrease", "neutral"],
            default="increase",
            help="which way is improvement (default: increase)",
        )
        parser.add_argument(
            "--target", type=float, metavar="T", help="the target, for the assurance icon"
        )
        parser.add_argument(
            "--preset",
            choices=["mdc", "plotthedots"],
            default="mdc",
            help="mdc (NHS England, the default) or plotthedots (NHSRplotthedots)",
        )
        parser.add_argument(
            "--run-length",
            type=int,
            metavar="N",
            help="points in a shift or trend (mdc: 6 or 7, default 6; plotthedots: 7)",
        )
        parser.add_argument(
            "--screen-outliers",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="drop unusually large moving ranges (default: off for mdc, on for plotthedots)",
        )
        parser.add_argument(
            "--baseline",
            type=int,
            metavar="N",
            help="fix the mean and limits on the first N points",
        )
        parser.add_argument(
            "--recalculate-at",
            action="append",
            default=[],
            metavar="PERIOD",
            help="start a new segment at this period (repeatable)",
        )
        parser.add_argument(
            "--format",
            choices=["json", "table"],
            default="json",
            help="json (default) or a readable table",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cli_options = CliOptions(
            preset=options["preset"],
            direction=options["direction"],
            target=options["target"],
            run_length=options["run_length"],
            screen_outliers=options["screen_outliers"],
            baseline=options["baseline"],
            recalculate_at=tuple(options["recalculate_at"]),
            output_format=options["format"],
        )
        try:
            output = run(options["file"], cli_options, sys.stdin)
        except (SpcInputError, SpcError) as error:
            raise CommandError(str(error), returncode=INPUT_ERROR) from None
        self.stdout.write(output, ending="")
