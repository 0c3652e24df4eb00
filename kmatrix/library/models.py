"""The library: resources (positive practice, policies, research, tools, slides, articles,
reports, templates), their files with every version, and the search index.

A resource is read by its visibility once it is published (``Scope.condition``); until then
only its author and its network's moderators (coordinators and knowledge managers) see it.
Published resources with ``network`` visibility that are shared with partners cross to the
members of networks linked to theirs (``Scope.shared``, see docs/permissions.md).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kmatrix.core.access import Scope, Viewer, by_field
from kmatrix.core.models import VisibleModel
from kmatrix.networks.models import Membership, Network, Organisation, Person, Role, Theme

MODERATOR_ROLES = (Role.COORDINATOR, Role.KNOWLEDGE_MANAGER)


def moderated_networks(viewer: Viewer) -> models.QuerySet[Membership, Any]:
    """The networks (as a ``network_id`` subquery) whose resources the viewer moderates."""
    return (
        Membership.objects.active()
        .filter(person_id=viewer.person_id or 0, roles__role__in=MODERATOR_ROLES)
        .values("network_id")
    )


def _resource_in_organisation(network_id: int, org_ids: frozenset[int]) -> Q:
    return Q(network_id=network_id, organisation_id__in=org_ids)


def _resource_shared(ids: frozenset[int]) -> Q:
    return Q(network_id__in=ids, shared_with_partners=True)


def _resource_own(viewer: Viewer) -> Q:
    # Authors read their own resources at every stage; moderators read their network's
    # unpublished ones, to review them.
    q = Q(created_by_id=viewer.user_id)
    if viewer.person_id:
        unpublished = ~Q(status=Resource.Status.PUBLISHED)
        q |= unpublished & Q(network_id__in=moderated_networks(viewer))
    return q


class Resource(VisibleModel):
    class Kind(models.TextChoices):
        POSITIVE_PRACTICE = "positive_practice", "Positive practice example"
        BRIGHT_IDEA = "bright_idea", "Bright idea"
        NATIONAL_POLICY = "national_policy", "National policy"
        LOCAL_POLICY = "local_policy", "Local policy"
        INITIATIVE = "initiative", "Initiative"
        RESEARCH = "research", "Research"
        TOOL = "tool", "Service improvement tool"
        TRAINING_SLIDES = "training_slides", "Training slides"
        JOURNAL_ARTICLE = "journal_article", "Journal article"
        REPORT = "report", "Report"
        TEMPLATE = "template", "Template"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"

    class Licence(models.TextChoices):
        OGL = "ogl-3", "Open Government Licence v3.0"
        CC_BY = "cc-by-4.0", "Creative Commons Attribution 4.0"
        CC_BY_SA = "cc-by-sa-4.0", "Creative Commons Attribution-ShareAlike 4.0"
        CC_BY_NC = "cc-by-nc-4.0", "Creative Commons Attribution-NonCommercial 4.0"
        ALL_RIGHTS = "all-rights-reserved", "All rights reserved: ask the contact before reuse"
        UNKNOWN = "", "Not stated"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField("type", max_length=30, choices=Kind.choices)
    themes = models.ManyToManyField(Theme, blank=True, related_name="resources")
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
        help_text="The organisation whose work or document this is",
    )
    contact = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="resources"
    )
    resource_date = models.DateField(
        "date", null=True, blank=True, help_text="When it was published or carried out"
    )
    link = models.URLField(max_length=500, blank=True, help_text="Where it lives elsewhere")
    licence = models.CharField(max_length=30, choices=Licence.choices, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    shared_with_partners = models.BooleanField(
        "share with partner networks",
        default=True,
        help_text="Members of networks linked to this one may read it once it is published",
    )
    review_on = models.DateField(
        "review date", null=True, blank=True, help_text="When to ask whether it is still current"
    )
    review_reminded_on = models.DateField(null=True, blank=True, editable=False)
    is_illustrative = models.BooleanField(
        default=False,
        editable=False,
        help_text="Made up for the demo, not a real document: every page says so",
    )
    moderation_note = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_resources",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The text comes last: SQLite keeps a long row's last columns on overflow pages, so the
    # columns that access checks and counts read stay on the row's own page.
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=2000, help_text="A few sentences: what it is, for whom")
    body = models.TextField(blank=True, help_text="Markdown")
    history = HistoricalRecords(m2m_fields=[themes], excluded_fields=["updated_at"])

    access_scope: ClassVar[Scope] = Scope(
        in_networks=by_field("network_id"),
        in_organisation=_resource_in_organisation,
        condition=Q(status="published"),
        shared=_resource_shared,
        additional=_resource_own,
    )

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [
            # Covers what access checks and the Matrix's counts read, so neither opens rows.
            models.Index(
                fields=[
                    "status",
                    "network",
                    "visibility",
                    "kind",
                    "organisation",
                    "shared_with_partners",
                    "created_by",
                    "published_at",
                ],
                name="resource_access",
            ),
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["status", "review_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="resource_published_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:resource", args=[self.pk])

    def managed_by(self, viewer: Viewer) -> bool:
        return self.created_by_id == viewer.user_id or self.moderated_by(viewer)

    def moderated_by(self, viewer: Viewer) -> bool:
        if viewer.is_admin or viewer.coordinates(self.network_id):
            return True
        return moderated_networks(viewer).filter(network_id=self.network_id).exists()

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ResourceFile(models.Model):
    """A file attached to a resource; each upload of it is a ``FileVersion``, all kept."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="files")
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.title


def _version_path(instance: FileVersion, filename: str) -> str:
    # Never the uploaded name: a stored path is ours alone (the name is kept in ``filename``).
    return f"library/{instance.file.resource_id}/{instance.sha256[:16]}-{instance.number}.bin"


class FileVersion(models.Model):
    class Extraction(models.TextChoices):
        QUEUED = "queued", "Waiting to read the text"
        RUNNING = "running", "Reading the text"
        DONE = "done", "Text read: search finds words inside it"
        NO_TEXT = "no_text", "No text found in the file"
        NOT_TEXT = "not_text", "An image: it has no text to search"
        ENCRYPTED = "encrypted", "Protected by a password: its text cannot be read"
        FAILED = "failed", "The text could not be read"

    file = models.ForeignKey(ResourceFile, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    stored = models.FileField(upload_to=_version_path, max_length=255)
    filename = models.CharField(max_length=255)
    file_type = models.CharField(max_length=10)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    extraction = models.CharField(
        max_length=12, choices=Extraction.choices, default=Extraction.QUEUED
    )
    extraction_message = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    extracted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["file", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["file", "number"], name="file_version_unique"),
            models.CheckConstraint(condition=Q(size__gt=0), name="file_version_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} (version {self.number})"

    @property
    def unfinished(self) -> bool:
        return self.extraction in (self.Extraction.QUEUED, self.Extraction.RUNNING)


class SearchEntry(models.Model):
    """One document in the search index (see search/). The text is matched by SQLite FTS5
    (table ``library_search_fts``) or by PostgreSQL (the generated ``vector`` column with its
    GIN index); both are made by migration 0002 for the database in use."""

    kind = models.CharField(max_length=30)
    object_id = models.BigIntegerField()
    network_id = models.BigIntegerField(null=True)
    organisation_id = models.BigIntegerField(null=True)
    year = models.SmallIntegerField(null=True)
    # Space-separated theme ids with a space either side (" 3 17 "), for the theme facet.
    theme_ids = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=500)
    # The text last, so that the facts above stay on the row's own page (see Resource).
    title = models.TextField()
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"


class SearchWatermark(models.Model):
    """How far the index has read a source's change history (for records of apps that cannot
    call the library, such as the directory's people and groups)."""

    kind = models.CharField(max_length=30, unique=True)
    history_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.kind} up to {self.history_id}"
