"""The demo's Therapy Supervision service (kmatrix/supervision/demo.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from kmatrix.demo import people, seed
from kmatrix.supervision.choices import VettingState
from kmatrix.supervision.models import (
    Booking,
    PaymentRun,
    ServiceRole,
    SessionNeed,
    Slot,
    SupervisionService,
    Supervisor,
    WaitingListEntry,
)
from kmatrix.supervision.queries import vetting_counts

pytestmark = pytest.mark.django_db
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        yield seed.demo_load()
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo")
class TestTheDemoService:
    def service(self) -> SupervisionService:
        return SupervisionService.objects.get(network__slug="em-alliance")

    def test_the_alliance_runs_it_with_a_project_manager_and_a_lead_per_provider(self):
        service = self.service()
        assert service.sponsor_group is not None
        assert service.sponsor_group.slug == "hr-directors"
        manager = ServiceRole.objects.get(service=service, role="project_manager")
        assert manager.person.user.email == "project.manager@example.org"
        assert manager.person.organisation.ods_code == "NYA"  # the programme's lead provider
        leads = ServiceRole.objects.filter(service=service, role="provider_lead")
        assert sorted(leads.values_list("organisation__ods_code", flat=True)) == sorted(
            seed.PROVIDERS
        )
        assert "illustrative" in service.description

    def test_supervisors_cover_professions_modalities_kinds_and_every_vetting_state(self):
        service = self.service()
        counts = vetting_counts(service, timezone.localdate())
        assert all(counts[state] > 0 for state in VettingState.values), counts
        supervisors = Supervisor.objects.filter(service=service)
        assert supervisors.values("profession").distinct().count() >= 6
        assert set(supervisors.values_list("kind", flat=True)) == {
            "internal",
            "external",
            "retire_and_return",
        }
        assert supervisors.values("modalities__modality").distinct().count() >= 10
        login = supervisors.get(person__user__email="supervisor@example.org")
        assert login.cleared_on(timezone.localdate())

    def test_sessions_run_over_the_next_eight_weeks_and_most_are_virtual(self):
        now = timezone.now()
        ahead = Slot.objects.filter(service=self.service(), starts_at__gt=now)
        last = ahead.order_by("-starts_at").first()
        assert last is not None
        assert now + timedelta(weeks=7) < last.starts_at <= now + timedelta(weeks=8, days=1)
        assert ahead.filter(mode="virtual").count() > ahead.count() * 0.6
        assert ahead.filter(capacity__gt=1).exists()

    def test_staff_of_all_six_providers_have_booked(self):
        booked = Booking.objects.filter(service=self.service())
        assert set(booked.values_list("organisation__ods_code", flat=True)) == set(seed.PROVIDERS)
        assert booked.filter(attendance="attended").exists()
        assert booked.filter(attendance="no_show").exists()
        assert booked.filter(attendance="cancelled_late").exists()
        assert booked.filter(person__email="member@example.org").exists()
        assert WaitingListEntry.objects.filter(service=self.service()).exists()

    def test_there_are_two_payment_runs_one_paid_and_one_partly_approved(self):
        runs = list(PaymentRun.objects.filter(service=self.service()).order_by("month"))
        assert len(runs) == 2
        assert all(run.status == "done" and run.sessions > 0 for run in runs)
        assert set(runs[0].statements.values_list("status", flat=True)) == {"paid"}
        assert {"approved", "due"} <= set(runs[1].statements.values_list("status", flat=True))

    def test_the_payments_are_set_against_the_programmes_three_awards(self):
        from decimal import Decimal

        from kmatrix.core.access import Viewer
        from kmatrix.supervision.drawdown import drawdown_for
        from kmatrix.supervision.times import financial_year

        service = self.service()
        assert service.programme.slug == "therapy-supervision"
        rows = drawdown_for(Viewer(is_admin=True), service).rows
        awards = [(r.label, r.amount, r.drawn, r.committed) for r in rows if r.award]
        assert awards == [
            ("2021/22", Decimal("150000.00"), Decimal("0.00"), Decimal("0.00")),
            ("2022/23", Decimal("177000.00"), Decimal("0.00"), Decimal("0.00")),
            ("2023/24", Decimal("177000.00"), Decimal("0.00"), Decimal("0.00")),
        ]
        # The demo's payments are of the last two months: no award of the seed covers them.
        years = {financial_year(run.month) for run in service.payment_runs.all()}
        assert {y for r in rows if r.award is None for y in r.years} == years

    def test_need_is_set_for_every_provider_and_labelled_illustrative(self):
        needs = SessionNeed.objects.filter(service=self.service())
        assert set(needs.values_list("organisation__ods_code", flat=True)) == set(seed.PROVIDERS)
        assert not needs.filter(is_illustrative=False).exists()

    def test_the_new_logins_are_printed_and_the_old_ones_unchanged(self):
        roles = [login.role for login in people.LOGINS]
        assert roles[:6] == [
            "administrator",
            "coordinator",
            "theme lead",
            "member",
            "board reader",
            "outsider",
        ]
        assert roles[6:] == ["project manager", "supervisor", "HR director"]
