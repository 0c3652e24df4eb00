"""How a paper is drafted from the records: the drafter interface and the section assembler.

A **part drafter** is a small function that reads one app's records for the paper and says what
they show, as plain statements, each with the record it came from::

    def theme_groups(ctx: DraftContext, theme: Theme) -> Drafted: ...   # a part of each theme
    def joint_groups(ctx: DraftContext) -> Drafted: ...                  # a part of one section

``ctx`` carries the network, the period and the audience: a ``Viewer`` standing for the
paper's readers (``audience.py``). A drafter reads only through the owning app's named functions
in its ``queries.py``, passing ``ctx.audience`` so that nothing the audience may not read gets
in. It returns ``Drafted``: blocks (paragraphs, bullets, subheadings, tables and charts), each
statement with its ``Source``, and ``found``: whether it found records dated in the period.

``registry.py`` lists the paper's sections and the parts of each; ``assemble`` turns a section's
parts into Markdown with numbered source markers (``[1]``), its sources list and its figures
(tables and charts, placed in the text as ``[[figure N]]``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.formats import date_format

from kmatrix.core.access import Viewer
from kmatrix.networks.models import Network

FIGURE_TOKEN = re.compile(r"^\[\[figure (\d+)\]\]$")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def day_text(day: date) -> str:
    return date_format(day, "j F Y")


def number_text(count: int) -> str:
    """'six', '12': numbers up to ten in words, as the paper writes them."""
    return NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else f"{count:,}"


def count_text(count: int, singular: str, plural: str | None = None) -> str:
    """'six members', '12 indicators', 'one group'."""
    return f"{number_text(count)} {singular if count == 1 else (plural or singular + 's')}"


def plain(text: str) -> str:
    """Text from a record as one line of Markdown that shows it as typed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def first_paragraph(markdown: str) -> str:
    """A record's Markdown description, cut to its first paragraph, as plain text."""
    return _clean((markdown or "").strip().split("\n\n", 1)[0])


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def label(self) -> str:
        return f"{day_text(self.first)} to {day_text(self.last)}"


@dataclass(frozen=True)
class Source:
    """The record a statement came from: what it is, and its address on the site."""

    label: str
    path: str


@dataclass(frozen=True)
class Statement:
    text: str  # Markdown, one statement
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Paragraph:
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class Bullets:
    items: tuple[Statement, ...]
    ordered: bool = False


@dataclass(frozen=True)
class Subheading:
    text: str


@dataclass(frozen=True)
class Figure:
    """A table or a chart, stored as JSON with the section (see ``exports``).

    A table: ``{"kind": "table", "title", "columns", "rows"}``, a cell being text or
    ``{"text", "icon", "href"}``. A chart: ``{"kind": "chart", "title", "unit", "points",
    "description", "table": {"columns", "rows"}}`` (the data table behind it).
    """

    data: dict[str, Any]


Block = Paragraph | Bullets | Subheading | Figure


def say(text: str, *sources: Source) -> Paragraph:
    return Paragraph((Statement(text, sources),))


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def markdown_blocks(markdown: str, *sources: Source) -> list[Block]:
    """A record's Markdown text (an update, minutes) as paragraphs and bullet lists of plain
    text, every one citing ``sources``: its words as written, none of its markup, so a record
    cannot add headings or figures to the paper."""
    blocks: list[Block] = []
    for chunk in (markdown or "").replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        if all(_LIST_ITEM.match(line) for line in lines):
            items = (Statement(_clean(_LIST_ITEM.sub("", line)), sources) for line in lines)
            blocks.append(Bullets(tuple(items)))
        else:
            blocks.append(say(_clean(" ".join(lines)), *sources))
    return blocks


def _clean(text: str) -> str:
    return plain(re.sub(r"[*_`#>]+", "", text))


@dataclass
class Drafted:
    """What a part drafter returns. ``items`` are entries for list sections (appendices)."""

    blocks: list[Block] = field(default_factory=list)
    found: bool = False
    items: list[str] = field(default_factory=list)


@dataclass
class DraftContext:
    network: Network
    period: Period
    audience: Viewer
    joint_group_ids: frozenset[int] = frozenset()
    appendix_ids: tuple[int, ...] = ()  # library resources chosen as appendices, in order
    # Records found dated in the period, per kind ("indicator figures": 42, and where they are
    # listed), for the summary; each dated part adds its count with ``record``.
    tally: dict[str, tuple[int, Source]] = field(default_factory=dict)
    # Reports a step within a section ("Safety: indicator 3 of 6") to the page and the CLI.
    progress: Callable[[str], None] = lambda label: None
    # What a drafter read once for the whole paper (an app's board query covers every theme),
    # so each theme's part does not read it again; see ``once``.
    read: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, reading: Callable[[], Any]) -> Any:
        """``reading()``, called the first time ``key`` is asked for in this drafting."""
        if key not in self.read:
            self.read[key] = reading()
        return self.read[key]

    def record(self, kind: str, count: int, source: Source) -> None:
        held, _ = self.tally.get(kind, (0, source))
        self.tally[kind] = (held + count, source)


ThemePart = Callable[[DraftContext, Any], Drafted]
SectionPart = Callable[[DraftContext], Drafted]


@dataclass(frozen=True)
class Part:
    key: str
    heading: str | None  # a subheading in the section, or None for the section's own text
    draft: Callable[..., Drafted]


@dataclass
class SectionDraft:
    """A section as drafted: what ``PaperSection`` stores."""

    key: str
    title: str
    kind: str
    body: str
    items: list[str]
    figures: list[dict[str, Any]]
    sources: list[dict[str, str]]
    found: bool

    def fingerprint(self) -> str:
        """Identifies the draft's content, so drafting again can tell whether records changed."""
        content = [self.title, self.body, self.items, self.figures, self.sources]
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()

    def content(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "body": self.body,
            "items": self.items,
            "figures": self.figures,
            "sources": self.sources,
            "fingerprint": self.fingerprint(),
        }


NOTHING_DATED = "Nothing in the records for this section is dated in the period, {period}."


class _Writer:
    """Numbers the sources and figures of one section as its parts are written out."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.sources: list[dict[str, str]] = []
        self.figures: list[dict[str, Any]] = []
        self._numbers: dict[tuple[str, str], int] = {}

    def marks(self, sources: Sequence[Source]) -> str:
        numbers = []
        for source in sources:
            key = (source.label, source.path)
            if key not in self._numbers:
                self.sources.append({"label": source.label, "path": source.path})
                self._numbers[key] = len(self.sources)
            numbers.append(self._numbers[key])
        return "".join(f" [{n}]" for n in dict.fromkeys(numbers))

    def statement(self, statement: Statement) -> str:
        return statement.text + self.marks(statement.sources)

    def block(self, block: Block) -> None:
        if isinstance(block, Subheading):
            self.lines += [f"#### {block.text}", ""]
        elif isinstance(block, Paragraph):
            self.lines += [" ".join(self.statement(s) for s in block.statements), ""]
        elif isinstance(block, Bullets):
            for number, item in enumerate(block.items, start=1):
                bullet = f"{number}." if block.ordered else "-"
                self.lines.append(f"{bullet} {self.statement(item)}")
            self.lines.append("")
        else:
            self.figures.append(block.data)
            self.lines += [f"[[figure {len(self.figures)}]]", ""]

    def body(self) -> str:
        return "\n".join(self.lines).strip() + "\n" if self.lines else ""


def assemble(
    key: str,
    title: str,
    kind: str,
    parts: Sequence[tuple[Part, Drafted]],
    period: Period,
    *,
    note_when_empty: bool = True,
) -> SectionDraft:
    """A section from its parts' drafts, in order, with the note every section carries when
    nothing it found is dated in the period (unless a part of it says so itself)."""
    writer = _Writer()
    found = any(drafted.found for _part, drafted in parts)
    if not found and kind == "text" and note_when_empty:
        writer.lines += [NOTHING_DATED.format(period=period.label), ""]
    items: list[str] = []
    for part, drafted in parts:
        if part.heading and drafted.blocks:
            writer.lines += [f"### {part.heading}", ""]
        for block in drafted.blocks:
            writer.block(block)
        items += drafted.items
    return SectionDraft(
        key=key,
        title=title,
        kind=kind,
        body=writer.body(),
        items=items,
        figures=writer.figures,
        sources=writer.sources,
        found=found,
    )
