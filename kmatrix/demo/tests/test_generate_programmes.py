"""The generator's programmes and meetings steps: in proportion, valid, reproducible, reset."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from kmatrix.demo import generate
from kmatrix.meetings.models import Action, Decision, Meeting
from kmatrix.networks.models import Group
from kmatrix.programmes.models import FundingAward, Programme

pytestmark = pytest.mark.django_db


def run(*args: str) -> None:
    call_command("generate", "--scale", "small", *args, stdout=io.StringIO(), stderr=io.StringIO())


def snapshot() -> dict[str, object]:
    return {
        "programmes": list(Programme.objects.order_by("pk").values_list("name", "theme__name")),
        "awards": list(
            FundingAward.objects.order_by("pk").values_list("amount", "status", "first_year")
        ),
        "meetings": list(Meeting.objects.order_by("pk").values_list("date", "title")),
        "actions": list(Action.objects.order_by("pk").values_list("title", "status", "due_on")),
    }


def test_every_network_gets_programmes_and_every_group_meetings():
    run("--seed", "3")
    networks = generate.SCALES["small"].networks
    per_network = Programme.objects.values("network").annotate(n=Count("pk"))
    assert len(per_network) == networks
    assert all(6 <= row["n"] <= 18 for row in per_network)
    assert FundingAward.objects.count() >= Programme.objects.count()
    groups_with_meetings = Meeting.objects.values("group").distinct().count()
    assert groups_with_meetings == Group.objects.filter(network__slug__startswith="gen-").count()
    assert Decision.objects.exists()
    assert Action.objects.filter(status__in=["open", "in_progress"], due_on__isnull=False).exists()


def test_generated_records_keep_the_rules_of_the_pages():
    run("--seed", "3")
    # Decisions are numbered 1, 2, ... within each meeting.
    for meeting_id, numbers in _numbers().items():
        assert numbers == list(range(1, len(numbers) + 1)), meeting_id
    assert not Action.objects.filter(owner__isnull=True, owner_group__isnull=True).exists()
    assert not FundingAward.objects.filter(amount__lt=0).exists()
    assert not Meeting.objects.filter(date_precision="month", start_time__isnull=False).exists()
    for award in FundingAward.objects.prefetch_related("allocations"):
        if award.amount is not None:
            assert sum(a.amount for a in award.allocations.all()) <= award.amount


def _numbers() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for meeting_id, number in Decision.objects.order_by("meeting_id", "number").values_list(
        "meeting_id", "number"
    ):
        found.setdefault(meeting_id, []).append(number)
    return found


def test_the_same_seed_gives_the_same_programmes_and_meetings():
    run("--seed", "5")
    first = snapshot()
    run("--seed", "5", "--reset")
    assert snapshot() == first


def test_reset_removes_them():
    run("--seed", "5")
    generate.generated_reset()
    assert not Programme.objects.exists()
    assert not Meeting.objects.exists()
