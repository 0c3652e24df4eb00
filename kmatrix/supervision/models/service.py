"""The supervision service of a network, its project managers and provider leads, and the
access rules every supervision record builds on."""

from __future__ import annotations

from typing import Any, ClassVar

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kmatrix.core.access import Scope, Viewer, by_field
from kmatrix.networks.models import Group, Network, NetworkOrganisation, Organisation, Person
from kmatrix.supervision.choices import CheckKind, ServiceRoleKind

NOTHING = Q(pk__in=[])


def _all_checks() -> list[str]:
    return list(CheckKind.values)


def _service_insiders(viewer: Viewer) -> Q:
    """The service's own people read it whatever the network's visibility: its supervisors
    (external ones belong to no network), project managers and provider leads."""
    if viewer.person_id is None:
        return NOTHING
    supervisors = apps.get_model("supervision", "Supervisor").objects.filter(
        person_id=viewer.person_id
    )
    roles = ServiceRole.objects.filter(person_id=viewer.person_id)
    return Q(pk__in=supervisors.values("service_id")) | Q(pk__in=roles.values("service_id"))


class SupervisionService(models.Model):
    """One network's supervision booking service (for the Alliance: Therapy Supervision)."""

    network = models.OneToOneField(
        Network, on_delete=models.CASCADE, related_name="supervision_service"
    )
    name = models.CharField(max_length=200, default="Therapy supervision")
    description = models.TextField(blank=True, help_text="Markdown")
    contact_email = models.EmailField(
        "project team email",
        blank=True,
        help_text="Where questions go; invitations are sent from the service with this as reply-to",
    )
    sponsor_group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Its members see need and provision and enter their provider's need "
        "(for the Alliance, the HR Director network)",
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="funding programme",
        help_text="The programme whose funding awards pay for the sessions: paid statements draw "
        "them down (for the Alliance, the Therapy Supervision programme)",
    )
    notice_hours = models.PositiveSmallIntegerField(
        "notice period (hours)",
        default=48,
        help_text="Cancelling within this many hours of the start counts as a late cancellation, "
        "and a booking can no longer be moved",
    )
    reminder_days = models.PositiveSmallIntegerField(
        "reminder (days before expiry)",
        default=30,
        help_text="Supervisors and project managers are reminded this many days before a check "
        "expires; checks this close to expiry show as expiring soon",
    )
    offer_hours = models.PositiveSmallIntegerField(
        "waiting list offer (hours)",
        default=24,
        help_text="How long a place that frees up is held for the first person waiting",
    )
    required_checks = models.JSONField(
        default=_all_checks, help_text="The checks a supervisor needs, all valid, to be booked"
    )
    open_for_applications = models.BooleanField(
        default=True, help_text="External supervisors may register themselves"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    # The service's page follows its network: anyone who reads the network reads what the
    # service is and how to join it, and so do its own people. Everything inside it is
    # private (see below).
    access_scope: ClassVar[Scope] = Scope(
        in_networks=by_field("network_id"),
        restricted_field=None,
        visibility_field="network__visibility",
        additional=_service_insiders,
    )

    class Meta:
        ordering = ["network__name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("supervision:home", args=[self.network.slug])

    def clean(self) -> None:
        if not isinstance(self.required_checks, list) or not set(self.required_checks) <= set(
            CheckKind.values
        ):
            raise ValidationError({"required_checks": "Choose checks from the list."})
        self.required_checks = [k for k in CheckKind.values if k in self.required_checks]
        if self.sponsor_group is not None and self.sponsor_group.network_id != self.network_id:
            raise ValidationError({"sponsor_group": "Choose a group of the same network."})

    def managed_by(self, viewer: Viewer) -> bool:
        return viewer.coordinates(self.network_id) or is_project_manager(viewer, self.pk)


class ServiceRole(models.Model):
    """A project manager of a service, or a provider's lead (who sees their staff's bookings)."""

    service = models.ForeignKey(SupervisionService, on_delete=models.CASCADE, related_name="roles")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="supervision_roles")
    role = models.CharField(max_length=20, choices=ServiceRoleKind.choices)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="For a provider lead: the provider they lead for",
    )
    history = HistoricalRecords()

    access_scope: ClassVar[Scope] = Scope(
        visibility_field=None,
        restricted_field=None,
        additional=lambda viewer: managed_q(viewer) | Q(person_id=viewer.person_id or 0),
    )

    class Meta:
        ordering = ["role", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "person"],
                condition=Q(role=ServiceRoleKind.PROJECT_MANAGER),
                name="service_role_one_project_manager_entry",
            ),
            models.UniqueConstraint(
                fields=["service", "person", "organisation"],
                condition=Q(role=ServiceRoleKind.PROVIDER_LEAD),
                name="service_role_one_lead_entry_per_provider",
            ),
            models.CheckConstraint(
                condition=Q(role=ServiceRoleKind.PROJECT_MANAGER, organisation__isnull=True)
                | Q(role=ServiceRoleKind.PROVIDER_LEAD, organisation__isnull=False),
                name="service_role_lead_has_provider",
            ),
        ]

    def __str__(self) -> str:
        where = f" ({self.organisation})" if self.organisation_id else ""
        return f"{self.person}: {self.get_role_display()}{where}"

    def clean(self) -> None:
        if self.role == ServiceRoleKind.PROVIDER_LEAD and self.organisation_id is None:
            raise ValidationError({"organisation": "A provider lead leads for a provider."})
        if self.role == ServiceRoleKind.PROJECT_MANAGER:
            self.organisation = None
        if self.organisation_id and not is_member_provider(self.service, self.organisation_id):
            raise ValidationError({"organisation": "Choose a member provider of the network."})

    def managed_by(self, viewer: Viewer) -> bool:
        return self.service.managed_by(viewer)


# --- Access rules shared by the supervision records ----------------------------------------


def is_project_manager(viewer: Viewer, service_id: int | None) -> bool:
    if viewer.is_admin:
        return True
    if viewer.person_id is None or service_id is None:
        return False
    return ServiceRole.objects.filter(
        service_id=service_id, person_id=viewer.person_id, role=ServiceRoleKind.PROJECT_MANAGER
    ).exists()


def is_member_provider(service: SupervisionService, organisation_id: int) -> bool:
    return NetworkOrganisation.objects.filter(
        network_id=service.network_id, organisation_id=organisation_id, is_member=True
    ).exists()


def managed_service_ids(viewer: Viewer) -> Any:
    """A subquery: the services the viewer is a project manager of."""
    return ServiceRole.objects.filter(
        person_id=viewer.person_id or 0, role=ServiceRoleKind.PROJECT_MANAGER
    ).values("service_id")


def project_manager_q(viewer: Viewer, service_path: str = "service_id") -> Q:
    """Records of the services the viewer manages as a project manager."""
    if viewer.person_id is None:
        return NOTHING
    return Q(**{f"{service_path}__in": managed_service_ids(viewer)})


def managed_q(viewer: Viewer, service_path: str = "service") -> Q:
    """Records of services the viewer runs: as a project manager, or as the network's
    coordinator (who sets the service up)."""
    q = project_manager_q(viewer, f"{service_path}_id")
    if viewer.coordinated_networks:
        q |= Q(**{f"{service_path}__network_id__in": viewer.coordinated_networks})
    return q


def staff_q(viewer: Viewer, network_path: str) -> Q:
    """Records of services whose network the viewer is in on behalf of a member provider:
    the staff who may book."""
    q = NOTHING
    by_network: dict[int, set[int]] = {}
    for network_id, org_id in viewer.memberships:
        by_network.setdefault(network_id, set()).add(org_id)
    for network_id, org_ids in sorted(by_network.items()):
        member = NetworkOrganisation.objects.filter(
            network_id=network_id, organisation_id__in=sorted(org_ids), is_member=True
        )
        q |= Q(**{network_path: network_id}) & Q(Exists(member))
    return q


def lead_q(viewer: Viewer, service_path: str, organisation_path: str) -> Q:
    """Records of a provider the viewer leads for in that service."""
    if viewer.person_id is None:
        return NOTHING
    leads = ServiceRole.objects.filter(
        person_id=viewer.person_id,
        role=ServiceRoleKind.PROVIDER_LEAD,
        service_id=OuterRef(service_path),
        organisation_id=OuterRef(organisation_path),
    )
    return Q(Exists(leads))


def sponsor_q(viewer: Viewer, service_path: str = "service") -> Q:
    """Records of services whose sponsor group (the HR Directors) the viewer belongs to."""
    if viewer.person_id is None:
        return NOTHING
    groups = Group.members.through.objects.filter(person_id=viewer.person_id).values("group_id")
    return Q(**{f"{service_path}__sponsor_group_id__in": groups})
