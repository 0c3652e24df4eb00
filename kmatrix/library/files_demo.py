"""Real files for the demo library: PDF (WeasyPrint), DOCX (python-docx) and PPTX
(python-pptx), written from a title and sections of text. Their text is what the library
then reads back out of them, exactly as it would from an upload."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

from django.utils.html import escape

Section = tuple[str, Sequence[str]]  # a heading and its paragraphs (or a slide's bullets)
Frozen = tuple[tuple[str, tuple[str, ...]], ...]
DEMO_NOTE = "Illustrative example made for the Knowledge Matrix demo; not a real document."


def _frozen(sections: Sequence[Section]) -> Frozen:
    return tuple((heading, tuple(paragraphs)) for heading, paragraphs in sections)


# The same file is written once per process: the demo is loaded many times in the tests.
def pdf_bytes(title: str, sections: Sequence[Section]) -> bytes:
    return _pdf(title, _frozen(sections))


def docx_bytes(title: str, sections: Sequence[Section]) -> bytes:
    return _docx(title, _frozen(sections))


def pptx_bytes(title: str, slides: Sequence[Section]) -> bytes:
    return _pptx(title, _frozen(slides))


@lru_cache(maxsize=64)
def _pdf(title: str, sections: Frozen) -> bytes:
    from weasyprint import HTML

    body = "".join(
        f"<h2>{escape(heading)}</h2>" + "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        for heading, paragraphs in sections
    )
    html = (
        f"<html lang='en-GB'><head><title>{escape(title)}</title></head><body>"
        f"<h1>{escape(title)}</h1><p><em>{DEMO_NOTE}</em></p>{body}</body></html>"
    )
    return bytes(HTML(string=html).write_pdf())


@lru_cache(maxsize=64)
def _docx(title: str, sections: Frozen) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    document.add_paragraph(DEMO_NOTE)
    for heading, paragraphs in sections:
        document.add_heading(heading, level=2)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@lru_cache(maxsize=64)
def _pptx(title: str, slides: Frozen) -> bytes:
    from pptx import Presentation

    deck = Presentation()
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = title
    cover.placeholders[1].text = DEMO_NOTE
    for heading, bullets in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = heading
        frame = slide.placeholders[1].text_frame
        frame.text = bullets[0] if bullets else ""
        for bullet in bullets[1:]:
            frame.add_paragraph().text = bullet
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
