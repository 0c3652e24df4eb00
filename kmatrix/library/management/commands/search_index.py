"""kmatrix search-index: build the whole search index again, or catch up with changes."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from kmatrix.library.search import index


class Command(BaseCommand):
    help = (
        "Rebuild the search index from every source in bulk, or with --catch-up re-index only "
        "the records changed since (for example the directory's people and groups)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--catch-up", action="store_true", help="only the records changed since last time"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["catch_up"]:
            written = index.catch_up()
            self.stdout.write(f"Re-indexed {written:,} changed records.")
            return
        bar: Any = tqdm(desc="search index", unit="doc", file=sys.stderr)
        counts = index.rebuild(progress=lambda kind, done: bar.update(done))
        bar.close()
        made = ", ".join(f"{kind} {n:,}" for kind, n in counts.items())
        self.stdout.write(f"Indexed {made} in {time.perf_counter() - started:.1f} s.")
