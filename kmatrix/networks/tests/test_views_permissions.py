"""The permission matrix, page by page: every URL of networks/urls.py and core/urls.py, asked
for by every named user (see kmatrix/conftest.py). docs/permissions.md is the same table in words.

Each row reads: what the page is, the method, the address, then the outcome for

    anon   anonymous (no account)
    out    outsider (an account, no memberships)
    mem    member of the network, from organisation RXM
    lead   theme lead: member and lead of the network's workstream
    coord  coordinator of the network
    board  board reader of the network only
    admin  administrator
    other  member of another network only

Outcomes: 200 page, 302 redirect after success (or to the right place), 400 the form shown again
with errors (write views are posted blank here: the test is who may try, not what they send),
403 seen but not theirs to change, 404 not there for them (nothing is revealed), 405 wrong
method, LOGIN a redirect to the sign-in page.
"""

# The matrix is a table, one row a line, so that it reads as one.
# ruff: noqa: E501

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kmatrix.core.models import hash_token
from kmatrix.core.services import api_token_create
from kmatrix.core.tests.helpers import NAMED_USERS
from kmatrix.networks import models as m
from kmatrix.networks.tests import factories as f

USERS = NAMED_USERS
LOGIN = "LOGIN"
# A browser always sends something (at least the CSRF token); an empty body would be read as
# an unbound form, so write views are posted one blank field.
BLANK_FORM = {"name": ""}
INVITATION_TOKEN = "a-known-invitation-token-for-newcomer"

# fmt: off
MATRIX = [
    # page                              method  address                                         anon   out  mem lead coord board admin other
    # Everyone
    ("home page",                        "GET",  "/",                                           (302,   302, 302, 302, 302,  302,  302,  302)),
    ("about",                            "GET",  "/about/",                                     (200,   200, 200, 200, 200,  200,  200,  200)),
    ("accessibility statement",          "GET",  "/accessibility/",                             (200,   200, 200, 200, 200,  200,  200,  200)),
    ("welcome, public networks",         "GET",  "/welcome/",                                   (200,   200, 200, 200, 200,  200,  200,  200)),
    # Your account and API tokens
    ("account",                          "GET",  "/account/",                                   (LOGIN, 200, 200, 200, 200,  200,  200,  200)),
    ("token create, wrong method",       "GET",  "/account/tokens/new/",                        (LOGIN, 405, 405, 405, 405,  405,  405,  405)),
    ("token create",                     "POST", "/account/tokens/new/",                        (LOGIN, 400, 400, 400, 400,  400,  400,  400)),
    ("token revoke (the member's)",      "POST", "/account/tokens/{token}/revoke/",             (LOGIN, 404, 302, 404, 404,  404,  404,  404)),
    # Networks
    ("my networks",                      "GET",  "/networks/",                                  (LOGIN, 200, 200, 200, 200,  200,  200,  200)),
    ("new network",                      "GET",  "/networks/new/",                              (LOGIN, 403, 403, 403, 403,  403,  200,  403)),
    ("new network",                      "POST", "/networks/new/",                              (LOGIN, 403, 403, 403, 403,  403,  400,  403)),
    ("network home",                     "GET",  "/networks/alliance/",                         (404,   404, 200, 200, 200,  404,  200,  404)),
    ("network home, public network",     "GET",  "/networks/open/",                             (200,   200, 200, 200, 200,  200,  200,  200)),
    ("network edit",                     "GET",  "/networks/alliance/edit/",                    (LOGIN, 404, 403, 403, 200,  404,  200,  404)),
    ("network edit",                     "POST", "/networks/alliance/edit/",                    (LOGIN, 404, 403, 403, 400,  404,  400,  404)),
    ("network edit, public network",     "GET",  "/networks/open/edit/",                        (LOGIN, 403, 403, 403, 403,  403,  200,  403)),
    ("themes",                           "GET",  "/networks/alliance/themes/",                  (LOGIN, 404, 403, 403, 200,  404,  200,  404)),
    ("themes",                           "POST", "/networks/alliance/themes/",                  (LOGIN, 404, 403, 403, 400,  404,  400,  404)),
    # Members, letters and invitations
    ("members",                          "GET",  "/networks/alliance/members/",                 (LOGIN, 404, 200, 200, 200,  404,  200,  404)),
    ("add a member",                     "GET",  "/networks/alliance/members/new/",             (LOGIN, 404, 403, 403, 200,  404,  200,  404)),
    ("add a member",                     "POST", "/networks/alliance/members/new/",             (LOGIN, 404, 403, 403, 400,  404,  400,  404)),
    ("membership edit",                  "GET",  "/networks/alliance/members/{membership}/edit/", (LOGIN, 404, 403, 403, 200, 404, 200,  404)),
    ("membership edit",                  "POST", "/networks/alliance/members/{membership}/edit/", (LOGIN, 404, 403, 403, 400, 404, 400,  404)),
    ("letter as DOCX",                   "GET",  "/networks/alliance/members/{membership}/letter.docx", (LOGIN, 404, 403, 403, 200, 404, 200, 404)),
    ("letter as PDF",                    "GET",  "/networks/alliance/members/{membership}/letter.pdf",  (LOGIN, 404, 403, 403, 200, 404, 200, 404)),
    ("letter send, wrong method",        "GET",  "/networks/alliance/members/{membership}/letter/send/", (LOGIN, 405, 405, 405, 405, 405, 405, 405)),
    ("letter send",                      "POST", "/networks/alliance/members/{membership}/letter/send/", (LOGIN, 404, 403, 403, 302, 404, 302, 404)),
    ("invite",                           "GET",  "/networks/alliance/invite/",                  (LOGIN, 404, 403, 403, 200,  404,  200,  404)),
    ("invite",                           "POST", "/networks/alliance/invite/",                  (LOGIN, 404, 403, 403, 400,  404,  400,  404)),
    ("accept an invitation (newcomer's)", "GET", "/invitations/" + INVITATION_TOKEN + "/",      (200,   403, 403, 403, 403,  403,  403,  403)),
    ("accept an invitation (newcomer's)", "POST", "/invitations/" + INVITATION_TOKEN + "/",     (400,   403, 403, 403, 403,  403,  403,  403)),
    ("accept an unknown invitation",     "GET",  "/invitations/not-a-token/",                   (404,   404, 404, 404, 404,  404,  404,  404)),
    # Workstreams and groups
    ("new workstream",                   "GET",  "/networks/alliance/workstreams/new/",         (LOGIN, 404, 403, 403, 200,  404,  200,  404)),
    ("new workstream",                   "POST", "/networks/alliance/workstreams/new/",         (LOGIN, 404, 403, 403, 400,  404,  400,  404)),
    ("workstream",                       "GET",  "/networks/alliance/workstreams/{workstream}/", (404,  404, 200, 200, 200,  404,  200,  404)),
    ("workstream edit",                  "GET",  "/networks/alliance/workstreams/{workstream}/edit/", (LOGIN, 404, 403, 200, 200, 404, 200, 404)),
    ("workstream edit",                  "POST", "/networks/alliance/workstreams/{workstream}/edit/", (LOGIN, 404, 403, 400, 400, 404, 400, 404)),
    ("restricted workstream (lead named)", "GET", "/networks/alliance/workstreams/{restricted_workstream}/", (404, 404, 404, 200, 404, 404, 200, 404)),
    ("new group",                        "GET",  "/networks/alliance/groups/new/",              (LOGIN, 404, 403, 403, 200,  404,  200,  404)),
    ("new group",                        "POST", "/networks/alliance/groups/new/",              (LOGIN, 404, 403, 403, 400,  404,  400,  404)),
    ("group",                            "GET",  "/networks/alliance/groups/restrictive-practice/", (404, 404, 200, 200, 200, 404,  200,  404)),
    ("group edit",                       "GET",  "/networks/alliance/groups/restrictive-practice/edit/", (LOGIN, 404, 403, 403, 200, 404, 200, 404)),
    ("group edit",                       "POST", "/networks/alliance/groups/restrictive-practice/edit/", (LOGIN, 404, 403, 403, 400, 404, 400, 404)),
    # A group has no organisation of its own; models.py says organisation-level visibility then
    # leaves it to coordinators, but core/access.py shows it to administrators only (see "Open
    # questions" in docs/permissions.md).
    ("organisation-level group",         "GET",  "/networks/alliance/groups/officers/",         (404,   404, 404, 404, 200,  404,  200,  404)),
    # Organisations: names and ODS codes are public facts
    ("organisations",                    "GET",  "/organisations/",                             (200,   200, 200, 200, 200,  200,  200,  200)),
    ("organisations as CSV",             "GET",  "/organisations/export.csv",                   (200,   200, 200, 200, 200,  200,  200,  200)),
    ("organisation by ODS code",         "GET",  "/organisations/ods/rxm/",                     (302,   302, 302, 302, 302,  302,  302,  302)),
    ("organisation by unknown ODS code", "GET",  "/organisations/ods/ZZZ99/",                   (404,   404, 404, 404, 404,  404,  404,  404)),
    ("new organisation",                 "GET",  "/organisations/new/",                         (LOGIN, 403, 403, 403, 200,  403,  200,  403)),
    ("new organisation",                 "POST", "/organisations/new/",                         (LOGIN, 403, 403, 403, 400,  403,  400,  403)),
    ("organisation",                     "GET",  "/organisations/{org}/",                       (200,   200, 200, 200, 200,  200,  200,  200)),
    ("organisation edit",                "GET",  "/organisations/{org}/edit/",                  (LOGIN, 403, 403, 403, 200,  403,  200,  403)),
    ("organisation edit",                "POST", "/organisations/{org}/edit/",                  (LOGIN, 403, 403, 403, 400,  403,  400,  403)),
    # People, one row per visibility level
    ("people",                           "GET",  "/people/",                                    (LOGIN, 200, 200, 200, 200,  200,  200,  200)),
    ("people as CSV",                    "GET",  "/people/export.csv",                          (LOGIN, 200, 200, 200, 200,  200,  200,  200)),
    ("add a person",                     "GET",  "/people/new/",                                (LOGIN, 403, 403, 403, 200,  403,  200,  403)),
    ("add a person",                     "POST", "/people/new/",                                (LOGIN, 403, 403, 403, 400,  403,  400,  403)),
    ("person, public",                   "GET",  "/people/{public_person}/",                    (LOGIN, 200, 200, 200, 200,  200,  200,  200)),
    ("person, network (the member)",     "GET",  "/people/{member}/",                           (LOGIN, 404, 200, 200, 200,  404,  200,  404)),
    # The board reader's membership is from RXM too, so organisation-level entries of RXM are
    # theirs to read (see "Open questions" in docs/permissions.md).
    ("person, organisation (RXM)",       "GET",  "/people/{organisation_person}/",              (LOGIN, 404, 200, 200, 200,  404,  200,  404)),
    ("person, restricted (coord named)", "GET",  "/people/{restricted_person}/",                (LOGIN, 404, 404, 404, 200,  404,  200,  404)),
    ("person edit (the member)",         "GET",  "/people/{member}/edit/",                      (LOGIN, 404, 200, 403, 200,  404,  200,  404)),
    ("person edit (the member)",         "POST", "/people/{member}/edit/",                      (LOGIN, 404, 400, 403, 400,  404,  400,  404)),
]
# fmt: on


@pytest.fixture
def ids(world):
    """The records the matrix's addresses name, added to the shared world."""
    coordinator, lead = world.users["coordinator"], world.users["theme_lead"]
    # An organisation belongs to a network through its link; membership_save makes it.
    m.NetworkOrganisation.objects.create(network=world.network, organisation=world.org)
    f.NetworkFactory(name="Open Network", slug="open", visibility="public")
    restricted_ws = m.Workstream.objects.create(
        network=world.network,
        theme=world.theme,
        name="Confidential review",
        visibility="restricted",
    )
    restricted_ws.restricted_to.add(lead)
    f.GroupFactory(
        network=world.network, name="Officers", slug="officers", visibility="organisation"
    )
    people = {}
    for level in ("public", "organisation", "restricted"):
        people[level] = f.PersonFactory(full_name=f"{level.title()} Person", visibility=level)
        f.MembershipFactory(person=people[level], network=world.network, organisation=world.org)
    people["restricted"].restricted_to.add(coordinator)
    token, _raw = api_token_create(user=world.users["member"], name="script")
    m.Invitation.objects.create(
        network=world.network,
        organisation=world.org,
        email="newcomer@example.org",
        full_name="New Comer",
        token_hash=hash_token(INVITATION_TOKEN),
        expires_at=timezone.now() + timedelta(days=3),
    )
    return {
        "token": token.pk,
        "membership": world.network.memberships.get(person=world.people["member"]).pk,
        "workstream": world.workstream.pk,
        "restricted_workstream": restricted_ws.pk,
        "org": world.org.pk,
        "member": world.people["member"].pk,
        "public_person": people["public"].pk,
        "organisation_person": people["organisation"].pk,
        "restricted_person": people["restricted"].pk,
    }


def _outcome(response):
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize(
    ("method", "address", "expected"),
    [
        pytest.param(method, address, expected, id=f"{method} {page}")
        for page, method, address, expected in MATRIX
    ],
)
def test_each_named_user_gets_the_outcome_in_the_matrix(world, ids, method, address, expected):
    url = address.format(**ids)
    outcomes = {}
    for name in USERS:
        client = world.client(name)
        response = client.get(url) if method == "GET" else client.post(url, BLANK_FORM)
        outcomes[name] = _outcome(response)
    assert outcomes == dict(zip(USERS, expected, strict=True))


def test_the_matrix_covers_every_address_in_the_url_configurations():
    from kmatrix.core.urls import urlpatterns as core_urls
    from kmatrix.networks.urls import urlpatterns as network_urls

    def shape(route):
        # "/networks/<slug:slug>/members/<int:pk>/edit/" and the matrix's address for it
        # have the same number of parts, and the same literal parts.
        return tuple("*" if "<" in part else part for part in route.strip("/").split("/"))

    def address_shape(address):
        parts = address.strip("/").split("/")
        return tuple(parts)

    covered = [address_shape(address) for _page, _method, address, _expected in MATRIX]

    def matches(route_shape, address):
        if len(route_shape) != len(address):
            return False
        for want, got in zip(route_shape, address, strict=True):
            if want == "*":
                continue
            if want != got:
                return False
        return True

    routes = [str(p.pattern) for p in [*core_urls, *network_urls]]
    missing = [r for r in routes if not any(matches(shape(r), a) for a in covered)]
    assert missing == []
