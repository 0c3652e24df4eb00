"""`kmatrix import-checklist FILE --network SLUG [--format yaml|csv] [--name ...]`.

Loads a checklist file (YAML, or CSV with ``--name``, ``--slug`` and ``--checklist-version``)
into a network,
all or nothing, listing every problem by line and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kmatrix.improvement import checklists
from kmatrix.networks.models import Network


class Command(BaseCommand):
    help = "Load a commissioning checklist (YAML or CSV) into a network; problems by line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .yaml/.yml or .csv file")
        parser.add_argument("--network", required=True, help="the network's slug")
        parser.add_argument("--format", choices=["auto", *checklists.FORMATS], default="auto")
        parser.add_argument("--name", default="", help="CSV only: the checklist's name")
        parser.add_argument("--slug", default="", help="CSV only: its short name")
        parser.add_argument(
            "--checklist-version", dest="checklist_version", default="", help="CSV only"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        network = Network.objects.filter(slug=options["network"]).first()
        if network is None:
            raise CommandError(f"No network with the slug {options['network']!r}.")
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        fmt = options["format"]
        fmt = checklists.format_for(path.name) if fmt == "auto" else fmt
        try:
            checklist = checklists.checklist_import(
                network=network,
                data=path.read_bytes()[: checklists.MAX_BYTES + 1],
                file_format=fmt,
                name=options["name"],
                slug=options["slug"],
                version=options["checklist_version"],
            )
        except checklists.ChecklistFileError as error:
            lines = "\n".join(p.text() for p in error.problems)
            raise CommandError(f"{path}: nothing was loaded.\n{lines}") from None
        count = checklist.items.count()
        self.stdout.write(f"Loaded {checklist} into {network.name}: {count} items.")
