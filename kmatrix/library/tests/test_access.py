"""The access helper's two additions, through the library's resources: a Scope's ``condition``
(published before anyone reads by visibility) and ``shared`` (what crosses to partners)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kmatrix.core.access import ANONYMOUS, can_view, viewer_for, visible
from kmatrix.library.models import Resource
from kmatrix.library.tests import factories as lf
from kmatrix.networks.tests import factories as f


def _reads(library, name):
    viewer = ANONYMOUS if name == "anonymous" else viewer_for(library.world.users[name])
    readable = visible(viewer, Resource.objects.all()).values_list("title", flat=True)
    return {key for key, item in library.items.items() if item.title in set(readable)}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("anonymous", {"public"}),
        ("outsider", {"public"}),
        ("member", {"public", "network", "unshared", "organisation", "review", "partner"}),
        ("theme_lead", {"public", "network", "unshared", "organisation", "draft", "partner"}),
        (
            "coordinator",
            {
                "public",
                "network",
                "unshared",
                "organisation",
                "restricted",
                "draft",
                "review",
                "partner",
            },
        ),
        ("board_reader", {"public"}),
        ("other_member", {"public", "network", "partner"}),
    ],
)
def test_who_reads_which_resource(library, name, expected):
    assert _reads(library, name) == expected


def test_partners_are_the_linked_networks_of_those_a_user_reads(library):
    world = library.world
    assert viewer_for(world.users["member"]).partner_networks == {world.other_network.pk}
    assert viewer_for(world.users["other_member"]).partner_networks == {world.network.pk}
    # A board reader alone reads no network, so no partner either.
    assert viewer_for(world.users["board_reader"]).partner_networks == frozenset()


def test_only_published_network_items_that_are_shared_cross(library):
    world = library.world
    other = viewer_for(world.users["other_member"])
    crossing = lf.resource(world.network, "Shared once published", status="draft")
    assert not can_view(other, crossing)
    Resource.objects.filter(pk=crossing.pk).update(status="published", published_at=timezone.now())
    assert can_view(other, crossing)
    for visibility in ("organisation", "restricted"):
        Resource.objects.filter(pk=crossing.pk).update(visibility=visibility)
        assert not can_view(other, crossing), visibility


def test_ending_the_agreement_stops_the_sharing(library):
    world = library.world
    world.network.linked_networks.remove(world.other_network)
    assert _reads(library, "other_member") == {"public", "partner"}


def test_a_partner_of_a_partner_sees_nothing(library):
    world = library.world
    third = f.NetworkFactory(slug="third")
    third.linked_networks.add(world.other_network)
    user = f.UserFactory(email="third@example.org")
    person = f.PersonFactory(full_name="Third Member", organisation=world.org, user=user)
    f.MembershipFactory(person=person, network=third, organisation=world.org, roles=["member"])
    own = Resource.objects.filter(network=world.network).exclude(visibility="public")
    assert not visible(viewer_for(user), own).exists()
    assert visible(viewer_for(user), Resource.objects.filter(network=world.other_network)).exists()
