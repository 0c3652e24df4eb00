from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema

from kmatrix.boardpapers.queries import paper_appendices
from kmatrix.core.api import api_viewer


class PaperOut(Schema):
    id: int
    network: str
    title: str
    period_from: date
    period_to: date
    audience: str
    author: str
    paper_date: date
    status: str
    version: int
    published_at: datetime | None
    address: str

    @staticmethod
    def resolve_network(obj: Any) -> str:
        return str(obj.network.slug)

    @staticmethod
    def resolve_audience(obj: Any) -> str:
        return str(obj.audience_label)

    @staticmethod
    def resolve_address(obj: Any) -> str:
        return str(obj.get_absolute_url())


class SourceOut(Schema):
    label: str
    path: str


class SectionOut(Schema):
    id: int
    key: str
    title: str
    kind: str
    body: str
    items: list[str]
    figures: list[dict[str, Any]]
    sources: list[SourceOut]
    origin: str
    revision: int
    new_draft_waiting: bool

    @staticmethod
    def resolve_new_draft_waiting(obj: Any) -> bool:
        return bool(obj.pending)


class AppendixOut(Schema):
    number: int
    resource: int
    title: str
    address: str


class PaperDetail(PaperOut):
    sections: list[SectionOut]
    # The library resources chosen as appendices that the caller may open, numbered in order.
    appendices: list[AppendixOut]

    @staticmethod
    def resolve_appendices(obj: Any, context: Any) -> list[dict[str, Any]]:
        return [
            {"number": n, "resource": r.pk, "title": r.title, "address": r.get_absolute_url()}
            for n, r in enumerate(paper_appendices(api_viewer(context["request"]), obj), start=1)
        ]

    @staticmethod
    def resolve_sections(obj: Any) -> list[Any]:
        return list(obj.sections.filter(in_paper=True).order_by("position", "pk"))
