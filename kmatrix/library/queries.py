"""Reads for the library: the catalogue, one resource's page, moderation, and the search's
documents. Every list starts from ``core.access.visible``; nothing here repeats its rules."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from kmatrix.core.access import Viewer, visible
from kmatrix.core.search import SearchDocument
from kmatrix.library.models import FileVersion, Resource, ResourceFile, moderated_networks
from kmatrix.networks.models import Network, Person

PUBLISHED = Resource.Status.PUBLISHED


@dataclass(frozen=True)
class CatalogueFilters:
    kind: str = ""
    theme: int | None = None
    network: int | None = None
    organisation: int | None = None
    year: int | None = None


def year_range(year: int) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(date(year, 1, 1), time.min, tzinfo=zone)
    return start, datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=zone)


def catalogue(viewer: Viewer, filters: CatalogueFilters | None = None) -> QuerySet[Resource]:
    """Published resources the viewer may read, newest first, narrowed by the filters."""
    f = filters or CatalogueFilters()
    resources = visible(viewer, Resource.objects.filter(status=PUBLISHED))
    if f.kind:
        resources = resources.filter(kind=f.kind)
    if f.network:
        resources = resources.filter(network_id=f.network)
    if f.organisation:
        resources = resources.filter(organisation_id=f.organisation)
    if f.theme:
        resources = resources.filter(themes__id=f.theme)
    if f.year:
        resources = resources.filter(published_at__range=year_range(f.year))
    return resources.select_related("network", "organisation").order_by("-published_at", "-pk")


def resources_with_themes(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    return resources.prefetch_related("themes")


def resource_readable(viewer: Viewer) -> QuerySet[Resource]:
    """Every resource the viewer may open (published by visibility, their own, and for
    moderators their network's unpublished ones)."""
    return visible(viewer, Resource.objects.all()).select_related(
        "network", "organisation", "contact", "created_by"
    )


def resource_files(resource: Resource) -> list[ResourceFile]:
    versions = FileVersion.objects.select_related("uploaded_by").order_by("-number")
    return list(resource.files.prefetch_related(Prefetch("versions", queryset=versions)))


def contact_for(viewer: Viewer, resource: Resource) -> Person | None:
    """The resource's contact, if the viewer may see that person."""
    if resource.contact_id is None:
        return None
    return visible(viewer, Person.objects.filter(pk=resource.contact_id)).first()


def mine(viewer: Viewer) -> QuerySet[Resource]:
    """The viewer's own resources that are not published yet."""
    if viewer.user_id is None:
        return Resource.objects.none()
    return (
        Resource.objects.filter(created_by_id=viewer.user_id)
        .exclude(status=PUBLISHED)
        .select_related("network")
        .order_by("-updated_at")
    )


def moderation_queue(viewer: Viewer) -> QuerySet[Resource]:
    """Resources waiting for review in the networks the viewer moderates."""
    waiting = Resource.objects.filter(status=Resource.Status.IN_REVIEW)
    if not viewer.is_admin:
        networks = Q(network_id__in=moderated_networks(viewer)) | Q(
            network_id__in=viewer.coordinated_networks
        )
        waiting = waiting.filter(networks)
    return waiting.select_related("network", "created_by").order_by("submitted_at")


def networks_to_add_to(viewer: Viewer) -> QuerySet[Network]:
    """Networks in which the viewer may add resources: those they read as a member."""
    if viewer.is_admin:
        return Network.objects.all()
    return Network.objects.filter(pk__in=viewer.reads_networks)


def review_due(today: date) -> QuerySet[Resource]:
    """Published resources past their review date, not yet reminded since it came."""
    return (
        Resource.objects.filter(status=PUBLISHED, review_on__lte=today)
        .filter(Q(review_reminded_on__isnull=True) | Q(review_reminded_on__lt=F("review_on")))
        .select_related("network", "contact", "created_by")
    )


def newly_published_practice(viewer: Viewer, limit: int = 50) -> QuerySet[Resource]:
    practice = Resource.objects.filter(status=PUBLISHED, kind=Resource.Kind.POSITIVE_PRACTICE)
    return (
        visible(viewer, practice)
        .select_related("network", "organisation")
        .order_by("-published_at", "-pk")[:limit]
    )


# --- The one search: the library's documents -----------------------------------------------


def resource_search_records() -> QuerySet[Resource]:
    return Resource.objects.all()


def resource_year(resource: Resource) -> int:
    return (resource.published_at or resource.created_at or timezone.now()).year


def resource_search_documents(ids: Collection[int] | None = None) -> Iterator[SearchDocument]:
    """Title, summary, body and the text read from the latest version of every file."""
    latest = FileVersion.objects.order_by("file_id", "-number").only(
        "file_id", "number", "text", "filename"
    )
    resources = (
        Resource.objects.select_related("network", "organisation")
        .prefetch_related("themes", Prefetch("files__versions", queryset=latest))
        .order_by("pk")
    )
    if ids is not None:
        resources = resources.filter(pk__in=ids)
    for resource in resources.iterator(chunk_size=1000):
        yield _resource_document(resource)


def _resource_document(resource: Resource) -> SearchDocument:
    parts = [resource.summary, resource.body]
    for attached in resource.files.all():
        versions = list(attached.versions.all())
        if versions:
            names = {attached.title, versions[0].filename}
            parts += [*sorted(names), versions[0].text]
    # Last, so that snippets start with what the resource says.
    parts.append(resource.get_kind_display())
    if resource.organisation:
        parts.append(resource.organisation.name)
    return SearchDocument(
        kind="resource",
        id=resource.pk,
        title=resource.title,
        body="\n\n".join(p for p in parts if p),
        url=resource.get_absolute_url(),
        network_id=resource.network_id,
        organisation_id=resource.organisation_id,
        theme_ids=tuple(t.pk for t in resource.themes.all()),
        year=resource_year(resource),
    )
