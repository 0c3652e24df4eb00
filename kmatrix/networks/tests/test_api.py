"""The directory API at /api/v1: reads, writes, access rules, tokens and query counts."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kmatrix.core.services import api_token_create, api_token_revoke
from kmatrix.core.tests.helpers import NAMED_USERS, api_call, api_items
from kmatrix.networks import models as m
from kmatrix.networks.tests import factories as f

API = "/api/v1"
USERS = NAMED_USERS


def call(client: Client, method: str, path: str, body: Any = None, **extra: Any) -> Any:
    return api_call(client, method, API + path, body, **extra)


def url(world, template: str) -> str:
    return template.format(
        member=world.people["member"].pk,
        workstream=world.workstream.pk,
        group=world.group.pk,
        org=world.org.pk,
    )


items = api_items


def names(response, key: str = "full_name") -> set[str]:
    return {item[key] for item in items(response)}


def public_person(**fields: Any) -> m.Person:
    return f.PersonFactory(visibility="public", **fields)


def new_membership_body(world) -> dict[str, Any]:
    person = public_person(organisation=world.org)
    return {"person": person.pk, "organisation": world.org.pk, "roles": ["member", "theme_lead"]}


# Permissions: endpoint x named user -> status

S200 = dict.fromkeys(USERS, 200)
# A network-level record of the alliance: its members and coordinators read it; board readers
# (board reader role alone) and everyone else get a 404, never a hint that it exists.
NETWORK_READ = {**S200, "anonymous": 404, "outsider": 404, "board_reader": 404, "other_member": 404}
COORDINATOR_WRITE = {
    "anonymous": 401,
    "outsider": 404,
    "member": 403,
    "theme_lead": 403,
    "coordinator": 200,
    "board_reader": 404,
    "administrator": 200,
    "other_member": 404,
}
COORDINATOR_CREATE = {**COORDINATOR_WRITE, "coordinator": 201, "administrator": 201}
ORGANISATION_WRITE = {
    **dict.fromkeys(USERS, 403),
    "anonymous": 401,
    "coordinator": 200,
    "administrator": 200,
}

PERMISSIONS = [
    ("GET", "/networks", None, S200),
    ("GET", "/networks/alliance", None, NETWORK_READ),
    ("PATCH", "/networks/alliance", lambda w: {"cadence_note": "Quarterly"}, COORDINATOR_WRITE),
    ("GET", "/organisations", None, S200),
    ("GET", "/organisations/RXM", None, S200),
    ("GET", "/organisations/{org}", None, S200),
    (
        "POST",
        "/organisations",
        lambda w: {"name": "New Trust", "ods_code": "RNN", "sector": "nhs_trust"},
        {**ORGANISATION_WRITE, "coordinator": 201, "administrator": 201},
    ),
    ("PATCH", "/organisations/RXM", lambda w: {"region": "Derbyshire"}, ORGANISATION_WRITE),
    ("GET", "/people", None, S200),
    ("GET", "/people/{member}", None, NETWORK_READ),
    (
        "POST",
        "/people",
        lambda w: {"full_name": "Nia New", "organisation": w.org.pk, "network": "alliance"},
        COORDINATOR_CREATE,
    ),
    (
        "PATCH",
        "/people/{member}",
        lambda w: {"job_title": "Nurse consultant"},
        {**COORDINATOR_WRITE, "member": 200},  # the person themself
    ),
    ("GET", "/networks/alliance/memberships", None, NETWORK_READ),
    ("POST", "/networks/alliance/memberships", new_membership_body, COORDINATOR_CREATE),
    ("GET", "/themes/frameworks", None, S200),
    ("GET", "/themes/frameworks/strategic", None, S200),
    ("GET", "/networks/alliance/workstreams", None, NETWORK_READ),
    ("GET", "/workstreams/{workstream}", None, NETWORK_READ),
    ("GET", "/networks/alliance/groups", None, NETWORK_READ),
    ("GET", "/groups/{group}", None, NETWORK_READ),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "user", "expected"),
    [
        pytest.param(method, path, body, user, statuses[user], id=f"{method} {path} {user}")
        for method, path, body, statuses in PERMISSIONS
        for user in USERS
    ],
)
def test_each_endpoint_answers_each_named_user_as_the_access_rules_say(
    world, method, path, body, user, expected
):
    # The coordinators keep the entries of organisations in their network.
    m.NetworkOrganisation.objects.create(network=world.network, organisation=world.org)
    payload = body(world) if body else None
    response = call(world.client(user), method, url(world, path), payload)
    assert response.status_code == expected, response.content
    assert response["Content-Type"].startswith("application/json")
    if expected >= 400:
        assert response.json()["detail"]


def test_membership_list_is_forbidden_to_outsiders_of_a_public_network(world):
    world.network.visibility = "public"
    world.network.save()
    assert call(world.client("anonymous"), "GET", "/networks/alliance").status_code == 200
    response = call(world.client("outsider"), "GET", "/networks/alliance/memberships")
    assert response.status_code == 403
    assert "members and coordinators" in response.json()["detail"]


def test_a_coordinator_cannot_change_a_network_they_do_not_run(world):
    world.other_network.visibility = "public"
    world.other_network.save()
    response = call(world.client("coordinator"), "PATCH", "/networks/other", {"region": "North"})
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to change this."}


def test_an_anonymous_write_to_a_public_network_asks_them_to_sign_in(world):
    world.network.visibility = "public"
    world.network.save()
    response = call(world.client("anonymous"), "PATCH", "/networks/alliance", {"region": "North"})
    assert response.status_code == 401


# Networks


def test_network_list_shows_only_the_networks_the_caller_may_read(world):
    f.NetworkFactory(name="Public Network", slug="public", visibility="public")
    assert names(call(world.client("anonymous"), "GET", "/networks"), "slug") == {"public"}
    assert names(call(world.client("member"), "GET", "/networks"), "slug") == {"alliance", "public"}
    response = call(world.client("administrator"), "GET", "/networks")
    assert names(response, "slug") == {"alliance", "other", "public"}
    assert response.json()["count"] == 3


def test_network_detail_lists_adopted_themes_in_order_linked_networks_and_organisations(world):
    second = f.ThemeFactory(framework=world.framework, name="Workforce", slug="workforce")
    m.AdoptedTheme.objects.create(network=world.network, theme=second, position=0)
    m.NetworkOrganisation.objects.create(network=world.network, organisation=world.org)
    world.network.linked_networks.add(world.other_network)
    body = call(world.client("administrator"), "GET", "/networks/alliance").json()
    assert [a["theme"]["slug"] for a in body["adopted_themes"]] == ["workforce", "safety"]
    assert body["adopted_themes"][1] == {
        "theme": {"slug": "safety", "name": "Safety", "framework": "strategic"},
        "status": "active",
        "position": 1,
    }
    assert body["linked_networks"] == ["other"]
    assert body["organisations"][0]["organisation"]["ods_code"] == "RXM"
    assert body["organisations"][0]["is_member"] is True


def test_network_detail_leaves_out_linked_networks_the_caller_cannot_see(world):
    world.network.visibility = "public"
    world.network.save()
    world.network.linked_networks.add(world.other_network)
    assert (
        call(world.client("outsider"), "GET", "/networks/alliance").json()["linked_networks"] == []
    )
    body = call(world.client("other_member"), "GET", "/networks/alliance").json()
    assert body["linked_networks"] == ["other"]


def test_a_coordinator_updates_their_network(world):
    body = {
        "purpose": "Better care together.",
        "region": "North East",
        "cadence": "quarterly",
        "cadence_note": "Bi-monthly at first",
        "visibility": "public",
    }
    response = call(world.client("coordinator"), "PATCH", "/networks/alliance", body)
    assert response.status_code == 200, response.content
    assert {k: response.json()[k] for k in body} == body
    world.network.refresh_from_db()
    assert world.network.cadence == "quarterly"
    assert world.network.visibility == "public"
    assert world.network.name == "East Midlands Test Alliance"  # untouched


def test_a_network_patch_clears_the_cadence_with_an_empty_string(world):
    world.network.cadence = "monthly"
    world.network.save()
    response = call(world.client("coordinator"), "PATCH", "/networks/alliance", {"cadence": ""})
    assert response.status_code == 200
    assert response.json()["cadence"] == ""


def test_a_coordinator_who_restricts_their_network_gets_it_back_without_hidden_links(world):
    world.network.linked_networks.add(world.other_network)
    body = {"visibility": "restricted"}
    response = call(world.client("coordinator"), "PATCH", "/networks/alliance", body)
    assert response.status_code == 200
    assert response.json()["visibility"] == "restricted"
    assert response.json()["linked_networks"] == []


# Organisations


def test_organisations_filter_by_sector_and_by_name_or_ods_code(world):
    f.OrganisationFactory(name="Derby City Council", ods_code="E06", sector="local_authority")
    client = world.client("anonymous")
    council = call(client, "GET", "/organisations?sector=local_authority")
    assert names(council, "name") == {"Derby City Council"}
    assert names(call(client, "GET", "/organisations?q=derby"), "name") == {
        "Derbyshire Test Trust",
        "Derby City Council",
    }
    assert names(call(client, "GET", "/organisations?q=rt5"), "name") == {
        "Leicestershire Test Trust"
    }


def test_an_organisation_is_found_by_id_or_by_ods_code_in_any_case(world):
    client = world.client("anonymous")
    by_code = call(client, "GET", "/organisations/rxm")
    by_id = call(client, "GET", f"/organisations/{world.org.pk}")
    assert by_code.status_code == by_id.status_code == 200
    assert by_code.json() == by_id.json()
    assert by_code.json()["name"] == "Derbyshire Test Trust"
    assert call(client, "GET", "/organisations/ZZZ").status_code == 404


def test_an_organisation_lists_only_the_networks_the_caller_can_see(world):
    m.NetworkOrganisation.objects.create(network=world.network, organisation=world.org)
    m.NetworkOrganisation.objects.create(network=world.other_network, organisation=world.org)
    assert call(world.client("anonymous"), "GET", "/organisations/RXM").json()["networks"] == []
    member = call(world.client("member"), "GET", "/organisations/RXM").json()
    assert member["networks"] == ["alliance"]


def test_a_coordinator_adds_an_organisation_to_their_network_with_a_normalised_ods_code(world):
    body = {"name": "Tees Trust", "ods_code": " rx3 ", "sector": "nhs_trust", "network": "alliance"}
    response = call(world.client("coordinator"), "POST", "/organisations", body)
    assert response.status_code == 201, response.content
    assert response.json()["ods_code"] == "RX3"
    assert response.json()["networks"] == ["alliance"]
    link = m.NetworkOrganisation.objects.get(organisation__ods_code="RX3")
    assert link.is_member is False
    # ...and, being in their network, they can keep it up to date.
    patch = call(world.client("coordinator"), "PATCH", "/organisations/RX3", {"region": "North"})
    assert patch.status_code == 200
    assert patch.json()["region"] == "North"


def test_a_coordinator_cannot_add_an_organisation_to_a_network_they_do_not_run(world):
    world.other_network.visibility = "public"
    world.other_network.save()
    body = {"name": "Tees Trust", "sector": "nhs_trust", "network": "other"}
    response = call(world.client("coordinator"), "POST", "/organisations", body)
    assert response.status_code == 403
    assert not m.Organisation.objects.filter(name="Tees Trust").exists()


def test_an_administrator_updates_an_organisation(world):
    body = {"name": "Derbyshire Healthcare", "website": "https://www.derbyshirehealthcare.nhs.uk"}
    response = call(world.client("administrator"), "PATCH", f"/organisations/{world.org.pk}", body)
    assert response.status_code == 200, response.content
    world.org.refresh_from_db()
    assert world.org.name == "Derbyshire Healthcare"
    assert world.org.ods_code == "RXM"


# People


def test_people_are_listed_only_when_visible_and_filter_by_name_network_and_organisation(world):
    other_staff = public_person(full_name="Priya Public", organisation=world.other_org)
    f.MembershipFactory(
        person=other_staff, network=world.other_network, organisation=world.other_org
    )
    member = world.client("member")
    assert names(call(member, "GET", "/people")) == {
        "Member",
        "Theme Lead",
        "Coordinator",
        "Board Reader",
        "Priya Public",
    }
    assert names(call(member, "GET", "/people?q=theme")) == {"Theme Lead"}
    assert "Priya Public" not in names(call(member, "GET", "/people?network=alliance"))
    assert names(call(member, "GET", f"/people?organisation={world.other_org.pk}")) == {
        "Priya Public"
    }
    assert names(call(world.client("anonymous"), "GET", "/people")) == {"Priya Public"}


def test_filtering_people_by_a_network_the_caller_cannot_see_is_a_404(world):
    response = call(world.client("outsider"), "GET", "/people?network=alliance")
    assert response.status_code == 404


def test_a_person_detail_shows_their_employer(world):
    body = call(world.client("member"), "GET", url(world, "/people/{member}")).json()
    assert body["full_name"] == "Member"
    assert body["organisation"] == {
        "id": world.org.pk,
        "name": "Derbyshire Test Trust",
        "ods_code": "RXM",
    }


CONTACT_SEEN_BY = {
    # contact_visibility: who sees the member's email and phone (queries.can_see_contact)
    "public": set(USERS),
    "network": {"member", "theme_lead", "coordinator", "administrator"},
    # anyone in a network on behalf of the member's employer, board readers included
    "organisation": {"member", "theme_lead", "coordinator", "administrator"},
    # the person, their network's coordinators and administrators
    "restricted": {"member", "coordinator", "administrator"},
}


@pytest.mark.parametrize("level", CONTACT_SEEN_BY)
def test_contact_details_are_shown_only_as_the_persons_contact_visibility_allows(world, level):
    person = world.people["member"]
    person.visibility = "public"
    person.contact_visibility = level
    person.phone = "0115 000 0000"
    person.save()
    for user in USERS:
        detail = call(world.client(user), "GET", url(world, "/people/{member}")).json()
        listed = [
            p for p in items(call(world.client(user), "GET", "/people")) if p["id"] == person.pk
        ]
        shown = user in CONTACT_SEEN_BY[level]
        assert detail["email"] == ("member@example.org" if shown else None), user
        assert detail["phone"] == ("0115 000 0000" if shown else None), user
        assert listed[0]["email"] == detail["email"], user


def test_a_coordinator_adds_a_person_who_joins_their_network_as_a_member(world):
    body = {
        "full_name": "Nia New",
        "job_title": "Occupational therapist",
        "organisation": world.org.pk,
        "email": "nia@example.org",
        "network": "alliance",
    }
    response = call(world.client("coordinator"), "POST", "/people", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["full_name"] == "Nia New"
    assert created["email"] == "nia@example.org"  # a coordinator of their network sees it
    membership = m.Membership.objects.get(person_id=created["id"])
    assert membership.network == world.network
    assert membership.role_values == ["member"]


def test_a_coordinator_must_name_the_network_a_new_person_joins(world):
    response = call(world.client("coordinator"), "POST", "/people", {"full_name": "Nia New"})
    assert response.status_code == 422
    assert "network" in response.json()["errors"]
    assert not m.Person.objects.filter(full_name="Nia New").exists()


def test_a_new_person_joining_a_network_needs_the_organisation_they_represent(world):
    body = {"full_name": "Nia New", "network": "alliance"}
    response = call(world.client("coordinator"), "POST", "/people", body)
    assert response.status_code == 422
    assert "organisation" in response.json()["errors"]


def test_an_administrator_adds_a_person_to_the_directory_without_a_network(world):
    body = {"full_name": "Ada Admin-Added", "visibility": "public", "contact_visibility": "public"}
    response = call(world.client("administrator"), "POST", "/people", body)
    assert response.status_code == 201, response.content
    assert not m.Membership.objects.filter(person_id=response.json()["id"]).exists()


def test_a_person_updates_their_own_entry_and_can_clear_their_employer(world):
    body = {"job_title": "Consultant nurse", "phone": "0115 111 1111", "organisation": None}
    response = call(world.client("member"), "PATCH", url(world, "/people/{member}"), body)
    assert response.status_code == 200, response.content
    assert response.json()["organisation"] is None
    person = world.people["member"]
    person.refresh_from_db()
    assert (person.job_title, person.phone, person.organisation) == (
        "Consultant nurse",
        "0115 111 1111",
        None,
    )


# Memberships


def test_memberships_list_roles_commitment_and_organisation(world):
    membership = m.Membership.objects.get(person=world.people["theme_lead"])
    membership.committed_days_per_month = "1.5"
    membership.save()
    response = call(world.client("member"), "GET", "/networks/alliance/memberships")
    rows = {row["person"]["full_name"]: row for row in items(response)}
    assert set(rows) == {"Member", "Theme Lead", "Coordinator", "Board Reader"}
    assert rows["Theme Lead"]["roles"] == ["member", "theme_lead"]
    assert rows["Theme Lead"]["committed_days_per_month"] == 1.5
    assert rows["Theme Lead"]["organisation"]["ods_code"] == "RXM"
    assert rows["Theme Lead"]["network"] == "alliance"


def test_a_coordinator_adds_a_membership_and_the_organisation_joins_as_a_partner(world):
    person = public_person(full_name="Sam Social Care", organisation=world.other_org)
    body = {
        "person": person.pk,
        "organisation": world.other_org.pk,
        "roles": ["theme_lead", "member"],
        "committed_days_per_month": 2.5,
        "joined_on": "2025-04-01",
        "line_manager_agreed_on": "2025-03-20",
    }
    response = call(world.client("coordinator"), "POST", "/networks/alliance/memberships", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["roles"] == ["member", "theme_lead"]
    assert created["committed_days_per_month"] == 2.5
    assert created["joined_on"] == "2025-04-01"
    link = m.NetworkOrganisation.objects.get(network=world.network, organisation=world.other_org)
    assert link.is_member is False


def test_a_membership_needs_a_person_the_coordinator_can_see(world):
    hidden = f.PersonFactory(full_name="Hidden Person", visibility="network")
    body = {"person": hidden.pk, "organisation": world.org.pk}
    response = call(world.client("coordinator"), "POST", "/networks/alliance/memberships", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {"person": ["No such person, or you cannot see them."]}


def test_a_membership_needs_an_existing_organisation(world):
    body = {"person": public_person().pk, "organisation": 999_999}
    response = call(world.client("coordinator"), "POST", "/networks/alliance/memberships", body)
    assert response.status_code == 422
    assert "organisation" in response.json()["errors"]


# Themes, workstreams and groups


def test_a_theme_framework_lists_its_themes_in_order(world):
    f.ThemeFactory(framework=world.framework, name="Access", slug="access", position=2)
    f.ThemeFactory(framework=world.framework, name="Workforce", slug="workforce", position=1)
    frameworks = call(world.client("anonymous"), "GET", "/themes/frameworks")
    assert names(frameworks, "slug") == {"strategic"}
    body = call(world.client("anonymous"), "GET", "/themes/frameworks/strategic").json()
    assert [t["slug"] for t in body["themes"]] == ["safety", "workforce", "access"]
    assert call(world.client("anonymous"), "GET", "/themes/frameworks/none").status_code == 404


def test_a_workstream_shows_its_leads_and_members(world):
    body = call(world.client("member"), "GET", url(world, "/workstreams/{workstream}")).json()
    assert body["name"] == "Safety workstream"
    assert body["theme"] == {"slug": "safety", "name": "Safety", "framework": "strategic"}
    assert [p["full_name"] for p in body["leads"]] == ["Theme Lead"]
    assert [p["full_name"] for p in body["members"]] == ["Member"]
    listed = items(call(world.client("member"), "GET", "/networks/alliance/workstreams"))
    assert listed == [body]


def test_a_group_shows_its_kind_chair_members_and_cadence(world):
    group = world.group
    group.chair = world.people["coordinator"]
    group.cadence = "monthly"
    group.cadence_note = "First Tuesday"
    group.save()
    group.members.add(world.people["member"], world.people["theme_lead"])
    body = call(world.client("member"), "GET", url(world, "/groups/{group}")).json()
    assert body["kind"] == "community_of_practice"
    assert body["chair"]["full_name"] == "Coordinator"
    assert (body["cadence"], body["cadence_note"]) == ("monthly", "First Tuesday")
    assert [p["full_name"] for p in body["members"]] == ["Member", "Theme Lead"]
    assert items(call(world.client("member"), "GET", "/networks/alliance/groups")) == [body]


# A restricted person stays out of sight by every route


@pytest.fixture
def restricted(world):
    """Rosa, restricted, in a public network's public workstream and group, which also hold
    a public person (Member), so an empty list cannot pass for a filtered one."""
    for record in (world.network, world.workstream, world.group):
        record.visibility = "public"
        record.save()
    world.people["member"].visibility = "public"
    world.people["member"].save()
    rosa = f.PersonFactory(
        full_name="Rosa Restricted", visibility="restricted", organisation=world.org
    )
    f.MembershipFactory(person=rosa, network=world.network, organisation=world.org)
    m.WorkstreamMember.objects.create(workstream=world.workstream, person=rosa, is_lead=True)
    world.group.chair = rosa
    world.group.save()
    world.group.members.add(rosa, world.people["member"])
    return rosa


def _everywhere(world, client, rosa) -> dict[str, Any]:
    """Rosa's footprint in every route that could show her."""
    person = call(client, "GET", f"/people/{rosa.pk}")
    workstream = call(client, "GET", url(world, "/workstreams/{workstream}")).json()
    group = call(client, "GET", url(world, "/groups/{group}")).json()
    in_lists = {
        path: [item for item in items(call(client, "GET", path)) if "Rosa" in json.dumps(item)]
        for path in (
            "/people",
            "/people?q=rosa",
            "/people?network=alliance",
            f"/people?organisation={world.org.pk}",
            "/networks/alliance/workstreams",
            "/networks/alliance/groups",
        )
    }
    return {
        "detail": person.status_code,
        "workstream": [p["full_name"] for p in workstream["leads"] + workstream["members"]],
        "group": [p["full_name"] for p in group["members"]],
        "chair": group["chair"],
        "lists": {path: len(found) for path, found in in_lists.items()},
        "count": call(client, "GET", "/people?q=rosa").json()["count"],
    }


@pytest.mark.parametrize("user", ["anonymous", "outsider", "member", "coordinator"])
def test_a_restricted_person_is_invisible_by_every_route(world, restricted, user):
    seen = _everywhere(world, world.client(user), restricted)
    assert seen["detail"] == 404
    assert "Rosa Restricted" not in seen["workstream"]
    assert "Member" in seen["workstream"]
    assert seen["group"] == ["Member"]
    assert seen["chair"] is None
    assert set(seen["lists"].values()) == {0}
    assert seen["count"] == 0


def test_a_restricted_person_is_left_out_of_membership_lists_and_their_count(world, restricted):
    response = call(world.client("member"), "GET", "/networks/alliance/memberships")
    assert "Rosa Restricted" not in {row["person"]["full_name"] for row in items(response)}
    assert response.json()["count"] == 4


def test_a_restricted_person_is_seen_by_the_people_named_on_it_and_administrators(
    world, restricted
):
    restricted.restricted_to.add(world.users["outsider"])
    for user in ("outsider", "administrator"):
        seen = _everywhere(world, world.client(user), restricted)
        assert seen["detail"] == 200
        assert "Rosa Restricted" in seen["workstream"]
        assert "Rosa Restricted" in seen["group"]
        assert seen["chair"]["full_name"] == "Rosa Restricted"
        assert set(seen["lists"].values()) == {1}
        assert seen["count"] == 1
    memberships = call(world.client("administrator"), "GET", "/networks/alliance/memberships")
    assert memberships.json()["count"] == 5


# Tokens


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_a_personal_token_acts_as_its_owner(world):
    _, raw = api_token_create(user=world.users["member"], name="Reporting script")
    client = Client()
    assert call(client, "GET", "/networks/alliance", **bearer(raw)).status_code == 200
    assert call(client, "GET", "/networks/alliance").status_code == 404


def test_a_token_writes_without_a_csrf_token_but_a_session_does_not(world):
    _, raw = api_token_create(user=world.users["coordinator"], name="Sync")
    strict = Client(enforce_csrf_checks=True)
    body = {"region": "Yorkshire"}
    assert call(strict, "PATCH", "/networks/alliance", body, **bearer(raw)).status_code == 200
    strict.force_login(world.users["coordinator"])
    assert call(strict, "PATCH", "/networks/alliance", body).status_code == 403


@pytest.mark.parametrize("kind", ["wrong", "revoked", "expired", "not_a_km_token"])
def test_a_token_that_is_not_valid_is_a_401_not_anonymous_access(world, kind):
    token, raw = api_token_create(user=world.users["administrator"], name="Old")
    if kind == "wrong":
        raw = raw[:-4] + "xxxx"
    elif kind == "revoked":
        api_token_revoke(token=token)
    elif kind == "expired":
        token.expires_at = timezone.now() - timedelta(minutes=1)
        token.save()
    else:
        raw = "abc123"
    response = call(Client(), "GET", "/networks", **bearer(raw))
    assert response.status_code == 401
    assert response.json() == {"detail": "Not signed in or token not valid."}


# Malformed requests: always a 4xx with the reason, never a 500


def test_a_body_that_is_not_json_is_a_400(world):
    response = call(world.client("coordinator"), "POST", "/organisations", "{not json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body"}


BAD_ORGANISATIONS = [
    ({"name": "X", "ods_code": "rx!m", "sector": "nhs_trust"}, "ods_code", "capital letters"),
    ({"name": "X", "ods_code": "RXMABCD", "sector": "nhs_trust"}, "ods_code", "at most 6"),
    ({"name": "X", "ods_code": "rxm", "sector": "nhs_trust"}, "ods_code", "already"),
    ({"name": "", "sector": "nhs_trust"}, "name", "blank"),
    ({"name": "X", "sector": "nhs_trust", "website": "not a url"}, "website", "valid URL"),
]


@pytest.mark.parametrize(("body", "field", "reason"), BAD_ORGANISATIONS)
def test_an_organisation_that_breaks_the_rules_is_a_422_naming_the_field(
    world, body, field, reason
):
    response = call(world.client("administrator"), "POST", "/organisations", body)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert reason in " ".join(errors[field])
    assert reason in response.json()["detail"]


def test_changing_an_ods_code_to_one_in_use_is_a_422(world):
    path = f"/organisations/{world.other_org.pk}"
    response = call(world.client("administrator"), "PATCH", path, {"ods_code": "RXM"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["ods_code"]
    world.other_org.refresh_from_db()
    assert world.other_org.ods_code == "RT5"


BAD_BODIES = [
    # (method, path, body, where the reason is reported)
    ("POST", "/organisations", {"name": "X", "sector": "hospital"}, "sector"),
    ("POST", "/organisations", {"name": 7, "sector": "nhs_trust"}, "name"),
    ("POST", "/organisations", {"sector": "nhs_trust"}, "name"),
    ("POST", "/organisations", ["a", "list"], "payload"),
    ("PATCH", "/networks/alliance", {"regoin": "North"}, "regoin"),
    ("PATCH", "/networks/alliance", {"cadence": "daily"}, "cadence"),
    ("PATCH", "/networks/alliance", {"visibility": "secret"}, "visibility"),
    ("PATCH", "/networks/alliance", {"purpose": None}, "purpose"),
    ("PATCH", "/organisations/RXM", {"ods": "RXN"}, "ods"),
    ("PATCH", "/people/{member}", {"user": 1}, "user"),
    ("PATCH", "/people/{member}", {"contact_visibility": "everyone"}, "contact_visibility"),
    ("POST", "/networks/alliance/memberships", {"person": "abc", "organisation": 1}, "person"),
    (
        "POST",
        "/networks/alliance/memberships",
        {"person": 1, "organisation": 1, "roles": ["boss"]},
        "roles",
    ),
    (
        "POST",
        "/networks/alliance/memberships",
        {"person": 1, "organisation": 1, "committed_days_per_month": "lots"},
        "committed_days_per_month",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), BAD_BODIES)
def test_a_body_that_does_not_match_the_schema_is_a_422_with_the_reason(
    world, method, path, body, field
):
    m.NetworkOrganisation.objects.create(network=world.network, organisation=world.org)
    response = call(world.client("administrator"), method, url(world, path), body)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert any(error["loc"][-1] == field or field in error["loc"] for error in errors), errors
    assert all(error["msg"] for error in errors)


BAD_MEMBERSHIPS = [
    ({"committed_days_per_month": -1}, "committed_days_per_month", "greater than or equal to 0"),
    ({"committed_days_per_month": 24}, "committed_days_per_month", "less than or equal to 23"),
    ({"committed_days_per_month": 1.25}, "committed_days_per_month", "decimal place"),
    ({"joined_on": "2025-05-01", "left_on": "2025-04-01"}, "left_on", "on or after"),
]


@pytest.mark.parametrize(("extra", "field", "reason"), BAD_MEMBERSHIPS)
def test_a_membership_that_breaks_the_rules_is_a_422_and_nothing_is_saved(
    world, extra, field, reason
):
    person = public_person()
    body = {"person": person.pk, "organisation": world.org.pk, **extra}
    response = call(world.client("coordinator"), "POST", "/networks/alliance/memberships", body)
    assert response.status_code == 422, response.content
    assert reason in " ".join(response.json()["errors"][field])
    assert not m.Membership.objects.filter(person=person).exists()


def test_a_duplicate_membership_is_a_422_with_the_reason(world):
    body = {"person": world.people["member"].pk, "organisation": world.org.pk}
    response = call(world.client("coordinator"), "POST", "/networks/alliance/memberships", body)
    assert response.status_code == 422
    assert response.json()["detail"] == "Member is already a member of East Midlands Test Alliance."
    assert list(response.json()["errors"]) == ["person"]


def test_a_duplicate_email_for_a_new_person_is_a_422(world):
    body = {"full_name": "Another Member", "email": "member@example.org"}
    response = call(world.client("administrator"), "POST", "/people", body)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["email"]


def test_an_invalid_new_person_leaves_no_half_made_membership(world):
    body = {
        "full_name": "Nia",
        "email": "not-an-email",
        "organisation": world.org.pk,
        "network": "alliance",
    }
    response = call(world.client("coordinator"), "POST", "/people", body)
    assert response.status_code == 422
    assert "email" in response.json()["errors"]
    assert not m.Person.objects.filter(full_name="Nia").exists()


@pytest.mark.parametrize("query", ["sector=hospital", "page=0", "page_size=0", "organisation=x"])
def test_bad_list_parameters_are_a_422(world, query):
    path = "/people" if query.startswith("organisation") else "/organisations"
    response = call(world.client("member"), "GET", f"{path}?{query}")
    assert response.status_code == 422


def test_a_record_id_that_is_not_a_number_is_a_422(world):
    response = call(world.client("member"), "GET", "/people/abc")
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["path", "person_id"]


# Pagination and the schema


def test_lists_are_paginated_by_page_number(world):
    for n in range(5):
        f.OrganisationFactory(name=f"Zeta Trust {n}")
    client = world.client("anonymous")
    first = call(client, "GET", "/organisations?page_size=3").json()
    second = call(client, "GET", "/organisations?page_size=3&page=2").json()
    assert first["count"] == second["count"] == 7
    assert len(first["items"]) == 3
    assert len(second["items"]) == 3
    assert not {o["id"] for o in first["items"]} & {o["id"] for o in second["items"]}
    assert call(client, "GET", "/organisations?page=9").json()["items"] == []


def test_the_openapi_schema_describes_every_endpoint(client):
    schema = client.get(f"{API}/openapi.json").json()
    assert {
        "/api/v1/networks",
        "/api/v1/networks/{slug}",
        "/api/v1/networks/{slug}/memberships",
        "/api/v1/organisations",
        "/api/v1/organisations/{ref}",
        "/api/v1/people",
        "/api/v1/people/{person_id}",
        "/api/v1/themes/frameworks",
        "/api/v1/themes/frameworks/{slug}",
        "/api/v1/networks/{slug}/workstreams",
        "/api/v1/workstreams/{workstream_id}",
        "/api/v1/networks/{slug}/groups",
        "/api/v1/groups/{group_id}",
    } <= set(schema["paths"])
    assert client.get(f"{API}/docs").status_code == 200


# Query counts do not grow with the data


def _grow(world, count: int) -> None:
    """Add ``count`` of everything the list endpoints show, with nested people."""
    theme = world.theme
    for _ in range(count):
        f.NetworkFactory(visibility="public")
        organisation = f.OrganisationFactory()
        m.NetworkOrganisation.objects.create(network=world.network, organisation=organisation)
        people = [public_person(organisation=organisation) for _ in range(2)]
        for person in people:
            f.MembershipFactory(
                person=person,
                network=world.network,
                organisation=organisation,
                roles=["member", "theme_lead"],
            )
        workstream = m.Workstream.objects.create(
            network=world.network, theme=theme, name=f"Workstream {organisation.pk}"
        )
        m.WorkstreamMember.objects.create(workstream=workstream, person=people[0], is_lead=True)
        m.WorkstreamMember.objects.create(workstream=workstream, person=people[1])
        group = f.GroupFactory(network=world.network, chair=people[0], theme=theme)
        group.members.add(*people)
        framework = f.ThemeFrameworkFactory()
        f.ThemeFactory(framework=framework)


# Signing in with a session and loading the caller's memberships take 7 queries of these.
LISTS = {
    "/networks": 9,
    "/organisations": 9,
    "/people": 10,
    "/people?network=alliance": 11,
    "/networks/alliance/memberships": 11,
    "/themes/frameworks": 9,
    "/networks/alliance/workstreams": 11,
    "/networks/alliance/groups": 12,
}


@pytest.mark.parametrize(("path", "pinned"), LISTS.items())
def test_a_list_asks_the_same_number_of_queries_for_3_or_30_records(
    world, path, pinned, django_assert_max_num_queries
):
    client = world.client("coordinator")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = call(client, "GET", path)
        assert response.status_code == 200
        return len(captured)

    _grow(world, 3)
    few = queries()
    _grow(world, 27)
    many = queries()
    assert few == many
    assert len(items(call(client, "GET", path))) >= 30
    with django_assert_max_num_queries(pinned):
        call(client, "GET", path)
