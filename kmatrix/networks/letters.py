"""Membership confirmation letters, from the network's letter template, as DOCX and PDF."""

from __future__ import annotations

import io
import string
from typing import Any

from django.template.loader import render_to_string
from docx import Document
from docx.shared import Pt

from kmatrix.core.markdown import render_markdown
from kmatrix.networks.models import Membership
from kmatrix.networks.services import letter_context


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"  # an unknown placeholder is left visible, not an error


class _PlainNames(string.Formatter):
    """Placeholders are plain names: ``{person_name.title}`` or ``{x[0]}`` are left as typed,
    never looked up, so a template can neither reach into Python objects nor fail on them."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        return kwargs[field_name], field_name


def letter_text(membership: Membership) -> str:
    template = membership.network.letter_template
    # A forgiving mapping: coordinators write the template, and a typo in a placeholder
    # should show in the letter rather than fail the download.
    try:
        return _PlainNames().vformat(template, (), _Blank(letter_context(membership)))
    except (ValueError, IndexError):
        return template


def letter_docx(membership: Membership) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
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
    return HTML(string=html).write_pdf()
