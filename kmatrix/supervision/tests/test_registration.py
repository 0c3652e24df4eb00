"""External supervisors register themselves: an account confirmed through allauth's email
confirmation and a profile awaiting vetting, and nothing more."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from kmatrix.core.access import viewer_for, visible
from kmatrix.core.models import User
from kmatrix.networks.models import Person
from kmatrix.supervision.models import Supervisor
from kmatrix.supervision.queries import applications

FORM = {
    "full_name": "Ivor Quillmere",
    "email": "Ivor.Quillmere@example.org",
    "password1": "a-long-enough-passphrase-42",
    "password2": "a-long-enough-passphrase-42",
    "profession": "psychotherapist",
    "modalities": ["psychodynamic", "mbt"],
    "professional_body": "ukcp",
    "registration_number": "UKCP-123",
    "experience_years": "12",
    "languages": "English, Welsh",
    "offers_virtual": "on",
    "about": "Psychodynamic supervision for individuals and groups.",
}


@pytest.fixture
def public(sv):
    network = sv.world.network
    network.visibility = "public"
    network.save()
    return sv


def register(sv, **changes):
    return Client().post(sv.base + "register/", {**FORM, **changes})


def test_registering_makes_an_unconfirmed_account_and_a_profile_awaiting_vetting(public, mails):
    with mails as outbox:
        response = register(public)
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    user = User.objects.get(email="ivor.quillmere@example.org")
    address = EmailAddress.objects.get(user=user)
    assert (address.verified, address.primary) == (False, True)
    person = Person.objects.get(user=user)
    assert (person.visibility, person.contact_visibility) == ("restricted", "restricted")
    assert person.job_title == "Psychotherapist (external supervisor)"
    supervisor = Supervisor.objects.get(person=person)
    assert (supervisor.status, supervisor.kind, supervisor.self_registered) == (
        "applied",
        "external",
        True,
    )
    assert sorted(m.modality for m in supervisor.modalities.all()) == ["mbt", "psychodynamic"]
    assert supervisor not in applications(public.service)  # until the email is confirmed
    [message] = outbox
    assert message.to == ["ivor.quillmere@example.org"]
    assert re.search(r"/accounts/confirm-email/[^/\s]+/", message.body)


def test_confirming_the_email_through_allauth_puts_the_profile_in_the_vetting_queue(public, mails):
    with mails as outbox:
        register(public)
    link = re.search(r"(/accounts/confirm-email/[^/\s]+/)", outbox[0].body).group(1)
    client = Client()
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    user = User.objects.get(email="ivor.quillmere@example.org")
    assert EmailAddress.objects.get(user=user).verified
    supervisor = Supervisor.objects.get(person__user=user)
    assert supervisor in applications(public.service)


def test_the_new_account_gains_no_other_access(public):
    register(public)
    user = User.objects.get(email="ivor.quillmere@example.org")
    viewer = viewer_for(user)
    assert not viewer.is_admin
    assert not user.is_staff
    assert viewer.memberships == frozenset()
    assert viewer.reads_networks == frozenset()
    assert list(visible(viewer, Person.objects.all())) == [Person.objects.get(user=user)]
    client = Client()
    client.force_login(user)
    assert client.get(public.base + "manage/").status_code == 403
    assert client.get(public.base + "need/").status_code == 403
    assert client.get(public.base + "bookings/").status_code == 200  # an empty list, their own
    slot = public.slot(days=5)
    assert (
        client.post(
            public.base + f"sessions/{slot.pk}/book/", {"profession": "counsellor"}
        ).status_code
        == 404
    )
    assert client.get(public.base + "mine/").status_code == 200


def test_an_address_already_known_gets_an_email_and_no_new_account(public, mails):
    with mails as outbox:
        response = register(public, email="member@example.org")
    assert "Check your email" in response.content.decode()
    assert User.objects.filter(email="member@example.org").count() == 1
    assert not Supervisor.objects.filter(person__email="member@example.org").exists()
    [message] = outbox
    assert "already has an account" in message.body


def test_registrations_are_rate_limited(public):
    for _ in range(3):
        register(public, email="same@example.org", password2="different-passphrase-99")
    response = register(public, email="same@example.org")
    assert response.status_code == 429
    assert not User.objects.filter(email="same@example.org").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"password2": "not-the-same-passphrase"}, "password2"),
        ({"password1": "12345678", "password2": "12345678"}, "password1"),
        ({"email": "not an email"}, "email"),
        ({"modalities": []}, "modalities"),
        ({"offers_virtual": ""}, "offers_virtual"),
        ({"profession": "wizard"}, "profession"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_a_bad_registration_shows_its_errors_and_makes_nothing(public, changes, field):
    response = register(public, **changes)
    assert response.status_code == 400
    assert f'href="#id_{field}' in response.content.decode()
    assert not User.objects.filter(email="ivor.quillmere@example.org").exists()


def test_registration_can_be_closed(public):
    public.service.open_for_applications = False
    public.service.save()
    assert Client().get(public.base + "register/").status_code == 404
    assert register(public).status_code == 404


def test_a_signed_in_user_is_told_to_ask_the_project_team(public):
    response = public.client("member").get(public.base + "register/")
    assert response.status_code == 200
    assert "ask the project team" in response.content.decode()


def test_a_service_nobody_may_see_takes_no_registrations(sv):
    assert Client().get(sv.base + "register/").status_code == 404
    assert register(sv).status_code == 404
