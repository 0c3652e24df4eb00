"""Email reminders about actions: a week before and once overdue, to the owner or the owning
group's chair, once per due date however often the daily command runs."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from kmatrix.meetings import services, tasks
from kmatrix.meetings.models import ActionReminder
from kmatrix.meetings.reminders import reminders_send

# A is due 9 June (the member's); the restricted meeting's action is due 1 June (the member's).


def test_owners_get_one_email_listing_their_actions_due_within_a_week(world, minuted):
    run = reminders_send(today=date(2023, 6, 2))
    assert (run.due, run.emails, run.reminders) == (2, 1, 2)
    (email,) = mail.outbox
    assert email.to == ["member@example.org"]
    assert email.subject == "2 actions due, 1 overdue"
    assert "Draft the expanded work programme\n  is due on 9 June 2023" in email.body
    assert "Review the case notes\n  was due on 1 June 2023" in email.body
    assert f"/actions/{minuted.a.pk}/" in email.body


def test_running_it_again_sends_nothing_twice(world, minuted):
    reminders_send(today=date(2023, 6, 2))
    again = reminders_send(today=date(2023, 6, 2))
    assert (again.due, again.emails) == (0, 0)
    assert len(mail.outbox) == 1
    # Once overdue, A gets its one overdue reminder; then nothing more.
    later = reminders_send(today=date(2023, 6, 12))
    assert (later.reminders, len(mail.outbox)) == (1, 2)
    assert reminders_send(today=date(2023, 6, 20)).emails == 0


def test_a_new_due_date_is_reminded_afresh(world, minuted):
    reminders_send(today=date(2023, 6, 2))
    services.action_save(action=minuted.a, meeting=minuted.may, due_on=date(2023, 6, 30))
    assert reminders_send(today=date(2023, 6, 25)).reminders == 1


def test_done_actions_get_no_reminder(world, minuted):
    services.action_progress(action=minuted.a, status="done")
    services.action_progress(action=minuted.secret_action, status="dropped")
    assert reminders_send(today=date(2023, 6, 2)).due == 0


def test_a_groups_action_goes_to_its_chair_and_one_with_nobody_to_email_is_reported(world, minuted):
    services.action_save(
        action=minuted.b, meeting=minuted.may, status="open", due_on=date(2023, 6, 5)
    )
    run = reminders_send(today=date(2023, 6, 1), dry_run=True)
    assert run.emails == 2
    assert mail.outbox == []
    assert not ActionReminder.objects.exists()
    reminders_send(today=date(2023, 6, 1))
    assert sorted(m.to[0] for m in mail.outbox) == ["member@example.org", "theme_lead@example.org"]
    world.group.chair = None
    world.group.save()
    services.action_save(action=minuted.b, meeting=minuted.may, due_on=date(2023, 6, 7))
    assert reminders_send(today=date(2023, 6, 6)).no_address == [minuted.b.pk]


def test_a_mail_failure_records_nothing_so_tomorrow_tries_again(world, minuted, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(ConnectionRefusedError):
        reminders_send(today=date(2023, 6, 2))
    assert not ActionReminder.objects.exists()


def test_the_daily_command_reports_what_it_sent(world, minuted):
    out = io.StringIO()
    call_command("action_reminders", "--date", "2023-06-02", stdout=out, stderr=io.StringIO())
    assert "Sent 1 email(s) covering 2 reminder(s); 2 action(s) due a reminder." in out.getvalue()
    out = io.StringIO()
    call_command(
        "action_reminders", "--date", "2023-06-02", "--dry-run", stdout=out, stderr=io.StringIO()
    )
    assert "Would send 0 email(s)" in out.getvalue()
    with pytest.raises(CommandError, match="--date must be a date"):
        call_command("action_reminders", "--date", "9 June", stdout=io.StringIO())


def test_the_command_can_queue_the_background_task(world, minuted, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    out = io.StringIO()
    call_command("action_reminders", "--date", "2023-06-02", "--queue", stdout=out)
    assert "Queued the reminders task" in out.getvalue()
    assert len(mail.outbox) == 1  # the immediate backend runs it at once
    result = tasks.action_reminders.enqueue("2023-06-12")
    assert result.return_value == {"due": 1, "emails": 1, "reminders": 1, "no_address": []}
