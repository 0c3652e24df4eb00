"""Directory pages: organisations and people, search, pagination, CSV exports, restricted people."""

from __future__ import annotations

import csv
import io

import pytest

from kmatrix.networks import models as m
from kmatrix.networks.tests import factories as f
from kmatrix.networks.tests.html import field_error, text


def csv_rows(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # so that Excel reads UTF-8 names correctly
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def in_network(world, **fields):
    person = f.PersonFactory(organisation=fields.pop("employer", world.org), **fields)
    f.MembershipFactory(
        person=person, network=world.network, organisation=person.organisation or world.org
    )
    return person


# Organisations


ORGANISATION_FORM = {
    "name": "Nottinghamshire Healthcare NHS Foundation Trust",
    "sector": "nhs_trust",
    "region": "East Midlands",
    "website": "",
    "description": "",
}


@pytest.mark.parametrize("code", ["rx!m", "R", "TOOLONGCODE", "RX M"])
def test_a_malformed_ods_code_is_a_field_error(world, code):
    response = world.client("administrator").post(
        "/organisations/new/", {**ORGANISATION_FORM, "ods_code": code}
    )
    assert response.status_code == 400
    assert field_error(response, "ods_code")
    assert not m.Organisation.objects.filter(name=ORGANISATION_FORM["name"]).exists()


def test_a_duplicate_ods_code_is_a_field_error_whatever_its_case(world):
    response = world.client("administrator").post(
        "/organisations/new/", {**ORGANISATION_FORM, "ods_code": "rxm"}
    )
    assert response.status_code == 400
    assert (
        field_error(response, "ods_code")
        == "RXM is already the ODS code of Derbyshire Test Trust (RXM)."
    )


def test_a_lower_case_ods_code_is_upper_cased(world):
    response = world.client("administrator").post(
        "/organisations/new/", {**ORGANISATION_FORM, "ods_code": " rha "}
    )
    assert response.status_code == 302
    organisation = m.Organisation.objects.get(name=ORGANISATION_FORM["name"])
    assert organisation.ods_code == "RHA"
    assert response["Location"] == organisation.get_absolute_url()


def test_organisations_without_an_ods_code_do_not_clash(world):
    client = world.client("administrator")
    for name in ("Age UK Derby", "Mind in Leicester"):
        response = client.post(
            "/organisations/new/", {**ORGANISATION_FORM, "name": name, "ods_code": ""}
        )
        assert response.status_code == 302
    assert m.Organisation.objects.filter(ods_code="").count() == 2


def test_a_coordinator_edits_an_organisation_in_their_network_keeping_its_code(world):
    m.NetworkOrganisation.objects.create(network=world.network, organisation=world.org)
    response = world.client("coordinator").post(
        f"/organisations/{world.org.pk}/edit/",
        {**ORGANISATION_FORM, "name": "Derbyshire Trust", "ods_code": "rxm"},
    )
    assert response.status_code == 302
    world.org.refresh_from_db()
    assert (world.org.name, world.org.ods_code) == ("Derbyshire Trust", "RXM")


def test_a_coordinator_cannot_edit_an_organisation_outside_their_networks(world):
    response = world.client("coordinator").post(
        f"/organisations/{world.other_org.pk}/edit/", {**ORGANISATION_FORM, "ods_code": "RT5"}
    )
    assert response.status_code == 403
    world.other_org.refresh_from_db()
    assert world.other_org.name == "Leicestershire Test Trust"


def test_an_organisation_is_found_by_its_ods_code_in_any_case(world, client):
    response = client.get("/organisations/ods/rxm/")
    assert response.status_code == 302
    assert response["Location"] == world.org.get_absolute_url()


def test_organisations_are_searched_by_name_or_ods_code_and_filtered_by_sector(world, client):
    f.OrganisationFactory(name="Derby City Council", ods_code="E0600", sector="local_authority")
    assert "Derby City Council" in text(client.get("/organisations/?q=derby"))
    by_code = text(client.get("/organisations/?q=rt5"))
    assert "Leicestershire Test Trust" in by_code
    assert "Derbyshire Test Trust" not in by_code
    councils = text(client.get("/organisations/?sector=local_authority"))
    assert "Derby City Council" in councils
    assert "Derbyshire Test Trust" not in councils
    # An unknown sector is ignored rather than an error.
    assert "Derbyshire Test Trust" in text(client.get("/organisations/?sector=<script>"))


@pytest.mark.parametrize("page", ["abc", "99999", "-1", "0", "1.5", ""])
def test_odd_page_numbers_show_a_real_page(world, client, page):
    f.OrganisationFactory.create_batch(60)
    response = client.get(f"/organisations/?page={page}")
    assert response.status_code == 200
    assert "62 in all" in text(response)


def test_the_last_page_is_shown_for_a_page_number_past_the_end(world):
    for i in range(55):
        in_network(world, full_name=f"Zed {i:02d}")
    page = text(world.client("member").get("/people/?page=99999"))
    assert "Page 2 of 2" in page
    assert "Zed 54" in page


# People


def test_people_are_searched_by_name_job_title_and_organisation(world):
    in_network(world, full_name="Asha Patel", job_title="Consultant psychiatrist")
    in_network(world, full_name="Brian Cole", job_title="Ward manager", employer=world.other_org)
    client = world.client("coordinator")
    assert "Asha Patel" in text(client.get("/people/?q=asha"))
    assert "Asha Patel" not in text(client.get("/people/?q=ward"))
    assert "Brian Cole" in text(client.get("/people/?q=ward"))
    by_organisation = text(client.get("/people/?q=leicestershire"))
    assert "Brian Cole" in by_organisation
    assert "Asha Patel" not in by_organisation
    assert "Nobody matches." in text(client.get("/people/?q=nobody-by-this-name"))


def test_people_are_filtered_by_network(world):
    administrator = world.client("administrator")
    page = text(administrator.get("/people/?network=other"))
    assert "Other Member" in page
    assert "Theme Lead" not in page
    # A network the viewer cannot see is ignored, not a way to learn who is in it.
    member_view = text(world.client("member").get("/people/?network=other"))
    assert "Other Member" not in member_view
    assert "Theme Lead" in member_view


def test_a_coordinator_adds_a_person_and_is_told_to_add_them_to_a_network(world):
    client = world.client("coordinator")
    response = client.post(
        "/people/new/",
        {
            "full_name": "Dana Scott",
            "email": "Dana@Example.org",
            "contact_visibility": "network",
            "visibility": "network",
        },
    )
    # Someone in no network yet is seen by administrators only: no redirect to a 404.
    assert response.status_code == 302
    assert response["Location"] == "/people/"
    person = m.Person.objects.get(full_name="Dana Scott")
    assert person.email == "dana@example.org"
    assert "Dana Scott saved. Add them to a network" in text(client.get("/people/"))


def test_an_administrator_adding_a_person_goes_to_their_page(world):
    response = world.client("administrator").post(
        "/people/new/",
        {"full_name": "Eve Adams", "contact_visibility": "network", "visibility": "network"},
    )
    person = m.Person.objects.get(full_name="Eve Adams")
    assert response["Location"] == person.get_absolute_url()


def test_a_duplicate_email_is_a_field_error_whatever_its_case(world):
    response = world.client("coordinator").post(
        "/people/new/",
        {
            "full_name": "Someone Else",
            "email": "MEMBER@example.org",
            "contact_visibility": "network",
            "visibility": "network",
        },
    )
    assert response.status_code == 400
    assert (
        field_error(response, "email") == "Someone in the directory already has this email address."
    )


def test_a_member_edits_their_own_entry(world):
    member = world.people["member"]
    response = world.client("member").post(
        f"/people/{member.pk}/edit/",
        {
            "full_name": "Member",
            "job_title": "Nurse consultant",
            "email": "member@example.org",
            "organisation": world.org.pk,
            "contact_visibility": "organisation",
            "visibility": "network",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.job_title, member.contact_visibility) == ("Nurse consultant", "organisation")


def test_contact_details_are_shown_only_where_their_visibility_allows(world):
    shy = in_network(
        world,
        full_name="Shy Person",
        email="shy@example.org",
        employer=world.other_org,
        contact_visibility="organisation",
    )
    assert "shy@example.org" not in text(world.client("member").get(f"/people/{shy.pk}/"))
    assert "Not shared with you" in text(world.client("member").get(f"/people/{shy.pk}/"))
    assert "shy@example.org" in text(world.client("coordinator").get(f"/people/{shy.pk}/"))


# CSV exports


def test_the_people_csv_neutralises_cells_that_a_spreadsheet_would_run(world):
    evil_org = f.OrganisationFactory(name="@SUM(1+1)")
    in_network(
        world,
        full_name='=HYPERLINK("http://evil.example","click")',
        job_title="+44 lead",
        phone="-1",
        employer=evil_org,
        contact_visibility="public",
    )
    rows = csv_rows(world.client("coordinator").get("/people/export.csv"))
    assert rows[0] == ["Name", "Job title", "Organisation", "Email", "Phone"]
    row = next(r for r in rows if "HYPERLINK" in r[0])
    assert row[0] == """'=HYPERLINK("http://evil.example","click")"""
    assert row[1:3] == ["'+44 lead", "'@SUM(1+1)"]
    assert row[4] == "'-1"


def test_the_people_csv_has_contact_details_only_where_allowed(world):
    in_network(
        world, full_name="Open Contact", email="open@example.org", contact_visibility="network"
    )
    in_network(
        world,
        full_name="Closed Contact",
        email="closed@example.org",
        employer=world.other_org,
        contact_visibility="organisation",
    )
    emails = {
        row[0]: row[3] for row in csv_rows(world.client("member").get("/people/export.csv"))[1:]
    }
    assert emails["Open Contact"] == "open@example.org"
    assert emails["Closed Contact"] == ""
    coordinator = {
        r[0]: r[3] for r in csv_rows(world.client("coordinator").get("/people/export.csv"))[1:]
    }
    assert coordinator["Closed Contact"] == "closed@example.org"


def test_the_people_csv_follows_the_search_and_the_network_filter(world):
    rows = csv_rows(world.client("administrator").get("/people/export.csv?network=other"))
    assert [row[0] for row in rows[1:]] == ["Other Member"]
    rows = csv_rows(world.client("administrator").get("/people/export.csv?q=theme"))
    assert [row[0] for row in rows[1:]] == ["Theme Lead"]


def test_the_organisations_csv_neutralises_formula_cells(world, client):
    f.OrganisationFactory(name="=cmd|' /C calc'!A0", ods_code="", region="-East", website="")
    rows = csv_rows(client.get("/organisations/export.csv"))
    assert rows[0] == ["Name", "ODS code", "Sector", "Region", "Website", "Networks"]
    row = next(r for r in rows if "cmd" in r[0])
    assert row[0] == "'=cmd|' /C calc'!A0"
    assert row[3] == "'-East"


# Restricted people


@pytest.fixture
def secret(world):
    """A restricted person in the network: chair and member of its group, lead of its workstream,
    seen only by the coordinator, whom it names."""
    person = in_network(
        world,
        full_name="Sabine Secret",
        job_title="Confidential reviewer",
        email="sabine@example.org",
        visibility="restricted",
    )
    person.restricted_to.add(world.users["coordinator"])
    m.WorkstreamMember.objects.create(workstream=world.workstream, person=person, is_lead=True)
    world.group.chair = person
    world.group.save()
    world.group.members.add(person)
    return person


@pytest.mark.parametrize("name", ["outsider", "member", "theme_lead", "other_member"])
def test_a_restricted_person_page_is_404_to_those_it_does_not_name(world, secret, name):
    response = world.client(name).get(f"/people/{secret.pk}/")
    assert response.status_code == 404
    assert "Sabine" not in text(response)


def test_a_restricted_person_is_seen_by_the_people_it_names(world, secret):
    assert "Sabine Secret" in text(world.client("coordinator").get(f"/people/{secret.pk}/"))
    assert "Sabine Secret" in text(world.client("administrator").get(f"/people/{secret.pk}/"))


@pytest.mark.parametrize(
    "address",
    [
        "/people/",
        "/people/?q=sabine",
        "/people/export.csv",
        "/people/export.csv?q=sabine",
        "/organisations/{org}/",
        "/networks/alliance/",
        "/networks/alliance/members/",
        "/networks/alliance/workstreams/{workstream}/",
        "/networks/alliance/groups/restrictive-practice/",
    ],
)
@pytest.mark.parametrize("name", ["outsider", "theme_lead"])
def test_a_restricted_person_is_absent_from_lists_for_those_it_does_not_name(
    world, secret, name, address
):
    url = address.format(org=world.org.pk, workstream=world.workstream.pk)
    response = world.client(name).get(url)
    assert response.status_code in (200, 404)  # the outsider cannot see the network's pages at all
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Sabine" not in body
    assert b"sabine@example.org" not in body
    assert f"/people/{secret.pk}/".encode() not in body


def test_a_restricted_person_is_listed_for_the_people_it_names(world, secret):
    client = world.client("coordinator")
    assert "Sabine Secret" in text(client.get("/people/?q=sabine"))
    assert "Sabine Secret" in text(
        client.get(f"/networks/alliance/workstreams/{world.workstream.pk}/")
    )
    assert "Sabine Secret" in text(client.get("/networks/alliance/groups/restrictive-practice/"))
    assert [r[0] for r in csv_rows(client.get("/people/export.csv?q=sabine"))[1:]] == [
        "Sabine Secret"
    ]


# Links on the pages, with what people typed escaped


def test_a_person_page_links_their_organisation_and_email(world):
    member = world.people["member"]
    body = world.client("theme_lead").get(f"/people/{member.pk}/").content.decode()
    assert f'<a href="/organisations/{world.org.pk}/">Derbyshire Test Trust</a>' in body
    assert '<a href="mailto:member@example.org">member@example.org</a>' in body
    assert "&lt;a href" not in body


def test_an_organisation_page_links_its_website(world, client):
    world.org.website = "https://example.org/?a=1&b=2"
    world.org.save()
    body = client.get(f"/organisations/{world.org.pk}/").content.decode()
    assert '<a href="https://example.org/?a=1&amp;b=2">https://example.org/?a=1&amp;b=2</a>' in body


# Odd input in the address bar


@pytest.mark.parametrize(
    "address",
    [
        "/people/?q=" + "x" * 5000,
        "/people/?q=%F0%9F%98%80&network=%E2%9C%93",
    ],
)
def test_odd_search_input_is_not_an_error(world, address):
    response = world.client("member").get(address)
    assert response.status_code == 200
    if response.streaming:
        assert b"".join(response.streaming_content).startswith("\ufeff".encode())
    else:
        assert "People" in text(response) or "Organisations" in text(response)


@pytest.mark.parametrize(
    "address",
    [
        "/people/?q=%00",
        "/people/?q=a%00b",
        "/people/?network=%00",
        "/people/export.csv?q=%00&network=a%00",
        "/organisations/?q=%00",
        "/organisations/export.csv?q=%00",
        "/organisations/ods/R%00M/",
    ],
)
def test_a_null_character_in_search_input_is_refused_with_a_reason(world, address):
    # PostgreSQL cannot compare text with NUL in it; core.middleware refuses it for every page.
    response = world.client("member").get(address)
    assert response.status_code == 400
    assert b"null character" in response.content


def test_a_form_field_with_a_null_character_is_a_field_error(world):
    form = {**ORGANISATION_FORM, "name": "Bad\x00Name", "ods_code": ""}
    response = world.client("administrator").post("/organisations/new/", form)
    assert response.status_code == 400
    assert field_error(response, "name") == "Null characters are not allowed."
