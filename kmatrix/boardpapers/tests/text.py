"""The words of a paper in each export format, for comparing what they say."""

from __future__ import annotations

import difflib
import io
import re
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import lxml.etree  # type: ignore[import-untyped]
import lxml.html  # type: ignore[import-untyped]
from docx import Document
from docx.oxml.ns import qn

# List markers are drawn by the format (HTML and Word) or written out (PDF): not words.
_MARKER = re.compile(r"^(?:[\u2022\u25cf\u25e6\u2013-]|\d+\.)$")


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).replace("\u00a0", " ")
    return [w for w in text.split() if not _MARKER.match(w)]


BLOCKS = frozenset(
    [
        "p",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "td",
        "th",
        "caption",
        "figcaption",
        "div",
        "section",
        "tr",
        "table",
        "ul",
        "ol",
        "figure",
        "pre",
        "blockquote",
        "main",
        "br",
    ]
)


def html_words(content: bytes) -> list[str]:
    tree = lxml.html.fromstring(content)
    for element in tree.xpath("//style|//script|//head|//svg"):
        element.drop_tree()
    body = tree.find("body")
    assert body is not None
    for element in body.iter():
        if element.tag in BLOCKS:  # a block starts and ends a word; inline elements do not
            element.text = " " + (element.text or "")
            element.tail = " " + (element.tail or "")
    return words("".join(body.itertext()))


def docx_words(content: bytes) -> list[str]:
    body = Document(io.BytesIO(content)).element.body
    paragraphs = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]
    return words(" ".join(paragraphs))


def pdf_text(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "paper.pdf"
        path.write_bytes(content)
        done = subprocess.run(  # noqa: S603
            ["/usr/bin/pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            check=True,
        )
    return done.stdout.decode()


def pdf_words(content: bytes) -> list[str]:
    return words(pdf_text(content))


def svg_words(svg: str | bytes) -> set[str]:
    tree = lxml.etree.fromstring(svg.encode() if isinstance(svg, str) else svg)
    return set(words(" ".join(tree.itertext())))


def differences(reference: list[str], other: list[str], extra: set[str]) -> list[str]:
    """Where ``other`` says something other than ``reference``. It may add words from
    ``extra`` (a PDF's page numbers, running header and the text drawn inside its charts), and a
    word broken across two lines (a long address) counts as the word."""
    problems = []
    matcher = difflib.SequenceMatcher(a=reference, b=other, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        said, got = "".join(reference[a1:a2]), other[b1:b2]
        if said in ("".join(got), "".join(w for w in got if w not in extra)):
            continue
        unexpected = [w for w in got if w not in extra]
        problems.append(f"{op}: {reference[a1:a2][:12]} -> {unexpected[:12]}")
    return problems
