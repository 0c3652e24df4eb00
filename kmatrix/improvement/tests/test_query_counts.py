"""The queries of the main improvement pages are pinned, and do not grow with the data.

The workstream dashboard and "my work" are pinned in test_work_dashboard.py and
test_work_my_work.py; here the plan list, the gap register, a plan's page and their API twins.
"""

from __future__ import annotations

from datetime import date

import pytest

from kmatrix.improvement import models as im
from kmatrix.improvement import services
from kmatrix.improvement.tests import work_fixtures as wf

pytestmark = pytest.mark.django_db


def _grow(world, count, plan):
    indicator = wf.indicator(world, code=f"ind-{im.PlanMeasure.objects.count()}-{count}")
    for n in range(count):
        place = wf.locality(world, f"Place {im.Locality.objects.count()}")
        wf.assessed(world, {"1.1": "not_met", "1.2": "partly_met", "2.1": "met"}, place=place)
        other = wf.plan(world, locality=place, team=[world.people["theme_lead"]])
        other.gaps.set(im.Gap.objects.filter(locality=place))
        im.PlanAction.objects.create(
            plan=plan,
            title=f"Act {n}",
            owner=world.people["member"],
            is_milestone=True,
            due_on=date(2025, 1, 1),
        )
        period = other.published_at.date().replace(day=1)
        services.update_save(plan=other, period=period, progress="Going", rag="green", submit=True)
    # Each measure draws its SPC chart (four queries), so the page has one; outcomes grow.
    measure = plan.measures.first() or services.measure_add(
        plan=plan, indicator=indicator, organisation=world.org
    )
    services.outcome_save(
        plan=plan, summary="Better", measure=measure, recorded_on=date(2025, 1, 1)
    )


# fmt: off
PAGES = [
    # name               address                                    member queries
    ("plan list",        "/networks/alliance/plans/",                14),  # + the year options
    ("gap register",     "/networks/alliance/gaps/",                 13),
    ("plan page",        "/networks/alliance/plans/{plan}/",         26),
    ("plans API",        "/api/v1/networks/alliance/plans",          10),
    ("gaps API",         "/api/v1/networks/alliance/gaps",           10),
    ("plan API",         "/api/v1/plans/{plan}",                     18),
]
# fmt: on


@pytest.mark.parametrize(("name", "address", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_the_page_makes_the_same_number_of_queries_with_more_data(
    world, django_assert_num_queries, name, address, expected
):
    plan = wf.plan(world, title="The plan", months_ago=4)
    client = world.client("member")
    url = address.format(plan=plan.pk)
    _grow(world, 2, plan)
    with django_assert_num_queries(expected):
        small = client.get(url)
    assert small.status_code == 200
    _grow(world, 6, plan)
    with django_assert_num_queries(expected):
        large = client.get(url)
    assert large.status_code == 200
    assert len(large.content) > len(small.content)
