"""A paper as the exports and the pages read it: its heading facts and its sections in order,
each split into Markdown and figures, with numbered list entries and absolute source links.

The three exports (HTML, PDF, DOCX) and the paper's page are all drawn from one
``PaperDocument``, so they say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.utils.text import slugify

from kmatrix.boardpapers.drafting import FIGURE_TOKEN, SectionDraft, day_text
from kmatrix.boardpapers.models import BoardPaper, PaperSection, SectionKind, Status, numbered

EMPTY_LISTS = {
    SectionKind.LETTERED: "No recommendations have been entered.",
    SectionKind.NUMBERED: "No appendices have been entered.",
}


def absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else settings.SITE_URL + path


@dataclass(frozen=True)
class Block:
    kind: str  # "markdown" or "figure"
    text: str = ""
    number: int = 0  # a figure's number in its section (1-based)
    figure: dict[str, Any] | None = None


def blocks_of(body: str, figures: Sequence[dict[str, Any]]) -> list[Block]:
    """The body's Markdown between its ``[[figure N]]`` lines, and the figures they name. A
    token naming no figure (a person typed it) stays as text."""
    blocks: list[Block] = []
    lines: list[str] = []

    def flush() -> None:
        text = "\n".join(lines).strip()
        if text:
            blocks.append(Block("markdown", text))
        lines.clear()

    for line in body.splitlines():
        match = FIGURE_TOKEN.match(line.strip())
        number = int(match[1]) if match else 0
        if match and 1 <= number <= len(figures):
            flush()
            blocks.append(Block("figure", number=number, figure=figures[number - 1]))
        else:
            lines.append(line)
    flush()
    return blocks


@dataclass
class DocumentSection:
    key: str
    title: str
    kind: str
    blocks: list[Block]
    items: list[tuple[str, str]]
    sources: list[tuple[int, str, str]]  # (number, label, absolute address)
    pk: int | None = None
    figure_count: int = 0

    @property
    def empty_list_text(self) -> str:
        return EMPTY_LISTS.get(SectionKind(self.kind), "") if not self.items else ""

    @property
    def label_suffix(self) -> str:
        return ")" if self.kind == SectionKind.LETTERED else "."


def document_section(
    *,
    key: str,
    title: str,
    kind: str,
    body: str,
    items: Sequence[Any],
    figures: Sequence[dict[str, Any]],
    sources: Sequence[dict[str, str]],
    pk: int | None = None,
) -> DocumentSection:
    return DocumentSection(
        key=key,
        title=title,
        kind=kind,
        blocks=blocks_of(body, figures),
        items=numbered(kind, list(items)) if kind != SectionKind.TEXT else [],
        sources=[(n, s["label"], absolute(s["path"])) for n, s in enumerate(sources, start=1)],
        pk=pk,
        figure_count=len(figures),
    )


@dataclass
class PaperDocument:
    title: str
    network: str
    period: str
    audience: str
    author: str
    paper_date: date
    status: str
    sections: list[DocumentSection] = field(default_factory=list)

    @property
    def date_text(self) -> str:
        return day_text(self.paper_date)

    @property
    def draft_notice(self) -> str:
        """Said on every export until the paper is published."""
        if self.status == Status.PUBLISHED:
            return ""
        return f"{Status(self.status).label}: not yet published to the Boards."

    def filename(self, extension: str) -> str:
        return f"{slugify(self.title) or 'board-paper'}-{self.paper_date.isoformat()}.{extension}"

    @property
    def charts(self) -> list[dict[str, Any]]:
        return [
            block.figure
            for section in self.sections
            for block in section.blocks
            if block.figure is not None and block.figure.get("kind") == "chart"
        ]


def _heading(paper: BoardPaper) -> dict[str, Any]:
    return {
        "title": paper.title,
        "network": paper.network.name,
        "period": f"{day_text(paper.period_from)} to {day_text(paper.period_to)}",
        "audience": paper.audience_label,
        "author": paper.author,
        "paper_date": paper.paper_date,
        "status": paper.status,
    }


def paper_document(
    paper: BoardPaper, sections: Iterable[PaperSection] | None = None
) -> PaperDocument:
    """The paper as it stands (or with the given sections, e.g. those of a saved version)."""
    if sections is None:
        sections = paper.sections.filter(in_paper=True).order_by("position", "pk")
    return PaperDocument(
        **_heading(paper),
        sections=[
            document_section(
                key=s.key,
                title=s.title,
                kind=s.kind,
                body=s.body,
                items=s.items,
                figures=s.figures,
                sources=s.sources,
                pk=s.pk,
            )
            for s in sections
        ],
    )


def drafts_document(paper: BoardPaper, drafts: Sequence[SectionDraft]) -> PaperDocument:
    """A paper drafted for the command line without being saved."""
    return PaperDocument(
        **_heading(paper),
        sections=[
            document_section(
                key=d.key,
                title=d.title,
                kind=d.kind,
                body=d.body,
                items=d.items,
                figures=d.figures,
                sources=d.sources,
            )
            for d in drafts
        ],
    )
