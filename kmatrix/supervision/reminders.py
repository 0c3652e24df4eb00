"""The daily round: reminders before vetting checks expire, lapsed waiting-list offers, and
registrations whose email was never confirmed.

Safe to run as often as you like: a reminder is recorded per check and expiry date (a
database constraint), so each expiry is reminded about once; renewing a check (a new expiry
date) starts afresh. ``kmatrix supervision-reminders`` runs it with a progress bar (cron it
daily), or queues it for the worker with ``--enqueue``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from kmatrix.core.models import User
from kmatrix.supervision.bookings import waiting_offers_lapse
from kmatrix.supervision.choices import CheckStatus, RunStatus, SupervisorStatus
from kmatrix.supervision.models import (
    ReminderRun,
    SupervisionService,
    Supervisor,
    VettingCheck,
    VettingReminder,
)

Progress = Callable[[int, int], None]
# A self-registration whose email is not confirmed within this many days is removed.
UNCONFIRMED_DAYS = 14
STILL_SUPERVISING = [SupervisorStatus.APPLIED, SupervisorStatus.ACTIVE, SupervisorStatus.PAUSED]


def checks_due(today: date) -> list[VettingCheck]:
    """Valid checks expiring within their service's reminder period, not yet reminded about."""
    found: list[VettingCheck] = []
    reminded = VettingReminder.objects.filter(
        check_record_id=OuterRef("pk"), expires_on=OuterRef("expires_on")
    )
    for service in SupervisionService.objects.order_by("pk"):
        found += list(
            VettingCheck.objects.filter(
                supervisor__service=service,
                supervisor__status__in=STILL_SUPERVISING,
                kind__in=service.required_checks,
                status=CheckStatus.VALID,
                expires_on__gte=today,
                expires_on__lte=today + timedelta(days=service.reminder_days),
            )
            .exclude(Exists(reminded))
            .select_related("supervisor__person", "supervisor__service__network")
            .order_by("expires_on", "pk")
        )
    return found


def _remind(check: VettingCheck, today: date) -> bool:
    try:
        with transaction.atomic():
            VettingReminder.objects.create(check_record=check, expires_on=check.expires_on or today)
    except IntegrityError:
        return False  # another run reminded about it a moment ago
    supervisor = check.supervisor
    service = supervisor.service
    expires = check.expires_on
    assert expires is not None
    body = (
        f"Dear {supervisor.person.full_name},\n\nYour {check.get_kind_display().lower()} for "
        f"{service.name} ({service.network.name}) expires on {expires.day} {expires:%B %Y}. "
        "After that date your sessions cannot be booked until it is renewed.\n\n"
        "Please send the renewed details to the project team"
        + (f" at {service.contact_email}" if service.contact_email else "")
        + ".\n\n"
        f"{settings.SITE_URL}{supervisor.get_absolute_url()}\n"
    )
    EmailMessage(
        f"{check.get_kind_display()} expires on {expires.day} {expires:%B %Y}",
        body,
        to=[supervisor.person.email] if supervisor.person.email else [],
        cc=[service.contact_email] if service.contact_email else [],
    ).send()
    return True


def unconfirmed_registrations_remove(today: date) -> int:
    """Remove self-registered accounts whose email was never confirmed: nobody vetted them and
    nobody can sign up in their name while they linger."""
    from allauth.account.models import EmailAddress

    cutoff = timezone.now() - timedelta(days=UNCONFIRMED_DAYS)
    stale = Supervisor.objects.filter(
        self_registered=True,
        status=SupervisorStatus.APPLIED,
        created_at__lt=cutoff,
        person__user__isnull=False,
    ).exclude(person__user__in=EmailAddress.objects.filter(verified=True).values("user_id"))
    removed = 0
    for supervisor in stale.select_related("person"):
        with transaction.atomic():
            person, user_id = supervisor.person, supervisor.person.user_id
            supervisor.delete()
            if not person.supervisor_roles.exists() and not person.memberships.exists():
                person.delete()
            User.objects.filter(pk=user_id or 0).delete()
        removed += 1
    return removed


def reminders_send(
    *, run_id: int, today: date | None = None, progress: Progress | None = None
) -> ReminderRun:
    today = today or timezone.localdate()
    run = ReminderRun.objects.get(pk=run_id)
    due = checks_due(today)
    ReminderRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, checks_total=len(due))
    sent = 0
    for done, check in enumerate(due, start=1):
        sent += _remind(check, today)
        ReminderRun.objects.filter(pk=run.pk).update(checks_done=done, reminders_sent=sent)
        if progress is not None:
            progress(done, len(due))
    lapsed = waiting_offers_lapse()
    unconfirmed_registrations_remove(today)
    ReminderRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, offers_lapsed=lapsed, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run
