"""The exports: HTML, PDF and DOCX say the same, DOCX has Word's structure, both documents open
cleanly (LibreOffice and poppler turn their pages into images), and nothing a person typed can
run or link anywhere unsafe."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import lxml.html  # type: ignore[import-untyped]
import pytest
from docx import Document
from docx.oxml.ns import qn
from PIL import Image

from kmatrix.boardpapers import services
from kmatrix.boardpapers.document import paper_document
from kmatrix.boardpapers.exports import chart_image, icon_svg, paper_export
from kmatrix.boardpapers.tests.text import (
    differences,
    docx_words,
    html_words,
    pdf_words,
    svg_words,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(drafted):
    paper, user = drafted.paper, drafted.world.users["coordinator"]
    recommendations = paper.sections.get(key="recommendations")
    services.section_save(
        section=recommendations,
        title="Recommendations",
        body="Provider Boards are asked to:",
        items=["note the progress made", "review the summaries"],
        expected_revision=recommendations.revision,
        user=user,
    )
    doc = paper_document(paper)
    return doc, {fmt: paper_export(doc, fmt) for fmt in ("html", "pdf", "docx")}


def _drawn_words(doc) -> set[str]:
    """Words a PDF draws besides the paper's text: page numbers, the running header, a table's
    header row again on each page it runs onto, and the labels inside its charts."""
    extra = {"Page", "of", *(str(n) for n in range(1, 200)), *doc.network.split()}
    for section in doc.sections:
        for block in section.blocks:
            figure = block.figure or {}
            columns = figure.get("columns") or figure.get("table", {}).get("columns", [])
            extra |= {word for column in columns for word in column.split()}
    for chart in doc.charts:
        extra |= svg_words(chart_image(chart, "svg"))
    for key in ("variation-improvement_low", "variation-common_cause", "assurance-pass"):
        extra |= svg_words(icon_svg(key))
    return extra


def test_the_three_formats_say_the_same(exported):
    doc, files = exported
    html = html_words(files["html"])
    assert "a) note the progress made" in " ".join(html)
    assert "Data for the chart: Restraint:" in " ".join(html)
    assert docx_words(files["docx"]) == html
    assert differences(html, pdf_words(files["pdf"]), _drawn_words(doc)) == []


def test_the_docx_has_heading_styles_tables_charts_and_page_numbers(exported):
    _doc, files = exported
    document = Document(io.BytesIO(files["docx"]))
    styles = [p.style.name for p in document.paragraphs]
    assert styles[0] == "Title"
    assert {"Heading 1", "Heading 2", "Heading 3"} <= set(styles)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:3] == ["Summary", "Safety", "Workforce"]
    assert len(document.tables) >= 2
    assert document.tables[0].rows[0].cells[0].text == "Organisation"
    assert len(document.inline_shapes) >= 2  # a chart and the icons in the table
    footer = document.sections[0].footer._element
    fields = [t.text.strip() for t in footer.iter(qn("w:instrText"))]
    assert fields == ["PAGE", "NUMPAGES"]


def test_the_html_export_is_one_accessible_document(exported):
    _doc, files = exported
    tree = lxml.html.fromstring(files["html"])
    assert tree.get("lang") == "en-GB"
    assert tree.findtext(".//title").startswith("Common Board paper")
    charts = tree.xpath("//img[@class='km-paper-chart']")
    assert charts
    for chart in charts:
        assert chart.get("alt", "").startswith("SPC chart of Restraint")
        assert chart.get("src").startswith("data:image/svg+xml;base64,")
        figure = chart.getparent()
        assert figure.xpath(".//table/caption")[0].text_content().startswith("Data for the chart")
    assert all(th.get("scope") for th in tree.xpath("//th"))


def _pages_as_images(pdf: Path, folder: Path, stem: str) -> list[Path]:
    subprocess.run(  # noqa: S603
        ["/usr/bin/pdftoppm", "-r", "30", "-png", str(pdf), str(folder / stem)],
        check=True,
        timeout=120,
    )
    return sorted(folder.glob(f"{stem}*.png"))


def _has_content(image: Path) -> bool:
    with Image.open(image) as picture:
        grey = picture.convert("L")
        darkest = grey.getextrema()[0]
        assert isinstance(darkest, int)
        return darkest < 200  # something darker than the paper is drawn


def test_the_docx_and_pdf_open_cleanly_and_turn_into_page_images(exported):
    _doc, files = exported
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "paper.docx").write_bytes(files["docx"])
        (folder / "paper.pdf").write_bytes(files["pdf"])
        profile = folder / f"profile-{uuid.uuid4().hex}"  # parallel runs must not share one
        converted = subprocess.run(  # noqa: S603
            [
                shutil.which("soffice") or "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder / "out"),
                str(folder / "paper.docx"),
            ],
            capture_output=True,
            timeout=180,
            check=False,
        )
        word_pdf = folder / "out" / "paper.pdf"
        assert converted.returncode == 0, converted.stderr
        assert word_pdf.stat().st_size > 0
        for pdf, stem in ((word_pdf, "docx"), (folder / "paper.pdf", "pdf")):
            pages = _pages_as_images(pdf, folder, stem)
            assert len(pages) >= 2, stem
            assert all(_has_content(page) for page in pages[:2]), stem


def test_what_a_person_types_cannot_run_or_link_anywhere_unsafe(drafted):
    paper, user = drafted.paper, drafted.world.users["coordinator"]
    section = paper.sections.get(key="theme-workforce")
    services.section_save(
        section=section,
        title="Workforce",
        body="<script>alert(1)</script>\n\n[click](javascript:alert(1)) and [site](/about/)",
        expected_revision=section.revision,
        user=user,
    )
    doc = paper_document(paper)
    html = paper_export(doc, "html").decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    assert '<a href="/about/"' in html
    document = Document(io.BytesIO(paper_export(doc, "docx")))
    targets = [r.target_ref for r in document.part.rels.values() if "hyperlink" in r.reltype]
    assert not any(t.startswith("javascript") for t in targets)
    assert "http://127.0.0.1:8000/about/" in targets or any(t.endswith("/about/") for t in targets)
    text = " ".join(docx_words(paper_export(doc, "docx")))
    assert "<script>alert(1)</script>" in text
