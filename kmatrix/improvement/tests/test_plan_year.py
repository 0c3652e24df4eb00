"""The plan list's year filter: plans published in a calendar year, on the page, in the CSV and
through the API (the Knowledge Matrix's one-year view links to it: library/tests/
test_matrix_plans.py). A year that is not one
(letters, or out of range) is ignored on the page and refused by the API with a reason."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kmatrix.core.access import viewer_for
from kmatrix.improvement import queries
from kmatrix.improvement.tests import work_fixtures as wf

LONDON = ZoneInfo("Europe/London")
TITLES = (
    "Published in 2023",
    "Published on New Year",
    "Published in 2024",
    "Restricted 2022",
)


@pytest.fixture
def dated(world):
    def on(year: int, month: int = 6) -> datetime:
        return datetime(year, month, 15, 12, tzinfo=LONDON)

    return {
        "earlier": wf.plan(world, title="Published in 2023", published_at=on(2023)),
        "new year": wf.plan(world, title="Published on New Year", published_at=on(2024, 1)),
        "later": wf.plan(world, title="Published in 2024", published_at=on(2024, 11)),
        "restricted": wf.plan(
            world,
            title="Restricted 2022",
            visibility="restricted",
            published_at=on(2022),
            lead=None,
        ),
    }


def _titles(response) -> set[str]:
    html = response.content.decode()
    return {t for t in TITLES if f">{t}</a>" in html}


def test_the_list_narrows_to_the_plans_published_in_a_year(world, dated):
    client = world.client("member")
    url = f"/networks/{world.network.slug}/plans/"
    page = client.get(url + "?year=2024")
    assert page.status_code == 200
    assert _titles(page) == {"Published on New Year", "Published in 2024"}
    html = page.content.decode()
    assert '<label class="nhsuk-label" for="filter-year">Year published</label>' in html
    assert '<option value="2024" selected>2024</option>' in html
    # Only years of plans the member reads are offered: not the restricted plan's 2022.
    assert '<option value="2023">2023</option>' in html
    assert 'value="2022"' not in html
    csv = b"".join(client.get(url + "?year=2023&format=csv").streaming_content).decode()
    assert "Published in 2023" in csv
    assert "Published in 2024" not in csv


FULL_WIDTH_1234 = "\uff11\uff12\uff13\uff14"


@pytest.mark.parametrize("typed", ["abc", "-1", "99999999", "0", "2024.5", FULL_WIDTH_1234])
def test_a_year_that_is_not_one_is_ignored_on_the_page(world, dated, typed):
    page = world.client("member").get(f"/networks/{world.network.slug}/plans/", {"year": typed})
    assert page.status_code == 200
    assert _titles(page) == set(TITLES) - {"Restricted 2022"}


def test_the_api_takes_the_year_and_refuses_one_out_of_range(world, dated):
    client = world.client("member")
    url = f"/api/v1/networks/{world.network.slug}/plans"
    found = client.get(url, {"year": 2024})
    assert found.status_code == 200
    assert {p["title"] for p in found.json()["items"]} == {
        "Published on New Year",
        "Published in 2024",
    }
    for bad in (99999, 0):
        refused = client.get(url, {"year": bad})
        assert refused.status_code == 422
        assert "year: give a year from 1900 to 2999" in refused.json()["detail"]
    assert client.get(url, {"year": "abc"}).status_code == 422
    assert world.client("outsider").get(url, {"year": 2024}).status_code == 404


def test_the_years_offered_are_those_of_plans_the_viewer_reads(world, dated):
    assert queries.plan_years(viewer_for(world.users["member"]), world.network) == [2024, 2023]
    admin = viewer_for(world.users["administrator"])
    assert queries.plan_years(admin, world.network) == [2024, 2023, 2022]
