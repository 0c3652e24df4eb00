"""Writes to the supervision service: its set-up and roles, supervisors and their vetting,
self-registration, and need per provider. Sessions, bookings and payments have their own
modules (slots.py, bookings.py, payments.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest

from kmatrix.core.access import Visibility
from kmatrix.core.models import User
from kmatrix.networks.models import Network, Organisation, Person
from kmatrix.supervision.choices import (
    CheckKind,
    CheckStatus,
    Profession,
    ServiceRoleKind,
    SupervisorKind,
    SupervisorStatus,
)
from kmatrix.supervision.models import (
    NEVER,
    ServiceRole,
    SessionNeed,
    SupervisionService,
    Supervisor,
    SupervisorModality,
    VettingCheck,
)


def _save(obj: Any, **fields: Any) -> Any:
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


# --- The service and its roles -------------------------------------------------------------


@transaction.atomic
def service_save(
    *, service: SupervisionService | None = None, network: Network, **fields: Any
) -> SupervisionService:
    """Set up or change a network's supervision service; a change to the required checks
    re-works out every supervisor's vetting."""
    if service is None and SupervisionService.objects.filter(network=network).exists():
        raise ValidationError(f"{network} already has a supervision service.")
    before = list(service.required_checks) if service is not None else None
    saved: SupervisionService = _save(service or SupervisionService(), network=network, **fields)
    if before is not None and before != saved.required_checks:
        for supervisor in saved.supervisors.prefetch_related("checks"):
            supervisor_vetting_refresh(supervisor=supervisor, service=saved)
    return saved


@transaction.atomic
def service_role_add(
    *,
    service: SupervisionService,
    person: Person,
    role: str,
    organisation: Organisation | None = None,
) -> ServiceRole:
    same = ServiceRole.objects.filter(service=service, person=person, role=role)
    if organisation is not None:
        same = same.filter(organisation=organisation)
    if same.exists():
        raise ValidationError({"person": f"{person} already has this role."})
    return _save(ServiceRole(service=service), person=person, role=role, organisation=organisation)


@transaction.atomic
def service_role_remove(*, role: ServiceRole) -> None:
    if (
        role.role == ServiceRoleKind.PROJECT_MANAGER
        and not ServiceRole.objects.filter(service_id=role.service_id, role=role.role)
        .exclude(pk=role.pk)
        .exists()
    ):
        raise ValidationError("The service needs a project manager: appoint another one first.")
    role.delete()


# --- Supervisors ---------------------------------------------------------------------------


@transaction.atomic
def supervisor_save(
    *,
    supervisor: Supervisor | None = None,
    service: SupervisionService,
    person: Person,
    modalities: Iterable[str],
    **fields: Any,
) -> Supervisor:
    """Add or change a supervisor and the modalities they supervise in."""
    chosen = sorted(set(modalities))
    if not chosen:
        raise ValidationError({"modalities": "Choose at least one modality."})
    clash = Supervisor.objects.filter(service=service, person=person)
    if supervisor is not None:
        clash = clash.exclude(pk=supervisor.pk)
    if clash.exists():
        raise ValidationError({"person": f"{person} is already a supervisor of this service."})
    obj: Supervisor = _save(supervisor or Supervisor(), service=service, person=person, **fields)
    obj.modalities.exclude(modality__in=chosen).delete()
    have = set(obj.modalities.values_list("modality", flat=True))
    SupervisorModality.objects.bulk_create(
        [SupervisorModality(supervisor=obj, modality=m) for m in chosen if m not in have]
    )
    if supervisor is None:
        supervisor_vetting_refresh(supervisor=obj, service=service)
    return obj


def person_for_supervisor(*, full_name: str, email: str, job_title: str) -> Person:
    """The directory entry with this email, or a new one visible to nobody but its owner and
    the people the supervision service shows it to."""
    email = email.strip().lower()
    found = Person.objects.filter(email__iexact=email).first() if email else None
    if found is not None:
        return found
    return _save(
        Person(),
        full_name=full_name.strip(),
        email=email,
        job_title=job_title,
        visibility=Visibility.RESTRICTED,
        contact_visibility=Visibility.RESTRICTED,
    )


_NEXT_STATUSES = {
    SupervisorStatus.APPLIED: {SupervisorStatus.ACTIVE, SupervisorStatus.REJECTED},
    SupervisorStatus.ACTIVE: {SupervisorStatus.PAUSED, SupervisorStatus.WITHDRAWN},
    SupervisorStatus.PAUSED: {SupervisorStatus.ACTIVE, SupervisorStatus.WITHDRAWN},
    SupervisorStatus.WITHDRAWN: {SupervisorStatus.ACTIVE},
    SupervisorStatus.REJECTED: {SupervisorStatus.APPLIED},
}


@transaction.atomic
def supervisor_status_set(*, supervisor: Supervisor, status: str) -> Supervisor:
    """Take a supervisor on, pause or withdraw them. Taking on needs the checks to be valid
    today; sessions already booked stay booked."""
    if status not in _NEXT_STATUSES.get(SupervisorStatus(supervisor.status), set()):
        wanted = SupervisorStatus(status).label if status in SupervisorStatus.values else status
        raise ValidationError(
            f"A supervisor who is {supervisor.get_status_display().lower()} cannot become "
            f"{wanted.lower()}."
        )
    if status == SupervisorStatus.ACTIVE and not _cleared_today(supervisor):
        raise ValidationError(
            "Every required check must be valid before the supervisor can be taken on."
        )
    supervisor.status = status
    supervisor.save(update_fields=["status"])
    return supervisor


def _cleared_today(supervisor: Supervisor) -> bool:
    from django.utils import timezone

    return supervisor.cleared_until is not None and supervisor.cleared_until >= timezone.localdate()


# --- Vetting -------------------------------------------------------------------------------


def clearance(checks: Iterable[VettingCheck], required: Iterable[str]) -> tuple[date | None, bool]:
    """The last day every required check is valid (None while one is missing or not valid,
    ``NEVER`` when none of them expires) and whether a required check has failed."""
    by_kind = {c.kind: c for c in checks}
    needed = list(required)
    failed = any(k in by_kind and by_kind[k].status == CheckStatus.FAILED for k in needed)
    until = NEVER
    for kind in needed:
        check = by_kind.get(kind)
        if check is None or check.status != CheckStatus.VALID:
            return None, failed
        until = min(until, check.expires_on or NEVER)
    return until, failed


def supervisor_vetting_refresh(
    *, supervisor: Supervisor, service: SupervisionService | None = None
) -> Supervisor:
    required = (service or supervisor.service).required_checks
    until, failed = clearance(supervisor.checks.all(), required)
    if (supervisor.cleared_until, supervisor.vetting_failed) != (until, failed):
        supervisor.cleared_until, supervisor.vetting_failed = until, failed
        Supervisor.objects.filter(pk=supervisor.pk).update(
            cleared_until=until, vetting_failed=failed
        )
    return supervisor


@transaction.atomic
def vetting_check_save(
    *, supervisor: Supervisor, kind: str, user: Any | None, **fields: Any
) -> VettingCheck:
    """Record one check; the supervisor's vetting as a whole is worked out again."""
    if kind not in CheckKind.values:
        raise ValidationError({"kind": f"Unknown check {kind!r}."})
    check = VettingCheck.objects.filter(supervisor=supervisor, kind=kind).first() or VettingCheck(
        supervisor=supervisor, kind=kind
    )
    saved: VettingCheck = _save(check, checked_by=user, **fields)
    supervisor_vetting_refresh(supervisor=supervisor)
    return saved


# --- Registration by external supervisors --------------------------------------------------


def _already_registered_mail(service: SupervisionService, email: str, sign_in: str) -> None:
    body = (
        f"Someone, probably you, asked to register as a supervisor with {service.name} "
        f"({service.network.name}) using this email address.\n\n"
        "This address already has an account or an entry in the directory, so no new account "
        f"was made. If it was you, sign in at {sign_in}, or ask the project team "
        f"({service.contact_email or 'through the service page'}) to add you as a supervisor.\n\n"
        "If it was not you, you can ignore this email.\n"
    )
    EmailMessage(f"Your registration with {service.name}", body, to=[email]).send()


@transaction.atomic
def supervisor_register(
    *,
    service: SupervisionService,
    request: HttpRequest,
    full_name: str,
    email: str,
    password: str,
    modalities: Iterable[str],
    sign_in_url: str,
    **profile: Any,
) -> Supervisor | None:
    """An external supervisor registers: an account whose email allauth confirms, a directory
    entry only they (and the service's project managers, through their profile) see, and a
    profile awaiting vetting. Nothing else: no membership, no role.

    An address already known gets an email saying so instead, and the caller shows the same
    page either way, so the form does not reveal who has an account.
    """
    if not service.open_for_applications:
        raise ValidationError("The service is not taking applications just now.")
    email = email.strip().lower()
    known = (
        User.objects.filter(email__iexact=email).exists()
        or Person.objects.filter(email__iexact=email).exists()
    )
    if known:
        transaction.on_commit(lambda: _already_registered_mail(service, email, sign_in_url))
        return None
    user = User.objects.create_user(email=email, password=password)
    address = EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
    profession = Profession(profile["profession"]).label
    person = _save(
        Person(),
        full_name=full_name.strip(),
        email=email,
        job_title=f"{profession} (external supervisor)",
        visibility=Visibility.RESTRICTED,
        contact_visibility=Visibility.RESTRICTED,
        user=user,
    )
    supervisor = supervisor_save(
        service=service,
        person=person,
        modalities=modalities,
        kind=SupervisorKind.EXTERNAL,
        status=SupervisorStatus.APPLIED,
        **profile,
    )
    Supervisor.objects.filter(pk=supervisor.pk).update(self_registered=True)
    supervisor.self_registered = True
    transaction.on_commit(lambda: _confirmation_mail(request, address))
    return supervisor


def _confirmation_mail(request: HttpRequest, address: EmailAddress) -> None:
    """allauth's own confirmation email; its mail code reads the request from allauth's
    context, which is set only while allauth's middleware handles the request."""
    from allauth.core import context as allauth_context

    with allauth_context.request_context(request):
        address.send_confirmation(request, signup=True)


def email_confirmed(user_id: int | None) -> bool:
    return EmailAddress.objects.filter(user_id=user_id, verified=True).exists()


# --- Need per provider ---------------------------------------------------------------------


@transaction.atomic
def need_save(
    *,
    service: SupervisionService,
    organisation: Organisation,
    financial_year: int,
    needs: Mapping[str, int | None],
    user: Any | None,
) -> list[SessionNeed]:
    """Set a provider's need for a year, by profession; a blank need removes the row."""
    unknown = set(needs) - set(Profession.values)
    if unknown:
        raise ValidationError(f"Unknown profession: {', '.join(sorted(unknown))}.")
    saved = []
    for profession, sessions in needs.items():
        row = SessionNeed.objects.filter(
            service=service,
            organisation=organisation,
            profession=profession,
            financial_year=financial_year,
        ).first()
        if sessions is None:
            if row is not None:
                row.delete()
            continue
        if row is not None and row.sessions_needed == sessions:
            saved.append(row)
            continue
        saved.append(
            _save(
                row
                or SessionNeed(
                    service=service,
                    organisation=organisation,
                    profession=profession,
                    financial_year=financial_year,
                ),
                sessions_needed=sessions,
                updated_by=user,
            )
        )
    return saved
