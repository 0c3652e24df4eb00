"""The Jinja2 environment for every page: NHS.UK component macros plus our helpers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import date_format
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from kmatrix.core.markdown import render_markdown


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def uk_date(value: Any, fmt: str = "j F Y") -> str:
    """Dates the NHS way: 3 May 2023."""
    if not value:
        return ""
    return date_format(value, fmt)


def environment(**options: Any) -> Environment:
    # The NHS.UK macros rely on ChainableUndefined for optional nested parameters.
    options["undefined"] = ChainableUndefined
    options["loader"] = ChoiceLoader([options["loader"], PackageLoader("nhsuk_frontend_jinja")])
    options.setdefault("extensions", []).append("jinja2.ext.do")
    env = Environment(**options)  # noqa: S701 - Django's backend turns autoescape on
    env.globals.update(
        {
            "url": url,
            "static": static,
            "get_messages": messages.get_messages,
        }
    )
    env.filters.update({"markdown": render_markdown, "uk_date": uk_date})
    return env
