"""Markdown for text people write (purposes, minutes, letters), always sanitised."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

# Raw HTML in the source is escaped by the parser, and the output is cleaned again by nh3
# so that nothing a user types can run script or inject attributes.
_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    html = _parser.render(text)
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Markup(cleaned)  # noqa: S704 - cleaned by nh3 just above


def parse_markdown(text: str | None) -> list[Token]:
    """The parser's tokens for ``text``, with the same rules as ``render_markdown`` (raw HTML is
    text), for writers of other formats (a Board paper's DOCX)."""
    return _parser.parse(text or "")
