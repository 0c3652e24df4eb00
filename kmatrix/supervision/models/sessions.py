"""Availability, the sessions it makes (slots), bookings and the waiting list."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kmatrix.core.access import Scope, Viewer
from kmatrix.networks.models import Organisation, Person
from kmatrix.supervision.choices import (
    Attendance,
    BookingStatus,
    Mode,
    Profession,
    SlotStatus,
    WaitingStatus,
)
from kmatrix.supervision.models.service import (
    SupervisionService,
    is_project_manager,
    lead_q,
    project_manager_q,
    staff_q,
)
from kmatrix.supervision.models.supervisors import Supervisor

DURATION = [MinValueValidator(15), MaxValueValidator(240)]
CAPACITY = [MinValueValidator(1), MaxValueValidator(12)]
NOTHING = Q(pk__in=[])


def _supervisor_self(viewer: Viewer, path: str) -> Q:
    return Q(**{f"{path}__person_id": viewer.person_id}) if viewer.person_id else NOTHING


def _availability_readers(viewer: Viewer) -> Q:
    return project_manager_q(viewer) | _supervisor_self(viewer, "supervisor")


class Availability(models.Model):
    """A weekly (or fortnightly) time a supervisor offers, at the same London time every week."""

    service = models.ForeignKey(SupervisionService, on_delete=models.CASCADE, related_name="+")
    supervisor = models.ForeignKey(
        Supervisor, on_delete=models.CASCADE, related_name="availabilities"
    )
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ]
    )
    starts_at = models.TimeField("start time (London)")
    duration_minutes = models.PositiveSmallIntegerField(validators=DURATION)
    every_weeks = models.PositiveSmallIntegerField(
        "repeats every", choices=[(1, "Every week"), (2, "Every two weeks")], default=1
    )
    first_day = models.DateField()
    last_day = models.DateField()
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.VIRTUAL)
    location = models.CharField(max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(default=1, validators=CAPACITY)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = Scope(
        visibility_field=None, restricted_field=None, additional=_availability_readers
    )

    class Meta:
        ordering = ["supervisor", "weekday", "starts_at"]
        verbose_name_plural = "availabilities"
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="availability_last_after_first"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()}s at {self.starts_at:%H:%M}"

    def clean(self) -> None:
        if self.first_day and self.last_day:
            if self.last_day < self.first_day:
                raise ValidationError({"last_day": "The last day must be on or after the first."})
            if (self.last_day - self.first_day).days > 366:
                raise ValidationError({"last_day": "Offer up to a year at a time."})

    def managed_by(self, viewer: Viewer) -> bool:
        return is_project_manager(viewer, self.service_id) or self.supervisor.is_self(viewer)


def _slot_readers(viewer: Viewer) -> Q:
    return (
        project_manager_q(viewer)
        | _supervisor_self(viewer, "supervisor")
        | staff_q(viewer, "service__network_id")
    )


class Slot(models.Model):
    """One session a supervisor offers: when, how long, virtual or in person, how many places.

    ``taken`` counts confirmed bookings and places held for a waiting-list offer; the database
    refuses it above ``capacity``, which is what settles two people booking the last place at
    once (see bookings.booking_create).
    """

    # No index of their own: the (service, start) and (supervisor, start) indexes lead with them,
    # and with a second index the database may pick the one that cannot narrow by time.
    service = models.ForeignKey(
        SupervisionService, on_delete=models.CASCADE, related_name="slots", db_index=False
    )
    supervisor = models.ForeignKey(
        Supervisor, on_delete=models.CASCADE, related_name="slots", db_index=False
    )
    availability = models.ForeignKey(
        Availability, null=True, blank=True, on_delete=models.SET_NULL, related_name="slots"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(editable=False)
    duration_minutes = models.PositiveSmallIntegerField(validators=DURATION)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.VIRTUAL)
    location = models.CharField(
        max_length=200, blank=True, help_text="In person: the address. Virtual: the platform"
    )
    joining_link = models.URLField(
        blank=True, help_text="Virtual: the video call's address, sent only to people booked"
    )
    capacity = models.PositiveSmallIntegerField(
        default=1, validators=CAPACITY, help_text="1 for individual supervision; more for a group"
    )
    taken = models.PositiveSmallIntegerField(default=0, editable=False)
    rate = models.DecimalField(
        "fee for the session (£)",
        validators=[MinValueValidator(Decimal("0"))],
        max_digits=8,
        decimal_places=2,
    )
    status = models.CharField(max_length=10, choices=SlotStatus.choices, default=SlotStatus.OPEN)
    # Raised with every change the calendars should see (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["taken", "sequence"])

    access_scope: ClassVar[Scope] = Scope(
        visibility_field=None, restricted_field=None, additional=_slot_readers
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(taken__lte=F("capacity")), name="slot_not_overbooked"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=12), name="slot_capacity_range"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(rate__gte=0), name="slot_rate_not_negative"),
        ]
        indexes = [
            models.Index(fields=["service", "starts_at"], name="slot_service_start"),
            models.Index(fields=["supervisor", "starts_at"], name="slot_supervisor_start"),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} {self.starts_at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.starts_at is not None and self.duration_minutes:
            self.ends_at = self.starts_at + timedelta(minutes=self.duration_minutes)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("supervision:slot", args=[self.service.network.slug, self.pk])

    def clean(self) -> None:
        if self.starts_at is not None and self.duration_minutes:
            self.ends_at = self.starts_at + timedelta(minutes=self.duration_minutes)
        if self.mode == Mode.IN_PERSON and not self.location.strip():
            raise ValidationError({"location": "Say where the session takes place."})
        if self.capacity is not None and self.taken > self.capacity:
            raise ValidationError(
                {"capacity": f"{self.taken} places are taken: the session cannot be smaller."}
            )

    def managed_by(self, viewer: Viewer) -> bool:
        return is_project_manager(viewer, self.service_id) or self.supervisor.is_self(viewer)

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def is_group(self) -> bool:
        return self.capacity > 1


def _booking_readers(viewer: Viewer) -> Q:
    own = Q(person_id=viewer.person_id) if viewer.person_id else NOTHING
    return (
        project_manager_q(viewer)
        | own
        | _supervisor_self(viewer, "slot__supervisor")
        | lead_q(viewer, "service_id", "organisation_id")
    )


class Booking(models.Model):
    """A member of staff's place in a session, booked on behalf of their provider."""

    # The (service, organisation) index leads with the service.
    service = models.ForeignKey(
        SupervisionService, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    slot = models.ForeignKey(Slot, on_delete=models.RESTRICT, related_name="bookings")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="supervision_bookings"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    profession = models.CharField(
        "your profession",
        max_length=30,
        choices=Profession.choices,
        help_text="Counted against your provider's need for supervision",
    )
    focus = models.TextField(
        "what you would like to bring", blank=True, help_text="Shared with the supervisor"
    )
    status = models.CharField(
        max_length=10, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    attendance = models.CharField(
        max_length=15, choices=Attendance.choices, default=Attendance.NOT_RECORDED, blank=True
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancellation_reason = models.CharField(max_length=300, blank=True)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = Scope(
        visibility_field=None, restricted_field=None, additional=_booking_readers
    )

    class Meta:
        ordering = ["slot__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "person"],
                condition=Q(status=BookingStatus.CONFIRMED),
                name="booking_once_per_session",
            ),
            models.CheckConstraint(
                condition=Q(
                    status=BookingStatus.CONFIRMED, attendance__in=["", "attended", "no_show"]
                )
                | Q(status=BookingStatus.CANCELLED, attendance__in=["", "cancelled_late"]),
                name="booking_attendance_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "status"], name="booking_person_status"),
            models.Index(fields=["service", "organisation"], name="booking_service_org"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.slot}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:booking", args=[self.service.network.slug, self.pk])

    def managed_by(self, viewer: Viewer) -> bool:
        return is_project_manager(viewer, self.service_id)

    def is_own(self, viewer: Viewer) -> bool:
        return viewer.person_id is not None and viewer.person_id == self.person_id

    def may_change(self, viewer: Viewer) -> bool:
        """Cancel or move it: the person booked and the project managers."""
        return self.is_own(viewer) or self.managed_by(viewer)

    def may_record_attendance(self, viewer: Viewer) -> bool:
        return self.slot.supervisor.is_self(viewer) or self.managed_by(viewer)


def _waiting_readers(viewer: Viewer) -> Q:
    own = Q(person_id=viewer.person_id) if viewer.person_id else NOTHING
    return project_manager_q(viewer) | own | lead_q(viewer, "service_id", "organisation_id")


class WaitingListEntry(models.Model):
    """Someone waiting for a place in a full session; offered the first place that frees up."""

    service = models.ForeignKey(SupervisionService, on_delete=models.CASCADE, related_name="+")
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="waiting")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    profession = models.CharField(max_length=30, choices=Profession.choices)
    focus = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=WaitingStatus.choices, default=WaitingStatus.WAITING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="from_waiting_list"
    )
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = Scope(
        visibility_field=None, restricted_field=None, additional=_waiting_readers
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "waiting list entries"
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "person"],
                condition=Q(status__in=[WaitingStatus.WAITING, WaitingStatus.OFFERED]),
                name="waiting_once_per_session",
            ),
            models.CheckConstraint(
                condition=~Q(status=WaitingStatus.OFFERED) | Q(offer_expires_at__isnull=False),
                name="waiting_offer_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} waiting for {self.slot}"

    def managed_by(self, viewer: Viewer) -> bool:
        return is_project_manager(viewer, self.service_id)

    def is_own(self, viewer: Viewer) -> bool:
        return viewer.person_id is not None and viewer.person_id == self.person_id
