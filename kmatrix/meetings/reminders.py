"""Email reminders about actions: a week before they are due, and once when they are overdue.

``reminders_send`` is run once a day (``kmatrix action-reminders``, or the background task in
tasks.py). It is idempotent: each reminder is recorded (action, kind, due date) in the same
transaction as its email is sent, so running it twice a day, or again after a failure, sends
nothing twice; moving an action's due date makes it due for reminders again. Each person gets
one email listing all their actions; an action owned by a group goes to the group's chair.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from kmatrix.meetings.models import OPEN_STATUSES, Action, ActionReminder, ReminderKind

DUE_SOON_DAYS = 7


@dataclass
class ReminderRun:
    due: int = 0  # actions needing a reminder today
    emails: int = 0
    reminders: int = 0
    no_address: list[int] = field(default_factory=list)  # action ids with nobody to email


def _kind(action: Action, today: date) -> str:
    assert action.due_on is not None
    return ReminderKind.OVERDUE if action.due_on < today else ReminderKind.DUE_SOON


def due(today: date) -> list[tuple[Action, str]]:
    """Open actions due within the week or overdue, not yet reminded for this due date."""
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    actions = Action.objects.filter(
        status__in=OPEN_STATUSES, due_on__isnull=False, due_on__lte=horizon
    ).select_related("owner", "owner_group__chair", "meeting__network", "meeting__group")
    found = [(action, _kind(action, today)) for action in actions.order_by("due_on", "pk")]
    sent = set(
        ActionReminder.objects.filter(action__in=[a for a, _ in found]).values_list(
            "action_id", "kind", "due_on"
        )
    )
    return [(a, k) for a, k in found if (a.pk, k, a.due_on) not in sent]


def recipient(action: Action) -> str:
    if action.owner is not None:
        return action.owner.email
    chair = action.owner_group.chair if action.owner_group else None
    return chair.email if chair is not None else ""


def _body(actions: list[tuple[Action, str]], today: date) -> str:
    lines = ["Actions from meetings on Knowledge Matrix that need you:", ""]
    for action, kind in actions:
        assert action.due_on is not None
        when = "was due" if kind == ReminderKind.OVERDUE else "is due"
        lines += [
            f"- {action.title}",
            f"  {when} on {action.due_on:%-d %B %Y} ({action.meeting})",
            f"  {settings.SITE_URL}{action.get_absolute_url()}",
        ]
    lines += ["", f"Your actions: {settings.SITE_URL}/actions/mine/", f"Sent {today:%-d %B %Y}."]
    return "\n".join(lines)


def reminders_send(
    *,
    today: date | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ReminderRun:
    """Send today's reminders; with ``dry_run``, only count them."""
    today = today or timezone.localdate()
    run = ReminderRun()
    by_address: dict[str, list[tuple[Action, str]]] = {}
    for action, kind in due(today):
        run.due += 1
        address = recipient(action)
        if not address:
            run.no_address.append(action.pk)
            continue
        by_address.setdefault(address.lower(), []).append((action, kind))
    for done, (address, actions) in enumerate(sorted(by_address.items()), start=1):
        if dry_run or _send(address, actions, today):
            run.emails += 1
            run.reminders += len(actions)
        if progress is not None:
            progress(done, len(by_address))
    return run


def _send(address: str, actions: list[tuple[Action, str]], today: date) -> bool:
    """Send one email and record its reminders; False if another run recorded them first."""
    overdue = sum(1 for _, kind in actions if kind == ReminderKind.OVERDUE)
    subject = f"{len(actions)} action{'s' if len(actions) != 1 else ''} due" + (
        f", {overdue} overdue" if overdue else ""
    )
    try:
        with transaction.atomic():
            ActionReminder.objects.bulk_create(
                [
                    ActionReminder(action=a, kind=k, due_on=a.due_on or today, recipient=address)
                    for a, k in actions
                ]
            )
            # Inside the transaction: if the mail server refuses it, nothing is recorded as sent.
            EmailMessage(subject, _body(actions, today), to=[address]).send()
    except IntegrityError:  # a second run at the same moment got there first
        return False
    return True
