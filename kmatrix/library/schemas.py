from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from ninja import Field, Schema

from kmatrix.library.models import FileVersion, Resource


class FileVersionOut(Schema):
    number: int
    filename: str
    file_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    extraction: str = Field(
        description="queued, running, done, no_text, not_text, encrypted or failed"
    )
    extraction_message: str
    download: str = Field(description="Address of the file (served as an attachment)")

    @staticmethod
    def resolve_download(obj: FileVersion) -> str:
        args = [obj.file.resource_id, obj.file_id, obj.number]
        return settings.SITE_URL + reverse("library:file_download", args=args)


class FileOut(Schema):
    id: int
    title: str
    versions: list[FileVersionOut]

    @staticmethod
    def resolve_versions(obj: Any) -> list[FileVersion]:
        return list(obj.versions.all())


class ResourceOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    status: str
    visibility: str
    network: str = Field(description="The network's slug")
    organisation_id: int | None
    theme_ids: list[int]
    resource_date: date | None
    link: str
    licence: str
    published_at: datetime | None
    review_on: date | None
    shared_with_partners: bool
    is_illustrative: bool
    url: str

    @staticmethod
    def resolve_network(obj: Resource) -> str:
        return obj.network.slug

    @staticmethod
    def resolve_theme_ids(obj: Resource) -> list[int]:
        return [t.pk for t in obj.themes.all()]

    @staticmethod
    def resolve_url(obj: Resource) -> str:
        return settings.SITE_URL + obj.get_absolute_url()


class ResourceDetail(ResourceOut):
    body: str
    contact_id: int | None = Field(None, description="Left out when you may not see the person")
    files: list[FileOut]

    @staticmethod
    def resolve_files(obj: Resource) -> list[Any]:
        return list(obj.files.all())


class ResourceIn(Schema):
    network: str = Field(description="The network's slug (only when adding)")
    kind: Resource.Kind
    title: str = Field(max_length=200)
    summary: str = Field(max_length=2000)
    body: str = ""
    theme_ids: list[int] = []
    organisation_id: int | None = None
    resource_date: date | None = None
    link: str = ""
    licence: str = ""
    visibility: str = "network"
    shared_with_partners: bool = True
    review_on: date | None = None


class ReturnIn(Schema):
    note: str = Field(min_length=1, max_length=2000)


class HitOut(Schema):
    kind: str
    kind_label: str
    id: int = Field(alias="object_id")
    url: str
    title_html: str = Field(description="The title, HTML-escaped, with <mark> around matches")
    snippet_html: str = Field(description="Part of the text, HTML-escaped, with <mark>")
    year: int | None

    @staticmethod
    def resolve_title_html(obj: Any) -> str:
        return str(obj.title)

    @staticmethod
    def resolve_snippet_html(obj: Any) -> str:
        return str(obj.snippet)


class FacetOptionOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class SearchOut(Schema):
    query: str
    total: int
    page: int
    pages: int
    message: str
    hits: list[HitOut]
    facets: dict[str, list[FacetOptionOut]]


class MatrixCellOut(Schema):
    theme_id: int
    counts: dict[str, int]
    total: int


class MatrixRowOut(Schema):
    network: str
    network_name: str
    partner: bool
    cells: list[MatrixCellOut]


class MatrixOut(Schema):
    framework: str | None
    themes: list[dict[str, Any]]
    counts: list[str] = Field(description="What each cell counts, by key")
    rows: list[MatrixRowOut]
