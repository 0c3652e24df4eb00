"""Benchmark drafting a year's common Board paper at national scale.

    python bench/boardpapers.py [--scale national] [--requests 3] [--database-url URL]

Builds (or reuses) the data set of `kmatrix generate` and drafts the Board paper of the
benchmarking network (every generated organisation a member; 40 indicators x 300 organisations
x 120 months) for a year, through ``services.paper_draft`` as the background task does: every
section, with the indicator highlights read and analysed for all 12,000 series, then saved with
its version. Two years are measured:

- **the latest year**: every series ends in the period, so the stored SPC results are read;
- **an earlier year** (April 2019 to March 2020): every series goes on past the period, so each
  is cut at the period's end and analysed again, as it stood then.

Each is drafted ``--requests`` times (median and slowest), counting SQL queries and progress
reports, with a progress bar on stderr as the command line shows it; the goal is under 10 s. The
latest year's paper is then exported once to HTML and DOCX, and to PDF with ``--pdf`` (for
information: a national paper has 12,000 table rows and 240 charts; PDF takes minutes at that
size); ``--no-exports`` leaves the exports out. Prints PASS or FAIL; exits 1 if a goal is
missed.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import configure, page_arguments, prepare

GOAL_S = 10.0


@dataclass(frozen=True)
class Figure:
    label: str
    median_s: float
    slowest_s: float
    goal: float | None
    detail: str

    @property
    def passed(self) -> bool:
        return self.goal is None or self.slowest_s < self.goal


def main(argv: list[str] | None = None) -> int:
    parser = page_arguments(__doc__, requests=3)
    parser.add_argument(
        "--no-exports", dest="exports", action="store_false", help="leave out the export times"
    )
    parser.add_argument("--pdf", action="store_true", help="also time the PDF export (slow)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    configure(args.database_url, "boardpapers.sqlite3")
    import django

    django.setup()
    if args.database_url and args.database_url.startswith(("postgres://", "postgresql://")):
        from kmatrix.demo.generate import postgres_database_ensure

        if postgres_database_ensure(args.database_url):
            print(f"Created the database {args.database_url}")
    print(f"Database: {prepare(args.scale, args.seed, _complete)}")
    paper = _paper()
    shown = not args.no_progress
    latest = (paper.period_from, paper.period_to)
    figures = [
        _draft(paper, latest, "draft, the latest year (stored SPC)", args.requests, shown),
        _draft(
            paper,
            (date(2019, 4, 1), date(2020, 3, 31)),
            "draft, an earlier year (series cut and analysed)",
            args.requests,
            shown,
        ),
    ]
    if args.exports:
        _draft(paper, latest, "", 1, shown)
        figures += _exports(paper, ("html", "docx", "pdf") if args.pdf else ("html", "docx"))
    _report(figures)
    return 0 if all(f.passed for f in figures) else 1


def _complete() -> bool:
    from kmatrix.boardpapers.models import BoardPaper
    from kmatrix.demo.generate_boardpapers import TITLE

    return BoardPaper.objects.filter(title=TITLE).exists()


def _paper() -> Any:
    from kmatrix.boardpapers.models import BoardPaper, Status
    from kmatrix.demo.generate_boardpapers import TITLE
    from kmatrix.demo.generate_indicators import SOURCE
    from kmatrix.indicators.models import Indicator

    network_id = Indicator.objects.filter(source=SOURCE).values_list("network_id", flat=True)[0]
    paper = BoardPaper.objects.get(network_id=network_id, title=TITLE)
    BoardPaper.objects.filter(pk=paper.pk).update(status=Status.DRAFT)
    paper.refresh_from_db()
    return paper


def _draft(paper: Any, period: tuple[date, date], label: str, repeats: int, shown: bool) -> Figure:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from tqdm import tqdm

    from kmatrix.boardpapers import services
    from kmatrix.boardpapers.models import BoardPaper

    BoardPaper.objects.filter(pk=paper.pk).update(period_from=period[0], period_to=period[1])
    paper.refresh_from_db()
    timings, reports = [], [0]

    queries = 0
    for _ in range(repeats):
        bar: Any = tqdm(total=1, desc="board paper", unit="section", disable=not shown)

        def progress(done: int, total: int, step: str, bar: Any = bar) -> None:
            reports[0] += 1
            bar.total, bar.n = total, done
            bar.set_postfix_str(step[:50])

        started = time.perf_counter()
        with bar, CaptureQueriesContext(connection) as captured:
            outcome = services.paper_draft(paper=paper, progress=progress)
        timings.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    sections = paper.sections.filter(in_paper=True)
    figures = sum(len(s.figures) for s in sections)
    charts = sum(1 for s in sections for f in s.figures if f.get("kind") == "chart")
    rows = sum(len(f.get("rows", [])) for s in sections for f in s.figures)
    detail = (
        f"{period[0]} to {period[1]}: {sections.count()} sections, {figures} figures "
        f"({charts} charts, {rows:,} table rows), {queries} queries, {reports[0] // repeats} "
        f"progress reports a run; last run replaced {len(outcome.replaced)} sections"
    )
    figure = Figure(label, statistics.median(timings), max(timings), GOAL_S, detail)
    if label:  # an unlabelled run only drafts the paper again for the exports
        print(
            f"{label}: {figure.median_s:.2f} s median, {figure.slowest_s:.2f} s slowest", flush=True
        )
    return figure


def _exports(paper: Any, formats: tuple[str, ...]) -> list[Figure]:
    from kmatrix.boardpapers.document import paper_document
    from kmatrix.boardpapers.exports import paper_export

    found = []
    for fmt in formats:
        started = time.perf_counter()
        size = len(paper_export(paper_document(paper), fmt))
        took = time.perf_counter() - started
        found.append(Figure(f"export, {fmt.upper()}", took, took, None, f"{size / 1e6:.1f} MB"))
    return found


def _report(figures: list[Figure]) -> None:
    print(f"\nGoal: a year's paper drafted in under {GOAL_S:.0f} s (every run)\n")
    header = f"{'measure':<52} {'median':>9} {'slowest':>9}  result"
    print(header)
    print("-" * len(header))
    for f in figures:
        verdict = "info" if f.goal is None else ("PASS" if f.passed else "FAIL")
        print(f"{f.label:<52} {f.median_s:>7.2f} s {f.slowest_s:>7.2f} s  {verdict}")
        print(f"    {f.detail}")


if __name__ == "__main__":
    sys.exit(main())
