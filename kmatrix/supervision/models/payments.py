"""Monthly payment runs, one statement (self-billed invoice) per supervisor, and their lines.

A session is paid once: each statement line names its session, and the database allows one
line per session. A run is made once per service and month; asking again changes nothing.

Drawdown against a funding award: each run belongs to one financial year (April to March); a
statement marked paid draws down the award of that year of the service's funding programme
(``drawdown.py``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kmatrix.core.access import Scope, Viewer
from kmatrix.supervision.choices import InvoiceStatus, Mode, RunStatus
from kmatrix.supervision.models.service import (
    SupervisionService,
    is_project_manager,
    project_manager_q,
)
from kmatrix.supervision.models.sessions import Slot
from kmatrix.supervision.models.supervisors import Supervisor
from kmatrix.supervision.times import financial_year, financial_year_label, month_label

NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]


class PaymentRun(models.Model):
    service = models.ForeignKey(
        SupervisionService, on_delete=models.CASCADE, related_name="payment_runs"
    )
    month = models.DateField(help_text="The first day of the month paid for")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    supervisors_total = models.PositiveIntegerField(default=0)
    supervisors_done = models.PositiveIntegerField(default=0)
    sessions = models.PositiveIntegerField(default=0)
    total = models.DecimalField(
        default=Decimal("0.00"), validators=NOT_NEGATIVE, max_digits=12, decimal_places=2
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    access_scope: ClassVar[Scope] = Scope(
        visibility_field=None, restricted_field=None, additional=lambda v: project_manager_q(v)
    )

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["service", "month"], name="payment_run_once_a_month"),
            models.CheckConstraint(
                condition=Q(total__gte=0), name="payment_run_total_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Payments for {month_label(self.month)}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:payment_run", args=[self.service.network.slug, self.pk])

    def managed_by(self, viewer: Viewer) -> bool:
        return is_project_manager(viewer, self.service_id)

    @property
    def financial_year(self) -> int:
        return financial_year(self.month)

    @property
    def financial_year_label(self) -> str:
        return financial_year_label(self.financial_year)


def _statement_readers(viewer: Viewer) -> Q:
    own = Q(supervisor__person_id=viewer.person_id) if viewer.person_id else Q(pk__in=[])
    return project_manager_q(viewer, "run__service_id") | own


class Statement(models.Model):
    """What one supervisor is paid for one month: their self-billed invoice."""

    run = models.ForeignKey(PaymentRun, on_delete=models.CASCADE, related_name="statements")
    supervisor = models.ForeignKey(Supervisor, on_delete=models.RESTRICT, related_name="statements")
    number = models.CharField(max_length=40, unique=True)
    sessions = models.PositiveIntegerField(default=0)
    total = models.DecimalField(
        default=Decimal("0.00"), validators=NOT_NEGATIVE, max_digits=12, decimal_places=2
    )
    status = models.CharField(
        max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DUE
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = Scope(
        visibility_field=None, restricted_field=None, additional=_statement_readers
    )

    class Meta:
        ordering = ["run", "supervisor__person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "supervisor"], name="statement_once_per_run"),
            models.CheckConstraint(condition=Q(total__gte=0), name="statement_total_not_negative"),
            models.CheckConstraint(
                condition=~Q(status=InvoiceStatus.PAID) | Q(paid_on__isnull=False),
                name="statement_paid_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("supervision:statement", args=[self.run.service.network.slug, self.pk])

    def managed_by(self, viewer: Viewer) -> bool:
        return is_project_manager(viewer, self.run.service_id)


class StatementLine(models.Model):
    """One paid session, as it was when paid (the session may change later; this does not)."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    slot = models.OneToOneField(Slot, on_delete=models.RESTRICT, related_name="statement_line")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    mode = models.CharField(max_length=10, choices=Mode.choices)
    places = models.PositiveSmallIntegerField()
    attended = models.PositiveSmallIntegerField()
    cancelled_late = models.PositiveSmallIntegerField()
    no_shows = models.PositiveSmallIntegerField()
    rate = models.DecimalField(validators=NOT_NEGATIVE, max_digits=8, decimal_places=2)
    amount = models.DecimalField(validators=NOT_NEGATIVE, max_digits=8, decimal_places=2)
    from_earlier_month = models.BooleanField(default=False)

    class Meta:
        ordering = ["statement", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(rate__gte=0), name="statement_line_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement.number}: {self.starts_at:%Y-%m-%d %H:%M}"
