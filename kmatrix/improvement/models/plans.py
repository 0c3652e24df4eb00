"""Improvement plans and their reviews, measures, actions, progress updates, outcomes,
evidence files, time given and the reminders sent."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kmatrix.core.access import Scope, Viewer, Visibility, by_field
from kmatrix.core.models import VisibleModel
from kmatrix.improvement.models.baseline import (
    Gap,
    ItemRating,
    Locality,
    Rag,
    _in_organisation,
    _localities_holding,
)
from kmatrix.networks.models import Network, Organisation, Person, Role, Theme, Workstream

# --- Improvement plans --------------------------------------------------------------------------


class ImprovementPlan(VisibleModel):
    """A plan on the reporting template."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for review"
        RETURNED = "returned", "Returned with comments"
        PUBLISHED = "published", "Published"
        SUSTAINED = "sustained", "Sustained"
        CLOSED = "closed", "Closed"
        STOPPED = "stopped", "Stopped"

    class Method(models.TextChoices):
        PDSA = "pdsa", "Plan, do, study, act (PDSA)"
        LEAN = "lean", "Lean"
        EBCD = "ebcd", "Experience-based co-design"
        OTHER = "other", "Other"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="plans")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="plans")
    workstream = models.ForeignKey(
        Workstream, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans"
    )
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.RESTRICT, related_name="plans"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.RESTRICT, related_name="plans"
    )
    title = models.CharField(max_length=200)
    aim = models.TextField(blank=True, help_text="Markdown: what the plan will achieve, by when")
    gaps = models.ManyToManyField(Gap, blank=True, related_name="plans")
    baseline = models.TextField(blank=True, help_text="Markdown")
    method = models.CharField(max_length=10, choices=Method.choices, blank=True)
    method_other = models.CharField(max_length=200, blank=True)
    lead = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_plans"
    )
    team = models.ManyToManyField(Person, blank=True, related_name="plans")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    rag = models.CharField("RAG rating", max_length=5, choices=Rag.choices, blank=True)
    update_every_months = models.PositiveSmallIntegerField(
        default=1, help_text="How often progress updates are due"
    )
    shared_with_partners = models.BooleanField(
        "share with partner networks",
        default=False,
        help_text="Members of networks linked to this one may read it once it is published",
    )
    is_illustrative = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: a save names the version it edited, and a stale one is refused.
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["restricted_to", "updated_at"])

    # Until it is published a plan is read by its authors and reviewers only (the condition);
    # published plans of network visibility marked shared cross to partner networks' members.
    access_scope: ClassVar[Scope] = Scope(
        in_networks=by_field("network_id"),
        in_organisation=_in_organisation,
        condition=lambda viewer: plan_readers(viewer, ""),
        shared=lambda ids: Q(network_id__in=ids, shared_with_partners=True),
        additional=lambda viewer: _plan_people(viewer, ""),
    )

    ACTIVE = (Status.PUBLISHED,)  # updates are due on published plans
    FINISHED = (Status.SUSTAINED, Status.CLOSED, Status.STOPPED)

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["network", "status"], name="plan_network_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(locality__isnull=True) | Q(organisation__isnull=True),
                name="plan_at_most_one_place",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("improvement:plan", args=[self.network.slug, self.pk])

    @property
    def place(self) -> Locality | Organisation | None:
        return self.locality or self.organisation

    def is_author(self, viewer: Viewer) -> bool:
        if viewer.person_id is None:
            return False
        if self.lead_id == viewer.person_id:
            return True
        if self.created_by_id is not None and self.created_by_id == viewer.user_id:
            return True
        return self.team.filter(pk=viewer.person_id).exists()

    def reviewed_by(self, viewer: Viewer) -> bool:
        """Who publishes or returns the plan: its theme lead (the lead of its workstream, or
        any theme lead of the network for a plan with no workstream), the network's
        communications leads and its coordinators."""
        if viewer.coordinates(self.network_id):
            return True
        if viewer.holds(self.network_id, Role.COMMUNICATIONS_LEAD):
            return True
        if self.workstream_id is None:
            return viewer.holds(self.network_id, Role.THEME_LEAD)
        return self.workstream_id in viewer.led_workstreams

    def managed_by(self, viewer: Viewer) -> bool:
        return self.reviewed_by(viewer) or self.is_author(viewer)

    def clean(self) -> None:
        if self.method == self.Method.OTHER and not self.method_other.strip():
            raise ValidationError({"method_other": "Say which method, or choose one listed."})


class PlanReview(models.Model):
    """A reviewer's decision on a submitted plan: published, or returned with comments."""

    class Decision(models.TextChoices):
        PUBLISHED = "published", "Published"
        RETURNED = "returned", "Returned with comments"

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="returned") | ~Q(comment=""),
                name="plan_review_return_has_comment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.get_decision_display()}"


class PlanMeasure(models.Model):
    """An indicator series that measures the plan (its baseline and its progress)."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="measures")
    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.CASCADE, related_name="plan_measures"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["plan", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator", "organisation"], name="plan_measure_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} at {self.organisation_id}"


class PlanAction(models.Model):
    """An action or milestone of a plan."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        BLOCKED = "blocked", "Blocked"

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    is_milestone = models.BooleanField(default=False)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_actions"
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    completed_on = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "position", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date) -> bool:
        return self.status != self.Status.DONE and self.due_on is not None and self.due_on < today


# Plans everyone who may read them sees; the others are read by their authors and reviewers.
SHOWN_STATUSES = (ImprovementPlan.Status.PUBLISHED, *ImprovementPlan.FINISHED)


def plan_readers(viewer: Viewer, prefix: str) -> Q:
    """Plans not yet published are read by their authors and the people who review them
    (``ImprovementPlan.reviewed_by``); ``prefix`` reaches the plan from a related record."""
    if viewer.is_admin:
        return Q()
    q = Q(**{f"{prefix}status__in": SHOWN_STATUSES})
    if viewer.person_id is not None:
        teams = ImprovementPlan.team.through.objects.filter(person_id=viewer.person_id)
        q |= Q(**{f"{prefix}lead_id": viewer.person_id}) | Q(
            **{f"{prefix}pk__in": teams.values("improvementplan_id")}
        )
    if viewer.user_id is not None:
        q |= Q(**{f"{prefix}created_by_id": viewer.user_id})
    reviewing = set(viewer.coordinated_networks) | {
        net for net, role in viewer.network_roles if role == Role.COMMUNICATIONS_LEAD
    }
    theme_leads = {net for net, role in viewer.network_roles if role == Role.THEME_LEAD}
    q |= Q(**{f"{prefix}network_id__in": reviewing})
    q |= Q(**{f"{prefix}workstream_id__in": viewer.led_workstreams})
    q |= Q(**{f"{prefix}workstream__isnull": True, f"{prefix}network_id__in": theme_leads})
    return q


def _plan_people(viewer: Viewer, prefix: str) -> Q:
    """A plan's lead and team always read it (and its updates), whatever its visibility."""
    if viewer.person_id is None:
        return Q(pk__in=[])
    teams = ImprovementPlan.team.through.objects.filter(person_id=viewer.person_id)
    return Q(**{f"{prefix}lead_id": viewer.person_id}) | Q(
        **{f"{prefix}pk__in": teams.values("improvementplan_id")}
    )


def _update_in_networks(ids: frozenset[int]) -> Q:
    return Q(plan__network_id__in=ids)


def _update_in_organisation(network_id: int, org_ids: frozenset[int]) -> Q:
    return Q(plan__network_id=network_id) & (
        Q(plan__organisation_id__in=org_ids) | Q(plan__locality_id__in=_localities_holding(org_ids))
    )


def _update_condition(viewer: Viewer) -> Q:
    """Submitted updates of plans the viewer reads (drafts are their writers' alone)."""
    return Q(status="submitted") & plan_readers(viewer, "plan__")


def _update_named(viewer: Viewer) -> Q:
    if viewer.user_id is None:
        return Q(pk__in=[])
    named = ImprovementPlan.restricted_to.through.objects.filter(user_id=viewer.user_id)
    return Q(
        plan__visibility=Visibility.RESTRICTED,
        plan_id__in=named.values("improvementplan_id"),
    ) & _update_condition(viewer) | _plan_people(viewer, "plan__")


class ProgressUpdate(models.Model):
    """A progress report on the reporting template for one period (the first of its month).
    Reads follow the plan's visibility: submitted updates of plans the viewer reads, and
    every update to the plan's lead and team."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="updates")
    period = models.DateField(help_text="The first day of the month reported on")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    progress = models.TextField(blank=True, help_text="Markdown")
    next_steps = models.TextField(blank=True, help_text="Markdown")
    risks = models.TextField("risks and issues", blank=True, help_text="Markdown")
    help_needed = models.TextField("help asked of the network", blank=True, help_text="Markdown")
    rag = models.CharField("RAG rating", max_length=5, choices=Rag.choices, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The theme lead's reading: feedback to the team, and whether the update goes into the
    # theme summary fed back to the wider network.
    feedback = models.TextField("feedback to the team", blank=True, help_text="Markdown")
    in_summary = models.BooleanField("include in the theme summary", default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    access_scope: ClassVar[Scope] = Scope(
        in_networks=_update_in_networks,
        in_organisation=_update_in_organisation,
        visibility_field="plan__visibility",
        restricted_field=None,
        condition=lambda viewer: _update_condition(viewer),
        additional=lambda viewer: _update_named(viewer),
    )

    class Meta:
        ordering = ["plan", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "period"], name="progress_update_period_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.period:%B %Y}"

    def is_overdue(self, today: date) -> bool:
        return self.status == self.Status.DRAFT and self.due_on < today

    def managed_by(self, viewer: Viewer) -> bool:
        return self.plan.managed_by(viewer)


class UpdateMeasure(models.Model):
    """A measure value reported in an update; submitting the update writes it to the
    indicator's data (and so to its SPC chart) through ``indicators.services``."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="measures")
    measure = models.ForeignKey(PlanMeasure, on_delete=models.CASCADE, related_name="values")
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["update", "measure"], name="update_measure_unique")
        ]

    def __str__(self) -> str:
        return f"{self.measure}: {self.value}"


class Outcome(models.Model):
    """What changed, and the evidence; sustainability is checked 6 and 12 months on."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="outcomes")
    summary = models.TextField("what changed", help_text="Markdown")
    evidence = models.TextField(blank=True, help_text="Markdown")
    measure = models.ForeignKey(
        PlanMeasure,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outcomes",
        help_text="The series whose SPC chart shows the improvement",
    )
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "-recorded_on"]

    def __str__(self) -> str:
        return f"{self.plan}: outcome of {self.recorded_on:%d %B %Y}"


class SustainabilityCheck(models.Model):
    class Result(models.TextChoices):
        SUSTAINED = "sustained", "Sustained"
        PARTLY = "partly", "Partly sustained"
        NOT_SUSTAINED = "not_sustained", "Not sustained"

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="checks")
    months_after = models.PositiveSmallIntegerField(help_text="6 or 12")
    due_on = models.DateField()
    checked_on = models.DateField(null=True, blank=True)
    result = models.CharField(max_length=15, choices=Result.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["outcome", "months_after"]
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "months_after"], name="sustainability_check_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.outcome}: {self.months_after}-month check"


def evidence_path(instance: EvidenceFile, filename: str) -> str:
    return f"improvement/evidence/{date.today():%Y/%m}/{filename}"


class EvidenceFile(models.Model):
    """A file backing an item's rating or an outcome; served as an attachment, never inline."""

    rating = models.ForeignKey(
        ItemRating, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    outcome = models.ForeignKey(
        Outcome, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(upload_to=evidence_path, max_length=300)
    name = models.CharField(max_length=200, help_text="The file's name as uploaded")
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=False, outcome__isnull=True)
                | Q(rating__isnull=True, outcome__isnull=False),
                name="evidence_file_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name


# --- Time given ---------------------------------------------------------------------------------


class TimeLog(models.Model):
    """Days a member gave to the network's work in one month (optionally on one plan)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="time_logs")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="time_logs")
    month = models.DateField(help_text="The first day of the month")
    days = models.DecimalField(max_digits=4, decimal_places=1)
    plan = models.ForeignKey(
        ImprovementPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="time_logs"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "person", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(days__gt=0) & Q(days__lte=31), name="time_log_days_in_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.days} days in {self.month:%B %Y}"


class ReminderSent(models.Model):
    """A reminder e-mailed about one update, so that none is sent twice."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Due soon"
        OVERDUE = "overdue", "Overdue"
        LEAD_OVERDUE = "lead_overdue", "Overdue, to the theme lead"
        SUSTAINABILITY = "sustainability", "Sustainability check due"

    update = models.ForeignKey(
        ProgressUpdate, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    sustainability_check = models.ForeignKey(
        SustainabilityCheck,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(max_length=15, choices=Kind.choices)
    sent_to = models.TextField(help_text="The addresses, one per line")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["update", "kind"],
                condition=Q(update__isnull=False),
                name="reminder_update_once",
            ),
            models.UniqueConstraint(
                fields=["sustainability_check", "kind"],
                condition=Q(sustainability_check__isnull=False),
                name="reminder_check_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.sent_at:%d %B %Y})"
