"""Plans in the Knowledge Matrix: published plans counted per network and theme, opening the
network's list of plans; partner networks' shared plans crossing to their partners' members;
and the grid's second view, the share of checklist gaps closed and of plans with a measured
outcome. Everything through core.access, checked with the named users of the `world`."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from kmatrix.core.access import ANONYMOUS, viewer_for
from kmatrix.improvement import queries as improvement_queries
from kmatrix.improvement import services as improvement_services
from kmatrix.improvement.tests import work_fixtures as wf
from kmatrix.library import matrix as grid

pytestmark = pytest.mark.django_db
GAPS = re.compile(r"\d+% of \d+ gaps? closed")
PLANS = re.compile(r"\d+% of \d+ plans? with a measured outcome")


def _viewer(world, name):
    return ANONYMOUS if name == "anonymous" else viewer_for(world.users[name])


def _plans_in(matrix, network):
    row = next((r for r in matrix.rows if r.network.pk == network.pk), None)
    return None if row is None else row.cells[0]


@pytest.fixture
def plans(world):
    world.network.linked_networks.add(world.other_network)
    return {
        "shared": wf.plan(world, title="Shared plan", shared_with_partners=True, lead=None),
        "unshared": wf.plan(world, title="Kept at home", lead=None),
        "shared draft": wf.plan(
            world, title="Shared draft", status="draft", shared_with_partners=True, lead=None
        ),
        "shared organisation": wf.plan(
            world,
            title="Shared with the organisation",
            visibility="organisation",
            organisation=world.org,
            shared_with_partners=True,
            lead=None,
        ),
        "restricted": wf.plan(world, title="Restricted", visibility="restricted", lead=None),
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("anonymous", None),
        ("outsider", None),
        ("board_reader", None),  # a board reader alone reads no network content
        ("other_member", 1),  # the partner: the shared, published, network-wide plan only
        ("member", 3),  # shared, unshared and their organisation's
        ("coordinator", 3),
        ("administrator", 4),
    ],
)
def test_published_plans_are_counted_for_who_may_read_them(world, plans, name, expected):
    matrix = grid.knowledge_matrix(_viewer(world, name))
    assert matrix.counters[0].key == "plans"
    cell = _plans_in(matrix, world.network)
    found = cell.counts["plans"] if cell else None
    assert (found or None) == expected


def test_a_cell_opens_the_networks_list_of_plans_on_the_theme(world, plans, client):
    cell = _plans_in(grid.knowledge_matrix(_viewer(world, "member")), world.network)
    href = cell.links["plans"]
    assert href == f"/networks/{world.network.slug}/plans/?theme={world.theme.pk}"
    # The partner's member cannot open the pages of a network that is not public: the count
    # is shown without a link to a list that would not open for them.
    assert world.network.visibility != "public"
    theirs = _plans_in(grid.knowledge_matrix(_viewer(world, "other_member")), world.network)
    assert theirs.counts["plans"] == 1
    assert "plans" not in theirs.links
    world.network.visibility = "public"
    world.network.save()
    theirs = _plans_in(grid.knowledge_matrix(_viewer(world, "other_member")), world.network)
    assert theirs.links["plans"] == href
    client.force_login(world.users["other_member"])
    page = client.get(href)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Shared plan" in html
    for hidden in ("Kept at home", "Shared draft", "Shared with the organisation", "Restricted"):
        assert hidden not in html


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("shared", 200),
        ("unshared", 404),
        ("shared draft", 404),
        ("shared organisation", 404),
        ("restricted", 404),
    ],
)
def test_a_partner_member_reads_the_shared_plans_only(world, plans, client, key, status):
    client.force_login(world.users["other_member"])
    assert client.get(plans[key].get_absolute_url()).status_code == status
    client.force_login(world.users["outsider"])
    assert client.get(plans[key].get_absolute_url()).status_code == 404


def test_without_the_link_nothing_crosses(world, plans, client):
    world.network.linked_networks.remove(world.other_network)
    client.force_login(world.users["other_member"])
    assert client.get(plans["shared"].get_absolute_url()).status_code == 404
    assert _plans_in(grid.knowledge_matrix(_viewer(world, "other_member")), world.network) is None


def test_the_plan_form_marks_a_plan_shared(world, client):
    client.force_login(world.users["member"])
    address = f"/networks/{world.network.slug}/plans/new/"
    assert 'name="shared_with_partners"' in client.get(address).content.decode()
    response = client.post(
        address,
        {
            "title": "Safer nights",
            "theme": world.theme.pk,
            "update_every_months": 1,
            "visibility": "network",
            "shared_with_partners": "on",
        },
    )
    assert response.status_code == 302
    made = improvement_queries.readable_plans(_viewer(world, "member")).get(title="Safer nights")
    assert made.shared_with_partners


@pytest.fixture
def progress(world):
    wf.assessed(world, {"1.1": "not_met", "1.2": "not_met", "2.1": "met"}, on=date(2025, 1, 1))
    wf.assessed(world, {"1.1": "met", "1.2": "not_met", "2.1": "met"}, on=date(2026, 1, 1))
    measured = wf.plan(world, lead=None, shared_with_partners=True)
    wf.plan(world, lead=None)
    wf.plan(world, lead=None, status="draft")
    measure = improvement_services.measure_add(
        plan=measured, indicator=wf.indicator(world), organisation=world.org
    )
    improvement_services.outcome_save(
        plan=measured, summary="Better", measure=measure, recorded_on=date(2025, 5, 1)
    )
    world.network.linked_networks.add(world.other_network)


def _progress_cell(world, name):
    matrix = grid.progress_matrix(_viewer(world, name))
    return _plans_in(matrix, world.network)


def test_the_second_view_shows_the_share_of_gaps_closed_and_of_plans_measured(world, progress):
    cell = _progress_cell(world, "member")
    assert (cell.gaps, cell.gaps_closed, cell.gaps_closed_percent) == (2, 1, 50)
    assert (cell.plans, cell.plans_measured, cell.measured_percent) == (2, 1, 50)
    assert cell.shade == 2
    assert cell.gaps_href == (
        f"/networks/{world.network.slug}/gaps/?theme={world.theme.pk}&status=all"
    )
    assert cell.plans_href.startswith(f"/networks/{world.network.slug}/plans/")


@pytest.mark.parametrize("name", ["anonymous", "outsider", "board_reader"])
def test_the_second_view_counts_nothing_hidden(world, progress, name):
    cell = _progress_cell(world, name)
    assert cell is None or (cell.gaps, cell.plans) == (0, 0)


def test_the_partner_sees_the_shared_plans_progress_and_no_gaps(world, progress):
    cell = _progress_cell(world, "other_member")
    assert (cell.gaps, cell.plans, cell.plans_measured) == (0, 1, 1)


@pytest.mark.parametrize("name", ["anonymous", "outsider", "member", "other_member"])
def test_both_views_of_the_page_are_tables_with_their_figures(world, progress, client, name):
    if name != "anonymous":
        client.force_login(world.users[name])
    counts = client.get("/matrix/")
    shown = client.get("/matrix/?view=progress")
    assert counts.status_code == shown.status_code == 200
    html = shown.content.decode()
    assert ("<table" in html) == (name in ("member", "other_member"))  # rows they may see
    assert 'aria-current="page">Progress on the themes' in html
    if name == "member":
        assert "50% of 2 gaps closed" in html
        assert "50% of 2 plans with a measured outcome" in html
        assert "published plans" in counts.content.decode().lower()
    if name == "other_member":
        assert "100% of 1 plan with a measured outcome" in html
        assert not GAPS.search(html)
    if name in ("anonymous", "outsider"):
        assert not GAPS.search(html)
        assert not PLANS.search(html)


def test_bad_input_to_the_page_is_ignored_not_an_error(world, client):
    response = client.get("/matrix/?view=nonsense&framework=%F0%9F%98%80&region=x&year=abc")
    assert response.status_code == 200
    assert client.get("/matrix/?view=progress&framework=" + "x" * 5000).status_code == 200


def test_a_plan_page_lists_similar_practice_elsewhere_that_the_reader_may_read(world, client):
    from kmatrix.library.search import index as search_index
    from kmatrix.library.tests import factories as lf

    world.network.linked_networks.add(world.other_network)
    plan = wf.plan(world, title="Restraint reduction on wards", lead=None)
    other = world.other_network
    lf.resource(other, "Restraint reduction: a ward toolkit", visibility="public")
    lf.resource(other, "Restraint incident notes", visibility="restricted")
    lf.resource(world.network, "Restraint audit at home", visibility="public")
    wf.plan(
        world, network=other, title="Restraint reduction in the other network", lead=None,
        workstream=None, shared_with_partners=True,
    )  # fmt: skip
    search_index.rebuild()
    client.force_login(world.users["member"])
    html = client.get(plan.get_absolute_url()).content.decode()
    similar = html.split('id="similar"', 1)[1]
    assert "Restraint reduction: a ward toolkit" in similar
    assert "Restraint reduction in the other network" in similar  # a partner's shared plan
    assert "Restraint incident notes" not in similar  # restricted
    assert "Restraint audit at home" not in similar  # the plan's own network: not elsewhere


def test_the_api_marks_a_plan_shared_and_a_partner_then_reads_it(world):
    from kmatrix.core.tests.helpers import api_call

    world.network.linked_networks.add(world.other_network)
    plan = wf.plan(world, title="Shared by the API", lead=world.people["member"])
    address = f"/api/v1/plans/{plan.pk}"
    body = {"title": plan.title, "theme_id": world.theme.pk, "aim": "Fewer restraints.",
            "rag": "green", "visibility": "network", "shared_with_partners": True,
            "version": plan.version}  # fmt: skip
    changed = api_call(world.client("member"), "PUT", address, body)
    assert changed.status_code == 200, changed.content
    assert changed.json()["shared_with_partners"] is True
    assert api_call(world.client("other_member"), "GET", address).status_code == 200
    assert api_call(world.client("outsider"), "GET", address).status_code == 404
    bad = api_call(world.client("member"), "PUT", address, {**body, "shared_with_partners": "x"})
    assert bad.status_code == 422


def test_the_matrix_for_one_year_links_to_that_years_plans(world):
    for year, month in ((2023, 6), (2024, 1), (2024, 11)):
        wf.plan(world, title=f"Published {month}/{year}", published_at=_on(year, month))
    member = viewer_for(world.users["member"])
    matrix = grid.knowledge_matrix(member, year=2024)
    cell = _plans_in(matrix, world.network)
    assert cell.counts["plans"] == 2
    href = cell.links["plans"]
    assert href == f"/networks/{world.network.slug}/plans/?theme={world.theme.pk}&year=2024"
    listed = world.client("member").get(href).content.decode()
    assert "Published 1/2024" in listed
    assert "Published 11/2024" in listed
    assert "Published 6/2023" not in listed


def _on(year: int, month: int) -> datetime:
    return datetime(year, month, 15, 12, tzinfo=ZoneInfo("Europe/London"))
