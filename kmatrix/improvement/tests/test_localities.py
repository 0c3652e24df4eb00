"""Localities: coordinators add and edit them on the page and through the API (one service,
``locality_save``); the slug stays through a rename, a name is unique in its network, and only
the network's organisations go into one."""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kmatrix.core.access import viewer_for, visible
from kmatrix.core.tests.helpers import LOGIN, NAMED_USERS, api_call, outcome
from kmatrix.improvement import models as im
from kmatrix.improvement import services
from kmatrix.improvement.tests import work_fixtures as wf
from kmatrix.library.models import SearchEntry
from kmatrix.networks.models import NetworkOrganisation

pytestmark = pytest.mark.django_db
PAGE = "/networks/alliance/localities/"
API = "/api/v1/networks/alliance/localities"


@pytest.fixture
def derbyshire(world):
    return wf.locality(world)


@pytest.fixture
def foreign(world):
    """A locality of the other network, which the world's coordinator does not run."""
    return im.Locality.objects.create(network=world.other_network, name="Rutland", slug="rutland")


def _edit(locality):
    return f"{PAGE}{locality.pk}/edit/"


def _saved(locality):
    locality.refresh_from_db()
    orgs = sorted(o.name for o in locality.organisations.all())
    return locality.name, locality.slug, locality.kind, orgs


# --- Who may edit -------------------------------------------------------------------------

# fmt: off
PAGES = [
    # page                 method  anon   out  mem  lead coord board admin other
    ("locality edit",      "GET",  (LOGIN, 404, 403, 403, 200, 404, 200, 404)),
    ("locality edit",      "POST", (LOGIN, 404, 403, 403, 400, 404, 400, 404)),
]
ROUTES = [
    # route                method  locality  anon out  mem  lead coord board admin other
    ("locality create",    "post", False,    (401, 404, 403, 403, 422, 404, 422, 404)),
    ("locality change",    "put",  True,     (401, 404, 403, 403, 422, 404, 422, 404)),
]
# fmt: on


@pytest.mark.parametrize(
    ("label", "method", "expected"), PAGES, ids=[f"{r[0]} {r[1]}" for r in PAGES]
)
def test_who_may_open_the_edit_page(world, derbyshire, label, method, expected):
    for name, wanted in zip(NAMED_USERS, expected, strict=True):
        client = world.client(name)
        response = (
            client.get(_edit(derbyshire))
            if method == "GET"
            else client.post(_edit(derbyshire), {"blank": ""})
        )
        assert outcome(response) == wanted, (label, name, response.status_code)
    assert _saved(derbyshire)[0] == "Derbyshire"


@pytest.mark.parametrize(("label", "method", "one", "expected"), ROUTES, ids=[r[0] for r in ROUTES])
def test_who_may_call_the_write_routes(world, derbyshire, label, method, one, expected):
    url = f"{API}/{derbyshire.pk}" if one else API
    for name, wanted in zip(NAMED_USERS, expected, strict=True):
        # A blank name passes the schema: those who may write meet the record's rule (422).
        response = api_call(world.client(name), method, url, {"name": " "})
        assert response.status_code == wanted, (label, name, response.content[:300])
    assert im.Locality.objects.count() == 1


def test_the_list_links_each_locality_to_its_edit_page_for_those_who_manage_the_network(
    world, derbyshire
):
    link = f'href="{_edit(derbyshire)}"'
    assert link in world.client("coordinator").get(PAGE).content.decode()
    assert link in world.client("administrator").get(PAGE).content.decode()
    for name in ("member", "theme_lead"):
        page = world.client(name).get(PAGE)
        assert page.status_code == 200
        assert link not in page.content.decode()


# --- Editing on the page ------------------------------------------------------------------


def test_the_edit_page_shows_the_locality_as_saved(world, derbyshire):
    page = world.client("coordinator").get(_edit(derbyshire)).content.decode()
    assert "Edit Derbyshire" in page
    assert 'value="Derbyshire"' in page
    assert f'value="{world.org.pk}" checked' in page
    assert '<option value="county" selected' in page


def test_a_coordinator_renames_a_locality_and_changes_its_kind_and_organisations(world, derbyshire):
    NetworkOrganisation.objects.create(network=world.network, organisation=world.other_org)
    coordinator = world.client("coordinator")
    response = coordinator.post(
        _edit(derbyshire),
        {"name": "Derby and Derbyshire", "kind": "ics", "organisations": [world.other_org.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == PAGE
    # The slug stays as it was made, so what holds it (the API's clients, the demo) keeps working.
    assert _saved(derbyshire) == (
        "Derby and Derbyshire",
        "derbyshire",
        "ics",
        ["Leicestershire Test Trust"],
    )
    assert "Derby and Derbyshire saved." in coordinator.get(PAGE).content.decode()


def test_unticking_every_organisation_empties_the_locality(world, derbyshire):
    response = world.client("coordinator").post(
        _edit(derbyshire), {"name": "Derbyshire", "kind": "county"}
    )
    assert response.status_code == 302
    assert _saved(derbyshire)[3] == []


def test_a_blank_name_is_a_field_error_and_nothing_is_saved(world, derbyshire):
    response = world.client("coordinator").post(_edit(derbyshire), {"name": "   ", "kind": "place"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert 'href="#id_name"' in page  # the error summary links to the field
    assert "Enter the locality's name." in html.unescape(page)
    assert _saved(derbyshire)[:3] == ("Derbyshire", "derbyshire", "county")


def test_a_duplicate_name_in_the_network_is_a_field_error_whatever_its_case(world, derbyshire):
    wf.locality(world, "Nottinghamshire")
    response = world.client("coordinator").post(
        _edit(derbyshire), {"name": "NOTTINGHAMSHIRE", "kind": "county"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_name"' in page
    assert "The network has a locality called NOTTINGHAMSHIRE already." in page
    assert "Edit Derbyshire" in page  # the title keeps the name as saved
    assert _saved(derbyshire)[0] == "Derbyshire"


def test_the_database_holds_a_name_once_in_a_network_whatever_its_case(world, derbyshire):
    with pytest.raises(IntegrityError), transaction.atomic():
        im.Locality.objects.create(network=world.network, name="DERBYSHIRE", slug="other")
    assert im.Locality.objects.filter(network=world.network).count() == 1


def test_a_name_taken_between_the_check_and_the_save_is_a_field_error(
    world, derbyshire, monkeypatch
):
    # Another coordinator saves the same name at the same moment: the check saw it free.
    monkeypatch.setattr(services, "_check_locality", lambda locality, organisations: None)
    with pytest.raises(ValidationError) as refused:
        services.locality_save(
            network=world.network, name="derbyshire", kind="county", organisations=[]
        )
    assert "already" in refused.value.message_dict["name"][0]
    assert im.Locality.objects.filter(network=world.network).count() == 1


def test_the_same_name_in_another_network_is_allowed(world, derbyshire, foreign):
    response = world.client("coordinator").post(
        _edit(derbyshire), {"name": "Rutland", "kind": "county"}
    )
    assert response.status_code == 302
    assert _saved(derbyshire)[0] == "Rutland"


@pytest.mark.parametrize("chosen", ["other_org", "abc"], ids=["of another network", "not an id"])
def test_an_organisation_not_in_the_network_is_a_field_error(world, derbyshire, chosen):
    given = world.other_org.pk if chosen == "other_org" else chosen
    response = world.client("coordinator").post(
        _edit(derbyshire),
        {"name": "Derby", "kind": "county", "organisations": [world.org.pk, given]},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_organisations"' in page
    assert 'id="id_organisations"' in page  # the first box, where the summary links
    assert "Choose organisations of this network." in page
    assert _saved(derbyshire)[::3] == ("Derbyshire", ["Derbyshire Test Trust"])


def test_a_kind_that_is_not_offered_is_a_field_error(world, derbyshire):
    response = world.client("coordinator").post(
        _edit(derbyshire), {"name": "Derbyshire", "kind": "planet"}
    )
    assert response.status_code == 400
    assert 'href="#id_kind"' in response.content.decode()


def test_a_locality_of_another_network_or_a_non_numeric_id_is_not_found(world, derbyshire, foreign):
    coordinator = world.client("coordinator")
    assert coordinator.get(_edit(foreign)).status_code == 404
    response = coordinator.post(_edit(foreign), {"name": "Mine now", "kind": "county"})
    assert response.status_code == 404
    assert _saved(foreign)[0] == "Rutland"
    assert coordinator.get(f"{PAGE}abc/edit/").status_code == 404
    assert coordinator.get(f"{PAGE}99999999/edit/").status_code == 404
    # Nor is a locality reached through the other network's address by this network's coordinator.
    assert coordinator.get(f"/networks/other/localities/{foreign.pk}/edit/").status_code == 404


# --- Adding on the page (the same service) ------------------------------------------------


def test_adding_a_locality_makes_its_slug_from_its_name(world):
    NetworkOrganisation.objects.create(network=world.network, organisation=world.org)
    response = world.client("coordinator").post(
        PAGE, {"name": "North East Lincolnshire", "kind": "place", "organisations": [world.org.pk]}
    )
    assert response.status_code == 302
    made = im.Locality.objects.get(network=world.network)
    assert _saved(made) == (
        "North East Lincolnshire",
        "north-east-lincolnshire",
        "place",
        ["Derbyshire Test Trust"],
    )


def test_adding_a_duplicate_name_is_a_field_error(world, derbyshire):
    response = world.client("coordinator").post(PAGE, {"name": "derbyshire", "kind": "county"})
    assert response.status_code == 400
    assert "The network has a locality called derbyshire already." in response.content.decode()
    assert im.Locality.objects.count() == 1


def test_a_new_locality_named_as_a_renamed_one_was_gets_a_free_slug(world, derbyshire):
    coordinator = world.client("coordinator")
    coordinator.post(_edit(derbyshire), {"name": "North Derbyshire", "kind": "county"})
    response = coordinator.post(PAGE, {"name": "Derbyshire", "kind": "county"})
    assert response.status_code == 302
    assert set(im.Locality.objects.values_list("name", "slug")) == {
        ("North Derbyshire", "derbyshire"),
        ("Derbyshire", "derbyshire-2"),
    }


# --- The service --------------------------------------------------------------------------


def test_the_service_refuses_a_locality_of_another_network(world, foreign):
    with pytest.raises(ValidationError, match="not in this network"):
        services.locality_save(
            network=world.network, locality=foreign, name="X", kind="county", organisations=[]
        )
    assert _saved(foreign)[0] == "Rutland"


def test_the_service_refuses_an_unknown_kind_and_a_name_too_long(world, derbyshire):
    with pytest.raises(ValidationError) as caught:
        services.locality_save(
            network=world.network,
            locality=derbyshire,
            name="D" * 201,
            kind="planet",
            organisations=[],
        )
    assert set(caught.value.message_dict) == {"name", "kind"}


def test_a_slug_is_made_for_a_name_without_letters_or_digits(world):
    made = services.locality_save(network=world.network, name="—", kind="place", organisations=[])
    assert made.slug == "locality"


def test_its_organisations_decide_who_reads_its_organisation_level_assessments(world, derbyshire):
    wf.assessed(world, wf.ALL_MET, place=derbyshire, visibility="organisation")
    member = viewer_for(world.users["member"])  # from the world's organisation
    assert visible(member, im.Assessment.objects.all()).count() == 1
    services.locality_save(
        network=world.network,
        locality=derbyshire,
        name="Derbyshire",
        kind="county",
        organisations=[],
    )
    assert visible(member, im.Assessment.objects.all()).count() == 0
    assert visible(viewer_for(world.users["coordinator"]), im.Assessment.objects.all()).count() == 1


def test_renaming_re_indexes_the_gaps_found_there(
    world, derbyshire, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        wf.assessed(world, {"1.1": "not_met", "1.2": "met", "2.1": "met"}, place=derbyshire)
    assert list(SearchEntry.objects.filter(kind="gap").values_list("title", flat=True)) == [
        "Gap 1.1 at Derbyshire"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.locality_save(
            network=world.network,
            locality=derbyshire,
            name="High Peak",
            kind="place",
            organisations=[world.org],
        )
    assert list(SearchEntry.objects.filter(kind="gap").values_list("title", flat=True)) == [
        "Gap 1.1 at High Peak"
    ]


# --- The API ------------------------------------------------------------------------------


def test_the_api_adds_a_locality_and_lists_it(world):
    NetworkOrganisation.objects.create(network=world.network, organisation=world.org)
    coordinator = world.client("coordinator")
    response = api_call(
        coordinator,
        "post",
        API,
        {"name": "Leicester City", "kind": "place", "organisation_ids": [world.org.pk]},
    )
    assert response.status_code == 201, response.content
    made = response.json()
    assert made == {
        "id": made["id"],
        "name": "Leicester City",
        "slug": "leicester-city",
        "kind": "place",
        "organisation_ids": [world.org.pk],
    }
    assert api_call(coordinator, "get", API).json() == [made]


def test_the_api_changes_a_locality_keeping_its_slug_and_replacing_its_organisations(
    world, derbyshire
):
    response = api_call(
        world.client("coordinator"),
        "put",
        f"{API}/{derbyshire.pk}",
        {"name": "Derby", "kind": "ics"},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": derbyshire.pk,
        "name": "Derby",
        "slug": "derbyshire",
        "kind": "ics",
        "organisation_ids": [],
    }
    assert _saved(derbyshire) == ("Derby", "derbyshire", "ics", [])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "NOTTINGHAMSHIRE"}, "name"),
        ({"name": "Derbyshire", "organisation_ids": ["{other_org}"]}, "organisation_ids"),
        ({"name": "Derbyshire", "organisation_ids": [99999999]}, "organisation_ids"),
    ],
    ids=["blank name", "duplicate name", "organisation of another network", "no such organisation"],
)
def test_the_api_names_the_field_of_a_change_that_breaks_a_rule(world, derbyshire, body, field):
    wf.locality(world, "Nottinghamshire")
    body = {k: [world.other_org.pk] if v == ["{other_org}"] else v for k, v in body.items()}
    for method, url in (("put", f"{API}/{derbyshire.pk}"), ("post", API)):
        response = api_call(world.client("coordinator"), method, url, body)
        assert response.status_code == 422, (method, response.content)
        assert list(response.json()["errors"]) == [field]
        assert response.json()["detail"]
    assert _saved(derbyshire) == ("Derbyshire", "derbyshire", "county", ["Derbyshire Test Trust"])
    assert im.Locality.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "status", "where"),
    [
        ({"name": ""}, 422, "name"),
        ({"name": "Derby", "kind": "planet"}, 422, "kind"),
        ({"name": "Derby", "colour": "blue"}, 422, "colour"),
        ({"name": "D" * 201}, 422, "name"),
        ({"name": "Derby", "organisation_ids": ["RXM"]}, 422, "organisation_ids"),
        ("not json", 400, None),
    ],
    ids=[
        "empty name",
        "unknown kind",
        "unknown field",
        "name too long",
        "an ODS code for an id",
        "not JSON",
    ],
)
def test_the_api_refuses_a_body_that_does_not_fit_the_schema(
    world, derbyshire, body, status, where
):
    response = api_call(world.client("coordinator"), "put", f"{API}/{derbyshire.pk}", body)
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    if where is not None:
        assert where in response.json()["errors"][0]["loc"]
    assert _saved(derbyshire)[0] == "Derbyshire"


def test_the_api_does_not_reach_a_locality_of_another_network_or_a_non_numeric_id(
    world, derbyshire, foreign
):
    coordinator = world.client("coordinator")
    response = api_call(coordinator, "put", f"{API}/{foreign.pk}", {"name": "Mine now"})
    assert response.status_code == 404
    assert response.json()["detail"] == "No such record, or you do not have access to it."
    theirs = f"/api/v1/networks/other/localities/{foreign.pk}"
    assert api_call(coordinator, "put", theirs, {"name": "Mine now"}).status_code == 404
    assert _saved(foreign)[0] == "Rutland"
    response = api_call(coordinator, "put", f"{API}/abc", {"name": "Derby"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["path", "locality_id"]
    assert _saved(derbyshire)[0] == "Derbyshire"


def test_a_member_is_told_why_the_api_refuses_the_change(world, derbyshire):
    response = api_call(world.client("member"), "put", f"{API}/{derbyshire.pk}", {"name": "Derby"})
    assert response.status_code == 403
    assert response.json()["detail"] == "You do not have permission to change this."
    assert _saved(derbyshire)[0] == "Derbyshire"
