"""What an app hands the one search (kmatrix/library/search): plain-text documents.

It lives in core so that every app, the directory included, can describe its records for the
search without importing the library. See kmatrix/library/README.md for the contract.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchDocument:
    """One record as the search indexes it: plain text, and the facts its facets count."""

    kind: str  # the source's kind, e.g. "resource", "person", "plan"
    id: int  # the record's primary key
    title: str
    body: str  # plain text: Markdown is fine, HTML is not rendered
    url: str  # the record's page
    network_id: int | None = None
    organisation_id: int | None = None
    theme_ids: tuple[int, ...] = ()
    year: int | None = None
