"""The scale generator's Board papers step: one draft paper per generated network, covering the
last twelve months of the generated indicator data, ready to be drafted (the benchmark drafts
the benchmarking network's). Papers are not drafted here: drafting is what is measured."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from kmatrix.boardpapers.models import BoardPaper
from kmatrix.demo.generate_indicators import FIRST_PERIOD
from kmatrix.indicators import periods

if TYPE_CHECKING:
    from kmatrix.demo.generate import Context

TITLE = "Common Board paper (generated)"


def boardpapers_build(ctx: Context) -> int:
    last_month = periods.add(FIRST_PERIOD, "monthly", ctx.scale.months - 1)
    first = periods.add(last_month, "monthly", -11)
    end = periods.add(last_month, "monthly", 1) - timedelta(days=1)
    papers = BoardPaper.objects.bulk_create(
        [
            BoardPaper(
                network=network,
                title=TITLE,
                period_from=first,
                period_to=end,
                author=network.name,
                paper_date=end,
            )
            for network in ctx.networks
        ]
    )
    return len(papers)


def boardpapers_reset() -> object:
    return BoardPaper.objects.filter(title=TITLE, network__slug__startswith="gen-").delete()
