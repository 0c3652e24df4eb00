"""The indicator highlights of a theme, from ``indicators.queries.board_highlights``.

For each indicator with figures in the period: what it is, a table of each member
organisation's latest figure with its variation and assurance icons, and the SPC chart of each
series that shows special cause in the period (with its data table). A series whose chart has
no limits (too few points, a gap) is named with the reason; the paper shows no chart for it.
"""

from __future__ import annotations

from typing import Any

from kmatrix.boardpapers.drafting import (
    Block,
    DraftContext,
    Drafted,
    Figure,
    Paragraph,
    Source,
    Statement,
    Subheading,
    number_text,
    plain,
    say,
)
from kmatrix.indicators import queries as indicator_queries
from kmatrix.indicators.highlights import IndicatorHighlight, SeriesHighlight
from kmatrix.networks.models import Theme

NOT_SHOWN = "Not shown"
KIND_WORDS = {"improvement": "improvement", "concern": "concern", "neutral": "a change"}
ILLUSTRATIVE = "Illustrative figures, not real data."


def theme_indicators(ctx: DraftContext, theme: Theme) -> Drafted:
    return _indicators(ctx, theme.pk, theme.name)


def unthemed_indicators(ctx: DraftContext) -> Drafted:
    return _indicators(ctx, None, "Other indicators")


def _indicators(ctx: DraftContext, theme_id: int | None, label: str) -> Drafted:
    def progress(done: int, total: int) -> None:
        ctx.progress(f"{label}: indicator {done} of {total}")

    found = indicator_queries.board_highlights(
        ctx.audience,
        ctx.network,
        ctx.period.first,
        ctx.period.last,
        theme_id=theme_id,
        progress=progress,
    )
    if not found:
        where = "of this theme" if theme_id is not None else "without a theme"
        return Drafted([say(f"No indicator {where} has figures in the period.")])
    dashboard = Source("Indicators dashboard", f"/networks/{ctx.network.slug}/indicators/")
    ctx.record("indicators with figures", len(found), dashboard)
    ctx.record("indicator figures", sum(len(h.series) for h in found), dashboard)
    blocks: list[Block] = []
    for highlight in found:
        blocks += indicator_blocks(highlight)
    return Drafted(blocks, found=True)


def indicator_blocks(highlight: IndicatorHighlight) -> list[Block]:
    source = Source(f"Indicator: {highlight.name}", highlight.path)
    reporting = len(highlight.series)
    of = reporting + len(highlight.without_data)
    latest = max(highlight.series, key=lambda s: s.period)
    lead = (
        f"{number_text(reporting).capitalize()} of the {number_text(of)} member organisations "
        f"{'has' if reporting == 1 else 'have'} figures in the period, the latest for "
        f"{latest.period_text}. Unit: {plain(highlight.unit_label).lower()}; "
        f"{plain(highlight.direction_label).lower()}."
    )
    if highlight.is_illustrative:
        lead = f"{ILLUSTRATIVE} {lead}"
    blocks: list[Block] = [
        Subheading(plain(highlight.name)),
        say(lead, source),
        Figure(_table(highlight)),
    ]
    for series in highlight.charted:
        blocks += _chart_blocks(highlight, series)
    blocks += _notes(highlight, source)
    return blocks


def _icon_cell(kind: str, key: str, label: str) -> dict[str, Any]:
    if not key:
        return {"text": NOT_SHOWN}
    return {"text": label, "icon": f"{kind}-{key}"}


def _table(highlight: IndicatorHighlight) -> dict[str, Any]:
    return {
        "kind": "table",
        "title": f"{highlight.name}: latest figure in the period",
        "columns": ["Organisation", "Period", "Value", "Variation", "Assurance"],
        "rows": [
            [
                s.organisation,
                s.period_text,
                s.value_text,
                _icon_cell("variation", s.variation, s.variation_label),
                _icon_cell("assurance", s.assurance, s.assurance_label),
            ]
            for s in highlight.series
        ],
    }


def _chart_blocks(highlight: IndicatorHighlight, series: SeriesHighlight) -> list[Block]:
    source = Source(f"SPC chart: {highlight.name}, {series.organisation}", series.chart_path)
    said = (
        f"{plain(series.organisation)}: the SPC chart shows special cause "
        f"({KIND_WORDS.get(series.special_cause, series.special_cause)}) in the period"
    )
    if series.variation_label:
        said += f"; at {series.period_text} it reads {series.variation_label.lower()}"
    columns, rows = highlight.chart_table(series)
    chart = {
        "kind": "chart",
        "title": f"{highlight.name}: {series.organisation}",
        "unit": highlight.unit,
        "points": [
            {
                "period": p.period.isoformat(),
                "value": p.value,
                "mean": p.mean,
                "lower_limit": p.lower_limit,
                "upper_limit": p.upper_limit,
                "target": p.target,
                "type": p.type,
            }
            for p in series.chart
        ],
        "description": (
            f"SPC chart of {highlight.name} for {series.organisation}, {len(rows)} points from "
            f"{rows[0][0]} to {rows[-1][0]}. The table after it holds every value."
        ),
        "table": {"columns": columns, "rows": rows},
    }
    return [say(said + ".", source), Figure(chart)]


def _notes(highlight: IndicatorHighlight, source: Source) -> list[Block]:
    notes: list[Statement] = []
    if highlight.uncharted:
        names = ", ".join(plain(n) for n in highlight.uncharted)
        notes.append(
            Statement(
                f"Special cause in the period also for {names}: their icons are in the table.",
                (source,),
            )
        )
    reasons: dict[str, list[str]] = {}
    for series in highlight.series:
        if not series.variation:
            reason = series.warnings[0] if series.warnings else "No SPC icon."
            reasons.setdefault(reason, []).append(series.organisation)
    for reason, who in reasons.items():
        notes.append(
            Statement(
                f"No SPC chart or icons for {', '.join(plain(n) for n in who)}: {plain(reason)}",
                (source,),
            )
        )
    if highlight.without_data:
        names = ", ".join(plain(n) for n in highlight.without_data)
        notes.append(Statement(f"No figure in the period from {names}.", (source,)))
    return [Paragraph((note,)) for note in notes]
