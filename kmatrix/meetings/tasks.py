"""Background tasks of the meetings app (django-tasks; `kmatrix worker` runs them)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django_tasks import task

from kmatrix.meetings.reminders import reminders_send


@task()
def action_reminders(today: str | None = None) -> dict[str, Any]:
    """Send the day's action reminders (idempotent: see reminders.py)."""
    run = reminders_send(today=date.fromisoformat(today) if today else None)
    return {
        "due": run.due,
        "emails": run.emails,
        "reminders": run.reminders,
        "no_address": run.no_address,
    }
