"""Meetings of a network's groups, their agendas, attendance and minutes, numbered decisions
linked to what they decide about, and actions from decision to result.

A meeting's date and times are kept as the date and the wall-clock times in Europe/London, the
way people arrange them, so a 10:00 meeting stays at 10:00 across a clock change; ``starts_at``
and ``ends_at`` give the aware datetimes. A date may be known only to the month ("April 2023"),
and then it has no times and appears in no calendar feed. Agenda items, decisions and actions
are read exactly when their meeting is.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kmatrix.core.access import Scope, Viewer, Visibility, by_field
from kmatrix.core.models import VisibleModel
from kmatrix.meetings import schedule
from kmatrix.networks.models import Group, Network, Person, Theme


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month only"


class Meeting(VisibleModel):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="meetings")
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="meetings"
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
        help_text="For an event of a programme rather than a group, such as a learning event",
    )
    title = models.CharField(max_length=200)
    date = models.DateField(help_text="For a month only, its first day")
    date_precision = models.CharField(
        "date known to the", max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    start_time = models.TimeField("starts at", null=True, blank=True, help_text="UK time")
    end_time = models.TimeField("ends at", null=True, blank=True, help_text="UK time")
    location = models.CharField("place", max_length=300, blank=True)
    is_virtual = models.BooleanField("held online", default=False)
    join_url = models.URLField("link to join", blank=True)
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField(blank=True, help_text="Markdown")
    attendance_note = models.CharField(max_length=300, blank=True)
    # Raised whenever the time, place or status changes, so calendars replace their copy.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "sequence"])

    # No organisation of its own: organisation-level visibility leaves it to coordinators.
    access_scope: ClassVar[Scope] = Scope(in_networks=by_field("network_id"))

    class Meta:
        # Plain fields, not F(...).asc(nulls_...): the expressions are compiled (and hashed)
        # again for every query and prefetch, which cost a meeting page several milliseconds.
        ordering = ["date", "start_time", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(start_time__isnull=True) & Q(end_time__isnull=True))
                | (
                    Q(start_time__isnull=False)
                    & Q(end_time__isnull=False)
                    & Q(end_time__gt=F("start_time"))
                ),
                name="meeting_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(date_precision="day") | Q(start_time__isnull=True),
                name="meeting_month_has_no_time",
            ),
        ]
        indexes = [
            models.Index(fields=["group", "date"]),
            models.Index(fields=["network", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.title}, {self.when}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting", args=[self.network.slug, self.pk])

    def managed_by(self, viewer: Viewer) -> bool:
        return viewer.coordinates(self.network_id) or (
            self.group_id is not None and self.group_id in viewer.chaired_groups
        )

    @property
    def when(self) -> str:
        if self.date_precision == DatePrecision.MONTH:
            return f"{self.date:%B %Y}"
        day = f"{self.date:%A} {self.date.day} {self.date:%B %Y}"
        if self.start_time and self.end_time:
            return f"{day}, {self.start_time:%H:%M} to {self.end_time:%H:%M}"
        return day

    @property
    def starts_at(self) -> datetime | None:
        if self.start_time is None or self.date_precision != DatePrecision.DAY:
            return None
        return schedule.local(self.date, self.start_time)

    @property
    def ends_at(self) -> datetime | None:
        if self.end_time is None or self.date_precision != DatePrecision.DAY:
            return None
        return schedule.local(self.date, self.end_time)

    @property
    def place(self) -> str:
        if self.is_virtual:
            return f"Online; {self.location}" if self.location else "Online"
        return self.location

    def clean(self) -> None:
        errors: dict[str, str] = {}
        group = self.group if self.group_id else None
        if group is not None and self.network_id and group.network_id != self.network_id:
            errors["group"] = "The group must be one of the network's groups."
        if self.date_precision == DatePrecision.MONTH:
            if self.start_time or self.end_time:
                errors["start_time"] = "A meeting known only to the month has no times."
            if self.date:
                self.date = self.date.replace(day=1)
        elif self.start_time and not self.end_time:
            errors["end_time"] = "Give the time the meeting ends."
        elif self.end_time and not self.start_time:
            errors["start_time"] = "Give the time the meeting starts."
        elif self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = "The meeting must end after it starts."
        if self.date and self.start_time and not errors:
            for name, at in (("start_time", self.start_time), ("end_time", self.end_time)):
                if at is None:
                    continue
                try:
                    schedule.local(self.date, at)
                except schedule.ScheduleError as error:
                    errors[name] = str(error)
        if errors:
            raise ValidationError(errors)


def _read_with_meeting(path: str) -> Scope:
    """The scope of a record read exactly when its meeting is."""

    def named(viewer: Viewer) -> Q:
        ids = Meeting.restricted_to.through.objects.filter(user_id=viewer.user_id or 0).values(
            "meeting_id"
        )
        return Q(**{f"{path}__visibility": Visibility.RESTRICTED, f"{path}_id__in": ids})

    return Scope(
        in_networks=by_field(f"{path}__network_id"),
        restricted_field=None,
        visibility_field=f"{path}__visibility",
        additional=named,
    )


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    presenter = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    presenter_note = models.CharField(
        "presented by (in words)",
        max_length=200,
        blank=True,
        help_text="When the presenter is not in the directory, for example: the lead clinician",
    )
    notes = models.TextField("what was discussed", blank=True, help_text="Markdown")
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
    )
    resources = models.ManyToManyField(
        "library.Resource",
        blank=True,
        related_name="agenda_items",
        verbose_name="papers from the library",
    )
    history = HistoricalRecords(m2m_fields=[resources])

    access_scope: ClassVar[Scope] = _read_with_meeting("meeting")

    class Meta:
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class AgendaPaper(models.Model):
    """A paper for an agenda item that is not in the library: a title and where to read it
    (papers from the library are the item's ``resources``)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=300)
    url = models.URLField("address", blank=True)

    class Meta:
        ordering = ["item", "pk"]

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    role_note = models.CharField(max_length=200, blank=True, help_text="For example: chair")

    class Meta:
        ordering = ["meeting", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_status_display()}"


class Decision(models.Model):
    """What a meeting decided, numbered within the meeting (1, 2, 3 ...)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    text = models.TextField("decision", help_text="What was decided; Markdown")
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = _read_with_meeting("meeting")

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="decision_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="decision_number_positive"),
        ]

    def __str__(self) -> str:
        return f"Decision {self.number}"

    @property
    def reference(self) -> str:
        return f"D{self.number}"

    def managed_by(self, viewer: Viewer) -> bool:
        return self.meeting.managed_by(viewer)


class DecisionLink(models.Model):
    """What a decision is about: a strategic theme, a programme, an indicator or an
    improvement plan (exactly one of them)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="links")
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="decision_links"
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decision_links",
    )
    indicator = models.ForeignKey(
        "indicators.Indicator",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decision_links",
    )
    plan = models.ForeignKey(
        "improvement.ImprovementPlan",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decision_links",
        verbose_name="improvement plan",
    )

    class Meta:
        ordering = ["decision", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(theme__isnull=False, programme__isnull=True, indicator__isnull=True)
                    & Q(plan__isnull=True)
                    | Q(theme__isnull=True, programme__isnull=False, indicator__isnull=True)
                    & Q(plan__isnull=True)
                    | Q(theme__isnull=True, programme__isnull=True, indicator__isnull=False)
                    & Q(plan__isnull=True)
                    | Q(theme__isnull=True, programme__isnull=True, indicator__isnull=True)
                    & Q(plan__isnull=False)
                ),
                name="decision_link_one_target",
            ),
        ]

    def __str__(self) -> str:
        return str(self.theme or self.programme or self.indicator or self.plan)

    @property
    def kind(self) -> str:
        if self.theme_id:
            return "theme"
        if self.programme_id:
            return "programme"
        return "indicator" if self.indicator_id else "plan"

    @property
    def target(self) -> Any:
        return self.theme or self.programme or self.indicator or self.plan


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
CLOSED_STATUSES = (ActionStatus.DONE, ActionStatus.DROPPED)


class Action(models.Model):
    """Something a meeting asked someone (a person, or a group) to do, and what came of it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    title = models.CharField("action", max_length=300)
    description = models.TextField(blank=True, help_text="Markdown")
    owner = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="actions",
        help_text="The person who will do it",
    )
    owner_group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="owned_actions",
        verbose_name="owning group",
        help_text="Or the group that will do it",
    )
    due_on = models.DateField("due by", null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    closed_on = models.DateField(
        "done or dropped on", null=True, blank=True, help_text="When it was done or dropped"
    )
    result = models.TextField(blank=True, help_text="What came of it; Markdown")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = _read_with_meeting("meeting")

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | Q(owner_group__isnull=False),
                name="action_has_owner",
            ),
            models.CheckConstraint(
                condition=(Q(status__in=["done", "dropped"]) & Q(closed_on__isnull=False))
                | (Q(status__in=["open", "in_progress"]) & Q(closed_on__isnull=True)),
                name="action_closed_on_when_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["owner", "status"]),
            # The tracker goes from the readable meetings to their open actions by this.
            models.Index(fields=["meeting", "status", "due_on"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:action", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today

    @property
    def owner_name(self) -> str:
        if self.owner is not None:
            return self.owner.full_name
        return self.owner_group.name if self.owner_group else ""

    def managed_by(self, viewer: Viewer) -> bool:
        if self.owner_id is not None and self.owner_id == viewer.person_id:
            return True
        if self.owner_group_id is not None and self.owner_group_id in viewer.chaired_groups:
            return True
        return self.meeting.managed_by(viewer)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.owner_id is None and self.owner_group_id is None:
            errors["owner"] = "Say who will do it: a person or a group."
        decision = self.decision if self.decision_id else None
        if decision is not None and self.meeting_id and decision.meeting_id != self.meeting_id:
            errors["decision"] = "The decision must be one of this meeting's."
        if self.status in CLOSED_STATUSES and self.closed_on is None:
            errors["closed_on"] = "Give the date it was done or dropped."
        if self.status in OPEN_STATUSES:
            self.closed_on = None
        if errors:
            raise ValidationError(errors)


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Due within a week"
    OVERDUE = "overdue", "Overdue"


class ActionReminder(models.Model):
    """An emailed reminder: sent once per action, kind and due date, however often the daily
    command runs."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    due_on = models.DateField()
    recipient = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action", "kind", "due_on"], name="action_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder for {self.action} to {self.recipient}"


class CalendarFeed(models.Model):
    """The key of a person's secret calendar address. The address carries an HMAC of the user's
    id and ``key`` under the site's SECRET_KEY, so it can be shown again whenever they ask and
    a copy of the database alone does not give it away. Until someone resets their address
    there is no row (the key is empty); resetting stores a new random key, which stops the old
    address working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"Calendar address of {self.user}"
