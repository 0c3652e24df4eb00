"""Need for supervision per provider, profession and financial year (the gap analysis)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from kmatrix.core.access import Scope, Viewer
from kmatrix.networks.models import Organisation
from kmatrix.supervision.choices import Profession
from kmatrix.supervision.models.service import (
    SupervisionService,
    is_member_provider,
    is_project_manager,
    lead_q,
    managed_q,
    sponsor_q,
)
from kmatrix.supervision.times import financial_year_label


def _need_readers(viewer: Viewer) -> Q:
    return managed_q(viewer) | sponsor_q(viewer) | lead_q(viewer, "service_id", "organisation_id")


class SessionNeed(models.Model):
    """How many supervision sessions a provider's staff of one profession need in a year."""

    service = models.ForeignKey(SupervisionService, on_delete=models.CASCADE, related_name="needs")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    profession = models.CharField(max_length=30, choices=Profession.choices)
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year it starts: 2025 for 2025/26"
    )
    sessions_needed = models.PositiveIntegerField()
    is_illustrative = models.BooleanField(
        default=False, help_text="A made-up figure (the demo): the page says so"
    )
    notes = models.CharField(max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = Scope(
        visibility_field=None, restricted_field=None, additional=_need_readers
    )

    class Meta:
        ordering = ["organisation__name", "profession"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "organisation", "profession", "financial_year"],
                name="session_need_once",
            ),
            models.CheckConstraint(
                condition=Q(sessions_needed__gte=0), name="session_need_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(financial_year__gte=2000) & Q(financial_year__lte=2100),
                name="session_need_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.profession} {financial_year_label(self.financial_year)}"

    def clean(self) -> None:
        if (
            self.organisation_id
            and self.service_id
            and not is_member_provider(self.service, self.organisation_id)
        ):
            raise ValidationError({"organisation": "Choose a member provider of the network."})

    def managed_by(self, viewer: Viewer) -> bool:
        return may_enter_need(viewer, self.service, self.organisation_id)


def may_enter_need(viewer: Viewer, service: SupervisionService, organisation_id: int) -> bool:
    """Project managers enter every provider's need; an HR Director (a member of the sponsor
    group) enters their own provider's, the one they are in the network for."""
    if is_project_manager(viewer, service.pk):
        return True
    if service.sponsor_group_id is None or viewer.person_id is None:
        return False
    if organisation_id not in viewer.organisations_in(service.network_id):
        return False
    return service.sponsor_group.members.filter(pk=viewer.person_id).exists()  # type: ignore[union-attr]
