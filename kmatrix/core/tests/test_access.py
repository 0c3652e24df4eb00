from __future__ import annotations

import pytest
from django.http import Http404

from kmatrix.core.access import ANONYMOUS, get_for, viewer_for, visible
from kmatrix.networks.models import Network, Person


def names(qs):
    return sorted(p.full_name for p in qs)


def test_a_member_reads_their_network_but_not_another(world):
    viewer = viewer_for(world.users["member"])
    networks = visible(viewer, Network.objects.all())
    assert list(networks) == [world.network]


def test_anonymous_sees_only_public_records(world):
    Network.objects.filter(pk=world.other_network.pk).update(visibility="public")
    assert list(visible(ANONYMOUS, Network.objects.all())) == [world.other_network]
    assert not visible(ANONYMOUS, Person.objects.all()).exists()


def test_an_outsider_asking_for_a_restricted_person_gets_404(world):
    secret = world.people["member"]
    secret.visibility = "restricted"
    secret.save()
    outsider = viewer_for(world.users["outsider"])
    with pytest.raises(Http404):
        get_for(outsider, Person.objects.all(), pk=secret.pk)
    assert secret not in visible(outsider, Person.objects.all())


def test_a_restricted_person_is_seen_by_the_named_users_only(world):
    secret = world.people["member"]
    secret.visibility = "restricted"
    secret.save()
    secret.restricted_to.add(world.users["coordinator"])
    assert secret in visible(viewer_for(world.users["coordinator"]), Person.objects.all())
    assert secret not in visible(viewer_for(world.users["theme_lead"]), Person.objects.all())
    # A person always sees their own entry.
    assert secret in visible(viewer_for(world.users["member"]), Person.objects.all())


def test_organisation_level_people_are_seen_by_colleagues_and_coordinators(world):
    person = world.people["member"]
    person.visibility = "organisation"
    person.save()
    assert person in visible(viewer_for(world.users["theme_lead"]), Person.objects.all())
    assert person in visible(viewer_for(world.users["coordinator"]), Person.objects.all())
    assert person not in visible(viewer_for(world.users["other_member"]), Person.objects.all())


def test_visible_lists_have_no_duplicates(world):
    viewer = viewer_for(world.users["coordinator"])
    qs = visible(viewer, Person.objects.all())
    assert qs.count() == len(set(qs.values_list("pk", flat=True)))


def test_a_board_reader_does_not_read_network_content(world):
    viewer = viewer_for(world.users["board_reader"])
    assert world.network.pk in viewer.board_networks
    assert not visible(viewer, Network.objects.all()).exists()


def test_the_administrator_sees_everything(world):
    viewer = viewer_for(world.users["administrator"])
    assert visible(viewer, Network.objects.all()).count() == 2
