"""Accounts: email sign-in with django-allauth, no open sign-up, personal API tokens."""

from __future__ import annotations

import re

from django.test import Client

from kmatrix.core.models import ApiToken, User
from kmatrix.core.services import api_token_authenticate, api_token_create
from kmatrix.networks.tests.html import text

PASSWORD = "correct-horse-battery"  # the factories' password


def test_the_sign_in_page_opens(db, client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = text(response)
    assert "Sign in" in page
    assert "New members join by invitation" in page


def test_signing_in_with_email_and_password_goes_to_my_networks(world):
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "member@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/networks/"
    assert client.get("/networks/").status_code == 200


def test_signing_in_goes_back_to_the_page_asked_for(world):
    client = Client()
    asked = client.get("/networks/alliance/members/")
    assert asked["Location"] == "/accounts/login/?next=/networks/alliance/members/"
    response = client.post(asked["Location"], {"login": "member@example.org", "password": PASSWORD})
    assert response["Location"] == "/networks/alliance/members/"


def test_a_wrong_password_is_a_form_error_not_a_crash(world):
    client = Client()
    response = client.post("/accounts/login/", {"login": "member@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in text(response)
    assert client.get("/networks/")["Location"].startswith("/accounts/login/")


def test_a_blank_sign_in_form_is_a_form_error(world):
    response = Client().post("/accounts/login/", {"login": "", "password": ""})
    assert response.status_code == 200
    assert "There is a problem" in text(response)


def test_sign_up_is_closed(db, client):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    assert "Sign Up Closed" in text(response)
    form = {
        "email": "stranger@example.org",
        "password1": "a-long-passphrase!",
        "password2": "a-long-passphrase!",
    }
    client.post("/accounts/signup/", form)
    assert not User.objects.filter(email="stranger@example.org").exists()


def _raw_token(response):
    found = re.search(r'id="new-token">(km_[^<]+)<', response.content.decode())
    return found.group(1) if found else None


def test_creating_a_token_shows_it_once(world):
    client = world.client("member")
    response = client.post("/account/tokens/new/", {"name": "Weekly import"})
    assert response.status_code == 200
    raw = _raw_token(response)
    assert raw is not None
    token = ApiToken.objects.get(user=world.users["member"])
    assert token.name == "Weekly import"
    assert raw not in token.token_hash
    assert api_token_authenticate(raw) == token
    # Shown once: the account page lists it by its first characters only.
    page = client.get("/account/").content.decode()
    assert raw not in page
    assert token.prefix in page


def test_a_token_without_a_name_is_a_field_error(world):
    response = world.client("member").post("/account/tokens/new/", {"name": ""})
    assert response.status_code == 400
    assert "This field is required." in text(response)
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it_working(world):
    token, raw = api_token_create(user=world.users["member"], name="script")
    client = world.client("member")
    response = client.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert "Token “script” revoked." in text(client.get("/account/"))
    assert api_token_authenticate(raw) is None
    # Revoking twice finds nothing to revoke.
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404


def test_nobody_revokes_another_persons_token(world):
    token, raw = api_token_create(user=world.users["member"], name="script")
    assert (
        world.client("administrator").post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    )
    assert api_token_authenticate(raw) == token


def test_a_sign_in_with_a_null_character_is_a_form_error_not_a_crash(world):
    response = Client().post(
        "/accounts/login/", {"login": "member\x00@example.org", "password": "x\x00"}
    )
    assert response.status_code == 200
    assert "There is a problem" in text(response)
