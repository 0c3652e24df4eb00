"""The network directory: networks, organisations, people, memberships, themes and groups."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kmatrix.core.access import Scope, Viewer, Visibility, by_field
from kmatrix.core.models import VisibleModel

# ODS codes are upper-case letters and digits: 3 for NHS trusts (RXM), 5 for their sites,
# up to 6 for some GP practices and independent providers.
ODS_CODE_RE = re.compile(r"^[A-Z0-9]{3,6}$")
ods_code_validator = RegexValidator(
    ODS_CODE_RE, "An ODS code is 3 to 6 capital letters and digits, for example RXM."
)


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"
    BIMONTHLY = "bimonthly", "Every two months"
    QUARTERLY = "quarterly", "Quarterly"
    TWICE_YEARLY = "twice_yearly", "Twice a year"
    ANNUAL = "annual", "Once a year"
    AS_NEEDED = "as_needed", "As needed"


DEFAULT_LETTER_TEMPLATE = """Dear {person_name},

Thank you for joining the {network_name} on behalf of {organisation_name}.

Your line manager agreed to your membership on {line_manager_agreed_on}. This letter confirms
your membership and the time you have committed to the network's work: {committed_days} day(s)
a month, from {joined_on}.

As a member you will drive forward the network's themes, be a source of advice in your
locality, and feed back progress to your theme lead and the wider network.

Yours sincerely,

{signatory}
"""


class Network(VisibleModel):
    class Kind(models.TextChoices):
        LEARNING_NETWORK = "learning_network", "Managed learning network"
        ALLIANCE = "alliance", "Provider alliance"
        COLLABORATIVE = "collaborative", "Clinical collaborative"
        COMMUNITY = "community", "Community of practice"
        OTHER = "other", "Other network"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.LEARNING_NETWORK)
    purpose = models.TextField(blank=True, help_text="Markdown")
    region = models.CharField(max_length=100, blank=True)
    cadence = models.CharField(
        "meeting cadence", max_length=20, choices=Cadence.choices, blank=True
    )
    cadence_note = models.CharField(
        max_length=200, blank=True, help_text="For example: bi-monthly at first, then quarterly"
    )
    linked_networks = models.ManyToManyField("self", blank=True, symmetrical=True)
    organisations: models.ManyToManyField[Organisation, NetworkOrganisation] = (
        models.ManyToManyField(
            "Organisation", through="NetworkOrganisation", related_name="networks", blank=True
        )
    )
    letter_template = models.TextField(
        "membership letter template",
        default=DEFAULT_LETTER_TEMPLATE,
        help_text="Placeholders: {person_name}, {network_name}, {organisation_name}, "
        "{committed_days}, {joined_on}, {line_manager_agreed_on}, {signatory}, {today}",
    )
    letter_signatory = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["letter_template"])

    access_scope: ClassVar[Scope] = Scope(in_networks=by_field("pk"))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("networks:home", args=[self.slug])

    def managed_by(self, viewer: Viewer) -> bool:
        return viewer.coordinates(self.pk)


class Organisation(models.Model):
    class Sector(models.TextChoices):
        NHS_TRUST = "nhs_trust", "NHS trust"
        ICB = "icb", "Integrated care board"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        PRIMARY_CARE = "primary_care", "Primary care"
        INDEPENDENT = "independent", "Independent provider"
        VCSE = "vcse", "Voluntary and community sector"
        ACADEMIC = "academic", "Academic"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    ods_code = models.CharField(
        "ODS code",
        max_length=6,
        blank=True,
        validators=[ods_code_validator],
        help_text="Organisation Data Service code, for example RXM. Leave blank if it has none.",
    )
    sector = models.CharField(max_length=20, choices=Sector.choices)
    region = models.CharField(max_length=100, blank=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True, help_text="Markdown")
    history = HistoricalRecords()

    # Organisations' names and ODS codes are public facts.
    access_scope: ClassVar[Scope] = Scope(always_visible=True, restricted_field=None)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ods_code"], condition=~Q(ods_code=""), name="organisation_ods_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})" if self.ods_code else self.name

    def get_absolute_url(self) -> str:
        return reverse("networks:organisation", args=[self.pk])

    def clean(self) -> None:
        self.ods_code = self.ods_code.strip().upper()

    def managed_by(self, viewer: Viewer) -> bool:
        # Coordinators of any network the organisation belongs to keep its entry up to date.
        return bool(viewer.coordinated_networks & set(self.network_ids()))

    def network_ids(self) -> list[int]:
        return list(self.network_links.values_list("network_id", flat=True))


class NetworkOrganisation(models.Model):
    """An organisation taking part in a network (for the Alliance: a member provider)."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="organisation_links"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="network_links"
    )
    is_member = models.BooleanField(
        "formal member", default=True, help_text="A member organisation rather than a partner"
    )
    joined_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "organisation"], name="network_organisation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.network}"


def _person_in_networks(ids: frozenset[int]) -> Q:
    return Q(pk__in=Membership.objects.filter(network_id__in=ids).values("person_id"))


def _person_in_organisation(network_id: int, org_ids: frozenset[int]) -> Q:
    return Q(
        pk__in=Membership.objects.filter(network_id=network_id, organisation_id__in=org_ids).values(
            "person_id"
        )
    )


def _person_self(viewer: Viewer) -> Q:
    return Q(pk=viewer.person_id) if viewer.person_id else Q(pk__in=[])


class Person(VisibleModel):
    """Someone in the directory. Not everyone has a user account."""

    full_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
        help_text="Employer",
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    contact_visibility = models.CharField(
        "who may see contact details",
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.NETWORK,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    history = HistoricalRecords(excluded_fields=["user"])

    access_scope: ClassVar[Scope] = Scope(
        in_networks=_person_in_networks,
        in_organisation=_person_in_organisation,
        additional=_person_self,
    )

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="person_email_unique"
            )
        ]
        indexes = [models.Index(fields=["full_name"])]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("networks:person", args=[self.pk])

    def managed_by(self, viewer: Viewer) -> bool:
        if viewer.person_id == self.pk:
            return True
        return self.memberships.filter(network_id__in=viewer.coordinated_networks).exists()


class Role(models.TextChoices):
    CO_CHAIR = "co_chair", "Co-chair"
    COORDINATOR = "coordinator", "Network coordinator"
    COMMUNICATIONS_LEAD = "communications_lead", "Communications lead"
    KNOWLEDGE_MANAGER = "knowledge_manager", "Knowledge manager"
    THEME_LEAD = "theme_lead", "Theme lead"
    MEMBER = "member", "Member"
    BOARD_READER = "board_reader", "Board reader"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        from django.utils import timezone

        today = timezone.localdate()
        return self.filter(Q(left_on__isnull=True) | Q(left_on__gt=today))

    def with_roles(self, *roles: str) -> MembershipQuerySet:
        return self.filter(roles__role__in=roles).distinct()


class Membership(models.Model):
    """A person in a network on behalf of an organisation."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    line_manager_agreed_on = models.DateField("line manager agreed on", null=True, blank=True)
    letter_sent_on = models.DateField("confirmation letter sent on", null=True, blank=True)
    committed_days_per_month = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("1.0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("23"))],
        help_text="Days a month given to the network's work",
    )
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects: ClassVar[MembershipQuerySet] = MembershipQuerySet.as_manager()  # type: ignore[assignment]

    access_scope: ClassVar[Scope] = Scope(
        in_networks=by_field("network_id"),
        restricted_field=None,
        visibility_field="network__visibility",
    )

    class Meta:
        ordering = ["person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "network"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
            ),
            models.CheckConstraint(
                condition=Q(committed_days_per_month__gte=0) & Q(committed_days_per_month__lte=23),
                name="membership_committed_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.network}"

    def clean(self) -> None:
        if self.joined_on and self.left_on and self.left_on < self.joined_on:
            raise ValidationError(
                {"left_on": "The date they left must be on or after they joined."}
            )

    def managed_by(self, viewer: Viewer) -> bool:
        return viewer.coordinates(self.network_id)

    @property
    def role_values(self) -> list[str]:
        return [r.role for r in self.roles.all()]

    @property
    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [labels[r] for r in sorted(self.role_values, key=list(labels).index)]


class MembershipRole(models.Model):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=30, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "role"], name="membership_role_unique")
        ]

    def __str__(self) -> str:
        return self.get_role_display()


class ThemeFramework(models.Model):
    """A shared catalogue of themes, for example the ten key themes of the NEYH and NW MLNs."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True, help_text="Markdown")
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = Scope(always_visible=True, restricted_field=None)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def managed_by(self, viewer: Viewer) -> bool:
        return False  # shared catalogues are kept by administrators


class Theme(models.Model):
    framework = models.ForeignKey(ThemeFramework, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True, help_text="Markdown")
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = Scope(always_visible=True, restricted_field=None)

    class Meta:
        ordering = ["framework", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "slug"], name="theme_slug_unique"),
            models.UniqueConstraint(fields=["framework", "name"], name="theme_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def managed_by(self, viewer: Viewer) -> bool:
        return False


class AdoptedTheme(models.Model):
    """A theme a network has taken on, in the network's own order."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DEFERRED = "deferred", "Deferred"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="adopted_themes")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="adoptions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = Scope(
        in_networks=by_field("network_id"),
        restricted_field=None,
        visibility_field="network__visibility",
    )

    class Meta:
        ordering = ["network", "position", "theme__name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "theme"], name="adopted_theme_unique")
        ]

    def __str__(self) -> str:
        return f"{self.theme} ({self.get_status_display().lower()})"

    def managed_by(self, viewer: Viewer) -> bool:
        return viewer.coordinates(self.network_id)


class Workstream(VisibleModel):
    """The work on one adopted theme, with its leads and members."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="workstreams")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="workstreams")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown")
    people: models.ManyToManyField[Person, WorkstreamMember] = models.ManyToManyField(
        Person, through="WorkstreamMember", related_name="workstreams"
    )
    history = HistoricalRecords()

    # No organisation of its own: organisation-level visibility leaves it to coordinators.
    access_scope: ClassVar[Scope] = Scope(in_networks=by_field("network_id"))

    class Meta:
        ordering = ["network", "name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "name"], name="workstream_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("networks:workstream", args=[self.network.slug, self.pk])

    def managed_by(self, viewer: Viewer) -> bool:
        return viewer.coordinates(self.network_id) or self.pk in viewer.led_workstreams

    def clean(self) -> None:
        if self.network_id and self.theme_id:
            adopted = AdoptedTheme.objects.filter(
                network_id=self.network_id, theme_id=self.theme_id
            )
            if not adopted.exists():
                raise ValidationError({"theme": "The network has not adopted this theme."})


class WorkstreamMember(models.Model):
    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="workstream_roles")
    is_lead = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_lead", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workstream", "person"], name="workstream_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({'lead' if self.is_lead else 'member'})"


class Group(VisibleModel):
    """A professional network, community of practice, collaborative, forum or working group."""

    class Kind(models.TextChoices):
        PROFESSIONAL_NETWORK = "professional_network", "Professional network"
        COMMUNITY_OF_PRACTICE = "community_of_practice", "Community of practice"
        COLLABORATIVE = "collaborative", "Collaborative"
        FORUM = "forum", "Forum"
        WORKING_GROUP = "working_group", "Working group"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="groups")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60)
    purpose = models.TextField(blank=True, help_text="Markdown")
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="groups"
    )
    chair = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="chaired_groups"
    )
    cadence = models.CharField(max_length=20, choices=Cadence.choices, blank=True)
    cadence_note = models.CharField(max_length=200, blank=True)
    members = models.ManyToManyField(Person, blank=True, related_name="member_groups")
    history = HistoricalRecords(m2m_fields=[members])

    # No organisation of its own: organisation-level visibility leaves it to coordinators.
    access_scope: ClassVar[Scope] = Scope(in_networks=by_field("network_id"))

    class Meta:
        ordering = ["network", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "slug"], name="group_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("networks:group", args=[self.network.slug, self.slug])

    def managed_by(self, viewer: Viewer) -> bool:
        return viewer.coordinates(self.network_id) or self.pk in viewer.chaired_groups


class Invitation(models.Model):
    """An invitation from a coordinator to join a network, accepted through an emailed link."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    full_name = models.CharField(max_length=200)
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.network}"
