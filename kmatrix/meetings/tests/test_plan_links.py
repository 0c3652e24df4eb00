"""Decisions linked to improvement plans: the decision form offers only the plans the editor
may read, the meeting page and the API name only the plans the viewer may read, and the plan
page's list holds only the decisions the viewer may read."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kmatrix.core.tests.helpers import api_call
from kmatrix.improvement.tests.work_fixtures import plan
from kmatrix.meetings import services
from kmatrix.meetings.models import DecisionLink
from kmatrix.networks.tests.html import field_error, text

N = "/networks/alliance/"
API = "/api/v1/networks/alliance/"


@pytest.fixture
def plans(world):
    """``shared``: network-visible and published; ``hidden``: restricted to the coordinator,
    who leads it (the theme lead, who chairs the group, may not read it); ``theirs``: another
    network's."""
    coordinator = world.people["coordinator"]
    hidden = plan(world, title="Seclusion review", visibility="restricted", lead=coordinator)
    hidden.restricted_to.add(world.users["coordinator"])
    theirs = plan(world, title="Their plan", network=world.other_network, workstream=None)
    return {"shared": plan(world, title="Fewer restraints"), "hidden": hidden, "theirs": theirs}


def test_a_decision_links_to_a_plan_and_both_pages_show_it(world, minuted, plans):
    lead = world.client("theme_lead")
    response = lead.post(
        N + f"meetings/{minuted.june.pk}/decisions/new/",
        {"text": "Adopt the restraint plan.", "plans": [plans["shared"].pk]},
    )
    assert response.status_code == 302
    link = DecisionLink.objects.get(plan=plans["shared"])
    assert link.decision.meeting == minuted.june
    assert link.kind == "plan"
    member = world.client("member")
    page = member.get(N + f"meetings/{minuted.june.pk}/")
    assert "Fewer restraints (improvement plan)" in text(page)
    assert plans["shared"].get_absolute_url() in page.content.decode()
    listed = text(member.get(N + f"plans/{plans['shared'].pk}/decisions/"))
    assert "Decision 1, Restrictive practice" in listed
    assert "Adopt the restraint plan." in listed


def test_the_plan_page_loads_its_decisions_section(world, minuted, plans):
    page = world.client("member").get(plans["shared"].get_absolute_url())
    assert page.status_code == 200
    assert f"{N}plans/{plans['shared'].pk}/decisions/" in page.content.decode()
    assert "Decisions about this plan" in text(page)


def test_a_plan_the_editor_may_not_read_is_neither_offered_nor_accepted(world, minuted, plans):
    lead = world.client("theme_lead")
    address = N + f"meetings/{minuted.june.pk}/decisions/new/"
    form = text(lead.get(address))
    assert "Fewer restraints" in form
    assert "Seclusion review" not in form
    assert "Their plan" not in form
    for refused in ("hidden", "theirs"):
        response = lead.post(address, {"text": "Adopt it.", "plans": [plans[refused].pk]})
        assert response.status_code == 400
        assert "not one of the available choices" in field_error(response, "plans")
    assert not DecisionLink.objects.filter(plan__isnull=False).exists()


def test_the_service_refuses_another_networks_plan(world, minuted, plans):
    with pytest.raises(ValidationError, match="belongs to another network"):
        services.decision_save(meeting=minuted.june, text="Adopt it.", links=[plans["theirs"]])


def test_a_link_to_a_plan_the_viewer_may_not_read_is_not_named(world, minuted, plans):
    services.decision_save(meeting=minuted.june, text="Review seclusion.", links=[plans["hidden"]])
    address = N + f"meetings/{minuted.june.pk}/"
    assert "Seclusion review" not in text(world.client("member").get(address))
    assert "Seclusion review (improvement plan)" in text(world.client("coordinator").get(address))
    api = world.client("member").get(API + f"meetings/{minuted.june.pk}").json()
    assert api["decisions"][0]["links"] == []
    shown = world.client("coordinator").get(API + f"meetings/{minuted.june.pk}").json()
    assert shown["decisions"][0]["links"] == [
        {"kind": "plan", "id": plans["hidden"].pk, "name": "Seclusion review"}
    ]
    hidden = N + f"plans/{plans['hidden'].pk}/decisions/"
    assert world.client("member").get(hidden).status_code == 404
    assert "Review seclusion." in text(world.client("coordinator").get(hidden))


def test_the_plan_lists_only_decisions_the_viewer_may_read(world, minuted, plans):
    services.decision_save(meeting=minuted.secret, text="In confidence.", links=[plans["shared"]])
    services.decision_save(meeting=minuted.june, text="In the open.", links=[plans["shared"]])
    address = N + f"plans/{plans['shared'].pk}/decisions/"
    member = text(world.client("member").get(address))
    assert "In the open." in member
    assert "In confidence." not in member
    assert "In confidence." in text(world.client("theme_lead").get(address))


def test_the_api_links_a_decision_to_a_plan_and_refuses_one_it_may_not(world, minuted, plans):
    client = world.client("theme_lead")
    address = API + f"meetings/{minuted.june.pk}/decisions"
    made = api_call(client, "post", address, {"text": "Adopt.", "plans": [plans["shared"].pk]})
    assert made.status_code == 201, made.content
    assert made.json()["links"] == [
        {"kind": "plan", "id": plans["shared"].pk, "name": "Fewer restraints"}
    ]
    for refused in ("hidden", "theirs"):
        response = api_call(client, "post", address, {"text": "x", "plans": [plans[refused].pk]})
        assert response.status_code == 422
        assert "plans" in response.json()["errors"]
    bad = api_call(client, "post", address, {"text": "x", "plans": ["one"]})
    assert bad.status_code in (400, 422)
