"""Change history: who changed what and when, shown on the record to the people who manage it."""

from __future__ import annotations

import re

import pytest

from kmatrix.core.history import history_for
from kmatrix.networks import models as m
from kmatrix.networks.tests import factories as f
from kmatrix.networks.tests.html import text


def history_rows(response):
    """The rows of the page's change history, each as its text."""
    found = re.search(
        r'class="nhsuk-table km-history-list".*?</table>', response.content.decode(), re.S
    )
    if found is None:
        return []
    body = found.group(0).split("<tbody", 1)[1]
    rows = re.findall(r'<tr class="nhsuk-table__row">(.*?)</tr>', body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def _edit_network_region(client, world, region):
    form = {
        "name": world.network.name,
        "slug": "alliance",
        "kind": "learning_network",
        "purpose": world.network.purpose,
        "region": region,
        "cadence": "",
        "cadence_note": "",
        "visibility": "network",
        "letter_signatory": "",
        "letter_template": "Dear {person_name},",
    }
    assert client.post("/networks/alliance/edit/", form).status_code == 302


def test_a_coordinator_sees_who_changed_what_on_the_network(world):
    client = world.client("coordinator")
    _edit_network_region(client, world, "Midlands")
    page = client.get("/networks/alliance/")
    assert "Change history" in text(page)
    newest = history_rows(page)[0]
    assert "coordinator@example.org" in newest
    assert "Changed Region: East Midlands → Midlands" in newest


def test_a_member_does_not_see_the_change_history(world):
    _edit_network_region(world.client("coordinator"), world, "Midlands")
    page = world.client("member").get("/networks/alliance/")
    assert "Change history" not in text(page)
    assert history_rows(page) == []


def test_changes_made_by_a_theme_lead_are_shown_to_the_coordinator(world):
    form = {
        "name": "Safety first",
        "theme": world.theme.pk,
        "description": "",
        "visibility": "network",
        "leads": [world.people["theme_lead"].pk],
    }
    url = f"/networks/alliance/workstreams/{world.workstream.pk}/"
    assert world.client("theme_lead").post(f"{url}edit/", form).status_code == 302
    newest = history_rows(world.client("coordinator").get(url))[0]
    assert "theme_lead@example.org" in newest
    assert "Name: Safety workstream → Safety first" in newest
    assert "Change history" not in text(world.client("member").get(url))


def test_choices_show_their_labels_and_group_members_show_as_a_count(world):
    client = world.client("coordinator")
    form = {
        "name": "Restrictive practice",
        "slug": "restrictive-practice",
        "kind": "forum",
        "visibility": "network",
        "members": [world.people["member"].pk],
    }
    assert (
        client.post("/networks/alliance/groups/restrictive-practice/edit/", form).status_code == 302
    )
    rows = history_rows(client.get("/networks/alliance/groups/restrictive-practice/"))
    changes = " | ".join(rows)
    assert "Kind: Community of practice → Forum" in changes
    # A count, not names: the history must not reveal people the reader may not see.
    assert "Members: 0 people → 1 person" in changes
    assert "Member " not in changes.replace("Members:", "")


def test_an_organisation_edit_is_shown_on_the_organisation_to_those_who_manage_it(world):
    form = {
        "name": "Derbyshire Healthcare",
        "ods_code": "RXM",
        "sector": "nhs_trust",
        "region": "",
        "website": "",
        "description": "",
    }
    client = world.client("administrator")
    assert client.post(f"/organisations/{world.org.pk}/edit/", form).status_code == 302
    newest = history_rows(client.get(f"/organisations/{world.org.pk}/"))[0]
    assert "administrator@example.org" in newest
    assert "Name: Derbyshire Test Trust → Derbyshire Healthcare" in newest
    assert history_rows(world.client("member").get(f"/organisations/{world.org.pk}/")) == []


def test_a_person_edit_is_shown_to_the_coordinator_but_not_to_other_members(world):
    member = world.people["member"]
    form = {
        "full_name": "Member",
        "job_title": "Ward manager",
        "email": "member@example.org",
        "organisation": world.org.pk,
        "contact_visibility": "network",
        "visibility": "network",
    }
    assert world.client("member").post(f"/people/{member.pk}/edit/", form).status_code == 302
    newest = history_rows(world.client("coordinator").get(f"/people/{member.pk}/"))[0]
    assert "member@example.org" in newest
    assert "Job title: Clinical lead → Ward manager" in newest
    assert history_rows(world.client("theme_lead").get(f"/people/{member.pk}/")) == []


def test_a_sent_letter_shows_in_the_membership_history(world, mailoutbox):
    membership = world.network.memberships.get(person=world.people["member"])
    client = world.client("coordinator")
    base = f"/networks/alliance/members/{membership.pk}/"
    assert client.post(f"{base}letter/send/").status_code == 302
    newest = history_rows(client.get(f"{base}edit/"))[0]
    assert "coordinator@example.org" in newest
    assert "Confirmation letter sent on: (blank) →" in newest


def test_history_is_limited_and_newest_first(world):
    for i in range(25):
        world.network.region = f"Region {i}"
        world.network.save()
    changes = history_for(world.network, limit=20)
    assert len(changes) == 20
    assert changes[0].fields == [("Region", "Region 23", "Region 24")]
    assert all(change.who == "the system" for change in changes)


@pytest.mark.parametrize(
    ("count", "before", "after"), [(1, "0 people", "1 person"), (6, "5 people", "6 people")]
)
def test_group_history_costs_the_same_queries_however_long_it_is(
    world, django_assert_num_queries, count, before, after
):
    for person in f.PersonFactory.create_batch(count):
        world.group.members.add(person)
    assert m.Group.history.filter(id=world.group.pk).count() == count + 1
    # The history records, then one query for the members kept with all of them.
    with django_assert_num_queries(2):
        changes = history_for(world.group)
    assert changes[0].fields == [("Members", before, after)]
