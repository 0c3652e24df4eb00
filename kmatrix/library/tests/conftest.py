"""The library's records for the permission tests, on top of the shared `world` fixture.

The world's two networks are partners (linked), so the other network's member reads the
network's shared items and the network's members read the other's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from kmatrix.library.models import Resource
from kmatrix.library.tests import factories as lf
from kmatrix.networks.tests import factories as f

PUBLISHED, DRAFT, IN_REVIEW = "published", "draft", "in_review"


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    # Background work (reading files, indexing) runs inside the request in these tests.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@dataclass
class Library:
    world: Any
    items: dict[str, Resource]

    def __getitem__(self, key: str) -> Resource:
        return self.items[key]


@pytest.fixture
def library(world: Any) -> Library:
    world.network.linked_networks.add(world.other_network)
    users = world.users
    net, other = world.network, world.other_network
    items = {
        "public": lf.resource(net, "Memory café in the public library", visibility="public",
                              created_by=users["coordinator"], themes=(world.theme,)),
        "network": lf.resource(net, "Delirium checklist for wards", created_by=users["coordinator"],
                               themes=(world.theme,)),
        "unshared": lf.resource(net, "Budget notes kept at home", shared=False,
                                created_by=users["coordinator"]),
        "organisation": lf.resource(net, "Derbyshire provider report", visibility="organisation",
                                    organisation=world.org, created_by=users["coordinator"]),
        "restricted": lf.resource(net, "Incident notes for the review team",
                                  visibility="restricted",
                                  created_by=users["coordinator"]),
        "draft": lf.resource(net, "Carers feedback card draft", status=DRAFT,
                             created_by=users["theme_lead"]),
        "review": lf.resource(net, "Falls prevention poster", status=IN_REVIEW,
                              created_by=users["member"]),
        "partner": lf.resource(other, "Care home in-reach model", created_by=users["other_member"]),
    }  # fmt: skip
    return Library(world, items)


def knowledge_manager(world: Any) -> Any:
    """A member of the network with the knowledge manager role, and their account."""
    user = f.UserFactory(email="knowledge.manager@example.org")
    person = f.PersonFactory(full_name="Knowledge Manager", organisation=world.org, user=user)
    f.MembershipFactory(
        person=person, network=world.network, organisation=world.org, roles=["knowledge_manager"]
    )
    return user
