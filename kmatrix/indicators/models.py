"""Indicators, their data points per organisation and period, imports, and stored SPC results."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kmatrix.core.access import Scope, Viewer, by_field
from kmatrix.core.models import VisibleModel
from kmatrix.networks.models import Network, Organisation, Theme


class Unit(models.TextChoices):
    PERCENT = "percent", "Percentage"
    RATE_PER_1000_OBD = "rate_per_1000_obd", "Rate per 1,000 occupied bed days"
    COUNT = "count", "Count"
    DAYS = "days", "Days"


class Direction(models.TextChoices):
    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"
    NEUTRAL = "neutral", "Neither"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class Preset(models.TextChoices):
    MDC = "mdc", "Making Data Count (NHS England)"
    PLOTTHEDOTS = "plotthedots", "NHS-R plot the dots"


# Words the indicator pages use in their addresses, so no indicator may take them as its code.
RESERVED_CODES = frozenset({"import", "review", "organisation"})

# How a numerator and denominator make a value, per unit.
UNIT_MULTIPLIER = {Unit.PERCENT: 100.0, Unit.RATE_PER_1000_OBD: 1000.0}


class Indicator(VisibleModel):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(max_length=60, help_text="Short code used in import files")
    name = models.CharField(max_length=200)
    definition = models.TextField(blank=True, help_text="Markdown")
    unit = models.CharField(max_length=20, choices=Unit.choices)
    numerator_definition = models.CharField(max_length=300, blank=True)
    denominator_definition = models.CharField(max_length=300, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    source = models.CharField(max_length=300, blank=True)
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators"
    )
    is_illustrative = models.BooleanField(
        default=False, help_text="Illustrative figures, not real data: every page says so"
    )
    spc_preset = models.CharField(max_length=12, choices=Preset.choices, default=Preset.MDC)
    run_length = models.PositiveSmallIntegerField(null=True, blank=True)
    screen_outliers = models.BooleanField(null=True, blank=True)
    baseline_points = models.PositiveSmallIntegerField(null=True, blank=True)
    show_two_sigma = models.BooleanField(default=False)
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = Scope(in_networks=by_field("network_id"))

    class Meta:
        ordering = ["network", "code"]
        constraints = [
            models.UniqueConstraint(fields=["network", "code"], name="indicator_code_unique"),
            models.CheckConstraint(
                condition=Q(run_length__isnull=True) | Q(run_length__in=[6, 7]),
                name="indicator_run_length_6_or_7",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("indicators:indicator", args=[self.network.slug, self.code])

    def managed_by(self, viewer: Viewer) -> bool:
        return viewer.coordinates(self.network_id)

    def clean(self) -> None:
        if self.code in RESERVED_CODES:
            raise ValidationError(
                {"code": f"“{self.code}” is used by the pages; choose another code."}
            )
        if self.baseline_points is not None and self.baseline_points < 2:
            raise ValidationError({"baseline_points": "A baseline needs at least 2 points."})


class Target(models.Model):
    """A target that applies from a date until the next target."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    value = models.FloatField()
    applies_from = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "applies_from"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "applies_from"], name="target_date_unique")
        ]

    def __str__(self) -> str:
        return f"{self.value} from {self.applies_from}"


class Annotation(models.Model):
    """A dated note on a chart ("new policy"); it may also start a new SPC segment."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="annotations")
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Blank: applies to every organisation's chart",
    )
    period = models.DateField()
    text = models.CharField(max_length=200)
    recalculate = models.BooleanField(
        default=False, help_text="Recalculate the mean and limits from this period"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "period"]

    def __str__(self) -> str:
        return f"{self.period}: {self.text}"


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="import_batches")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    file_format = models.CharField(max_length=20)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display().lower()})"


class DataPoint(models.Model):
    """One value of one indicator for one organisation and period (first day of the period)."""

    # Every index slows an import of a million points, so only the unique key is kept: every
    # page and API read names the indicator, which it leads with. Nothing reads points by
    # batch, and only deleting an organisation reads them by organisation alone (a scan).
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="points", db_index=False
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="indicator_points", db_index=False
    )
    period = models.DateField()
    value = models.FloatField()
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    # Provenance only: Django clears it when a batch is deleted, so the database need not
    # check it on each of a million inserts (PostgreSQL checks deferred keys at commit).
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["indicator", "organisation", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "organisation", "period"], name="datapoint_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="datapoint_denominator_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.organisation_id} {self.period}: {self.value}"


class DataPointRevision(models.Model):
    """The value a data point had before an import changed it."""

    point = models.ForeignKey(DataPoint, on_delete=models.CASCADE, related_name="revisions")
    value = models.FloatField()
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    replaced_by_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["point", "-replaced_at"]

    def __str__(self) -> str:
        return f"{self.point_id} was {self.value}"


class SeriesResult(models.Model):
    """The SPC analysis of one indicator for one organisation, refreshed on import."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="results")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    points = models.PositiveIntegerField()
    first_period = models.DateField()
    latest_period = models.DateField()
    latest_value = models.FloatField()
    variation_icon = models.CharField(max_length=20, blank=True)
    assurance_icon = models.CharField(max_length=12, blank=True)
    missing_periods = models.JSONField(default=list, blank=True)
    analysis = models.JSONField(
        help_text="Segments, icons and warnings as `kmatrix spc` prints them, with each point's "
        "type as one letter and the rules broken by position (see series.py)"
    )
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "organisation"], name="series_result_unique"
            )
        ]
        # The pages find each indicator's latest period without reading the analysis JSON.
        indexes = [models.Index(fields=["indicator", "latest_period"], name="series_result_latest")]

    def __str__(self) -> str:
        return f"{self.indicator.code} / {self.organisation_id}"
