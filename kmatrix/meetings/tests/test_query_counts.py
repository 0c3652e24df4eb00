"""The meeting pages and the tracker make a fixed number of queries, however many agenda
items, decisions, actions and meetings there are."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kmatrix.library.tests.factories import resource
from kmatrix.meetings import services
from kmatrix.networks.tests import factories as f

PAGES = {
    "meeting page": "/networks/alliance/meetings/{may}/",
    "next meeting (carried actions)": "/networks/alliance/meetings/{june}/",
    "group's meetings": "/networks/alliance/groups/restrictive-practice/meetings/",
    "action tracker": "/actions/?status=all",
    "my actions": "/actions/mine/?status=all",
}

# fmt: off
EXPECTED = [
    # page                              member  coordinator (who also reads the change history)
    ("meeting page",                        22,  23),  # one to know which programmes it may name
    ("next meeting (carried actions)",      17,  18),
    ("group's meetings",                    13,  13),
    ("action tracker",                      12,  12),
    ("my actions",                          12,  12),
]
# fmt: on


def grow(world, minuted, count):
    group = minuted.may.group
    for i in range(count):
        person = f.PersonFactory(organisation=world.org)
        f.MembershipFactory(
            person=person, network=world.network, organisation=world.org, roles=["member"]
        )
        services.agenda_item_save(
            meeting=minuted.may,
            title=f"Item {i}",
            presenter=person,
            programme=minuted.safety,
            papers=[("Paper", "https://example.org/p.pdf")],
            resources=[resource(world.network, f"Library paper {i}")],
        )
        services.attendance_set(
            meeting=minuted.may,
            records=[(p.person, p.status, "") for p in minuted.may.attendance.all()]
            + [(person, "present", "")],
        )
        decision = services.decision_save(
            meeting=minuted.may, text=f"Decision {i}", links=[world.theme, minuted.safety]
        )
        for owner in (person, world.people["member"], world.people["coordinator"]):
            services.action_save(
                meeting=minuted.may,
                decision=decision,
                title=f"Action {i}",
                owner=owner,
                due_on=date(2023, 6, 1) + timedelta(days=i),
            )
        services.action_save(meeting=minuted.may, title=f"Group action {i}", owner_group=group)
        services.meeting_save(group=group, title="Later", date=date(2024, 1, 1) + timedelta(days=i))
        minuted.may.save()  # a change for the history the coordinator reads


@pytest.mark.parametrize(
    ("page", "viewer", "queries"),
    [
        pytest.param(page, viewer, counts[i], id=f"{page}, {viewer}")
        for page, *counts in EXPECTED
        for i, viewer in enumerate(("member", "coordinator"))
    ],
)
def test_a_page_makes_the_same_number_of_queries_with_more_data(
    world, minuted, django_assert_num_queries, page, viewer, queries
):
    url = PAGES[page].format(may=minuted.may.pk, june=minuted.june.pk)
    grow(world, minuted, 2)
    client = world.client(viewer)
    with django_assert_num_queries(queries):
        small = client.get(url)
    assert small.status_code == 200
    grow(world, minuted, 8)
    with django_assert_num_queries(queries):
        large = client.get(url)
    assert large.status_code == 200
    assert len(large.content) > len(small.content)
