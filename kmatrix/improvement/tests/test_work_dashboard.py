"""The workstream dashboard: what it shows, who sees it, and its pinned query count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kmatrix.core.access import viewer_for
from kmatrix.core.tests.helpers import NAMED_USERS, api_call
from kmatrix.improvement import models as im
from kmatrix.improvement import plans as plan_rules
from kmatrix.improvement import work
from kmatrix.improvement.tests import work_fixtures as wf

pytestmark = pytest.mark.django_db


def _page(world):
    return f"/networks/alliance/workstreams/{world.workstream.pk}/dashboard/"


def _api(world):
    return f"/api/v1/networks/alliance/workstreams/{world.workstream.pk}/dashboard"


def _board(world, viewer="theme_lead", today=None):
    today = today or timezone.localdate()
    return work.workstream_dashboard(viewer_for(world.users[viewer]), world.workstream, today)


# --- Behaviour ------------------------------------------------------------------------------


def test_it_counts_open_plans_by_rag_and_all_plans_by_status(world):
    wf.plan(world, rag="red")
    wf.plan(world, rag="red")
    wf.plan(world, rag="amber", status="draft")
    wf.plan(world, rag="", status="submitted")
    wf.plan(world, rag="green", status="closed")
    board = _board(world)
    rags = {r.value: r.count for r in board.rag_counts}
    assert rags == {"red": 2, "amber": 1, "green": 0, "": 1}
    statuses = {r.value: r.count for r in board.status_counts}
    assert statuses["published"] == 2
    assert statuses["closed"] == 1
    assert statuses["draft"] == 1
    assert board.plans_total == 5


def test_it_lists_overdue_drafts_and_due_periods_with_no_update(world):
    today = timezone.localdate()
    late = wf.plan(world, title="Late plan", months_ago=5)
    due = [
        p for p in plan_rules.updates_due(late, today) if plan_rules.update_due_on(late, p) < today
    ]
    assert len(due) >= 2, "the plan should have at least two periods overdue"
    draft = wf.update(late, due[0], due_on=today - timedelta(days=3))
    wf.update(late, due[1], submitted=True)
    board = _board(world)
    found = {(d.plan.pk, d.period): d for d in board.overdue_updates}
    assert found[(late.pk, due[0])].update == draft
    assert (late.pk, due[1]) not in found  # submitted
    missing = list(due[2:])
    assert all(found[(late.pk, p)].update is None for p in missing)
    assert all(d.is_overdue(today) for d in board.overdue_updates)


def test_a_draft_not_yet_due_is_not_overdue(world):
    today = timezone.localdate()
    fresh = wf.plan(world, months_ago=0)
    wf.update(fresh, work.month_start(today), due_on=today + timedelta(days=20))
    assert [d for d in _board(world).overdue_updates if d.plan == fresh] == []


def test_it_lists_open_overdue_actions_only(world):
    today = timezone.localdate()
    plan = wf.plan(world)
    late = im.PlanAction.objects.create(plan=plan, title="Late", due_on=today - timedelta(days=1))
    im.PlanAction.objects.create(
        plan=plan, title="Done", due_on=today - timedelta(days=9), status="done"
    )
    im.PlanAction.objects.create(plan=plan, title="Later", due_on=today + timedelta(days=9))
    assert _board(world).overdue_actions == [late]


def test_it_shows_open_gaps_of_the_theme_the_viewer_may_see(world):
    seen = wf.gap(world, code="1.1")
    hidden = wf.gap(world, code="1.2", visibility="restricted")
    closed = wf.gap(world, code="1.3")
    closed.status = "closed"
    closed.save()
    board = _board(world, "member")
    assert board.gaps == [seen]
    assert board.gaps_total == 1
    assert hidden not in _board(world, "coordinator").gaps


def test_it_hides_plans_the_viewer_may_not_see(world):
    wf.plan(world, title="Open to the network")
    secret = wf.plan(world, title="Secret", visibility="restricted", lead=None)
    assert secret not in _board(world, "member").plans
    assert secret in _board(world, "administrator").plans


def test_the_page_shows_tables_of_plans_updates_and_gaps(world):
    today = timezone.localdate()
    plan = wf.plan(world, title="Seclusion review", rag="red")
    wf.update(plan, work.add_months(work.month_start(today), -2), submitted=True)
    wf.gap(world)
    response = world.client("member").get(_page(world))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Seclusion review", "Plans by RAG rating", "Question 1.1?", "Recent progress"):
        assert text in html


# --- Permissions ----------------------------------------------------------------------------

EXPECTED = {
    "anonymous": 404,
    "outsider": 404,
    "member": 200,
    "theme_lead": 200,
    "coordinator": 200,
    "board_reader": 404,
    "administrator": 200,
    "other_member": 404,
}


@pytest.mark.parametrize("name", NAMED_USERS)
def test_who_sees_the_dashboard_page(world, name):
    wf.plan(world)
    assert world.client(name).get(_page(world)).status_code == EXPECTED[name]


@pytest.mark.parametrize("name", NAMED_USERS)
def test_who_reads_the_dashboard_through_the_api(world, name):
    wf.plan(world, title="Visible plan")
    response = api_call(world.client(name), "get", _api(world))
    assert response.status_code == EXPECTED[name]
    if response.status_code == 200:
        assert [p["title"] for p in response.json()["plans"]] == ["Visible plan"]
    else:
        assert response.json()["detail"]


def test_a_public_workstream_shows_only_public_plans_to_anyone(world):
    world.workstream.visibility = "public"
    world.workstream.save()
    wf.plan(world, title="Public plan", visibility="public")
    wf.plan(world, title="Network plan")
    response = api_call(world.client("anonymous"), "get", _api(world))
    assert [p["title"] for p in response.json()["plans"]] == ["Public plan"]


def test_a_workstream_of_another_network_is_not_found(world):
    address = f"/networks/other/workstreams/{world.workstream.pk}/dashboard/"
    assert world.client("administrator").get(address).status_code == 404


# --- Speed ----------------------------------------------------------------------------------


def _grow(world, count, today):
    for _ in range(count):
        plan = wf.plan(world, months_ago=6, team=[world.people["theme_lead"]], rag="amber")
        for back in (2, 3, 4):
            wf.update(plan, work.add_months(work.month_start(today), -back), submitted=True)
        wf.update(plan, work.add_months(work.month_start(today), -5), due_on=date(2020, 1, 1))
        im.PlanAction.objects.create(
            plan=plan, title="Act", owner=world.people["member"], due_on=date(2020, 1, 1)
        )
        wf.gap(world, code=f"{plan.pk}.1")


@pytest.mark.parametrize(
    ("viewer", "page_queries", "api_queries"),
    [("member", 15, 15), ("coordinator", 15, 15), ("administrator", 11, 11)],
)
def test_the_dashboard_makes_the_same_number_of_queries_with_more_data(
    world, django_assert_num_queries, viewer, page_queries, api_queries
):
    today = timezone.localdate()
    client = world.client(viewer)
    _grow(world, 2, today)
    with django_assert_num_queries(page_queries):
        small = client.get(_page(world))
    with django_assert_num_queries(api_queries):
        assert client.get(_api(world)).status_code == 200
    _grow(world, 10, today)
    with django_assert_num_queries(page_queries):
        large = client.get(_page(world))
    with django_assert_num_queries(api_queries):
        body = client.get(_api(world)).json()
    assert len(large.content) > len(small.content)
    assert len(body["plans"]) == 12
    assert len(body["overdue_actions"]) == 12
