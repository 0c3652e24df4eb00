"""What every benchmark shares: its own database and production-like settings."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
VAR = PROJECT_DIR / "var" / "bench"


def configure(database_url: str | None, sqlite_name: str) -> None:
    """Point Django at the benchmark's database before it is set up.

    A dedicated SQLite file under var/bench unless a database address is given, never the one
    in DATABASE_URL, so the demo's and a developer's databases are never touched.
    """
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kmatrix.settings"
    os.environ["DEBUG"] = "false"  # timings without DEBUG's query log, as in production
    VAR.mkdir(parents=True, exist_ok=True)
    os.environ["KMATRIX_VAR_DIR"] = str(VAR)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{VAR / sqlite_name}"


def page_arguments(doc: str | None, requests: int) -> argparse.ArgumentParser:
    """The options every page benchmark takes."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--scale", choices=["national", "small"], default="national")
    parser.add_argument("--requests", type=int, default=requests, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url", help="e.g. postgres://postgres@127.0.0.1:5432/kmatrix_bench"
    )
    return parser


def prepare(scale: str, seed: int, complete: Callable[[], bool] = lambda: True) -> str:
    """Migrate, then reuse the generated data set of this scale or build it afresh.

    ``complete`` lets a benchmark refuse a data set generated before its records existed.
    Returns the database's name for the report. Call only after Django is set up.
    """
    from django.core.management import call_command
    from django.db import connection

    from kmatrix.demo import generate

    call_command("migrate", interactive=False, verbosity=0)
    if generate.generated_scale() == scale and complete():
        print(f"Reusing the {scale} data set already generated.")
    else:
        started = time.perf_counter()
        generate.generate(scale=scale, seed=seed, reset=True)
        print(f"Generated the {scale} data set in {time.perf_counter() - started:.1f} s.")
    return f"{connection.vendor} {connection.settings_dict['NAME']}"
