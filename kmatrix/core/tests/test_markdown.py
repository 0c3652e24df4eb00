"""Markdown that people write is rendered, then cleaned: nothing they type can run."""

from __future__ import annotations

import re

import pytest
from markupsafe import Markup

from kmatrix.core.markdown import render_markdown


def test_markdown_is_rendered():
    html = render_markdown(
        "## Purpose\n\n**Shared** work on [themes](https://example.org/themes).\n\n- one\n- two"
    )
    assert isinstance(html, Markup)
    assert "<h2>Purpose</h2>" in html
    assert "<strong>Shared</strong>" in html
    assert '<a href="https://example.org/themes" rel="noopener noreferrer">themes</a>' in html
    assert "<li>one</li>" in html


def test_tables_are_kept():
    html = render_markdown("| Theme | Lead |\n|---|---|\n| Safety | Asha |")
    assert "<table>" in html
    assert "<td>Safety</td>" in html


@pytest.mark.parametrize("text", [None, ""])
def test_nothing_renders_as_nothing(text):
    assert render_markdown(text) == Markup("")


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('x')</script>",
        "Hello <script>alert('x')</script> there",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    ],
)
def test_script_is_never_output(text):
    html = render_markdown(text)
    assert "<script" not in html.lower()


@pytest.mark.parametrize(
    "text",
    [
        '<img src=x onerror="alert(1)">',
        '<a href="https://example.org" onclick="alert(1)">x</a>',
        '<p onmouseover="alert(1)">hover</p>',
        "<svg onload=alert(1)>",
    ],
)
def test_event_handler_attributes_are_never_output(text):
    html = render_markdown(text)
    # Raw HTML is shown as text: no tag of the source reaches the page, so no attribute does.
    assert re.findall(r"<(\w+)", html) == ["p"]
    assert not re.search(r"<[^>]*\son\w+\s*=", html)


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](javascript&#58;alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
        "![x](javascript:alert(1))",
    ],
)
def test_dangerous_links_are_not_links(text):
    html = render_markdown(text).lower()
    assert 'href="javascript' not in html
    assert 'href="vbscript' not in html
    assert 'href="data' not in html
    assert "src=" not in html


def test_raw_html_is_escaped_not_passed_through():
    html = render_markdown(
        '<div class="x"><b>bold</b></div>\n\n<iframe src="https://evil.example"></iframe>'
    )
    assert "<div" not in html
    assert "<b>" not in html
    assert "<iframe" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_only_safe_link_schemes_are_kept():
    html = render_markdown("[mail](mailto:coordinator@example.org) and [site](http://example.org)")
    assert 'href="mailto:coordinator@example.org"' in html
    assert 'href="http://example.org"' in html
