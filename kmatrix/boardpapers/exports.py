"""A paper as accessible HTML, PDF (WeasyPrint) and DOCX (``docx_export.py``), from one
``PaperDocument``. Charts are drawn by the indicators app's renderer (vl-convert) from the points
the paper stored: SVG for HTML and PDF, PNG for DOCX; each chart is followed by its data table.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import vl_convert
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from kmatrix.boardpapers.document import DocumentSection, PaperDocument
from kmatrix.indicators import queries as indicator_queries

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FORMATS = tuple(CONTENT_TYPES)


@lru_cache(maxsize=512)
def _chart(key: str, fmt: str) -> bytes:
    figure = json.loads(key)
    return indicator_queries.board_chart(figure["title"], figure["unit"], figure["points"], fmt)  # type: ignore[arg-type]


def chart_image(figure: dict[str, Any], fmt: str) -> bytes:
    """A chart figure drawn as "svg" or "png" (kept in memory: papers are read again and again)."""
    key = json.dumps(
        {k: figure[k] for k in ("title", "unit", "points")}, sort_keys=True, separators=(",", ":")
    )
    return _chart(key, fmt)


@lru_cache(maxsize=64)
def icon_svg(key: str) -> str:
    path = finders.find(f"indicators/icons/{key}.svg")
    if not path:
        raise FileNotFoundError(f"No icon {key}")
    return Path(str(path)).read_text(encoding="utf-8")


@lru_cache(maxsize=64)
def icon_png(key: str) -> bytes:
    return bytes(vl_convert.svg_to_png(icon_svg(key), scale=2.0))


def _data_uri(content: bytes, media: str) -> str:
    return f"data:{media};base64,{base64.b64encode(content).decode()}"


def _embedded_chart(section: DocumentSection, number: int, figure: dict[str, Any]) -> str:
    return _data_uri(chart_image(figure, "svg"), "image/svg+xml")


def _embedded_icon(key: str) -> str:
    return _data_uri(icon_svg(key).encode(), "image/svg+xml")


def paper_html(
    doc: PaperDocument,
    *,
    pdf: bool = False,
    chart_src: Callable[..., str] = _embedded_chart,
    icon_src: Callable[[str], str] = _embedded_icon,
) -> str:
    """The paper as one HTML document with its images inside it."""
    return render_to_string(
        "boardpapers/export.html",
        {"doc": doc, "pdf": pdf, "chart_src": chart_src, "icon_src": icon_src},
    )


def paper_pdf(doc: PaperDocument) -> bytes:
    from weasyprint import HTML  # imported late: it loads fonts and is slow to import

    return bytes(HTML(string=paper_html(doc, pdf=True)).write_pdf())


def paper_export(doc: PaperDocument, fmt: str) -> bytes:
    if fmt == "html":
        return paper_html(doc).encode()
    if fmt == "pdf":
        return paper_pdf(doc)
    if fmt == "docx":
        from kmatrix.boardpapers.docx_export import paper_docx

        return paper_docx(doc)
    raise ValueError(f"Unknown format {fmt!r}: use {', '.join(FORMATS)}")
