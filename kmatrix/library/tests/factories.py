"""Library records for tests, written through the services so the index follows them."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kmatrix.core.access import Visibility
from kmatrix.library.models import Resource


def resource(
    network: Any,
    title: str = "Memory café in a care home",
    *,
    status: str = Resource.Status.PUBLISHED,
    visibility: str = Visibility.NETWORK,
    kind: str = Resource.Kind.POSITIVE_PRACTICE,
    themes: tuple[Any, ...] = (),
    created_by: Any = None,
    shared: bool = True,
    **fields: Any,
) -> Resource:
    from kmatrix.library.search.index import documents_write

    made = Resource.objects.create(
        network=network,
        title=title,
        summary=fields.pop("summary", f"Summary of {title}"),
        kind=kind,
        status=status,
        visibility=visibility,
        created_by=created_by,
        shared_with_partners=shared,
        published_at=timezone.now() if status == Resource.Status.PUBLISHED else None,
        **fields,
    )
    made.themes.set(themes)
    if visibility == Visibility.RESTRICTED and created_by is not None:
        made.restricted_to.add(created_by)
    documents_write("resource", [made.pk])
    return made
