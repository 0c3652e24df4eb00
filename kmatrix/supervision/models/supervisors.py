"""Supervisors, what they offer, and their vetting checks."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kmatrix.core.access import Scope, Viewer
from kmatrix.networks.models import Organisation, Person
from kmatrix.supervision.choices import (
    EXPIRING_CHECKS,
    CheckKind,
    CheckStatus,
    Modality,
    Profession,
    ProfessionalBody,
    RunStatus,
    SupervisorKind,
    SupervisorStatus,
    VettingState,
)
from kmatrix.supervision.models.service import (
    SupervisionService,
    is_project_manager,
    project_manager_q,
    staff_q,
)

# No expiry: a cleared supervisor whose checks never lapse is cleared until this date.
NEVER = date.max
DBS_NUMBER = re.compile(r"^\d{12}$")


def _own_profile(viewer: Viewer) -> Q:
    return Q(person_id=viewer.person_id) if viewer.person_id else Q(pk__in=[])


def _supervisor_readers(viewer: Viewer) -> Q:
    # Staff of member providers read active supervisors' profiles, to choose whom to book.
    active = Q(status=SupervisorStatus.ACTIVE) & staff_q(viewer, "service__network_id")
    return project_manager_q(viewer) | _own_profile(viewer) | active


class Supervisor(models.Model):
    """Someone who offers supervision through a service, internal to a provider or not."""

    service = models.ForeignKey(
        SupervisionService, on_delete=models.CASCADE, related_name="supervisors"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="supervisor_roles")
    kind = models.CharField(max_length=20, choices=SupervisorKind.choices)
    provider = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Internal: the member provider they work for; retired and returned: the one "
        "they retired from",
    )
    profession = models.CharField(max_length=30, choices=Profession.choices)
    professional_body = models.CharField(
        max_length=10, choices=ProfessionalBody.choices, blank=True
    )
    registration_number = models.CharField(max_length=40, blank=True)
    experience_years = models.PositiveSmallIntegerField(
        "years of experience as a supervisor",
        null=True,
        blank=True,
        validators=[MaxValueValidator(60)],
    )
    languages = models.CharField(
        max_length=200,
        blank=True,
        help_text="Languages they supervise in, for example: English, Urdu",
    )
    offers_virtual = models.BooleanField("offers virtual supervision", default=True)
    offers_in_person = models.BooleanField("offers supervision in person", default=False)
    in_person_area = models.CharField(
        "where they meet in person", max_length=200, blank=True, help_text="A town or site"
    )
    about = models.TextField(blank=True, help_text="What they offer, in their own words")
    rate = models.DecimalField(
        "fee per session (£)",
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
        max_digits=8,
        decimal_places=2,
    )
    status = models.CharField(
        max_length=12, choices=SupervisorStatus.choices, default=SupervisorStatus.APPLIED
    )
    self_registered = models.BooleanField(default=False, editable=False)
    # Worked out from the checks whenever one changes (services.supervisor_vetting_refresh):
    # the last day every required check is valid, or None while one is missing or pending.
    cleared_until = models.DateField(null=True, blank=True, editable=False)
    vetting_failed = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["cleared_until", "vetting_failed"])

    access_scope: ClassVar[Scope] = Scope(
        visibility_field=None, restricted_field=None, additional=_supervisor_readers
    )

    class Meta:
        ordering = ["person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "person"], name="supervisor_once_per_service"
            ),
            models.CheckConstraint(condition=Q(rate__gte=0), name="supervisor_rate_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind=SupervisorKind.INTERNAL) | Q(provider__isnull=False),
                name="supervisor_internal_has_provider",
            ),
        ]
        indexes = [models.Index(fields=["service", "status"], name="supervisor_service_status")]

    def __str__(self) -> str:
        return self.person.full_name

    def get_absolute_url(self) -> str:
        return reverse("supervision:supervisor", args=[self.service.network.slug, self.pk])

    def clean(self) -> None:
        if self.kind == SupervisorKind.INTERNAL and self.provider_id is None:
            raise ValidationError({"provider": "An internal supervisor works for a provider."})
        if self.kind == SupervisorKind.EXTERNAL:
            self.provider = None
        if not (self.offers_virtual or self.offers_in_person):
            raise ValidationError("A supervisor offers virtual supervision, in person, or both.")
        if self.rate is not None and self.rate < 0:
            raise ValidationError({"rate": "A fee cannot be negative."})

    def managed_by(self, viewer: Viewer) -> bool:
        return is_project_manager(viewer, self.service_id)

    def is_self(self, viewer: Viewer) -> bool:
        return viewer.person_id is not None and viewer.person_id == self.person_id

    def vetting_state(self, today: date, reminder_days: int) -> str:
        return vetting_state(self.vetting_failed, self.cleared_until, today, reminder_days)

    def cleared_on(self, day: date) -> bool:
        """Bookable on ``day``: active, and every required check valid that day."""
        return (
            self.status == SupervisorStatus.ACTIVE
            and self.cleared_until is not None
            and day <= self.cleared_until
        )


def vetting_state(failed: bool, cleared_until: date | None, today: date, reminder_days: int) -> str:
    if failed:
        return VettingState.FAILED
    if cleared_until is None:
        return VettingState.PENDING
    if cleared_until < today:
        return VettingState.EXPIRED
    if cleared_until <= today + timedelta(days=reminder_days):
        return VettingState.EXPIRING
    return VettingState.VALID


class SupervisorModality(models.Model):
    supervisor = models.ForeignKey(Supervisor, on_delete=models.CASCADE, related_name="modalities")
    modality = models.CharField(max_length=20, choices=Modality.choices)

    class Meta:
        ordering = ["modality"]
        constraints = [
            models.UniqueConstraint(
                fields=["supervisor", "modality"], name="supervisor_modality_once"
            )
        ]

    def __str__(self) -> str:
        return self.get_modality_display()


def _own_checks(viewer: Viewer) -> Q:
    own = Q(supervisor__person_id=viewer.person_id) if viewer.person_id else Q(pk__in=[])
    return project_manager_q(viewer, "supervisor__service_id") | own


class VettingCheck(models.Model):
    """One check of a supervisor: identity, registration, DBS, a reference, contract, training."""

    supervisor = models.ForeignKey(Supervisor, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=20, choices=CheckKind.choices)
    status = models.CharField(
        max_length=10, choices=CheckStatus.choices, default=CheckStatus.PENDING
    )
    reference = models.CharField(
        max_length=200,
        blank=True,
        help_text="The DBS certificate number, the registration number, the referee, the "
        "contract or course",
    )
    checked_on = models.DateField(
        null=True, blank=True, help_text="The DBS certificate's date, or the day it was checked"
    )
    expires_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = Scope(
        visibility_field=None, restricted_field=None, additional=_own_checks
    )

    class Meta:
        ordering = ["supervisor", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["supervisor", "kind"], name="vetting_check_once"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(checked_on__isnull=True)
                | Q(expires_on__gte=models.F("checked_on")),
                name="vetting_check_expires_after_checked",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_on"], name="vetting_check_expiry")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_status_display()}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.checked_on and self.expires_on and self.expires_on < self.checked_on:
            errors["expires_on"] = "The expiry date must be on or after the date it was checked."
        if self.status == CheckStatus.VALID:
            if self.checked_on is None:
                errors["checked_on"] = "Give the date it was checked (for a DBS check, its date)."
            if self.kind in EXPIRING_CHECKS and self.expires_on is None:
                errors["expires_on"] = (
                    f"A valid {self.get_kind_display().lower()} has an expiry date."
                )
            if self.kind == CheckKind.DBS and not DBS_NUMBER.match(self.reference.replace(" ", "")):
                errors["reference"] = "A DBS certificate number is 12 digits."
            if self.kind == CheckKind.REGISTRATION and not self.reference.strip():
                errors["reference"] = "Give the registration number that was checked."
        if errors:
            raise ValidationError(errors)
        if self.kind == CheckKind.DBS:
            self.reference = self.reference.replace(" ", "")

    def managed_by(self, viewer: Viewer) -> bool:
        return is_project_manager(viewer, self.supervisor.service_id)

    def valid_on(self, day: date) -> bool:
        return self.status == CheckStatus.VALID and (
            self.expires_on is None or day <= self.expires_on
        )


class VettingReminder(models.Model):
    """A reminder sent about one check's expiry date: at most one per check and date."""

    check_record = models.ForeignKey(
        VettingCheck, on_delete=models.CASCADE, related_name="reminders"
    )
    expires_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["check_record", "expires_on"], name="vetting_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder for {self.check_record_id} expiring {self.expires_on}"


class ReminderRun(models.Model):
    """One run of the daily reminders, with its progress, shown to project managers."""

    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    checks_total = models.PositiveIntegerField(default=0)
    checks_done = models.PositiveIntegerField(default=0)
    reminders_sent = models.PositiveIntegerField(default=0)
    offers_lapsed = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Reminders {self.started_at:%Y-%m-%d %H:%M} ({self.status})"
