"""Joining by invitation: a coordinator invites, the invitee follows the emailed link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from kmatrix.core.models import User
from kmatrix.networks import models as m
from kmatrix.networks.tests import factories as f
from kmatrix.networks.tests.html import field_error, text

PASSWORDS = {"password1": "a-long-memorable-passphrase", "password2": "a-long-memorable-passphrase"}


@pytest.fixture
def invite(world, django_capture_on_commit_callbacks, mailoutbox):
    """Invite someone as the coordinator; returns (response, the link's path or None)."""

    def send(email="newcomer@example.org", *, role="member", who="coordinator"):
        # The email goes when the transaction commits; the test's transaction never does.
        with django_capture_on_commit_callbacks(execute=True):
            response = world.client(who).post(
                "/networks/alliance/invite/",
                {
                    "full_name": "New Comer",
                    "email": email,
                    "organisation": world.org.pk,
                    "role": role,
                },
            )
        links = (
            re.findall(r"http://[^/]+(/invitations/[^/\s]+/)", mailoutbox[-1].body)
            if mailoutbox
            else []
        )
        return response, links[-1] if links else None

    return send


def test_a_coordinator_invites_someone_and_an_email_carries_the_link(world, invite, mailoutbox):
    response, link = invite()
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["newcomer@example.org"]
    assert email.subject == "Invitation to join East Midlands Test Alliance"
    assert "coordinator@example.org has invited you" in email.body
    assert link is not None
    invitation = m.Invitation.objects.get(email="newcomer@example.org")
    assert invitation.invited_by == world.users["coordinator"]
    # Only a hash of the token is kept.
    assert link.split("/")[2] not in invitation.token_hash


def test_accepting_creates_the_account_the_person_and_the_membership_and_signs_in(world, invite):
    _response, link = invite(role="theme_lead")
    client = Client()
    page = client.get(link)
    assert page.status_code == 200
    assert "Join East Midlands Test Alliance" in text(page)
    response = client.post(link, PASSWORDS)
    assert response.status_code == 302
    assert response["Location"] == "/networks/alliance/"
    user = User.objects.get(email="newcomer@example.org")
    assert user.check_password(PASSWORDS["password1"])
    assert EmailAddress.objects.get(user=user).verified
    person = m.Person.objects.get(user=user)
    assert (person.full_name, person.organisation) == ("New Comer", world.org)
    membership = m.Membership.objects.get(person=person, network=world.network)
    assert membership.role_values == ["theme_lead"]
    assert membership.joined_on == timezone.localdate()
    # Signed in, and now a member: the network's pages open.
    assert client.get("/networks/alliance/members/").status_code == 200
    assert m.Invitation.objects.get().accepted_at is not None


def test_an_invitation_is_used_once(world, invite):
    _response, link = invite()
    assert Client().post(link, PASSWORDS).status_code == 302
    response = Client().get(link)
    assert response.status_code == 404
    assert "This invitation cannot be used" in text(response)
    assert Client().post(link, PASSWORDS).status_code == 404


def test_an_expired_invitation_is_a_friendly_404(world, invite):
    _response, link = invite()
    m.Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client().get(link)
    assert response.status_code == 404
    assert "It has expired, has been used already, or the link is incomplete" in text(response)


@pytest.mark.parametrize("token", ["garbage", "x" * 300, "with%20spaces", "%E2%9C%93"])
def test_a_garbage_token_is_a_friendly_404(world, client, token):
    response = client.get(f"/invitations/{token}/")
    assert response.status_code == 404
    assert "This invitation cannot be used" in text(response)


def test_inviting_an_existing_member_is_a_field_error_and_sends_nothing(world, invite, mailoutbox):
    response, _link = invite("MEMBER@example.org")
    assert response.status_code == 400
    assert (
        field_error(response, "email")
        == "member@example.org is already a member of East Midlands Test Alliance."
    )
    assert mailoutbox == []
    assert not m.Invitation.objects.exists()


def test_inviting_someone_twice_while_the_first_is_waiting_is_a_field_error(
    world, invite, mailoutbox
):
    invite()
    response, _link = invite()
    assert response.status_code == 400
    assert (
        field_error(response, "email") == "newcomer@example.org already has an invitation waiting."
    )
    assert len(mailoutbox) == 1


def test_a_malformed_email_is_a_field_error(world, invite, mailoutbox):
    response, _link = invite("not an email")
    assert response.status_code == 400
    assert field_error(response, "email") == "Enter a valid email address."
    assert mailoutbox == []


def test_a_member_cannot_invite(world, invite, mailoutbox):
    response, _link = invite(who="member")
    assert response.status_code == 403
    assert mailoutbox == []


def test_a_signed_in_user_with_another_email_is_refused(world, invite):
    _response, link = invite()
    member = world.client("member")
    for response in (member.get(link), member.post(link, PASSWORDS)):
        assert response.status_code == 403
        assert "This invitation is for someone else" in text(response)
    assert not User.objects.filter(email="newcomer@example.org").exists()
    assert m.Invitation.objects.get().accepted_at is None


def test_someone_with_an_account_signs_in_and_then_accepts(world, invite):
    _response, link = invite("outsider@example.org")
    client = world.client("outsider")
    assert "Join the network" in text(client.get(link))
    response = client.post(link)
    assert response.status_code == 302
    person = m.Person.objects.get(user=world.users["outsider"])
    assert m.Membership.objects.filter(person=person, network=world.network).exists()


def test_someone_with_an_account_is_asked_to_sign_in_rather_than_make_another(world, invite):
    _response, link = invite("outsider@example.org")
    response = Client().post(link, PASSWORDS)
    assert response.status_code == 400
    assert "An account with this email exists: sign in to accept." in text(response)
    assert not m.Membership.objects.filter(person__email="outsider@example.org").exists()


def test_someone_already_in_the_directory_keeps_their_entry(world, invite):
    known = f.PersonFactory(full_name="Known Already", email="known@example.org")
    _response, link = invite("known@example.org")
    assert Client().post(link, PASSWORDS).status_code == 302
    known.refresh_from_db()
    assert known.user is not None
    assert known.user.email == "known@example.org"
    assert m.Person.objects.filter(email="known@example.org").count() == 1
    assert m.Membership.objects.filter(person=known, network=world.network).exists()


def test_passwords_that_differ_or_are_weak_are_field_errors(world, invite):
    _response, link = invite()
    different = Client().post(
        link, {"password1": "a-long-memorable-passphrase", "password2": "another"}
    )
    assert different.status_code == 400
    assert field_error(different, "password2") == "The two passwords are different."
    weak = Client().post(link, {"password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 400
    assert "too common" in field_error(weak, "password1")
    assert not User.objects.filter(email="newcomer@example.org").exists()
