"""What every benchmark shares: its own database and production-like settings."""

from __future__ import annotations

import os
import sys
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
