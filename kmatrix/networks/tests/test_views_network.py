"""Network pages: the network itself, its themes, workstreams, groups and memberships."""

from __future__ import annotations

import pytest

from kmatrix.networks import models as m
from kmatrix.networks.tests import factories as f
from kmatrix.networks.tests.html import error_summary, field_error, text

NETWORK_FORM = {
    "name": "North West Older People's Mental Health MLN",
    "short_name": "NW MLN",
    "slug": "nw-mln",
    "kind": "learning_network",
    "purpose": "Members commit a day a month to the network's themes.",
    "region": "North West",
    "cadence": "bimonthly",
    "cadence_note": "",
    "visibility": "network",
    "letter_signatory": "The co-chairs",
    "letter_template": "Dear {person_name},",
}


@pytest.fixture
def second_theme(world):
    return f.ThemeFactory(framework=world.framework, name="Workforce", slug="workforce", position=2)


# The network


def test_an_administrator_creates_a_network(world):
    response = world.client("administrator").post("/networks/new/", NETWORK_FORM)
    assert response.status_code == 302
    assert response["Location"] == "/networks/nw-mln/"
    assert m.Network.objects.get(slug="nw-mln").region == "North West"


def test_a_network_with_a_name_already_taken_is_a_field_error(world):
    form = {**NETWORK_FORM, "name": world.network.name}
    response = world.client("administrator").post("/networks/new/", form)
    assert response.status_code == 400
    assert "already exists" in field_error(response, "name")
    assert not m.Network.objects.filter(slug="nw-mln").exists()


def test_a_coordinator_edits_their_network(world):
    form = {**NETWORK_FORM, "name": world.network.name, "slug": "alliance", "region": "Midlands"}
    response = world.client("coordinator").post("/networks/alliance/edit/", form)
    assert response.status_code == 302
    world.network.refresh_from_db()
    assert world.network.region == "Midlands"


def test_a_malformed_slug_is_a_field_error(world):
    form = {**NETWORK_FORM, "name": world.network.name, "slug": "not a slug!"}
    response = world.client("coordinator").post("/networks/alliance/edit/", form)
    assert response.status_code == 400
    assert field_error(response, "slug")
    world.network.refresh_from_db()
    assert world.network.slug == "alliance"


def test_the_network_home_shows_its_officers_themes_and_groups(world):
    page = text(world.client("member").get("/networks/alliance/"))
    assert "Coordinator" in page  # the coordinator's name, in the summary
    assert "Safety workstream" in page
    assert "Led by Theme Lead" in page
    assert "Restrictive practice" in page
    assert "Edit network" not in page


# Themes


def test_a_coordinator_adopts_themes_in_the_network_order(world, second_theme):
    response = world.client("coordinator").post(
        "/networks/alliance/themes/",
        {
            f"status_{world.theme.pk}": "active",
            f"position_{world.theme.pk}": "2",
            f"status_{second_theme.pk}": "deferred",
            f"position_{second_theme.pk}": "1",
        },
    )
    assert response.status_code == 302
    adopted = list(world.network.adopted_themes.values_list("theme__name", "status", "position"))
    assert adopted == [("Workforce", "deferred", 1), ("Safety", "active", 2)]
    page = text(world.client("member").get("/networks/alliance/"))
    assert page.index("Workforce Deferred") < page.index("Safety Active")


def test_dropping_a_theme_that_has_a_workstream_is_refused_with_a_message(world, second_theme):
    response = world.client("coordinator").post(
        "/networks/alliance/themes/",
        {f"status_{second_theme.pk}": "active", f"position_{second_theme.pk}": "1"},
    )
    assert response.status_code == 400
    assert error_summary(response) == [
        "A theme with a workstream cannot be dropped; defer it instead."
    ]
    # Nothing changed: the new theme is not half-adopted and the old one stays.
    assert list(world.network.adopted_themes.values_list("theme__name", flat=True)) == ["Safety"]


def test_a_theme_without_a_workstream_can_be_dropped(world, second_theme):
    m.AdoptedTheme.objects.create(network=world.network, theme=second_theme, position=2)
    response = world.client("coordinator").post(
        "/networks/alliance/themes/",
        {f"status_{world.theme.pk}": "active", f"position_{world.theme.pk}": "1"},
    )
    assert response.status_code == 302
    assert list(world.network.adopted_themes.values_list("theme__name", flat=True)) == ["Safety"]


def test_a_theme_position_that_is_not_a_number_is_a_field_error(world):
    response = world.client("coordinator").post(
        "/networks/alliance/themes/",
        {f"status_{world.theme.pk}": "active", f"position_{world.theme.pk}": "first"},
    )
    assert response.status_code == 400
    assert field_error(response, f"position_{world.theme.pk}") == "Enter a whole number."


# Workstreams


def _workstream_form(world, **changes):
    return {
        "name": "Dementia workstream",
        "theme": world.theme.pk,
        "description": "",
        "visibility": "network",
        **changes,
    }


def test_a_coordinator_creates_a_workstream_with_a_lead(world):
    lead = world.people["member"]
    response = world.client("coordinator").post(
        "/networks/alliance/workstreams/new/", _workstream_form(world, leads=[lead.pk])
    )
    assert response.status_code == 302
    created = m.Workstream.objects.get(name="Dementia workstream")
    assert response["Location"] == created.get_absolute_url()
    assert list(created.members.values_list("person__full_name", "is_lead")) == [("Member", True)]
    # Leading it, the member may now edit it.
    assert world.client("member").get(f"{created.get_absolute_url()}edit/").status_code == 200


def test_a_workstream_name_used_in_the_network_is_an_error_not_a_crash(world):
    response = world.client("coordinator").post(
        "/networks/alliance/workstreams/new/", _workstream_form(world, name="Safety workstream")
    )
    assert response.status_code == 400
    assert error_summary(response) == ["Workstream with this Network and Name already exists."]


def test_a_workstream_needs_a_theme_the_network_has_adopted(world, second_theme):
    response = world.client("coordinator").post(
        "/networks/alliance/workstreams/new/", _workstream_form(world, theme=second_theme.pk)
    )
    assert response.status_code == 400
    assert "Select a valid choice" in field_error(response, "theme")


def test_a_theme_lead_edits_their_workstream_and_its_people(world):
    url = f"/networks/alliance/workstreams/{world.workstream.pk}/edit/"
    lead, member = world.people["theme_lead"], world.people["member"]
    form = _workstream_form(
        world, name="Safety and restrictive practice", leads=[lead.pk, member.pk]
    )
    response = world.client("theme_lead").post(url, form)
    assert response.status_code == 302
    world.workstream.refresh_from_db()
    assert world.workstream.name == "Safety and restrictive practice"
    assert set(
        world.workstream.members.filter(is_lead=True).values_list("person_id", flat=True)
    ) == {
        lead.pk,
        member.pk,
    }


def test_someone_outside_the_network_cannot_be_made_a_lead(world):
    url = f"/networks/alliance/workstreams/{world.workstream.pk}/edit/"
    form = _workstream_form(world, leads=[world.people["other_member"].pk])
    response = world.client("coordinator").post(url, form)
    assert response.status_code == 400
    assert "Select a valid choice" in field_error(response, "leads")


# Groups


def _group_form(**changes):
    return {
        "name": "Psychology professional network",
        "slug": "psychology",
        "kind": "professional_network",
        "visibility": "network",
        "cadence": "quarterly",
        **changes,
    }


def test_a_coordinator_creates_a_group(world):
    response = world.client("coordinator").post(
        "/networks/alliance/groups/new/",
        _group_form(chair=world.people["member"].pk, members=[world.people["member"].pk]),
    )
    assert response.status_code == 302
    assert response["Location"] == "/networks/alliance/groups/psychology/"
    group = m.Group.objects.get(slug="psychology")
    assert group.network == world.network
    assert list(group.members.all()) == [world.people["member"]]


def test_a_group_address_used_in_the_network_is_a_field_error_not_a_crash(world):
    response = world.client("coordinator").post(
        "/networks/alliance/groups/new/", _group_form(slug="restrictive-practice")
    )
    assert response.status_code == 400
    assert (
        field_error(response, "slug")
        == "Another group in this network already uses this web address."
    )
    assert m.Group.objects.filter(network=world.network).count() == 1


def test_the_same_group_address_is_fine_in_another_network(world):
    f.GroupFactory(network=world.other_network, slug="psychology")
    response = world.client("coordinator").post("/networks/alliance/groups/new/", _group_form())
    assert response.status_code == 302


def test_a_group_keeps_its_own_address_when_edited(world):
    url = "/networks/alliance/groups/restrictive-practice/edit/"
    response = world.client("coordinator").post(
        url,
        _group_form(name="Restrictive practice forum", slug="restrictive-practice", kind="forum"),
    )
    assert response.status_code == 302
    world.group.refresh_from_db()
    assert world.group.name == "Restrictive practice forum"


def test_a_group_chair_may_edit_their_group(world):
    world.group.chair = world.people["member"]
    world.group.save()
    response = world.client("member").post(
        "/networks/alliance/groups/restrictive-practice/edit/",
        _group_form(name="Renamed by the chair", slug="restrictive-practice"),
    )
    assert response.status_code == 302
    world.group.refresh_from_db()
    assert world.group.name == "Renamed by the chair"


# Memberships


def _membership_form(person, organisation, **changes):
    return {
        "person": person.pk,
        "organisation": organisation.pk,
        "committed_days_per_month": "1.0",
        "roles": ["member"],
        **changes,
    }


def test_a_coordinator_adds_a_member(world):
    newcomer = f.PersonFactory(full_name="Newcomer")
    response = world.client("coordinator").post(
        "/networks/alliance/members/new/",
        _membership_form(
            newcomer, world.other_org, roles=["member", "theme_lead"], joined_on="2024-04-01"
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == "/networks/alliance/members/"
    membership = m.Membership.objects.get(person=newcomer, network=world.network)
    assert sorted(membership.role_values) == ["member", "theme_lead"]
    # The organisation now takes part in the network, as a partner.
    link = m.NetworkOrganisation.objects.get(network=world.network, organisation=world.other_org)
    assert link.is_member is False
    assert "Newcomer" in text(world.client("member").get("/networks/alliance/members/"))


def test_a_duplicate_membership_is_a_field_error_not_a_crash(world):
    response = world.client("coordinator").post(
        "/networks/alliance/members/new/", _membership_form(world.people["member"], world.org)
    )
    assert response.status_code == 400
    assert (
        field_error(response, "person")
        == "Member is already a member of East Midlands Test Alliance."
    )
    assert m.Membership.objects.filter(person=world.people["member"]).count() == 1


def test_leaving_before_joining_is_a_field_error(world):
    response = world.client("coordinator").post(
        "/networks/alliance/members/new/",
        _membership_form(
            world.people["other_member"],
            world.other_org,
            joined_on="2024-05-01",
            left_on="2024-01-31",
        ),
    )
    assert response.status_code == 400
    assert field_error(response, "left_on") == "The date they left must be on or after they joined."
    assert not m.Membership.objects.filter(
        person=world.people["other_member"], network=world.network
    ).exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("30", "less than or equal to 23"),
        ("-1", "greater than or equal to 0"),
        ("lots", "Enter a number."),
    ],
)
def test_committed_days_out_of_range_are_a_field_error(world, days, message):
    response = world.client("coordinator").post(
        "/networks/alliance/members/new/",
        _membership_form(
            world.people["other_member"], world.other_org, committed_days_per_month=days
        ),
    )
    assert response.status_code == 400
    assert message in field_error(response, "committed_days_per_month")


def test_an_unknown_role_is_a_field_error(world):
    response = world.client("coordinator").post(
        "/networks/alliance/members/new/",
        _membership_form(world.people["other_member"], world.other_org, roles=["boss"]),
    )
    assert response.status_code == 400
    assert "boss is not one of the available choices" in field_error(response, "roles")


def test_a_coordinator_edits_a_membership_and_its_roles(world):
    membership = world.network.memberships.get(person=world.people["member"])
    response = world.client("coordinator").post(
        f"/networks/alliance/members/{membership.pk}/edit/",
        _membership_form(
            world.people["member"],
            world.org,
            roles=["member", "co_chair"],
            committed_days_per_month="2.5",
            line_manager_agreed_on="2024-03-01",
        ),
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert str(membership.committed_days_per_month) == "2.5"
    assert sorted(membership.role_values) == ["co_chair", "member"]


def test_editing_a_membership_cannot_move_it_to_another_person(world):
    membership = world.network.memberships.get(person=world.people["member"])
    response = world.client("coordinator").post(
        f"/networks/alliance/members/{membership.pk}/edit/",
        _membership_form(world.people["other_member"], world.org),
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.person == world.people["member"]


def test_a_membership_of_another_network_is_not_found_under_this_one(world):
    other = world.other_network.memberships.get()
    response = world.client("coordinator").get(f"/networks/alliance/members/{other.pk}/edit/")
    assert response.status_code == 404


# Links on the pages, with what people typed escaped


def test_the_group_page_links_its_chair_and_escapes_their_name(world):
    world.people["member"].full_name = "<b>Bold</b> Member"
    world.people["member"].save()
    world.group.chair = world.people["member"]
    world.group.save()
    body = (
        world.client("coordinator")
        .get("/networks/alliance/groups/restrictive-practice/")
        .content.decode()
    )
    assert (
        f'<a href="/people/{world.people["member"].pk}/">&lt;b&gt;Bold&lt;/b&gt; Member</a>' in body
    )
    assert "<b>Bold</b>" not in body


def test_the_workstream_page_links_its_network(world):
    body = (
        world.client("member")
        .get(f"/networks/alliance/workstreams/{world.workstream.pk}/")
        .content.decode()
    )
    assert '<a href="/networks/alliance/">East Midlands Test Alliance</a>' in body
    assert "&lt;a href" not in body
