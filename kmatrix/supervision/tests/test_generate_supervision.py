"""The scale generator's supervision step (kmatrix/demo/generate_supervision.py)."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Sum
from django.utils import timezone

from kmatrix.demo import generate, generate_supervision
from kmatrix.supervision.models import (
    Booking,
    PaymentRun,
    ServiceRole,
    SessionNeed,
    Slot,
    Statement,
    SupervisionService,
    Supervisor,
)
from kmatrix.supervision.queries import vetting_counts

pytestmark = pytest.mark.django_db


def run(*args: str) -> None:
    call_command("generate", "--scale", "small", *args, stdout=io.StringIO())


def snapshot() -> dict[str, int]:
    models = (SupervisionService, Supervisor, Slot, Booking, PaymentRun, Statement, SessionNeed)
    return {m.__name__: m.objects.count() for m in models}


def test_the_step_makes_supervision_in_proportion_to_the_data_set():
    run("--seed", "3")
    services = SupervisionService.objects.filter(name=generate_supervision.SERVICE_NAME)
    assert services.count() == 1  # one network in five, at least one
    assert Supervisor.objects.count() == generate.SCALES["small"].people // 50
    counts = vetting_counts(services.get(), generate_supervision.VETTING_TODAY)
    assert all(
        counts[state] > 0 for state in ("valid", "expiring", "expired", "pending", "failed")
    ), counts
    assert Slot.objects.count() > Supervisor.objects.count() * 100
    assert Booking.objects.filter(slot__starts_at__gt=timezone.now()).exists()
    assert ServiceRole.objects.filter(role="project_manager", person__user__isnull=False).exists()


def test_what_it_makes_keeps_the_services_rules():
    run("--seed", "3")
    assert not Slot.objects.filter(taken__gt=F("capacity")).exists()
    confirmed = Booking.objects.filter(status="confirmed")
    taken = dict(confirmed.values_list("slot_id").annotate(n=Count("pk")))
    assert all(Slot.objects.get(pk=pk).taken == n for pk, n in list(taken.items())[:200])
    at_once = Counter(confirmed.values_list("person_id", "slot__starts_at"))
    assert max(at_once.values()) == 1
    # Nobody is booked with a supervisor whose checks were not valid on the day.
    assert not confirmed.filter(
        slot__supervisor__cleared_until__lt=F("slot__starts_at__date")
    ).exists()
    assert not confirmed.filter(slot__supervisor__cleared_until__isnull=True).exists()
    months = Counter(PaymentRun.objects.values_list("service_id", "month"))
    assert max(months.values()) == 1
    for statement in Statement.objects.annotate(lines_total=Sum("lines__amount"))[:50]:
        assert statement.total == statement.lines_total


def test_the_same_seed_makes_the_same_supervision_and_reset_removes_it():
    run("--seed", "3")
    first = snapshot()
    run("--seed", "3", "--reset")
    assert snapshot() == first
    generate.generated_reset()
    assert all(count == 0 for count in snapshot().values()), snapshot()
