"""Reminder e-mails: due soon, overdue, to theme leads, sustainability checks; never twice."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from kmatrix.improvement import models as im
from kmatrix.improvement import plans as plan_rules
from kmatrix.improvement import tasks
from kmatrix.improvement.tests import work_fixtures as wf

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 15)


def _due_periods(plan, today=TODAY, days=5):
    horizon = today + timedelta(days=days)
    return [
        (p, plan_rules.update_due_on(plan, p))
        for p in plan_rules.updates_due(plan, horizon)
        if plan_rules.update_due_on(plan, p) <= horizon
    ]


def _to(kind):
    sent = im.ReminderSent.objects.filter(kind=kind)
    return sorted({a for r in sent for a in r.sent_to.split("\n")})


@pytest.fixture
def late_plan(world):
    """A published plan with every due update unwritten; lead member, team theme lead."""
    return wf.plan(
        world,
        title="Seclusion",
        months_ago=3,
        today=TODAY,
        team=[world.people["theme_lead"], world.people["other_member"]],
    )


def test_the_lead_and_team_hear_about_overdue_updates_and_theme_leads_too(world, late_plan):
    periods = _due_periods(late_plan)
    overdue = [p for p, due in periods if due < TODAY]
    assert overdue, "the fixture should leave updates overdue"
    sent = tasks.reminders_due(TODAY)
    kinds = {s.kind for s in sent}
    assert {"overdue", "lead_overdue"} <= kinds
    assert _to("overdue") == [
        "member@example.org",
        "other_member@example.org",
        "theme_lead@example.org",
    ]
    # The network's theme lead and the workstream's lead (the same person here).
    assert _to("lead_overdue") == ["theme_lead@example.org"]
    rows = im.ProgressUpdate.objects.filter(plan=late_plan, period__in=overdue)
    assert rows.count() == len(overdue)  # the missing periods got their draft rows
    assert all(r.reminders.filter(kind="overdue").exists() for r in rows)
    subjects = {m.subject for m in mail.outbox}
    assert "Overdue: progress update for Seclusion" in subjects
    assert all(len(m.to) == 1 for m in mail.outbox)  # nobody sees another's address


def test_running_twice_the_same_day_sends_nothing_twice(world, late_plan):
    first = tasks.reminders_due(TODAY)
    count = len(mail.outbox)
    assert first
    assert count
    assert tasks.reminders_due(TODAY) == []
    assert len(mail.outbox) == count


def test_an_update_due_soon_is_reminded_once_before_it_is_due(world):
    plan = wf.plan(world, months_ago=0, today=TODAY)
    period, due_on = next((p, due) for p, due in _due_periods(plan, days=70) if due >= TODAY)
    label = f"{period:%B %Y}"

    def soon(day):
        return [s for s in tasks.reminders_due(day) if s.kind == "due_soon" and label in s.about]

    assert soon(due_on - timedelta(days=20)) == []  # too early
    assert len(soon(due_on - timedelta(days=5))) == 1  # in the window
    assert soon(due_on - timedelta(days=4)) == []  # already sent
    update = im.ProgressUpdate.objects.get(plan=plan, period=period)
    assert update.reminders.get().kind == "due_soon"


def test_the_days_before_follow_the_setting(world, settings):
    plan = wf.plan(world, months_ago=1, today=TODAY)
    upcoming = [due for p, due in _due_periods(plan, days=60) if due >= TODAY]
    day = upcoming[0] - timedelta(days=20)
    settings.KMATRIX_REMINDER_DAYS_BEFORE = 5
    assert [s for s in tasks.reminders_due(day) if s.kind == "due_soon"] == []
    settings.KMATRIX_REMINDER_DAYS_BEFORE = 25
    assert [s.kind for s in tasks.reminders_due(day)].count("due_soon") == 1


def test_a_submitted_update_is_not_chased(world, late_plan):
    for period, _due in _due_periods(late_plan):
        wf.update(late_plan, period, submitted=True)
    assert tasks.reminders_due(TODAY) == []
    assert mail.outbox == []


@pytest.mark.parametrize("status", ["draft", "submitted", "closed", "stopped", "sustained"])
def test_only_published_plans_are_chased(world, status):
    wf.plan(world, status=status, months_ago=4, today=TODAY, published_at=None)
    assert tasks.reminders_due(TODAY) == []


def test_people_without_an_email_are_skipped_and_nothing_is_recorded(world):
    world.people["member"].email = ""
    world.people["member"].save()
    wf.plan(world, months_ago=3, today=TODAY)
    world.people["theme_lead"].email = ""
    world.people["theme_lead"].save()
    assert tasks.reminders_due(TODAY) == []
    assert not im.ReminderSent.objects.exists()


def test_a_failed_send_records_nothing_so_it_is_tried_again(world, late_plan, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(tasks, "_deliver", broken)
    with pytest.raises(OSError, match="mail server down"):
        tasks.reminders_due(TODAY)
    assert not im.ReminderSent.objects.exists()
    monkeypatch.undo()
    assert tasks.reminders_due(TODAY)


def test_a_sustainability_check_due_is_reminded_once(world):
    plan = wf.plan(world, status="sustained", published_at=None)
    outcome = im.Outcome.objects.create(
        plan=plan, summary="Restraint halved.", recorded_on=date(2024, 12, 1)
    )
    check = im.SustainabilityCheck.objects.create(
        outcome=outcome, months_after=6, due_on=TODAY + timedelta(days=3)
    )
    im.SustainabilityCheck.objects.create(
        outcome=outcome, months_after=12, due_on=TODAY + timedelta(days=200)
    )
    sent = tasks.reminders_due(TODAY)
    assert [(s.kind, s.about) for s in sent] == [
        ("sustainability", ["6-month check due 18 June 2025"])
    ]
    assert check.reminders.get().sent_to == "member@example.org"
    assert "Restraint halved." in mail.outbox[0].body
    assert tasks.reminders_due(TODAY) == []


def test_a_checked_sustainability_check_is_not_reminded(world):
    plan = wf.plan(world, status="sustained", published_at=None)
    outcome = im.Outcome.objects.create(plan=plan, summary="Done.", recorded_on=date(2024, 1, 1))
    im.SustainabilityCheck.objects.create(
        outcome=outcome, months_after=6, due_on=TODAY, checked_on=TODAY, result="sustained"
    )
    assert tasks.reminders_due(TODAY) == []


def test_the_task_runs_in_the_background_and_returns_what_it_sent(world, late_plan, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    result = tasks.reminders_send.enqueue(TODAY.isoformat())
    assert result.is_finished
    assert {s["kind"] for s in result.return_value or []} >= {"overdue", "lead_overdue"}


def test_the_command_queues_the_task_and_prints_what_was_sent(world, late_plan, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    out = StringIO()
    call_command("send_reminders", "--today", TODAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert "Overdue: Seclusion" in text
    assert "reminder(s) sent." in text
    again = StringIO()
    call_command("send_reminders", "--today", TODAY.isoformat(), stdout=again)
    assert "0 reminder(s) sent." in again.getvalue()


def test_the_command_sends_now_when_asked(world, late_plan):
    out, err = StringIO(), StringIO()
    call_command("send_reminders", "--today", TODAY.isoformat(), "--now", stdout=out, stderr=err)
    assert "Overdue, to the theme lead: Seclusion" in out.getvalue()
    assert mail.outbox


def test_the_command_refuses_a_bad_date(world):
    with pytest.raises(CommandError, match="not a date"):
        call_command("send_reminders", "--today", "tomorrow")
