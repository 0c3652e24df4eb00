"""Checklists, localities, assessments with their item ratings, and the gaps they find."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kmatrix.core.access import Scope, Viewer, Visibility, by_field
from kmatrix.core.models import VisibleModel
from kmatrix.networks.models import Network, Organisation, Role, Theme


class Rating(models.TextChoices):
    MET = "met", "Met"
    PARTLY_MET = "partly_met", "Partly met"
    NOT_MET = "not_met", "Not met"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


GAP_RATINGS = (Rating.PARTLY_MET, Rating.NOT_MET)


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


# --- Checklists -------------------------------------------------------------------------------


class Checklist(VisibleModel):
    """One version of a commissioning checklist, its sections following a theme framework."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="checklists")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60)
    version = models.CharField(max_length=20, help_text="e.g. 1.0 or 2024")
    description = models.TextField(blank=True, help_text="Markdown")
    is_illustrative = models.BooleanField(
        default=False, help_text="Written as an example, not a real commissioning checklist"
    )
    source = models.CharField(max_length=300, blank=True, help_text="Where it comes from")
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope: ClassVar[Scope] = Scope(in_networks=by_field("network_id"))

    class Meta:
        ordering = ["network", "name", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "slug", "version"], name="checklist_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    def managed_by(self, viewer: Viewer) -> bool:
        return viewer.coordinates(self.network_id)


class ChecklistSection(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="sections")
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="checklist_sections"
    )
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["checklist", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(ChecklistSection, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=20, help_text="e.g. 3.2, unique in its checklist")
    question = models.TextField()
    guidance = models.TextField(blank=True)
    evidence_expected = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["section__position", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "code"], name="checklist_item_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.question[:60]}"


# --- Places and assessments -------------------------------------------------------------------


class Locality(models.Model):
    """A county, ICS area or place, with the organisations in it."""

    class Kind(models.TextChoices):
        COUNTY = "county", "County"
        ICS = "ics", "Integrated care system area"
        PLACE = "place", "Place"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="localities")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COUNTY)
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="localities")

    # The places a network works in are read as the network is.
    access_scope: ClassVar[Scope] = Scope(
        in_networks=by_field("network_id"),
        restricted_field=None,
        visibility_field="network__visibility",
    )

    class Meta:
        ordering = ["network", "name"]
        verbose_name_plural = "localities"
        constraints = [
            models.UniqueConstraint(fields=["network", "slug"], name="locality_slug_unique"),
            # A name is used once in a network, whatever its case.
            models.UniqueConstraint(
                "network",
                Lower("name"),
                name="locality_name_unique",
                violation_error_message="The network has a locality of that name already.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def managed_by(self, viewer: Viewer) -> bool:
        return viewer.coordinates(self.network_id)


def _place_check(prefix: str = "") -> Q:
    """Exactly one of locality and organisation."""
    return Q(**{f"{prefix}locality__isnull": False, f"{prefix}organisation__isnull": True}) | Q(
        **{f"{prefix}locality__isnull": True, f"{prefix}organisation__isnull": False}
    )


def _localities_holding(org_ids: frozenset[int]) -> Any:
    through = Locality.organisations.through
    return through.objects.filter(organisation_id__in=org_ids).values("locality_id")


def _in_organisation(network_id: int, org_ids: frozenset[int]) -> Q:
    """Records of one network about one of these organisations, or a locality holding one.
    Subqueries, not joins, so that no record is listed twice."""
    return Q(network_id=network_id) & (
        Q(organisation_id__in=org_ids) | Q(locality_id__in=_localities_holding(org_ids))
    )


class Assessment(VisibleModel):
    """A baseline: one locality or organisation against one checklist version, on a date."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMPLETE = "complete", "Complete"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="assessments")
    checklist = models.ForeignKey(Checklist, on_delete=models.RESTRICT, related_name="assessments")
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.RESTRICT, related_name="assessments"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.RESTRICT, related_name="assessments"
    )
    assessed_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(blank=True, help_text="Markdown")
    is_illustrative = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["restricted_to"])

    access_scope: ClassVar[Scope] = Scope(
        in_networks=by_field("network_id"), in_organisation=_in_organisation
    )

    class Meta:
        ordering = ["-assessed_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=_place_check(), name="assessment_one_place"),
        ]

    def __str__(self) -> str:
        return f"{self.place} against {self.checklist}, {self.assessed_on:%d %B %Y}"

    @property
    def place(self) -> Locality | Organisation:
        return self.locality or self.organisation  # type: ignore[return-value]

    def get_absolute_url(self) -> str:
        return reverse("improvement:assessment", args=[self.network.slug, self.pk])

    def managed_by(self, viewer: Viewer) -> bool:
        if viewer.coordinates(self.network_id) or viewer.holds(self.network_id, Role.THEME_LEAD):
            return True
        return self.created_by_id is not None and self.created_by_id == viewer.user_id


class ItemRating(models.Model):
    """One checklist item in one assessment; blank ``rating`` means not yet rated."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    item = models.ForeignKey(ChecklistItem, on_delete=models.RESTRICT, related_name="ratings")
    rating = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    evidence = models.TextField(blank=True)
    current_provision = models.TextField(blank=True)
    planned_developments = models.TextField(
        blank=True, help_text="Planned developments or reconfiguration"
    )

    class Meta:
        ordering = ["item__section__position", "item__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="item_rating_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.get_rating_display() or 'not rated'}"

    @property
    def is_gap(self) -> bool:
        return self.rating in GAP_RATINGS


class Gap(models.Model):
    """An item partly or not met at one place, from the assessment that first found it until
    one finds it met (or not applicable). Reads follow its latest assessment's visibility."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="gaps")
    item = models.ForeignKey(ChecklistItem, on_delete=models.RESTRICT, related_name="gaps")
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.RESTRICT, related_name="gaps"
    )
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.RESTRICT, related_name="gaps"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.RESTRICT, related_name="gaps"
    )
    rating = models.CharField(max_length=20, choices=Rating.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="gaps_opened")
    closed_by = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="gaps_closed"
    )
    # The latest assessment that rated the item here: its visibility governs who reads the gap.
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="gaps")

    access_scope: ClassVar[Scope] = Scope(
        in_networks=by_field("network_id"),
        in_organisation=_in_organisation,
        visibility_field="assessment__visibility",
        restricted_field=None,
        additional=lambda viewer: _gap_named(viewer),
    )

    class Meta:
        ordering = ["item__section__position", "item__position", "pk"]
        indexes = [
            models.Index(fields=["network", "status", "theme"], name="gap_network_status_theme")
        ]
        constraints = [
            models.CheckConstraint(condition=_place_check(), name="gap_one_place"),
            models.UniqueConstraint(
                fields=["item", "locality"],
                condition=Q(locality__isnull=False),
                name="gap_locality_item_unique",
            ),
            models.UniqueConstraint(
                fields=["item", "organisation"],
                condition=Q(organisation__isnull=False),
                name="gap_organisation_item_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} at {self.locality or self.organisation}"

    def managed_by(self, viewer: Viewer) -> bool:
        return viewer.coordinates(self.network_id) or viewer.holds(self.network_id, Role.THEME_LEAD)


def _gap_named(viewer: Viewer) -> Q:
    """Gaps of restricted assessments that name the viewer."""
    if viewer.user_id is None:
        return Q(pk__in=[])
    named = Assessment.restricted_to.through.objects.filter(user_id=viewer.user_id)
    return Q(
        assessment__visibility=Visibility.RESTRICTED,
        assessment_id__in=named.values("assessment_id"),
    )
