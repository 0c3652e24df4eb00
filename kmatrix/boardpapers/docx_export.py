"""A paper as a Word document (python-docx): heading styles, tables, charts as PNG, page
numbers. The Markdown is read with the same parser and rules as the pages (``core.markdown``),
so the document says what the HTML says: raw HTML stays text, images are left out, and only
http, https and mailto links (or the site's own) become links.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from markdown_it.token import Token

from kmatrix.boardpapers.document import DocumentSection, PaperDocument, absolute
from kmatrix.boardpapers.exports import chart_image, icon_png
from kmatrix.core.markdown import parse_markdown

NHS_BLUE = RGBColor(0x00, 0x5E, 0xB8)
TEXT = RGBColor(0x21, 0x2B, 0x32)
SECONDARY = RGBColor(0x4C, 0x62, 0x72)
# Markdown headings in a section: the section's own title is Heading 1.
HEADING_LEVELS = {"h2": 1, "h3": 2, "h4": 3}
LINK_SCHEMES = ("http://", "https://", "mailto:")


def paper_docx(doc: PaperDocument) -> bytes:
    document = Document()
    _styles(document)
    _page_furniture(document, doc.network)
    document.add_heading(doc.title, level=0)
    for line in (
        doc.network,
        f"Period covered: {doc.period}",
        f"For: {doc.audience}",
        doc.date_text,
    ):
        document.add_paragraph(line)
    if doc.draft_notice:
        document.add_paragraph().add_run(doc.draft_notice).bold = True
    for section in doc.sections:
        document.add_heading(section.title, level=1)
        _section(document, section)
    document.add_paragraph(doc.author).paragraph_format.space_before = Pt(24)
    document.add_paragraph(doc.date_text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _styles(document: Any) -> None:
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    normal.font.color.rgb = TEXT
    for name, size in (("Title", 26), ("Heading 1", 17), ("Heading 2", 13), ("Heading 3", 11.5)):
        style = document.styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.color.rgb = NHS_BLUE if name in ("Title", "Heading 1") else TEXT


def _field(run: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) in a run: Word fills it in when it lays the pages out."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None), ("end", None)):
        if kind is None:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def _page_furniture(document: Any, network: str) -> None:
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    header = section.header.paragraphs[0]
    header.text = network
    header.runs[0].font.size = Pt(8)
    header.runs[0].font.color.rgb = SECONDARY
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run("Page ")
    _field(footer.add_run(), "PAGE")
    footer.add_run(" of ")
    _field(footer.add_run(), "NUMPAGES")


def _section(document: Any, section: DocumentSection) -> None:
    for block in section.blocks:
        if block.kind == "markdown":
            MarkdownWriter(document).write(parse_markdown(block.text))
        elif block.figure is not None:
            _figure(document, block.figure)
    for label, text in section.items:
        document.add_paragraph(f"{label}{section.label_suffix} {text}")
    if section.empty_list_text:
        document.add_paragraph(section.empty_list_text)
    if section.sources:
        document.add_heading("Sources", level=2)
        for number, label, address in section.sources:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"[{number}] ")
            _hyperlink(paragraph, address, label)
            paragraph.add_run(f": {address}")
            for run in paragraph.runs:
                run.font.size = Pt(8.5)


# --- Figures ---------------------------------------------------------------------------------


def _caption(document: Any, text: str) -> None:
    document.add_paragraph().add_run(text).bold = True


def _repeat_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)


def _table(document: Any, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, column in zip(table.rows[0].cells, columns, strict=True):
        cell.paragraphs[0].add_run(str(column)).bold = True
    _repeat_header(table.rows[0])
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=False):
            paragraph = cell.paragraphs[0]
            if isinstance(value, dict):
                if value.get("icon"):
                    paragraph.add_run().add_picture(
                        io.BytesIO(icon_png(value["icon"])), width=Cm(0.45)
                    )
                    paragraph.add_run(" ")
                paragraph.add_run(str(value.get("text", "")))
            else:
                paragraph.add_run(str(value))
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)


def _figure(document: Any, figure: dict[str, Any]) -> None:
    if figure.get("kind") == "chart":
        _caption(document, f"Figure: {figure['title']}")
        document.add_picture(io.BytesIO(chart_image(figure, "png")), width=Cm(16.5))
        picture = document.inline_shapes[-1]
        picture._inline.docPr.set("descr", figure.get("description", ""))
        table = figure["table"]
        _caption(document, f"Data for the chart: {figure['title']}")
        _table(document, table["columns"], table["rows"])
    else:
        _caption(document, figure["title"])
        _table(document, figure["columns"], figure["rows"])
    document.add_paragraph()


def _hyperlink(
    paragraph: Any, address: str, text: str, *, bold: bool = False, italic: bool = False
) -> None:
    part = paragraph.part
    relation = part.relate_to(
        address,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
        is_external=True,
    )
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relation)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    for tag, on in (("w:b", bold), ("w:i", italic)):
        if on:
            properties.append(OxmlElement(tag))
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "005EB8")
    properties.append(colour)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    properties.append(underline)
    run.append(properties)
    content = OxmlElement("w:t")
    content.set(qn("xml:space"), "preserve")
    content.text = text
    run.append(content)
    link.append(run)
    paragraph._p.append(link)


# --- Markdown --------------------------------------------------------------------------------


def _link_address(href: str) -> str | None:
    if href.startswith("/"):
        return absolute(href)
    return href if href.lower().startswith(LINK_SCHEMES) else None


class MarkdownWriter:
    """Writes markdown-it block tokens as Word paragraphs, lists, headings and tables."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.lists: list[list[int]] = []  # open lists: [next number] or [] for bullets
        self.quote = 0

    def write(self, tokens: Sequence[Token]) -> None:
        stream = iter(tokens)
        for token in stream:
            self._block(token, stream)

    def _block(self, token: Token, stream: Iterator[Token]) -> None:
        kind = token.type
        if kind == "heading_open":
            inline = next(stream)
            level = HEADING_LEVELS.get(token.tag)
            if level is None:  # h1, h5 and h6 are plain text on the pages too
                self._inline(self.document.add_paragraph(), inline)
            else:
                self._inline(self.document.add_heading(level=level), inline)
        elif kind == "paragraph_open":
            self._inline(self._paragraph(), next(stream))
        elif kind == "bullet_list_open":
            self.lists.append([])
        elif kind == "ordered_list_open":
            self.lists.append([int(token.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "blockquote_open":
            self.quote += 1
        elif kind == "blockquote_close":
            self.quote -= 1
        elif kind in ("fence", "code_block"):
            paragraph = self._paragraph()
            run = paragraph.add_run(token.content.rstrip("\n"))
            run.font.name = "Courier New"
        elif kind == "hr":
            self.document.add_paragraph()
        elif kind == "table_open":
            self._markdown_table(stream)

    def _paragraph(self) -> Any:
        if not self.lists:
            paragraph = self.document.add_paragraph()
            if self.quote:
                paragraph.paragraph_format.left_indent = Cm(1.0 * self.quote)
            return paragraph
        current = self.lists[-1]
        depth = len(self.lists)
        if current:  # numbered: the number is written, so Word does not continue the last list
            paragraph = self.document.add_paragraph()
            paragraph.add_run(f"{current[0]}. ")
            current[0] += 1
            paragraph.paragraph_format.left_indent = Cm(0.9 * depth)
            return paragraph
        return self.document.add_paragraph(style="List Bullet" if depth == 1 else "List Bullet 2")

    def _inline(self, paragraph: Any, token: Token) -> None:
        bold = italic = False
        href: str | None = None
        for child in token.children or []:
            kind = child.type
            if kind == "strong_open":
                bold = True
            elif kind == "strong_close":
                bold = False
            elif kind == "em_open":
                italic = True
            elif kind == "em_close":
                italic = False
            elif kind == "link_open":
                href = _link_address(str(child.attrGet("href") or ""))
            elif kind == "link_close":
                href = None
            elif kind in ("text", "code_inline", "html_inline"):
                if href:
                    _hyperlink(paragraph, href, child.content, bold=bold, italic=italic)
                else:
                    run = paragraph.add_run(child.content)
                    run.bold, run.italic = bold or None, italic or None
                    if kind == "code_inline":
                        run.font.name = "Courier New"
            elif kind == "softbreak":
                paragraph.add_run(" ")
            elif kind == "hardbreak":
                paragraph.add_run().add_break()

    def _markdown_table(self, stream: Iterator[Token]) -> None:
        rows: list[list[Token]] = []
        for token in stream:
            if token.type == "table_close":
                break
            if token.type == "tr_open":
                rows.append([])
            elif token.type == "inline" and rows:
                rows[-1].append(token)
        if not rows:
            return
        table = self.document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        table.style = "Table Grid"
        for row, cells in zip(table.rows, rows, strict=True):
            for cell, inline in zip(row.cells, cells, strict=False):
                self._inline(cell.paragraphs[0], inline)
