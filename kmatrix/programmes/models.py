"""Programmes of joint work, the funding they secure, its allocations and drawdowns, their
milestones, dated updates and links to indicators and improvement plans.

Money is ``DecimalField`` in pounds, exact to the penny. A financial year is stored as the
calendar year it starts in (2022 for 2022/23; see years.py). Where the source gives no amount
or date the field stays empty: ``amount_note`` keeps an amount as it was stated ("just under
£1 million") rather than inventing a figure.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kmatrix.core.access import Scope, Viewer, Visibility, by_field
from kmatrix.core.models import VisibleModel
from kmatrix.networks.models import AdoptedTheme, Group, Network, Organisation, Person, Theme
from kmatrix.programmes import money, years

YEAR_RANGE = [MinValueValidator(years.FIRST), MaxValueValidator(years.LAST)]
# Words the programme pages use in their addresses, so no programme may take them as a slug.
RESERVED_SLUGS = frozenset({"new", "funding", "export"})


class ProgrammeStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    CLOSED = "closed", "Closed"


def _programme_in_organisation(network_id: int, org_ids: frozenset[int]) -> Q:
    return Q(network_id=network_id, lead_organisation_id__in=org_ids)


class Programme(VisibleModel):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="programmes")
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=60, help_text="Used in web addresses: lower-case letters, digits and hyphens"
    )
    theme = models.ForeignKey(
        Theme,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programmes",
        help_text="The strategic theme it delivers",
    )
    sponsor = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sponsored_programmes",
        verbose_name="sponsoring group",
    )
    lead_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_programmes",
    )
    partners = models.ManyToManyField(Organisation, blank=True, related_name="partner_programmes")
    lead = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_programmes",
        verbose_name="programme lead",
    )
    status = models.CharField(
        max_length=12, choices=ProgrammeStatus.choices, default=ProgrammeStatus.ACTIVE
    )
    starts_on = models.DateField("start date", null=True, blank=True)
    ends_on = models.DateField("end date", null=True, blank=True)
    summary = models.CharField(max_length=300, blank=True, help_text="One line for lists")
    description = models.TextField(blank=True, help_text="Markdown")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[partners], excluded_fields=["updated_at"])

    access_scope: ClassVar[Scope] = Scope(
        in_networks=by_field("network_id"), in_organisation=_programme_in_organisation
    )

    class Meta:
        ordering = ["network", "name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "slug"], name="programme_slug_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="programme_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:programme", args=[self.network.slug, self.slug])

    def managed_by(self, viewer: Viewer) -> bool:
        if viewer.coordinates(self.network_id):
            return True
        if self.lead_id is not None and self.lead_id == viewer.person_id:
            return True
        return self.sponsor_id is not None and self.sponsor_id in viewer.chaired_groups

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = f"“{self.slug}” is used by the pages; choose another."
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The end date must be on or after the start date."
        if self.network_id and self.theme_id:
            adopted = AdoptedTheme.objects.filter(
                network_id=self.network_id, theme_id=self.theme_id
            )
            if not adopted.exists():
                errors["theme"] = "The network has not adopted this theme."
        sponsor = self.sponsor if self.sponsor_id else None
        if sponsor is not None and self.network_id and sponsor.network_id != self.network_id:
            errors["sponsor"] = "The sponsoring group must be one of the network's groups."
        if errors:
            raise ValidationError(errors)


def _restricted_parent(path: str) -> Scope:
    """The scope of a record that is read exactly when its programme is."""

    def named(viewer: Viewer) -> Q:
        through = Programme.restricted_to.through
        ids = through.objects.filter(user_id=viewer.user_id or 0).values("programme_id")
        return Q(**{f"{path}__visibility": Visibility.RESTRICTED, f"{path}_id__in": ids})

    def in_organisation(network_id: int, org_ids: frozenset[int]) -> Q:
        return Q(
            **{f"{path}__network_id": network_id, f"{path}__lead_organisation_id__in": org_ids}
        )

    return Scope(
        in_networks=by_field(f"{path}__network_id"),
        in_organisation=in_organisation,
        restricted_field=None,
        visibility_field=f"{path}__visibility",
        additional=named,
    )


class AwardStatus(models.TextChoices):
    BID = "bid", "Bid"
    SECURED = "secured", "Secured"
    RECEIVED = "received", "Received"
    SPENT = "spent", "Spent"


# Money the programme has won, whether or not it has arrived or been spent yet.
SECURED_STATUSES = (AwardStatus.SECURED, AwardStatus.RECEIVED, AwardStatus.SPENT)


class FundingAward(models.Model):
    """Money for a programme from one funder, for one or more financial years."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="awards")
    funder = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funding_awards",
        help_text="Leave empty when the funder is not known",
    )
    funder_note = models.CharField(
        max_length=200, blank=True, help_text="For example: regional funding"
    )
    amount = models.DecimalField(
        "amount (£)",
        max_digits=money.MAX_DIGITS,
        decimal_places=money.DECIMAL_PLACES,
        null=True,
        blank=True,
        help_text="Exact, in pounds; leave empty when no exact figure is known",
    )
    amount_note = models.CharField(
        "amount as stated",
        max_length=200,
        blank=True,
        help_text="When there is no exact figure, for example: just under £1 million",
    )
    first_year = models.PositiveSmallIntegerField(
        "first financial year", null=True, blank=True, validators=YEAR_RANGE
    )
    last_year = models.PositiveSmallIntegerField(
        "last financial year", null=True, blank=True, validators=YEAR_RANGE
    )
    term_years = models.PositiveSmallIntegerField(
        "term (years)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="For example 2 for funding “over two years” whose years are not stated",
    )
    status = models.CharField(max_length=10, choices=AwardStatus.choices)
    secured_on = models.DateField("date secured", null=True, blank=True)
    notes = models.TextField(blank=True, help_text="Markdown")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = _restricted_parent("programme")

    class Meta:
        ordering = ["programme", F("first_year").asc(nulls_last=True), "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="award_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(last_year__isnull=True)
                | (Q(first_year__isnull=False) & Q(last_year__gte=F("first_year"))),
                name="award_years_in_order",
            ),
        ]
        indexes = [models.Index(fields=["funder"])]

    def __str__(self) -> str:
        what = money.pounds(self.amount) or self.amount_note or "Amount not recorded"
        return f"{what} for {self.programme}" + (f" ({self.years})" if self.years else "")

    def managed_by(self, viewer: Viewer) -> bool:
        return self.programme.managed_by(viewer)

    @property
    def years(self) -> str:
        return years.span(self.first_year, self.last_year)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.amount is not None:
            try:
                self.amount = money.check(self.amount)
            except money.AmountError as error:
                errors["amount"] = str(error)
        elif not self.amount_note.strip():
            errors["amount_note"] = (
                "Give the exact amount, or say how the amount was stated (for example "
                "“just under £1 million”) when there is no exact figure."
            )
        if self.last_year is not None and self.first_year is None:
            errors["first_year"] = "Give the first financial year as well as the last."
        elif (
            self.first_year is not None
            and self.last_year is not None
            and self.last_year < self.first_year
        ):
            errors["last_year"] = (
                f"The last financial year ({years.label(self.last_year)}) is before the first "
                f"({years.label(self.first_year)})."
            )
        if errors:
            raise ValidationError(errors)


class FundingAllocation(models.Model):
    """Part of an award set aside for an organisation or a purpose."""

    award = models.ForeignKey(FundingAward, on_delete=models.CASCADE, related_name="allocations")
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funding_allocations",
        help_text="Who receives it; empty for an element kept for a purpose",
    )
    purpose = models.CharField(max_length=200, help_text="For example: recruitment element")
    amount = models.DecimalField(
        "amount (£)",
        max_digits=money.MAX_DIGITS,
        decimal_places=money.DECIMAL_PLACES,
    )
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = _restricted_parent("award__programme")

    class Meta:
        ordering = ["award", "organisation__name", "purpose", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_amount_positive")
        ]

    def __str__(self) -> str:
        who = self.organisation.name if self.organisation else self.purpose
        return f"{money.pounds(self.amount)} to {who}"


class FundingDrawdown(models.Model):
    """Money paid out of an award, recorded by the app that spent it (for example a therapy
    supervision payment). A reversed drawdown no longer counts against the award."""

    award = models.ForeignKey(FundingAward, on_delete=models.PROTECT, related_name="drawdowns")
    amount = models.DecimalField(
        "amount (£)", max_digits=money.MAX_DIGITS, decimal_places=money.DECIMAL_PLACES
    )
    drawn_on = models.DateField()
    reference = models.CharField(
        max_length=200, help_text="What it paid for, for example a booking reference"
    )
    source = models.CharField(
        max_length=40, blank=True, help_text="The app that recorded it, for example supervision"
    )
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_reason = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["award", "drawn_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="drawdown_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{money.pounds(self.amount)} on {self.drawn_on:%-d %B %Y} ({self.reference})"


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACHIEVED = "achieved", "Achieved"
    DELAYED = "delayed", "Delayed"
    DROPPED = "dropped", "No longer planned"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class Milestone(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=300)
    status = models.CharField(
        max_length=10, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    on = models.DateField(
        "date",
        null=True,
        blank=True,
        help_text="When it is due, or when it was achieved; for a month or a year, its first day",
    )
    precision = models.CharField(
        "date known to the", max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    when_note = models.CharField(
        "when, in words",
        max_length=100,
        blank=True,
        help_text="When there is no date, for example: spring and summer 2023",
    )
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = _restricted_parent("programme")

    class Meta:
        ordering = ["programme", F("on").asc(nulls_last=True), "position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def when(self) -> str:
        """The date as precisely as it is known: 30 June 2023, May 2023, 2023, or the note."""
        if self.on is None:
            return self.when_note
        fmt = {"day": "%-d %B %Y", "month": "%B %Y", "year": "%Y"}[self.precision]
        shown = self.on.strftime(fmt)
        return f"{shown} ({self.when_note})" if self.when_note else shown


class ProgrammeUpdate(models.Model):
    """A dated report of progress; the Board paper draws on these."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField("date")
    text = models.TextField(help_text="Markdown")
    source = models.CharField(
        max_length=200, blank=True, help_text="Where it was reported, for example a Board paper"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = _restricted_parent("programme")

    class Meta:
        ordering = ["programme", "-on", "-pk"]
        indexes = [models.Index(fields=["programme", "on"])]

    def __str__(self) -> str:
        return f"Update on {self.programme}, {self.on:%-d %B %Y}"


class ProgrammeLink(models.Model):
    """A programme's link to a record it works towards: an indicator or an improvement plan
    (exactly one of them)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="links")
    indicator = models.ForeignKey(
        "indicators.Indicator",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="programme_links",
    )
    plan = models.ForeignKey(
        "improvement.ImprovementPlan",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="programme_links",
        verbose_name="improvement plan",
    )
    note = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(indicator__isnull=False, plan__isnull=True)
                | Q(indicator__isnull=True, plan__isnull=False),
                name="programme_link_has_target",
            ),
            models.UniqueConstraint(
                fields=["programme", "indicator"], name="programme_link_indicator_unique"
            ),
            models.UniqueConstraint(
                fields=["programme", "plan"], name="programme_link_plan_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} → {self.target}"

    @property
    def kind(self) -> str:
        return "indicator" if self.indicator_id else "plan"

    @property
    def target(self) -> Any:
        return self.indicator or self.plan
