"""Membership confirmation letters, from the network's letter template, as DOCX and PDF."""

from __future__ import annotations

import io
import string

from django.template.loader import render_to_string
from docx import Document
from docx.shared import Pt

from kmatrix.core.markdown import render_markdown
from kmatrix.networks.models import Membership
from kmatrix.networks.services import letter_context


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"  # an unknown placeholder is left visible, not an error


def letter_text(membership: Membership) -> str:
    template = membership.network.letter_template
    # Formatter.vformat with a forgiving mapping: coordinators write the template, and a
    # typo in a placeholder should show in the letter rather than fail the download.
    try:
        return string.Formatter().vformat(template, (), _Blank(letter_context(membership)))
    except (ValueError, IndexError):
        return template


def letter_docx(membership: Membership) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"  # type: ignore[attr-defined]
    style.font.size = Pt(11)  # type: ignore[attr-defined]
    document.add_heading(f"{membership.network.name}: confirmation of membership", level=1)
    for paragraph in letter_text(membership).split("\n\n"):
        document.add_paragraph(" ".join(paragraph.split("\n")).strip())
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def letter_pdf(membership: Membership) -> bytes:
    from weasyprint import HTML  # imported late: it loads fonts and is slow to import

    html = render_to_string(
        "networks/letter_pdf.html",
        {"membership": membership, "body": render_markdown(letter_text(membership))},
    )
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]
