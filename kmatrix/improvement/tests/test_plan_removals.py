"""Removing a plan's actions and measures: on the page (a confirmation, then a POST) and
through the API (DELETE), by the people who may edit the plan; a measure's removal unlinks it
and never touches the indicator's data; what the plan's records rest on is refused."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from kmatrix.core.tests.helpers import LOGIN, NAMED_USERS, api_call, outcome
from kmatrix.improvement import models as im
from kmatrix.improvement import plans as rules
from kmatrix.improvement import services
from kmatrix.improvement.tests import work_fixtures as wf
from kmatrix.indicators import services as indicator_services
from kmatrix.indicators.models import DataPoint, Indicator, SeriesResult
from kmatrix.networks.tests import factories as f

pytestmark = pytest.mark.django_db

USERS = (*NAMED_USERS, "plan_team")


@pytest.fixture
def plan(world):
    """A published, network-visible plan of the world's workstream with no lead, whose team is
    `plan_team` (a member of the network): `member` reads it but is none of its authors."""
    user = f.UserFactory(email="plan_team@example.org")
    person = f.PersonFactory(full_name="Plan Team", email="plan_team@example.org", user=user)
    f.MembershipFactory(person=person, network=world.network, organisation=world.org)
    world.users["plan_team"] = user
    return wf.plan(world, title="Fewer restraints", lead=None, team=[person], months_ago=3)


@pytest.fixture
def indicator(world):
    return wf.indicator(world)


def _action(plan, title="Audit the restraint log", **fields):
    return im.PlanAction.objects.create(plan=plan, title=title, **fields)


def _measure(world, plan, indicator):
    return services.measure_add(plan=plan, indicator=indicator, organisation=world.org)


def _page(plan, rest=""):
    return f"/networks/alliance/plans/{plan.pk}/{rest}"


def _api(plan, rest):
    return f"/api/v1/plans/{plan.pk}/{rest}"


def _point(world, indicator, period, value):
    return indicator_services.datapoint_save(
        indicator=indicator, organisation=world.org, period=period, value=value
    )


def _submitted_value(world, plan, measure, value):
    """A submitted update for the plan's first period reporting ``value`` of ``measure``."""
    return services.update_save(
        plan=plan, period=rules.first_period(plan), progress="Going", rag="green", submit=True,
        values={measure.pk: services.MeasureValue(value)}, user=world.users["plan_team"],
    )  # fmt: skip


# --- Who may remove -----------------------------------------------------------------------

# fmt: off
#                        anon   out  mem  lead coord board admin other team
CONFIRM_PAGE = (LOGIN, 404, 403, 200, 200, 404, 200, 404, 200)
REMOVE_POST = (LOGIN, 404, 403, 302, 302, 404, 302, 404, 302)
API_DELETE = (401, 404, 403, 204, 204, 404, 204, 404, 204)
# fmt: on


def test_who_may_open_the_confirmation_and_remove_an_action(world, plan):
    for name, confirm, removed in zip(USERS, CONFIRM_PAGE, REMOVE_POST, strict=True):
        action = _action(plan)
        url = _page(plan, f"actions/{action.pk}/delete/")
        client = world.client(name)
        assert outcome(client.get(url)) == confirm, name
        assert outcome(client.post(url)) == removed, name
        gone = not im.PlanAction.objects.filter(pk=action.pk).exists()
        assert gone == (removed == 302), name


def test_who_may_open_the_confirmation_and_remove_a_measure(world, plan):
    for name, confirm, removed in zip(USERS, CONFIRM_PAGE, REMOVE_POST, strict=True):
        measure = _measure(world, plan, wf.indicator(world, code=f"ind-{name}"))
        url = _page(plan, f"measures/{measure.pk}/delete/")
        client = world.client(name)
        assert outcome(client.get(url)) == confirm, name
        assert outcome(client.post(url)) == removed, name
        gone = not im.PlanMeasure.objects.filter(pk=measure.pk).exists()
        assert gone == (removed == 302), name


def test_who_may_delete_an_action_and_a_measure_through_the_api(world, plan):
    for name, expected in zip(USERS, API_DELETE, strict=True):
        action = _action(plan)
        measure = _measure(world, plan, wf.indicator(world, code=f"ind-{name}"))
        client = world.client(name)
        for address, model, pk in (
            (_api(plan, f"actions/{action.pk}"), im.PlanAction, action.pk),
            (_api(plan, f"measures/{measure.pk}"), im.PlanMeasure, measure.pk),
        ):
            response = api_call(client, "delete", address)
            assert response.status_code == expected, (name, address, response.content[:200])
            if expected == 204:
                assert response.content == b""
            else:
                assert response.json()["detail"]
            assert model.objects.filter(pk=pk).exists() == (expected != 204), (name, address)


def test_a_reader_who_may_not_edit_gets_the_same_status_as_from_the_put_route(world, plan):
    action = _action(plan)
    client = world.client("member")
    put = api_call(client, "put", _api(plan, f"actions/{action.pk}"), {"title": "Changed"})
    delete = api_call(client, "delete", _api(plan, f"actions/{action.pk}"))
    assert put.status_code == delete.status_code == 403
    assert delete.json()["detail"] == put.json()["detail"]
    assert im.PlanAction.objects.filter(pk=action.pk, title=action.title).exists()


def test_the_plan_page_links_to_removal_for_those_who_edit_it_only(world, plan, indicator):
    action = _action(plan)
    measure = _measure(world, plan, indicator)
    links = (
        _page(plan, f"actions/{action.pk}/delete/"),
        _page(plan, f"measures/{measure.pk}/delete/"),
    )
    for name in ("plan_team", "theme_lead", "coordinator", "administrator"):
        body = world.client(name).get(_page(plan)).content.decode()
        assert all(link in body for link in links), name
    body = world.client("member").get(_page(plan)).content.decode()
    assert "Audit the restraint log" in body
    assert not any(link in body for link in links)
    plan.status = "closed"
    plan.save()
    body = world.client("plan_team").get(_page(plan)).content.decode()
    assert "Audit the restraint log" in body
    assert not any(link in body for link in links)


# --- Removing -----------------------------------------------------------------------------


def test_an_action_is_confirmed_then_removed_with_a_message(world, plan):
    action = _action(plan, is_milestone=True, due_on=date(2025, 9, 30))
    client = world.client("plan_team")
    url = _page(plan, f"actions/{action.pk}/delete/")
    confirm = client.get(url)
    body = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Remove this milestone?" in body
    assert "Audit the restraint log" in body
    assert "30 September 2025" in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert "Remove the milestone" in body
    assert f'href="{_page(plan)}#actions"' in body  # the cancel link
    done = client.post(url)
    assert (done.status_code, done["Location"]) == (302, _page(plan) + "#actions")
    assert "Action removed: Audit the restraint log." in client.get(_page(plan)).content.decode()
    assert not plan.actions.exists()
    assert im.PlanAction.history.filter(id=action.pk, history_type="-").exists()


def test_removing_a_measure_keeps_the_indicators_data_points(world, plan, indicator):
    measure = _measure(world, plan, indicator)
    for month in range(1, 13):
        _point(world, indicator, date(2024, month, 1), 10 + month % 3)
    result = SeriesResult.objects.get(indicator=indicator, organisation=world.org)
    client = world.client("plan_team")
    url = _page(plan, f"measures/{measure.pk}/delete/")
    confirm = client.get(url).content.decode()
    assert "Remove this measure?" in confirm
    assert "data points" in confirm
    done = client.post(url, follow=True)
    assert "Measure removed: Restraint at Derbyshire Test Trust." in done.content.decode()
    assert not plan.measures.exists()
    assert DataPoint.objects.filter(indicator=indicator, organisation=world.org).count() == 12
    assert SeriesResult.objects.filter(pk=result.pk, points=12).exists()
    assert Indicator.objects.filter(pk=indicator.pk).exists()


def test_the_api_removes_a_measure_and_the_data_points_stay(world, plan, indicator):
    measure = _measure(world, plan, indicator)
    _point(world, indicator, date(2024, 1, 1), 4)
    response = api_call(world.client("plan_team"), "delete", _api(plan, f"measures/{measure.pk}"))
    assert response.status_code == 204
    assert not im.PlanMeasure.objects.filter(pk=measure.pk).exists()
    assert DataPoint.objects.filter(indicator=indicator, value=4).exists()
    detail = api_call(world.client("plan_team"), "get", f"/api/v1/plans/{plan.pk}").json()
    assert detail["measures"] == []


# --- Refused ------------------------------------------------------------------------------


def test_a_measure_with_values_in_updates_is_refused_and_says_why(world, plan, indicator):
    measure = _measure(world, plan, indicator)
    update = _submitted_value(world, plan, measure, 7)
    period = f"{update.period:%B %Y}"
    with pytest.raises(ValidationError) as caught:
        services.measure_delete(plan=plan, measure=measure)
    assert f"progress updates for {period}" in caught.value.messages[0]
    assert "clear its values" in caught.value.messages[0]
    client = world.client("plan_team")
    page = client.post(_page(plan, f"measures/{measure.pk}/delete/"), follow=True)
    assert page.status_code == 200
    assert "The measure was not removed." in page.content.decode()
    assert f"progress updates for {period}" in page.content.decode()
    api = api_call(client, "delete", _api(plan, f"measures/{measure.pk}"))
    assert api.status_code == 422
    assert f"progress updates for {period}" in api.json()["detail"]
    assert update.measures.get().value == 7.0
    assert im.PlanMeasure.objects.filter(pk=measure.pk).exists()


def test_values_in_a_draft_update_are_refused_too(world, plan, indicator):
    measure = _measure(world, plan, indicator)
    services.update_save(
        plan=plan, period=rules.first_period(plan), values={measure.pk: services.MeasureValue(3)}
    )
    with pytest.raises(ValidationError) as caught:
        services.measure_delete(plan=plan, measure=measure)
    assert "progress updates for" in caught.value.messages[0]
    assert not DataPoint.objects.exists()  # a draft's values are the update's alone
    assert im.UpdateMeasure.objects.filter(measure=measure, value=3).exists()


def test_clearing_its_values_lets_the_measure_go_and_the_data_stay(world, plan, indicator):
    measure = _measure(world, plan, indicator)
    update = _submitted_value(world, plan, measure, 7)
    services.update_save(
        plan=plan, period=update.period, update=update, version=update.version,
        values={measure.pk: services.MeasureValue()},
    )  # fmt: skip
    services.measure_delete(plan=plan, measure=measure)
    assert not im.PlanMeasure.objects.filter(pk=measure.pk).exists()
    assert DataPoint.objects.get(indicator=indicator, period=update.period).value == 7.0


def test_a_measure_an_outcome_gives_as_evidence_is_refused(world, plan, indicator):
    measure = _measure(world, plan, indicator)
    recorded = services.outcome_save(
        plan=plan, summary="Halved", measure=measure, recorded_on=date(2025, 6, 1)
    )
    with pytest.raises(ValidationError) as caught:
        services.measure_delete(plan=plan, measure=measure)
    assert caught.value.messages == [
        "The outcome recorded on 1 June 2025 gives this measure's SPC chart as the evidence of "
        "improvement; removing the measure would take that evidence from the outcome."
    ]
    api = api_call(world.client("coordinator"), "delete", _api(plan, f"measures/{measure.pk}"))
    assert api.status_code == 422
    assert "1 June 2025" in api.json()["errors"]["__all__"][0]
    recorded.refresh_from_db()
    assert recorded.measure == measure


def test_a_finished_plans_actions_and_measures_stay(world, plan, indicator):
    action = _action(plan)
    measure = _measure(world, plan, indicator)
    services.plan_finish(plan=plan, status="closed", version=plan.version)
    client = world.client("plan_team")
    page = client.post(_page(plan, f"actions/{action.pk}/delete/"), follow=True)
    assert "The action was not removed. This plan is finished" in page.content.decode()
    page = client.post(_page(plan, f"measures/{measure.pk}/delete/"), follow=True)
    assert "The measure was not removed. This plan is finished" in page.content.decode()
    for address in (_api(plan, f"actions/{action.pk}"), _api(plan, f"measures/{measure.pk}")):
        response = api_call(client, "delete", address)
        assert response.status_code == 422
        assert "This plan is finished" in response.json()["detail"]
    assert im.PlanAction.objects.filter(pk=action.pk).exists()
    assert im.PlanMeasure.objects.filter(pk=measure.pk).exists()


def test_a_finished_plan_gains_no_measures_and_offers_no_changes(world, plan, indicator):
    action = _action(plan)
    services.plan_finish(plan=plan, status="closed", version=plan.version)
    with pytest.raises(ValidationError, match="This plan is finished"):
        _measure(world, plan, indicator)
    client = world.client("plan_team")
    body = {"indicator_id": indicator.pk, "organisation_id": world.org.pk}
    response = api_call(client, "post", _api(plan, "measures"), body)
    assert response.status_code == 422
    assert "This plan is finished" in response.content.decode()
    html = client.get(_page(plan)).content.decode()
    assert action.title in html
    assert f'actions/{action.pk}/"' not in html
    assert f"actions/{action.pk}/delete/" not in html
    assert not im.PlanMeasure.objects.filter(plan=plan).exists()


# --- Bad inputs ---------------------------------------------------------------------------


def test_another_plans_action_or_measure_is_not_found(world, plan, indicator):
    other = wf.plan(world, title="Another plan", team=[plan.team.get()])
    action = _action(other)
    measure = _measure(world, other, indicator)
    client = world.client("plan_team")
    for rest in (f"actions/{action.pk}", f"measures/{measure.pk}"):
        assert client.get(_page(plan, f"{rest}/delete/")).status_code == 404
        assert client.post(_page(plan, f"{rest}/delete/")).status_code == 404
        response = api_call(client, "delete", _api(plan, rest))
        assert response.status_code == 404
        assert "on this plan" in response.json()["detail"]
    with pytest.raises(ValidationError):
        services.action_delete(plan=plan, action=action)
    with pytest.raises(ValidationError):
        services.measure_delete(plan=plan, measure=measure)
    assert im.PlanAction.objects.filter(pk=action.pk).exists()
    assert im.PlanMeasure.objects.filter(pk=measure.pk).exists()


def test_unknown_ids_are_not_found(world, plan):
    client = world.client("plan_team")
    for rest in ("actions/999999", "measures/999999"):
        assert client.get(_page(plan, f"{rest}/delete/")).status_code == 404
        assert client.post(_page(plan, f"{rest}/delete/")).status_code == 404
        response = api_call(client, "delete", _api(plan, rest))
        assert response.status_code == 404
        assert response.json()["detail"]
        unknown_plan = api_call(client, "delete", f"/api/v1/plans/999999/{rest}")
        assert unknown_plan.status_code == 404
    assert client.post("/networks/alliance/plans/999999/actions/1/delete/").status_code == 404


def test_opening_the_delete_address_removes_nothing(world, plan, indicator):
    action = _action(plan)
    measure = _measure(world, plan, indicator)
    client = world.client("coordinator")
    for _ in range(2):
        assert client.get(_page(plan, f"actions/{action.pk}/delete/")).status_code == 200
        assert client.get(_page(plan, f"measures/{measure.pk}/delete/")).status_code == 200
    assert client.put(_page(plan, f"actions/{action.pk}/delete/")).status_code == 405
    assert client.delete(_page(plan, f"measures/{measure.pk}/delete/")).status_code == 405
    assert im.PlanAction.objects.filter(pk=action.pk).exists()
    assert im.PlanMeasure.objects.filter(pk=measure.pk).exists()


def test_a_post_without_the_csrf_token_removes_nothing(world, plan, indicator):
    action = _action(plan)
    measure = _measure(world, plan, indicator)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["plan_team"])
    assert client.post(_page(plan, f"actions/{action.pk}/delete/")).status_code == 403
    assert client.post(_page(plan, f"measures/{measure.pk}/delete/")).status_code == 403
    assert im.PlanAction.objects.filter(pk=action.pk).exists()
    assert im.PlanMeasure.objects.filter(pk=measure.pk).exists()
