"""The number of queries a page makes is pinned, and does not grow with the data.

Each case counts the queries of one request (the session, the user and the viewer's memberships
included) with a little data, then again after adding several times more of everything the page
shows. The numbers are the ones measured at the small size: a change that adds a query per row
fails here, and a change that adds a fixed query has to update the number on purpose.
"""

from __future__ import annotations

import pytest

from kmatrix.networks import models as m
from kmatrix.networks.tests import factories as f

PAGES = {
    "network home": "/networks/alliance/",
    "organisation list": "/organisations/",
    "organisation page": "/organisations/{org}/",
    "people directory": "/people/",
    "person page": "/people/{person}/",
    "workstream page": "/networks/alliance/workstreams/{workstream}/",
    "group page": "/networks/alliance/groups/restrictive-practice/",
    "members page": "/networks/alliance/members/",
    "my networks": "/networks/",
}

# fmt: off
EXPECTED = [
    # page                 member  coordinator (who also reads the change history)  administrator
    ("network home",          17,  18,  14),
    ("organisation list",      9,   9,   5),
    ("organisation page",     13,  13,   9),
    ("people directory",      11,  11,   7),
    ("person page",           13,  15,   9),
    ("workstream page",        9,  10,   6),
    ("group page",             9,  11,   7),
    ("members page",          10,  10,   6),
    ("my networks",            8,   8,   4),
]
# fmt: on


def grow(world, count):
    """Add ``count`` more of everything the pages list, all of it visible to the viewers."""
    person = world.people["theme_lead"]
    for _ in range(count):
        theme = f.ThemeFactory(framework=world.framework)
        m.AdoptedTheme.objects.create(network=world.network, theme=theme, position=theme.pk)
        organisation = f.OrganisationFactory()
        m.NetworkOrganisation.objects.create(network=world.network, organisation=organisation)
        colleague = f.PersonFactory(organisation=world.org)
        f.MembershipFactory(
            person=colleague,
            network=world.network,
            organisation=world.org,
            roles=["member", "co_chair", "coordinator"],
        )
        workstream = m.Workstream.objects.create(
            network=world.network, theme=theme, name=f"Workstream {theme.pk}"
        )
        m.WorkstreamMember.objects.create(workstream=workstream, person=colleague, is_lead=True)
        m.WorkstreamMember.objects.create(workstream=workstream, person=person)
        m.WorkstreamMember.objects.create(workstream=world.workstream, person=colleague)
        group = f.GroupFactory(network=world.network, chair=colleague, theme=theme)
        group.members.add(colleague, person)
        world.group.members.add(colleague)
        public_network = f.NetworkFactory(visibility="public")
        world.network.linked_networks.add(public_network)
        f.MembershipFactory(
            person=person,
            network=public_network,
            organisation=organisation,
            roles=["member", "theme_lead"],
        )
        # Changes, for the history the coordinator reads.
        for record in (world.network, world.workstream, world.group, person):
            record.save()


def _address(world, page):
    return PAGES[page].format(
        org=world.org.pk, person=world.people["theme_lead"].pk, workstream=world.workstream.pk
    )


@pytest.mark.parametrize(
    ("page", "viewer", "queries"),
    [
        pytest.param(page, viewer, counts[i], id=f"{page}, {viewer}")
        for page, *counts in EXPECTED
        for i, viewer in enumerate(("member", "coordinator", "administrator"))
    ],
)
def test_a_page_makes_the_same_number_of_queries_with_more_data(
    world, django_assert_num_queries, page, viewer, queries
):
    grow(world, 2)
    client = world.client(viewer)
    with django_assert_num_queries(queries):
        small = client.get(_address(world, page))
    assert small.status_code == 200
    grow(world, 12)
    with django_assert_num_queries(queries):
        large = client.get(_address(world, page))
    assert large.status_code == 200
    # The page did get longer: the count held because the rows came in the same queries.
    assert len(large.content) > len(small.content)
