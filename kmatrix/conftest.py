"""Shared fixtures: a small world with the named users every permission test uses.

anonymous      no account (use the plain `client`)
outsider       an account with no memberships
member         member of the network, from organisation `org`
theme_lead     member and lead of `workstream`
coordinator    coordinator of the network
board_reader   board reader only
administrator  superuser
other_member   member of `other_network` only
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from kmatrix.networks import models as m
from kmatrix.networks.tests import factories as f


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # The real hasher is slow by design; tests only need passwords to round-trip.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    # Uploaded and demo files go to the test's own folder, never into var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    network: m.Network
    other_network: m.Network
    org: m.Organisation
    other_org: m.Organisation
    framework: m.ThemeFramework
    theme: m.Theme
    workstream: m.Workstream
    group: m.Group
    users: dict[str, Any]
    people: dict[str, m.Person]

    def client(self, name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(self.users[name])
        return client


def _person(name: str, org: m.Organisation, user: Any | None) -> m.Person:
    return f.PersonFactory(
        full_name=name.replace("_", " ").title(),
        email=f"{name}@example.org",
        organisation=org,
        user=user,
    )


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def make_world() -> World:
    """The world itself, for fixtures of a wider scope that build it once (see
    kmatrix/supervision/tests/test_views_permissions.py)."""
    network = f.NetworkFactory(name="East Midlands Test Alliance", slug="alliance")
    other_network = f.NetworkFactory(name="Other Network", slug="other")
    org = f.OrganisationFactory(name="Derbyshire Test Trust", ods_code="RXM")
    other_org = f.OrganisationFactory(name="Leicestershire Test Trust", ods_code="RT5")
    framework = f.ThemeFrameworkFactory(name="Strategic themes", slug="strategic")
    theme = f.ThemeFactory(framework=framework, name="Safety", slug="safety")
    m.AdoptedTheme.objects.create(network=network, theme=theme, position=1)
    users = {
        name: f.UserFactory(email=f"{name}@example.org")
        for name in (
            "outsider",
            "member",
            "theme_lead",
            "coordinator",
            "board_reader",
            "other_member",
        )
    }
    users["administrator"] = f.UserFactory(
        email="administrator@example.org", is_superuser=True, is_staff=True
    )
    people = {}
    roles = {
        "member": ["member"],
        "theme_lead": ["member", "theme_lead"],
        "coordinator": ["coordinator"],
        "board_reader": ["board_reader"],
    }
    for name, held in roles.items():
        people[name] = _person(name, org, users[name])
        f.MembershipFactory(person=people[name], network=network, organisation=org, roles=held)
    people["other_member"] = _person("other_member", other_org, users["other_member"])
    f.MembershipFactory(
        person=people["other_member"],
        network=other_network,
        organisation=other_org,
        roles=["member"],
    )
    workstream = m.Workstream.objects.create(network=network, theme=theme, name="Safety workstream")
    m.WorkstreamMember.objects.create(
        workstream=workstream, person=people["theme_lead"], is_lead=True
    )
    m.WorkstreamMember.objects.create(workstream=workstream, person=people["member"])
    group = f.GroupFactory(
        network=network, name="Restrictive practice", slug="restrictive-practice"
    )
    return World(
        network=network,
        other_network=other_network,
        org=org,
        other_org=other_org,
        framework=framework,
        theme=theme,
        workstream=workstream,
        group=group,
        users=users,
        people=people,
    )
