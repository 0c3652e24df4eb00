"""Board papers: a paper for the member providers' Boards, its sections, versions, comments,
drafting runs and the record of whom it was sent to."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kmatrix.core.access import Scope, Viewer, Visibility
from kmatrix.library.models import Resource
from kmatrix.networks.models import Group, Membership, Network, Organisation, Role


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"


# Where a paper may go from each status (publishing has its own page: it sends the paper).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (Status.IN_REVIEW,),
    Status.IN_REVIEW: (Status.APPROVED, Status.DRAFT),
    Status.APPROVED: (Status.DRAFT,),
    Status.PUBLISHED: (),
}
EDITABLE = (Status.DRAFT, Status.IN_REVIEW)


def _published_in(ids: frozenset[int]) -> Q:
    return Q(network_id__in=ids, status=Status.PUBLISHED)


def _published_for(network_id: int, org_ids: frozenset[int]) -> Q:
    return Q(network_id=network_id, audience_organisation_id__in=org_ids, status=Status.PUBLISHED)


def _paper_readers(viewer: Viewer) -> Q:
    """Coordinators read every paper of their networks, reviewers the papers naming them, and
    board readers the papers published to their Boards."""
    q = Q(network_id__in=viewer.coordinated_networks)
    if viewer.user_id is not None:
        named = BoardPaper.reviewers.through.objects.filter(user_id=viewer.user_id)
        q |= Q(pk__in=named.values("boardpaper_id"))
    if viewer.board_networks and viewer.person_id is not None:
        q |= Q(
            status=Status.PUBLISHED,
            visibility=Visibility.NETWORK,
            network_id__in=viewer.board_networks,
        )
        board_seat = Membership.objects.active().filter(
            person_id=viewer.person_id,
            network_id=OuterRef("network_id"),
            organisation_id=OuterRef("audience_organisation_id"),
            roles__role=Role.BOARD_READER,
        )
        q |= Q(status=Status.PUBLISHED, visibility=Visibility.ORGANISATION) & Q(Exists(board_seat))
    return q


class BoardPaper(models.Model):
    """A common Board paper: what the network did in a period, for its members' Boards.

    ``visibility`` follows the audience: ``network`` for the Boards of all member organisations,
    ``organisation`` for the Board of one (``audience_organisation``). Only published papers are
    read by that audience; see docs/permissions.md.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="board_papers")
    title = models.CharField(max_length=200)
    period_from = models.DateField("period from")
    period_to = models.DateField("period to")
    audience_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Leave blank for the Boards of every member organisation",
    )
    visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.NETWORK, editable=False
    )
    author = models.CharField(
        max_length=200, help_text="The name that signs the paper, as it appears at its end"
    )
    paper_date = models.DateField("date of the paper")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="board_papers_to_review",
        help_text="People who read the paper before it is published, comment on it and edit it",
    )
    joint_groups = models.ManyToManyField(
        Group,
        blank=True,
        related_name="+",
        help_text="Groups whose meetings are the paper's joint meetings (for example the joint "
        "Chair and CEO group); the other forums and professional networks are reported under "
        "Professional networks",
    )
    appendix_resources: models.ManyToManyField[Resource, PaperAppendix] = models.ManyToManyField(
        Resource,
        through="PaperAppendix",
        blank=True,
        related_name="+",
        help_text="Library resources attached as the paper's appendices, in order",
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    access_scope: ClassVar[Scope] = Scope(
        in_networks=_published_in,
        in_organisation=_published_for,
        restricted_field=None,
        additional=_paper_readers,
    )

    class Meta:
        ordering = ["-period_to", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_to__gte=models.F("period_from")),
                name="board_paper_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=[Visibility.NETWORK, Visibility.ORGANISATION]),
                name="board_paper_never_public_or_restricted",
            ),
            models.CheckConstraint(
                condition=Q(visibility=Visibility.NETWORK, audience_organisation__isnull=True)
                | Q(visibility=Visibility.ORGANISATION, audience_organisation__isnull=False),
                name="board_paper_visibility_follows_audience",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("boardpapers:paper", args=[self.network.slug, self.pk])

    def managed_by(self, viewer: Viewer) -> bool:
        return viewer.coordinates(self.network_id)

    def clean(self) -> None:
        if self.period_from and self.period_to and self.period_to < self.period_from:
            raise ValidationError(
                {"period_to": "The end of the period must be on or after its start."}
            )
        self.visibility = (
            Visibility.ORGANISATION if self.audience_organisation_id else Visibility.NETWORK
        )

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def audience_label(self) -> str:
        if self.audience_organisation_id and self.audience_organisation is not None:
            return f"The Board of {self.audience_organisation.name}"
        return f"The Boards of the member organisations of the {self.network.name}"


class PaperAppendix(models.Model):
    """A library resource chosen as one of the paper's appendices, numbered by ``position``."""

    paper = models.ForeignKey(BoardPaper, on_delete=models.CASCADE, related_name="appendices")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "resource"], name="appendix_once_a_paper"),
            models.UniqueConstraint(fields=["paper", "position"], name="appendix_position_unique"),
        ]

    def __str__(self) -> str:
        return f"Appendix {self.position} of {self.paper}"


class SectionKind(models.TextChoices):
    TEXT = "text", "Text"
    LETTERED = "lettered", "Lettered list"
    NUMBERED = "numbered", "Numbered list"


class Origin(models.TextChoices):
    DRAFTED = "drafted", "Drafted from the records"
    EDITED = "edited", "Edited by a person"


class PaperSection(models.Model):
    """One section of a paper, in order: Markdown text (or a list), the tables and charts it
    refers to as ``[[figure N]]``, and the records it was drafted from."""

    paper = models.ForeignKey(BoardPaper, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=100, help_text="Which drafter made it, e.g. theme-safety")
    position = models.PositiveIntegerField(default=0)
    in_paper = models.BooleanField(
        default=True, help_text="Off when a later draft no longer has it (kept for the versions)"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=SectionKind.choices, default=SectionKind.TEXT)
    body = models.TextField(blank=True, help_text="Markdown")
    items = models.JSONField(default=list, blank=True)
    figures = models.JSONField(default=list, blank=True)
    sources = models.JSONField(default=list, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.DRAFTED)
    drafted_at = models.DateTimeField(null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    # Each save adds one; an edit made from an older revision is a conflict (services.py).
    revision = models.PositiveIntegerField(default=1)
    # A new draft waiting beside a person's edit: drafting never overwrites an edit unasked.
    pending = models.JSONField(null=True, blank=True)
    # Identifies the last draft made from the records (or declined), so that drafting again
    # asks about an edited section only when the records say something new.
    fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["paper", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "key"], name="paper_section_key_unique")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def letters(self) -> list[tuple[str, str]]:
        return list(numbered(self.kind, self.items))


def list_label(kind: str, index: int) -> str:
    """a, b, ... z, aa, ab for lettered lists; 1, 2, 3 for numbered ones."""
    if kind != SectionKind.LETTERED:
        return str(index + 1)
    label = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        label = chr(ord("a") + remainder) + label
    return label


def numbered(kind: str, items: list[Any]) -> list[tuple[str, str]]:
    return [(list_label(kind, i), str(text)) for i, text in enumerate(items)]


class PaperVersion(models.Model):
    """A saved version of the whole paper: which sections it had, and why it was saved. Each
    section's text at that version is its latest ``SectionRevision`` up to ``number``."""

    paper = models.ForeignKey(BoardPaper, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    note = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices)
    section_ids = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paper", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "number"], name="paper_version_unique")
        ]

    def __str__(self) -> str:
        return f"Version {self.number}"


class SectionRevision(models.Model):
    """A section as it was saved at one version of its paper."""

    section = models.ForeignKey(PaperSection, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    items = models.JSONField(default=list, blank=True)
    figures = models.JSONField(default=list, blank=True)
    sources = models.JSONField(default=list, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices)

    class Meta:
        ordering = ["section", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["section", "version"], name="section_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} at version {self.version}"


class PaperComment(models.Model):
    paper = models.ForeignKey(BoardPaper, on_delete=models.CASCADE, related_name="comments")
    section = models.ForeignKey(
        PaperSection, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(help_text="Markdown")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paper", "created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.paper}"


class DraftRun(models.Model):
    """One drafting of a paper from the records, run in the background with its progress."""

    class RunStatus(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    paper = models.ForeignKey(BoardPaper, on_delete=models.CASCADE, related_name="draft_runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    steps_total = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0)
    step_label = models.CharField(max_length=200, blank=True)
    drafted = models.JSONField(default=list, blank=True)  # section titles replaced
    waiting = models.JSONField(default=list, blank=True)  # edited sections with a new draft
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Drafting {self.paper} ({self.get_status_display().lower()})"

    @property
    def running(self) -> bool:
        return self.status in (self.RunStatus.QUEUED, self.RunStatus.RUNNING)


class PaperDistribution(models.Model):
    """One board reader a published paper was sent to, and when."""

    paper = models.ForeignKey(BoardPaper, on_delete=models.CASCADE, related_name="distributions")
    person = models.ForeignKey(
        "networks.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    organisation = models.CharField(max_length=200)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["paper", "organisation", "name"]

    def __str__(self) -> str:
        return f"{self.paper} to {self.email}"
