"""Reminder e-mails about progress updates and sustainability checks, as a background task.

Run daily (``kmatrix send-reminders`` from cron or a systemd timer queues ``reminders_send``).
For each published plan the lead and team (those with an e-mail address) hear
``KMATRIX_REMINDER_DAYS_BEFORE`` days (default 5) before an update is due, and again once it is
overdue; the network's theme leads and the workstream's leads hear about overdue updates; and
the plan's people hear when a 6- or 12-month sustainability check falls due.

Every reminder is recorded in ``ReminderSent`` (unique per update or check and kind) in the same
transaction as the e-mail goes, so a second run the same day, or two runs at once, send nothing
twice. A period due with no update yet gets its draft row (``plans.update_ensure``) so that the
reminder has something to be recorded against.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django_tasks import task

from kmatrix.improvement import plans as plan_rules
from kmatrix.improvement.models import (
    ImprovementPlan,
    ProgressUpdate,
    ReminderSent,
    SustainabilityCheck,
)
from kmatrix.improvement.work import reminder_days
from kmatrix.networks.models import Membership, Person, Role, WorkstreamMember

logger = logging.getLogger(__name__)
Kind = ReminderSent.Kind
Progress = Callable[[Iterable[Any]], Iterable[Any]]


@dataclass(frozen=True)
class Sent:
    """One reminder e-mailed (to one or more people) about one plan."""

    kind: str
    plan: str
    to: list[str]
    about: list[str]

    def line(self) -> str:
        about, to = ", ".join(self.about), ", ".join(self.to)
        return f"{Kind(self.kind).label}: {self.plan} ({about}) to {to}"


def _link(plan: ImprovementPlan) -> str:
    return f"{settings.SITE_URL}{plan.get_absolute_url()}"


def _addresses(people: Iterable[Person | None]) -> list[str]:
    return sorted({p.email.strip().lower() for p in people if p is not None and p.email.strip()})


def _deliver(subject: str, body: str, to: Sequence[str]) -> None:
    # One message per person: a plan's team need not see each other's addresses.
    with mail.get_connection() as connection:
        connection.send_messages([mail.EmailMessage(subject, body, to=[address]) for address in to])


def _record_and_send(
    kind: str,
    to: list[str],
    subject: str,
    body: str,
    *,
    updates: Sequence[ProgressUpdate] = (),
    checks: Sequence[SustainabilityCheck] = (),
) -> bool:
    """Record the reminders and send the mail in one transaction: if the mail fails nothing
    is recorded (it is tried again tomorrow); if another run recorded it first, nothing goes."""
    try:
        with transaction.atomic():
            sent_to = "\n".join(to)
            ReminderSent.objects.bulk_create(
                [ReminderSent(update=u, kind=kind, sent_to=sent_to) for u in updates]
                + [ReminderSent(sustainability_check=c, kind=kind, sent_to=sent_to) for c in checks]
            )
            _deliver(subject, body, to)
    except IntegrityError:
        return False
    return True


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _periods_text(updates: Sequence[ProgressUpdate]) -> str:
    return "\n".join(f"- {u.period:%B %Y}: due {_day(u.due_on)}" for u in updates)


def _body(plan: ImprovementPlan, opening: str, updates: Sequence[ProgressUpdate]) -> str:
    return (
        f"{opening}\n\nPlan: {plan.title}\nNetwork: {plan.network.name}\n\n"
        f"{_periods_text(updates)}\n\nWrite or submit the update at {_link(plan)}\n\n"
        "You receive this because you lead the plan or are on its team, or you lead its theme."
    )


# --- Who hears ----------------------------------------------------------------------------


class Leads:
    """E-mail addresses of each network's theme leads and each workstream's leads (2 queries)."""

    def __init__(self) -> None:
        self.by_network: dict[int, set[str]] = defaultdict(set)
        self.by_workstream: dict[int, set[str]] = defaultdict(set)
        theme_leads = (
            Membership.objects.active()
            .filter(roles__role=Role.THEME_LEAD)
            .exclude(person__email="")
            .values_list("network_id", "person__email")
        )
        for network_id, email in theme_leads:
            self.by_network[network_id].add(email.strip().lower())
        ws_leads = (
            WorkstreamMember.objects.filter(is_lead=True)
            .exclude(person__email="")
            .values_list("workstream_id", "person__email")
        )
        for workstream_id, email in ws_leads:
            self.by_workstream[workstream_id].add(email.strip().lower())

    def of(self, plan: ImprovementPlan) -> list[str]:
        found = set(self.by_network[plan.network_id])
        if plan.workstream_id is not None:
            found |= self.by_workstream[plan.workstream_id]
        return sorted(found)


def _people(plan: ImprovementPlan) -> list[str]:
    return _addresses([plan.lead, *plan.team.all()])


# --- Updates ------------------------------------------------------------------------------


@dataclass
class _Due:
    soon: list[date]
    overdue: list[date]


def _due_periods(
    plan: ImprovementPlan, written: dict[date, str], today: date, horizon: date
) -> _Due:
    due = _Due([], [])
    for period in plan_rules.updates_due(plan, horizon):
        if written.get(period) == ProgressUpdate.Status.SUBMITTED:
            continue
        due_on = plan_rules.update_due_on(plan, period)
        if due_on < today:
            due.overdue.append(period)
        elif due_on <= horizon:
            due.soon.append(period)
    return due


def _plan_reminders(
    plan: ImprovementPlan,
    due: _Due,
    sent: set[tuple[date, str]],
    leads: Leads,
) -> list[Sent]:
    people, results = _people(plan), []
    wanted = [
        (Kind.DUE_SOON, due.soon, people, "A progress update is due soon."),
        (Kind.OVERDUE, due.overdue, people, "A progress update is overdue."),
        (Kind.LEAD_OVERDUE, due.overdue, leads.of(plan), "A plan of your theme is overdue."),
    ]
    for kind, periods, to, opening in wanted:
        periods = [p for p in periods if (p, kind) not in sent]
        if not periods or not to:
            continue
        updates = [plan_rules.update_ensure(plan, p) for p in periods]
        subject = f"{Kind(kind).label}: progress update for {plan.title}"
        if _record_and_send(kind, to, subject, _body(plan, opening, updates), updates=updates):
            about = [f"{p:%B %Y}" for p in periods]
            results.append(Sent(str(kind), plan.title, to, about))
    return results


def _update_reminders(today: date, horizon: date, progress: Progress) -> list[Sent]:
    published = (
        ImprovementPlan.objects.filter(status=ImprovementPlan.Status.PUBLISHED)
        .select_related("network", "lead")
        .prefetch_related(Prefetch("team", queryset=Person.objects.only("pk", "email")))
        .order_by("network_id", "title", "pk")
    )
    written: dict[int, dict[date, str]] = defaultdict(dict)
    for plan_id, period, status in ProgressUpdate.objects.filter(
        plan__status=ImprovementPlan.Status.PUBLISHED
    ).values_list("plan_id", "period", "status"):
        written[plan_id][period] = status
    sent: dict[int, set[tuple[date, str]]] = defaultdict(set)
    for plan_id, period, kind in ReminderSent.objects.filter(
        update__plan__status=ImprovementPlan.Status.PUBLISHED
    ).values_list("update__plan_id", "update__period", "kind"):
        sent[plan_id].add((period, kind))
    leads, results = Leads(), []
    for plan in progress(list(published)):
        due = _due_periods(plan, written[plan.pk], today, horizon)
        if due.soon or due.overdue:
            results += _plan_reminders(plan, due, sent[plan.pk], leads)
    return results


# --- Sustainability checks ----------------------------------------------------------------


def _check_reminders(horizon: date) -> list[Sent]:
    checks = (
        SustainabilityCheck.objects.filter(checked_on__isnull=True, due_on__lte=horizon)
        .exclude(outcome__plan__status=ImprovementPlan.Status.STOPPED)
        .exclude(reminders__kind=Kind.SUSTAINABILITY)
        .select_related("outcome__plan__network", "outcome__plan__lead")
        .prefetch_related(
            Prefetch("outcome__plan__team", queryset=Person.objects.only("pk", "email"))
        )
        .order_by("due_on", "pk")
    )
    results = []
    for check in checks:
        plan = check.outcome.plan
        to = _people(plan)
        if not to:
            continue
        subject = f"Sustainability check due: {plan.title}"
        body = (
            f"The {check.months_after}-month sustainability check of an outcome of this plan is "
            f"due on {_day(check.due_on)}: is the improvement still there?\n\n"
            f"Plan: {plan.title}\nNetwork: {plan.network.name}\nOutcome: "
            f"{check.outcome.summary[:200]}\n\nRecord the check at {_link(plan)}"
        )
        if _record_and_send(Kind.SUSTAINABILITY, to, subject, body, checks=[check]):
            about = [f"{check.months_after}-month check due {_day(check.due_on)}"]
            results.append(Sent(str(Kind.SUSTAINABILITY), plan.title, to, about))
    return results


# --- Entry points -------------------------------------------------------------------------


def _unchanged(items: Iterable[Any]) -> Iterable[Any]:
    return items


def reminders_due(today: date | None = None, *, progress: Progress = _unchanged) -> list[Sent]:
    """Send every reminder due on ``today`` (default: today) not sent before; what was sent.

    ``progress`` wraps the loop over plans (the command passes a tqdm bar)."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=reminder_days())
    sent = _update_reminders(today, horizon, progress)
    sent += _check_reminders(horizon)
    logger.info("Sent %d reminders for %s", len(sent), today)
    return sent


@task()
def reminders_send(today: str | None = None) -> list[dict[str, Any]]:
    """The background task: ``today`` as an ISO date (default: the worker's today)."""
    day = date.fromisoformat(today) if today else None
    return [asdict(s) for s in reminders_due(day)]
