"""Programmes linked to improvement plans: the form offers only the network's plans the editor
may read, the programme page and the API name only the plans the viewer may read, and the
plan page's list holds only the programmes the viewer may read."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kmatrix.core.tests.helpers import api_call
from kmatrix.improvement.tests.work_fixtures import plan
from kmatrix.networks.tests.html import field_error, text
from kmatrix.programmes import services
from kmatrix.programmes.models import ProgrammeLink

P = "/networks/alliance/programmes/"
SAFETY = P + "patient-safety/"
API = "/api/v1/networks/alliance/programmes/patient-safety"


@pytest.fixture
def plans(world):
    """``shared``: network-visible and published; ``hidden``: restricted to the member, who
    leads it (the coordinator, who manages the programmes, may not read it); ``theirs``:
    another network's."""
    hidden = plan(world, title="Seclusion review", visibility="restricted")
    hidden.restricted_to.add(world.users["member"])
    theirs = plan(world, title="Their plan", network=world.other_network, workstream=None)
    return {"shared": plan(world, title="Fewer restraints"), "hidden": hidden, "theirs": theirs}


def test_a_programme_links_to_a_plan_and_both_pages_show_it(world, funded, plans):
    response = world.client("coordinator").post(
        SAFETY + "links/new-plan/", {"plan": plans["shared"].pk, "note": "Delivers it"}
    )
    assert response.status_code == 302
    link = ProgrammeLink.objects.get(plan=plans["shared"])
    assert (link.programme, link.kind, link.note) == (funded.safety, "plan", "Delivers it")
    member = world.client("member")
    page = member.get(SAFETY)
    assert "Fewer restraints (improvement plan) : Delivers it" in text(page)
    assert plans["shared"].get_absolute_url() in page.content.decode()
    listed = member.get(f"/networks/alliance/plans/{plans['shared'].pk}/programmes/")
    assert "Patient Safety" in text(listed)
    on_plan = member.get(plans["shared"].get_absolute_url())
    assert "Programmes working towards this plan" in text(on_plan)


def test_a_plan_the_editor_may_not_read_is_neither_offered_nor_accepted(world, funded, plans):
    coordinator = world.client("coordinator")
    form = text(coordinator.get(SAFETY + "links/new-plan/"))
    assert "Fewer restraints" in form
    assert "Seclusion review" not in form
    assert "Their plan" not in form
    for refused in ("hidden", "theirs"):
        response = coordinator.post(SAFETY + "links/new-plan/", {"plan": plans[refused].pk})
        assert response.status_code == 400
        assert "not one of the available choices" in field_error(response, "plan")
    assert not ProgrammeLink.objects.filter(plan__isnull=False).exists()


def test_a_plan_is_linked_once_and_only_from_its_own_network(world, funded, plans):
    services.link_add(programme=funded.safety, plan=plans["shared"])
    with pytest.raises(ValidationError, match="already linked"):
        services.link_add(programme=funded.safety, plan=plans["shared"])
    with pytest.raises(ValidationError, match="network's own improvement plans"):
        services.link_add(programme=funded.safety, plan=plans["theirs"])
    with pytest.raises(ValidationError, match="an indicator or an improvement plan"):
        services.link_add(programme=funded.safety)
    response = world.client("coordinator").post(
        SAFETY + "links/new-plan/", {"plan": plans["shared"].pk}
    )
    assert response.status_code == 400
    assert "already linked" in field_error(response, "plan")


def test_a_link_to_a_plan_the_viewer_may_not_read_is_not_named(world, funded, plans):
    services.link_add(programme=funded.safety, plan=plans["hidden"])
    assert "Seclusion review" not in text(world.client("coordinator").get(SAFETY))
    assert "Seclusion review (improvement plan)" in text(world.client("member").get(SAFETY))
    links = world.client("coordinator").get(API).json()["links"]
    assert links == []
    shown = world.client("member").get(API).json()["links"]
    assert [(x["kind"], x["target_id"], x["name"]) for x in shown] == [
        ("plan", plans["hidden"].pk, "Seclusion review")
    ]
    address = f"/networks/alliance/plans/{plans['hidden'].pk}/programmes/"
    assert world.client("coordinator").get(address).status_code == 404
    assert "Patient Safety" in text(world.client("member").get(address))


def test_the_plan_lists_only_programmes_the_viewer_may_read(world, funded, plans):
    services.link_add(programme=funded.safety, plan=plans["shared"])
    services.link_add(programme=funded.secret, plan=plans["shared"])
    address = f"/networks/alliance/plans/{plans['shared'].pk}/programmes/"
    member = text(world.client("member").get(address))
    assert "Patient Safety" in member
    assert "Confidential bid" not in member
    assert "Confidential bid" in text(world.client("theme_lead").get(address))


def test_the_api_links_a_plan_and_refuses_one_it_may_not(world, funded, plans):
    client = world.client("coordinator")
    made = api_call(client, "post", API + "/links", {"plan": plans["shared"].pk, "note": "n"})
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["kind"], body["target_id"], body["name"]) == (
        "plan",
        plans["shared"].pk,
        "Fewer restraints",
    )
    assert body["url"] == plans["shared"].get_absolute_url()
    again = api_call(client, "post", API + "/links", {"plan": plans["shared"].pk})
    assert again.status_code == 422
    assert "already linked" in again.json()["errors"]["plan"][0]
    for refused in ("hidden", "theirs"):
        response = api_call(client, "post", API + "/links", {"plan": plans[refused].pk})
        assert response.status_code == 422
        assert "plan" in response.json()["errors"]
    neither = api_call(client, "post", API + "/links", {"note": "x"})
    assert neither.status_code == 422
    assert "indicator" in neither.json()["errors"]
    member = api_call(world.client("member"), "post", API + "/links", {"plan": plans["shared"].pk})
    assert member.status_code == 403
