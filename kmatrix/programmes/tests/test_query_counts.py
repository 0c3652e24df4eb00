"""The programme pages make a fixed number of queries, however many programmes, awards and
allocations there are (see kmatrix/networks/tests/test_query_counts.py for the method)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kmatrix.programmes import services
from kmatrix.programmes.tests.factories import award, programme

PAGES = {
    "programmes by theme": "/networks/alliance/programmes/",
    "funding summary": "/networks/alliance/programmes/funding/",
    "programme page": "/networks/alliance/programmes/csw/",
}

# fmt: off
EXPECTED = [
    # page                  member  coordinator
    ("programmes by theme",     12,  12),
    ("funding summary",         11,  11),
    ("programme page",          16,  18),
]
# fmt: on


def grow(world, funded, count):
    for _ in range(count):
        n = funded.workforce.awards.count()
        prog = programme(
            world.network,
            f"grown-{n}",
            name=f"Grown {n}",
            theme=funded.workforce_theme,
            lead_organisation=world.other_org,
        )
        for year in (2021, 2022):
            award(prog, "1000", first_year=year, funder=funded.funder)
        more = award(funded.workforce, "5000", first_year=2020, funder=funded.funder)
        services.allocation_save(
            award=more, organisation=world.org, purpose="Share", amount=Decimal("100")
        )
        services.milestone_save(
            programme=funded.workforce, title=f"Milestone {n}", status="planned"
        )
        services.update_add(
            programme=funded.workforce, on=funded.workforce.created_at.date(), text="News"
        )
        services.award_drawdown(
            award_id=more.pk,
            amount=Decimal("1"),
            drawn_on=funded.workforce.created_at.date(),
            reference="x",
        )
        funded.workforce.save()  # a change for the history the coordinator reads


@pytest.mark.parametrize(
    ("page", "viewer", "queries"),
    [
        pytest.param(page, viewer, counts[i], id=f"{page}, {viewer}")
        for page, *counts in EXPECTED
        for i, viewer in enumerate(("member", "coordinator"))
    ],
)
def test_a_page_makes_the_same_number_of_queries_with_more_data(
    world, funded, django_assert_num_queries, page, viewer, queries
):
    grow(world, funded, 2)
    client = world.client(viewer)
    with django_assert_num_queries(queries):
        small = client.get(PAGES[page])
    assert small.status_code == 200
    grow(world, funded, 10)
    with django_assert_num_queries(queries):
        large = client.get(PAGES[page])
    assert large.status_code == 200
    assert len(large.content) > len(small.content)
