"""Agenda papers chosen from the library: the form offers only the network's published
resources the editor may read, and the meeting page and the API show only the papers the
viewer may read."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kmatrix.library.tests.factories import resource
from kmatrix.meetings import services
from kmatrix.networks.tests.html import field_error, text

N = "/networks/alliance/"
API = "/api/v1/networks/alliance/"


@pytest.fixture
def papers(world):
    """``summary``: network-visible and published; ``confidential``: restricted to the
    coordinator; ``draft``: not yet published; ``theirs``: another network's."""
    confidential = resource(
        world.network,
        "Incident notes",
        visibility="restricted",
        created_by=world.users["coordinator"],
    )
    return {
        "summary": resource(world.network, "Alliance-wide summary", kind="report"),
        "confidential": confidential,
        "draft": resource(world.network, "Unfinished review", status="draft"),
        "theirs": resource(world.other_network, "Their report"),
    }


def _item(minuted):
    return minuted.may.agenda.get(title="Funding")


def test_a_library_paper_is_chosen_and_linked_from_the_meeting_page(world, minuted, papers):
    item = _item(minuted)
    response = world.client("theme_lead").post(
        N + f"meetings/{minuted.may.pk}/agenda/{item.pk}/edit/",
        {"title": "Funding", "resources": [papers["summary"].pk]},
    )
    assert response.status_code == 302
    assert list(item.resources.all()) == [papers["summary"]]
    page = world.client("member").get(N + f"meetings/{minuted.may.pk}/")
    assert "Alliance-wide summary (library: report)" in text(page)
    assert papers["summary"].get_absolute_url() in page.content.decode()
    api = world.client("member").get(API + f"meetings/{minuted.may.pk}").json()
    funding = next(i for i in api["agenda"] if i["title"] == "Funding")
    assert funding["library_papers"] == [
        {
            "id": papers["summary"].pk,
            "title": "Alliance-wide summary",
            "url": papers["summary"].get_absolute_url(),
        }
    ]


def test_only_published_papers_the_editor_may_read_are_offered(world, minuted, papers):
    lead = world.client("theme_lead")
    address = N + f"meetings/{minuted.may.pk}/agenda/new/"
    form = text(lead.get(address))
    assert "Alliance-wide summary" in form
    for hidden in ("Incident notes", "Unfinished review", "Their report"):
        assert hidden not in form
    for refused in ("confidential", "draft", "theirs"):
        response = lead.post(address, {"title": "Item", "resources": [papers[refused].pk]})
        assert response.status_code == 400
        assert "not one of the available choices" in field_error(response, "resources")


def test_the_service_refuses_another_networks_paper(world, minuted, papers):
    with pytest.raises(ValidationError, match="another network"):
        services.agenda_item_save(meeting=minuted.may, title="x", resources=[papers["theirs"]])


def test_a_paper_the_viewer_may_not_read_is_not_shown(world, minuted, papers):
    services.agenda_item_save(
        item=_item(minuted),
        meeting=minuted.may,
        resources=[papers["summary"], papers["confidential"]],
    )
    address = N + f"meetings/{minuted.may.pk}/"
    member = text(world.client("member").get(address))
    assert "Alliance-wide summary" in member
    assert "Incident notes" not in member
    assert "Incident notes" in text(world.client("coordinator").get(address))
    api = world.client("member").get(API + f"meetings/{minuted.may.pk}").json()
    funding = next(i for i in api["agenda"] if i["title"] == "Funding")
    assert [p["title"] for p in funding["library_papers"]] == ["Alliance-wide summary"]


def test_an_editor_keeps_the_papers_they_may_not_see(world, minuted, papers):
    item = _item(minuted)
    services.agenda_item_save(item=item, meeting=minuted.may, resources=[papers["confidential"]])
    response = world.client("theme_lead").post(
        N + f"meetings/{minuted.may.pk}/agenda/{item.pk}/edit/",
        {"title": "Funding", "resources": [papers["summary"].pk]},
    )
    assert response.status_code == 302
    assert set(item.resources.all()) == {papers["summary"], papers["confidential"]}
