"""The paper's structure, seed 003's: which sections it has, in order, and their parts.

1. Summary: the member organisations, the themes, and what the records hold for the period.
2. One section per theme the network has adopted (active), in the network's order, each made of
   ``THEME_PARTS``.
3. Other indicators (only when indicators without a theme have figures in the period).
4. Professional networks; 5. joint meetings; 6. recommendations (lettered, entered by people);
   7. appendices (numbered).

To add what another app records, write a part drafter (see ``drafting.py``) and list it here:
in ``THEME_PARTS`` for something reported under each theme, or in a section's ``parts``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from kmatrix.boardpapers import drafters
from kmatrix.boardpapers.drafters_improvement import theme_improvement
from kmatrix.boardpapers.drafters_indicators import theme_indicators, unthemed_indicators
from kmatrix.boardpapers.drafters_meetings import theme_meetings
from kmatrix.boardpapers.drafters_programmes import (
    funding_overall,
    theme_funding,
    theme_programmes,
)
from kmatrix.boardpapers.drafting import DraftContext, Drafted, Part, SectionDraft, assemble
from kmatrix.boardpapers.models import SectionKind
from kmatrix.networks.models import Theme

THEME_PARTS: list[Part] = [
    Part("programmes", "Programmes and milestones", theme_programmes),
    Part("funding", "Funding secured", theme_funding),
    Part("improvement", "Improvement plans and outcomes", theme_improvement),
    Part("indicators", "Indicator highlights", theme_indicators),
    Part("groups", "Communities of practice and collaboratives", drafters.theme_groups),
    Part("meetings", "Meetings in the period", theme_meetings),
]


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    parts: list[Part] = field(default_factory=list)
    kind: str = SectionKind.TEXT
    # Left out of the paper when none of its parts finds anything in the period.
    only_when_found: bool = False
    # Whether the section opens with a note when nothing it found is dated in the period.
    note_when_empty: bool = True


SUMMARY = SectionSpec(
    "summary",
    "Summary",
    [
        Part("members", None, drafters.summary_members),
        Part("themes", "Themes", drafters.summary_themes),
        Part("funding", "Funding secured", funding_overall),
        Part("records", "The records of the period", drafters.summary_records),
    ],
    note_when_empty=False,  # its last part says what the records of the period hold
)
CLOSING: list[SectionSpec] = [
    SectionSpec(
        "other-indicators",
        "Other indicators",
        [Part("indicators", None, unthemed_indicators)],
        only_when_found=True,
    ),
    SectionSpec(
        "professional-networks",
        "Professional networks",
        [Part("groups", None, drafters.professional_networks)],
    ),
    SectionSpec("joint-meetings", "Joint meetings", [Part("groups", None, drafters.joint_groups)]),
    SectionSpec(
        "recommendations",
        "Recommendations",
        [Part("intro", None, drafters.recommendations_intro)],
        kind=SectionKind.LETTERED,
    ),
    SectionSpec(
        "appendices",
        "Appendices",
        [Part("library", None, drafters.appendices_from_library)],
        kind=SectionKind.NUMBERED,
    ),
]


def theme_key(theme: Theme) -> str:
    return f"theme-{theme.slug}"[:100]


def sections_planned(ctx: DraftContext) -> list[tuple[str, str]]:
    """The (key, title) of each section, in the paper's order, before any is drafted."""
    themes = drafters.adopted_themes(ctx)
    return [
        (SUMMARY.key, SUMMARY.title),
        *((theme_key(t), t.name) for t in themes),
        *((s.key, s.title) for s in CLOSING),
    ]


def _parts(ctx: DraftContext, parts: list[Part], theme: Theme | None) -> list[tuple[Part, Drafted]]:
    if theme is None:
        return [(part, part.draft(ctx)) for part in parts]
    return [(part, part.draft(ctx, theme)) for part in parts]


def draft_sections(
    ctx: DraftContext, started: Callable[[str, str], None] = lambda key, title: None
) -> Iterator[SectionDraft]:
    """Draft every section, reporting each as it starts; the summary is drafted last (it says
    what the others found) but comes first in the paper. Yields the sections in paper order."""
    themes = drafters.adopted_themes(ctx)
    drafted: list[SectionDraft] = []
    for theme in themes:
        started(theme_key(theme), theme.name)
        parts = _parts(ctx, THEME_PARTS, theme)
        drafted.append(assemble(theme_key(theme), theme.name, SectionKind.TEXT, parts, ctx.period))
    for spec in CLOSING:
        started(spec.key, spec.title)
        parts = _parts(ctx, spec.parts, None)
        section = assemble(
            spec.key, spec.title, spec.kind, parts, ctx.period, note_when_empty=spec.note_when_empty
        )
        if section.found or not spec.only_when_found:
            drafted.append(section)
    started(SUMMARY.key, SUMMARY.title)
    parts = _parts(ctx, SUMMARY.parts, None)
    summary = assemble(
        SUMMARY.key, SUMMARY.title, SUMMARY.kind, parts, ctx.period, note_when_empty=False
    )
    yield summary
    yield from drafted
