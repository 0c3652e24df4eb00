"""`kmatrix demo`: load the demo networks and print who to sign in as."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from kmatrix.demo import people, seed


class Command(BaseCommand):
    help = (
        "Load the demo data set (the East Midlands MLN and Alliance, with fictional people) "
        "and print the demo logins. Safe to run again: existing records are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo records first, then load afresh."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            seed.demo_reset()
            self.stdout.write("Deleted the demo records.")
        loaded = seed.demo_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {len(loaded.networks)} networks, "
                f"{len(loaded.organisations)} organisations, {len(loaded.people)} people."
            )
        )
        self.stdout.write(f"Sign in at {settings.SITE_URL}/accounts/login/ as any of these:\n")
        for line in login_table():
            self.stdout.write(line)


def login_table() -> list[str]:
    rows = [("role", "email", "password", "what they can do")]
    rows += [(lg.role, lg.email, people.DEMO_PASSWORD, lg.can_do) for lg in people.LOGINS]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    ]
