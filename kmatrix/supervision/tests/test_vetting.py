"""Vetting: checks, what they make of a supervisor, taking supervisors on, and reminders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from kmatrix.supervision import services
from kmatrix.supervision.choices import CheckKind, CheckStatus, VettingState
from kmatrix.supervision.models import NEVER, VettingCheck, VettingReminder
from kmatrix.supervision.queries import vetting_counts
from kmatrix.supervision.tests.conftest import clear_checks, make_supervisor

TODAY = date(2026, 6, 1)


def _check(kind, status="valid", expires=None, checked=date(2026, 1, 5)):
    return VettingCheck(kind=kind, status=status, checked_on=checked, expires_on=expires)


def test_cleared_until_is_the_earliest_expiry_of_the_required_checks():
    checks = [
        _check("identity"),
        _check("dbs", expires=date(2027, 3, 1)),
        _check("training", expires=date(2026, 9, 30)),
    ]
    assert services.clearance(checks, ["identity", "dbs", "training"]) == (date(2026, 9, 30), False)
    assert services.clearance(checks, ["identity"]) == (NEVER, False)


def test_a_missing_or_pending_check_leaves_the_supervisor_uncleared():
    checks = [_check("identity"), _check("dbs", status="pending")]
    assert services.clearance(checks, ["identity", "dbs"]) == (None, False)
    assert services.clearance(checks, ["identity", "contract"]) == (None, False)


def test_a_failed_required_check_fails_the_vetting_but_an_optional_one_does_not():
    checks = [_check("identity"), _check("reference_2", status="failed")]
    assert services.clearance(checks, ["identity", "reference_2"]) == (None, True)
    assert services.clearance(checks, ["identity"]) == (NEVER, False)


@pytest.mark.parametrize(
    ("failed", "until", "state"),
    [
        (True, None, VettingState.FAILED),
        (False, None, VettingState.PENDING),
        (False, TODAY - timedelta(days=1), VettingState.EXPIRED),
        (False, TODAY, VettingState.EXPIRING),
        (False, TODAY + timedelta(days=30), VettingState.EXPIRING),
        (False, TODAY + timedelta(days=31), VettingState.VALID),
        (False, NEVER, VettingState.VALID),
    ],
)
def test_the_vetting_state_follows_the_checks_and_the_date(sv, failed, until, state):
    supervisor = sv.supervisor
    supervisor.vetting_failed, supervisor.cleared_until = failed, until
    assert supervisor.vetting_state(TODAY, 30) == state


@pytest.mark.parametrize(
    ("kind", "fields", "field", "message"),
    [
        ("dbs", {"reference": "1234"}, "reference", "12 digits"),
        ("dbs", {"reference": "123456789012", "expires_on": None}, "expires_on", "expiry date"),
        ("registration", {"reference": ""}, "reference", "registration number"),
        ("identity", {"checked_on": None}, "checked_on", "date it was checked"),
        ("training", {"expires_on": date(2025, 1, 1)}, "expires_on", "on or after"),
    ],
)
def test_a_valid_check_needs_its_details(sv, kind, fields, field, message):
    values = {
        "status": CheckStatus.VALID,
        "reference": "REF",
        "checked_on": date(2026, 1, 5),
        "expires_on": date(2028, 1, 1),
    }
    values.update(fields)
    with pytest.raises(ValidationError) as caught:
        services.vetting_check_save(supervisor=sv.supervisor, kind=kind, user=None, **values)
    assert message in " ".join(caught.value.message_dict[field])


def test_an_unknown_check_is_refused(sv):
    with pytest.raises(ValidationError, match="Unknown check"):
        services.vetting_check_save(supervisor=sv.supervisor, kind="horoscope", user=None)


def test_a_dbs_number_may_be_typed_with_spaces(sv):
    check = services.vetting_check_save(
        supervisor=sv.supervisor,
        kind="dbs",
        user=None,
        status="valid",
        reference="0012 3456 7890",
        checked_on=date(2026, 1, 5),
        expires_on=date(2029, 1, 5),
    )
    assert check.reference == "001234567890"


def test_saving_a_check_works_out_the_supervisor_again(sv):
    supervisor = make_supervisor(sv.service, sv.people["rt5_staff"])
    clear_checks(supervisor, expires=date(2030, 1, 1))
    supervisor.refresh_from_db()
    assert supervisor.cleared_until == date(2030, 1, 1)
    services.vetting_check_save(
        supervisor=supervisor, kind="reference_2", user=None, status="failed"
    )
    supervisor.refresh_from_db()
    assert (supervisor.cleared_until, supervisor.vetting_failed) == (None, True)


def test_changing_the_required_checks_works_out_every_supervisor_again(sv):
    services.vetting_check_save(
        supervisor=sv.supervisor, kind="contract", user=None, status="pending"
    )
    sv.supervisor.refresh_from_db()
    assert sv.supervisor.cleared_until is None
    required = [k for k in CheckKind.values if k != "contract"]
    services.service_save(service=sv.service, network=sv.service.network, required_checks=required)
    sv.supervisor.refresh_from_db()
    assert sv.supervisor.cleared_until is not None


def test_a_supervisor_is_taken_on_only_when_cleared_today(sv):
    applicant = make_supervisor(sv.service, sv.people["rt5_staff"])
    with pytest.raises(ValidationError, match="Every required check must be valid"):
        services.supervisor_status_set(supervisor=applicant, status="active")
    clear_checks(applicant, expires=timezone.localdate() - timedelta(days=1))
    applicant.refresh_from_db()
    with pytest.raises(ValidationError, match="Every required check must be valid"):
        services.supervisor_status_set(supervisor=applicant, status="active")
    clear_checks(applicant)
    applicant.refresh_from_db()
    assert services.supervisor_status_set(supervisor=applicant, status="active").status == "active"


def test_a_status_change_that_makes_no_sense_is_refused(sv):
    with pytest.raises(ValidationError, match="cannot become not taken on"):
        services.supervisor_status_set(supervisor=sv.supervisor, status="rejected")


def test_the_counts_by_state_cover_every_current_supervisor(sv):
    make_supervisor(sv.service, sv.people["rt5_staff"])
    counts = vetting_counts(sv.service, timezone.localdate())
    assert counts == {"valid": 1, "expiring": 0, "expired": 0, "pending": 1, "failed": 0}


# --- Reminders -----------------------------------------------------------------------------


def _expiring(sv, days):
    today = timezone.localdate()
    return services.vetting_check_save(
        supervisor=sv.supervisor,
        kind="dbs",
        user=None,
        status="valid",
        reference="123456789012",
        checked_on=today - timedelta(days=900),
        expires_on=today + timedelta(days=days),
    )


def test_the_daily_command_reminds_once_about_each_expiry(sv):
    _expiring(sv, 20)
    call_command("supervision_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["supervisor@example.org"]
    assert message.cc == ["supervision@example.org"]
    assert "DBS check" in message.subject
    call_command("supervision_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1
    assert VettingReminder.objects.count() == 1


def test_a_renewed_check_is_reminded_about_again_when_it_nears_expiry(sv):
    check = _expiring(sv, 20)
    call_command("supervision_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    check.expires_on = timezone.localdate() + timedelta(days=25)
    check.save()
    call_command("supervision_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 2


def test_checks_far_from_expiry_or_already_expired_are_not_reminded_about(sv):
    _expiring(sv, 60)
    call_command("supervision_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    _expiring(sv, -3)
    call_command("supervision_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert mail.outbox == []


def test_the_command_can_queue_the_work_for_the_worker(sv):
    from django_tasks_db.models import DBTaskResult

    _expiring(sv, 10)
    call_command("supervision_reminders", "--enqueue", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert DBTaskResult.objects.filter(task_path__endswith="reminders_task").count() == 1
    assert mail.outbox == []


def test_the_payments_command_runs_a_month_once(sv):
    import io
    from datetime import datetime

    from kmatrix.supervision import bookings, slots
    from kmatrix.supervision.times import LONDON

    past = slots.slot_create(
        supervisor=sv.supervisor,
        starts_at=datetime(2026, 2, 3, 10, tzinfo=LONDON),
        duration_minutes=60,
        mode="virtual",
        now=datetime(2026, 1, 1, tzinfo=LONDON),
    )
    done = bookings.booking_create(
        slot_id=past.pk,
        person=sv.people["member"],
        organisation=sv.world.org,
        profession="counsellor",
        now=datetime(2026, 1, 2, tzinfo=LONDON),
    )
    bookings.attendance_record(booking=done, attendance="attended", now=past.ends_at)
    out = io.StringIO()
    call_command("supervision_payments", "--network", "alliance", "--month", "2026-02", stdout=out)
    assert "February 2026: 1 statements, 1 sessions, £75.00 (2025/26)." in out.getvalue()
    out = io.StringIO()
    call_command("supervision_payments", "--network", "alliance", "--month", "2026-02", stdout=out)
    assert "was run already; nothing has changed" in out.getvalue()
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("supervision_payments", "--network", "alliance", "--month", "Feb")
    with pytest.raises(CommandError, match="runs no supervision service"):
        call_command("supervision_payments", "--network", "nowhere", "--month", "2026-02")
