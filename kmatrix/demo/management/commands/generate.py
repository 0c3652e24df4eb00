"""`kmatrix generate`: build the synthetic national-scale data set (see demo/generate.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kmatrix.demo import generate


class Command(BaseCommand):
    help = (
        "Generate synthetic networks, organisations, people, memberships, themes, workstreams "
        "and groups at national scale (or small, for tests). The same seed gives the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(generate.SCALES), default="national")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--reset", action="store_true", help="Delete generated data already there first."
        )
        parser.add_argument(
            "--database-url",
            help="Generate into this database instead (for example a PostgreSQL URL); "
            "it is migrated first.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["database_url"]:
            self._run_elsewhere(options)
            return
        self._migrate_if_needed()
        started = time.perf_counter()
        try:
            made = generate.generate(
                scale=options["scale"], seed=options["seed"], reset=options["reset"]
            )
        except generate.GeneratedDataExists as error:
            raise CommandError(str(error)) from None
        seconds = time.perf_counter() - started
        summary = ", ".join(f"{name} {count:,}" for name, count in made.items())
        self.stdout.write(f"Rows made: {summary}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated the {options['scale']} data set from seed {options['seed']} "
                f"in {seconds:.1f} s."
            )
        )

    def _migrate_if_needed(self) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("Applying migrations first.")
            call_command("migrate", interactive=False, verbosity=0)

    def _run_elsewhere(self, options: dict[str, Any]) -> None:
        # Settings read DATABASE_URL once, at start-up, so the simplest honest way to use
        # another database is to run this command again in a process that starts with it.
        argv = [
            sys.executable,
            "-m",
            "kmatrix.cli",
            "generate",
            f"--scale={options['scale']}",
            f"--seed={options['seed']}",
            *(["--reset"] if options["reset"] else []),
        ]
        url = options["database_url"]
        if url.startswith(("postgres://", "postgresql://")):
            generate.postgres_database_ensure(url)
        env = {**os.environ, "DATABASE_URL": url}
        result = subprocess.run(argv, env=env, check=False)  # noqa: S603 - our own command
        if result.returncode:
            raise CommandError(f"Generating into {url} failed.")
