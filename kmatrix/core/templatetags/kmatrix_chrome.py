"""Lets allauth's own (Django-template) pages sit inside our Jinja2 NHS.UK page."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Parser, Token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

register = template.Library()


class NhsPageNode(template.Node):
    child_nodelists = ("title", "body")

    def __init__(self, title: template.NodeList, body: template.NodeList) -> None:
        self.title = title
        self.body = body

    def render(self, context: Any) -> str:
        return render_to_string(
            "core/allauth_page.html",
            {
                "page_title": " ".join(self.title.render(context).split()),
                "content": mark_safe(self.body.render(context)),  # noqa: S308 - our rendered template
            },
            request=context.get("request"),
        )


@register.tag("nhs_page")
def nhs_page(parser: Parser, token: Token) -> NhsPageNode:
    title = parser.parse(("nhs_page_body",))
    parser.delete_first_token()
    body = parser.parse(("end_nhs_page",))
    parser.delete_first_token()
    return NhsPageNode(title, body)


_WIDGET_CLASSES = {
    "checkbox": "nhsuk-checkboxes__input",
    "select": "nhsuk-select",
    "textarea": "nhsuk-textarea",
}


@register.filter
def nhs_widget(field: Any) -> str:
    """A bound field's widget with the NHS.UK class for its kind, and its error state."""
    css = _WIDGET_CLASSES.get(field.widget_type, "nhsuk-input")
    attrs = {
        "class": css + (" nhsuk-input--error" if field.errors and css == "nhsuk-input" else "")
    }
    if field.errors:
        attrs["aria-describedby"] = f"{field.auto_id}-error"
    return str(field.as_widget(attrs=attrs))
