"""'My work': my plans, my actions, updates due, reviews waiting and time this month."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kmatrix.core.access import viewer_for
from kmatrix.core.tests.helpers import NAMED_USERS, api_call
from kmatrix.improvement import models as im
from kmatrix.improvement import plans as plan_rules
from kmatrix.improvement import work
from kmatrix.improvement.tests import work_fixtures as wf

pytestmark = pytest.mark.django_db
PAGE = "/my-work/"
API = "/api/v1/my-work"


def _mine(world, name):
    return work.my_work(viewer_for(world.users[name]), timezone.localdate())


def test_it_lists_plans_i_lead_or_work_on_but_not_finished_ones(world):
    led = wf.plan(world, title="Led", lead=world.people["member"])
    team = wf.plan(world, title="Team", lead=None, team=[world.people["member"]])
    wf.plan(world, title="Closed", status="closed")
    wf.plan(world, title="Someone else's", lead=world.people["theme_lead"])
    assert _mine(world, "member").plans == [led, team]


def test_it_lists_my_open_actions(world):
    plan = wf.plan(world, lead=world.people["theme_lead"])
    mine = im.PlanAction.objects.create(plan=plan, title="Mine", owner=world.people["member"])
    im.PlanAction.objects.create(
        plan=plan, title="Done", owner=world.people["member"], status="done"
    )
    im.PlanAction.objects.create(plan=plan, title="Theirs", owner=world.people["theme_lead"])
    assert _mine(world, "member").actions == [mine]


def test_it_lists_updates_due_soon_and_overdue_on_my_plans(world):
    today = timezone.localdate()
    plan = wf.plan(world, months_ago=4)
    soon = wf.update(plan, work.month_start(today), due_on=today + timedelta(days=2))
    wf.update(plan, date(2001, 1, 1), due_on=today + timedelta(days=30))  # not yet due
    due = _mine(world, "member").updates_due
    assert soon in [d.update for d in due]
    missing = [
        p
        for p in plan_rules.updates_due(plan, today)
        if plan_rules.update_due_on(plan, p) <= today
        and not im.ProgressUpdate.objects.filter(plan=plan, period=p).exists()
    ]
    assert missing
    assert {d.period for d in due if d.update is None} == set(missing)
    assert all(d.due_on <= today + timedelta(days=work.reminder_days()) for d in due)


def test_reviewers_see_submitted_plans_waiting_for_them(world):
    waiting = wf.plan(world, status="submitted", submitted_at=timezone.now())
    wf.plan(world, status="draft")
    for name in ("theme_lead", "coordinator", "administrator"):
        assert _mine(world, name).reviews == [waiting], name
        assert _mine(world, name).reviews_total == 1
    assert _mine(world, "member").reviews == []


def test_a_workstream_lead_without_the_theme_lead_role_reviews_its_plans(world):
    from kmatrix.networks import models as nm

    nm.WorkstreamMember.objects.filter(workstream=world.workstream).update(is_lead=False)
    nm.WorkstreamMember.objects.filter(person=world.people["member"]).update(is_lead=True)
    waiting = wf.plan(world, status="submitted")
    assert _mine(world, "member").reviews == [waiting]


def test_it_shows_time_logged_this_month_against_commitment(world):
    today = timezone.localdate()
    for days in ("0.5", "1.0"):
        im.TimeLog.objects.create(
            person=world.people["member"],
            network=world.network,
            month=work.month_start(today),
            days=Decimal(days),
        )
    [row] = _mine(world, "member").time
    assert (row.network, row.logged, row.committed) == (world.network, Decimal("1.5"), Decimal(1))


def test_the_page_shows_each_section(world):
    wf.plan(world, title="My seclusion plan")
    html = world.client("member").get(PAGE).content.decode()
    for text in ("My seclusion plan", "Progress updates due", "Time given this month"):
        assert text in html


def test_an_account_without_a_person_sees_an_explanation(world):
    from kmatrix.networks.tests import factories as f

    user = f.UserFactory(email="nobody@example.org")
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "not linked to a person" in response.content.decode()


@pytest.mark.parametrize("name", NAMED_USERS)
def test_who_sees_my_work(world, name):
    response = world.client(name).get(PAGE)
    if name == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("name", NAMED_USERS)
def test_who_reads_my_work_through_the_api(world, name):
    wf.plan(world, title="Mine", lead=world.people.get(name))
    response = api_call(world.client(name), "get", API)
    if name == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    titles = [p["title"] for p in response.json()["plans"]]
    assert titles == (["Mine"] if name in world.people else [])


def _grow(world, count):
    today = timezone.localdate()
    for _ in range(count):
        plan = wf.plan(world, months_ago=5, team=[world.people["member"]])
        wf.update(plan, work.add_months(work.month_start(today), -2), submitted=True)
        wf.update(plan, work.add_months(work.month_start(today), -4), due_on=date(2020, 1, 1))
        im.PlanAction.objects.create(plan=plan, title="Act", owner=world.people["member"])
        wf.plan(world, status="submitted", lead=world.people["theme_lead"])
        im.TimeLog.objects.create(
            person=world.people["member"],
            network=world.network,
            month=work.month_start(today),
            days=Decimal(1),
        )


@pytest.mark.parametrize(
    ("viewer", "page_queries", "api_queries"),
    [("member", 12, 12), ("theme_lead", 12, 12)],
)
def test_my_work_makes_the_same_number_of_queries_with_more_data(
    world, django_assert_num_queries, viewer, page_queries, api_queries
):
    client = world.client(viewer)
    _grow(world, 2)
    with django_assert_num_queries(page_queries):
        small = client.get(PAGE)
    with django_assert_num_queries(api_queries):
        assert client.get(API).status_code == 200
    _grow(world, 10)
    with django_assert_num_queries(page_queries):
        large = client.get(PAGE)
    with django_assert_num_queries(api_queries):
        body = client.get(API).json()
    assert len(large.content) > len(small.content)
    assert body["plans"] or body["reviews"]
