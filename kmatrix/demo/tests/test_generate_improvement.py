"""The scale generator's improvement step (kmatrix/demo/generate_improvement.py)."""

from __future__ import annotations

import pytest

from kmatrix.demo import generate, generate_improvement
from kmatrix.improvement import models as im

pytestmark = pytest.mark.django_db
SIZE = generate_improvement.SIZES["small"]


@pytest.fixture
def generated(db):
    generate.generate(scale="small", seed=5, progress=False)


def test_it_makes_the_plans_updates_and_assessments_of_its_size(generated):
    assert im.ImprovementPlan.objects.count() == SIZE.plans
    assert im.ProgressUpdate.objects.count() == SIZE.updates
    assessments = im.Assessment.objects.count()
    assert SIZE.assessments * 0.5 <= assessments <= SIZE.assessments
    assert im.ItemRating.objects.count() == sum(
        a.checklist.items.count() for a in im.Assessment.objects.select_related("checklist")
    )


def test_gaps_follow_the_latest_assessment_of_each_place(generated):
    for gap in im.Gap.objects.select_related("assessment", "item")[:200]:
        latest = gap.assessment.ratings.get(item=gap.item).rating
        if gap.status == "open":
            assert latest in ("partly_met", "not_met")
            assert gap.rating == latest
        else:
            assert latest in ("met", "not_applicable")
            assert gap.closed_by_id == gap.assessment_id
    assert im.Gap.objects.filter(status="closed").exists()


def test_updates_belong_to_published_periods_and_some_are_overdue(generated):
    from kmatrix.improvement import plans as rules

    for update in im.ProgressUpdate.objects.select_related("plan")[:300]:
        assert rules.is_period_of(update.plan, update.period)
    assert im.ProgressUpdate.objects.filter(status="draft").exists()
    assert not im.ProgressUpdate.objects.filter(plan__published_at__isnull=True).exists()


def test_some_plans_are_led_by_people_with_accounts(generated):
    assert im.ImprovementPlan.objects.filter(lead__user__isnull=False).exists()


def test_the_same_seed_gives_the_same_plans(db):
    generate.generate(scale="small", seed=5, progress=False)
    first = list(im.ImprovementPlan.objects.order_by("pk").values_list("title", "status", "rag"))
    generate.generate(scale="small", seed=5, reset=True, progress=False)
    again = list(im.ImprovementPlan.objects.order_by("pk").values_list("title", "status", "rag"))
    assert first == again


def test_reset_deletes_every_improvement_record(generated):
    generate.generated_reset()
    for model in (
        im.ImprovementPlan,
        im.ProgressUpdate,
        im.Assessment,
        im.Gap,
        im.Checklist,
        im.Locality,
    ):
        assert not model.objects.exists(), model.__name__
