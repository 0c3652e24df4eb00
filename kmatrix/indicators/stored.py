"""The stored form of a series' SPC analysis (``SeriesResult.analysis``).

It is compact, because an import refreshes thousands of series at once: the segments, icons and
warnings exactly as ``kmatrix spc`` prints them, then one letter per point for its type
(``TYPE_LETTERS``) and the rules of only those points that broke one, keyed by the point's
position. The values are the data points' own and each colour follows from its type, so
neither is kept. ``analysis_document`` expands it, with the series' values, into the
``kmatrix spc`` JSON that the API returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from kmatrix.indicators import periods
from kmatrix.indicators.spc import TYPE_COLOUR, SpcResult
from kmatrix.indicators.spc_cli import segment_json

TYPE_LETTERS: dict[str, str] = {
    "common_cause": "c",
    "improvement": "i",
    "concern": "x",
    "neutral": "n",
}
LETTER_TYPES = {letter: kind for kind, letter in TYPE_LETTERS.items()}


def stored_analysis(result: SpcResult, start: date, frequency: str) -> dict[str, Any]:
    """The compact form of ``result`` for a series of consecutive periods from ``start``."""
    signals = result.signals
    return {
        "segments": [
            segment_json(segment, periods.add(start, frequency, segment.start))
            for segment in result.segments
        ],
        "types": "".join([TYPE_LETTERS[s.type] for s in signals]),
        "rules": {str(i): list(s.rules) for i, s in enumerate(signals) if s.rules},
        "variation_icon": result.variation_icon,
        "assurance_icon": result.assurance_icon,
        "warnings": list(result.warnings),
    }


def no_analysis(warning: str) -> dict[str, Any]:
    return {
        "segments": [],
        "types": "",
        "rules": {},
        "variation_icon": None,
        "assurance_icon": None,
        "warnings": [warning],
    }


def point_signals(
    analysis: Mapping[str, Any] | None, count: int
) -> list[tuple[str, tuple[str, ...]]]:
    """Each point's (type, rules) from a stored analysis of ``count`` points; untyped points
    (``""``) where there is no analysis for them, as over a gap."""
    analysis = analysis or {}
    letters = analysis.get("types") or ""
    if len(letters) != count:
        return [("", ())] * count
    rules = analysis.get("rules") or {}
    return [
        (LETTER_TYPES[letter], tuple(rules.get(str(i), ()))) for i, letter in enumerate(letters)
    ]


def analysis_document(
    analysis: Mapping[str, Any], values: Sequence[tuple[date, float]]
) -> dict[str, Any]:
    """The stored analysis of a series with these (period, value) points, as ``kmatrix spc``
    prints it: keys in its order, a point per value (none where SPC is not shown)."""
    signals = point_signals(analysis, len(values)) if analysis.get("types") else []
    return {
        "segments": analysis.get("segments") or [],
        "points": [
            {
                "period": period.isoformat(),
                "value": value,
                "type": kind,
                "rules": list(rules),
                "colour": TYPE_COLOUR[kind],  # type: ignore[index]
            }
            for (period, value), (kind, rules) in zip(values, signals, strict=False)
        ],
        "variation_icon": analysis.get("variation_icon"),
        "assurance_icon": analysis.get("assurance_icon"),
        "warnings": list(analysis.get("warnings") or []),
    }
