"""The library's permission matrix, page by page, for every named user (kmatrix/conftest.py).

The records (library/tests/conftest.py), all in the world's network unless said:

    public        published, public
    network       published, network visibility, shared with partners
    unshared      published, network visibility, not shared with partners
    organisation  published, organisation visibility, of RXM (the member's organisation)
    restricted    published, restricted to its author, the coordinator
    draft         a draft by the theme lead
    review        in review, by the member
    partner       published in the other network (a partner: linked to the network)

Columns as in networks/tests/test_views_permissions.py: anon, outsider, member, theme lead,
coordinator, board reader, administrator, other member (a member of the partner network).
"""

# ruff: noqa: E501

from __future__ import annotations

import io

import pytest

from kmatrix.core.tests.helpers import NAMED_USERS
from kmatrix.library import services
from kmatrix.library.files_demo import docx_bytes

LOGIN = "LOGIN"
R = "/library/{%s}/"

# fmt: off
MATRIX = [
    # page                          method  address                                  anon   out  mem lead coord board admin other
    ("catalogue",                    "GET",  "/library/",                            (200,   200, 200, 200, 200,  200,  200,  200)),
    ("search",                       "GET",  "/search/?q=notes",                     (200,   200, 200, 200, 200,  200,  200,  200)),
    ("knowledge matrix",             "GET",  "/matrix/",                             (200,   200, 200, 200, 200,  200,  200,  200)),
    ("catalogue as CSV",             "GET",  "/library/export.csv",                  (200,   200, 200, 200, 200,  200,  200,  200)),
    ("catalogue as JSON",            "GET",  "/library/export.json",                 (200,   200, 200, 200, 200,  200,  200,  200)),
    ("positive practice feed",       "GET",  "/library/positive-practice.atom",      (200,   200, 200, 200, 200,  200,  200,  200)),
    ("add a resource",               "GET",  "/library/new/",                        (LOGIN, 403, 200, 200, 200,  403,  200,  200)),
    ("add a resource",               "POST", "/library/new/",                        (LOGIN, 403, 400, 400, 400,  403,  400,  400)),
    ("waiting for review",           "GET",  "/library/review/",                     (LOGIN, 200, 200, 200, 200,  200,  200,  200)),
    # Reading one resource
    ("a public resource",            "GET",  R % "public",                           (200,   200, 200, 200, 200,  200,  200,  200)),
    ("a network resource",           "GET",  R % "network",                          (404,   404, 200, 200, 200,  404,  200,  200)),
    ("a network resource, unshared", "GET",  R % "unshared",                         (404,   404, 200, 200, 200,  404,  200,  404)),
    ("an organisation resource",     "GET",  R % "organisation",                     (404,   404, 200, 200, 200,  404,  200,  404)),
    ("a restricted resource",        "GET",  R % "restricted",                       (404,   404, 404, 404, 200,  404,  200,  404)),
    ("a draft by the theme lead",    "GET",  R % "draft",                            (404,   404, 404, 200, 200,  404,  200,  404)),
    ("in review, by the member",     "GET",  R % "review",                           (404,   404, 200, 404, 200,  404,  200,  404)),
    ("a partner network's resource", "GET",  R % "partner",                          (404,   404, 200, 200, 200,  404,  200,  200)),
    ("files status (htmx)",          "GET",  R % "network" + "files/status/",        (404,   404, 200, 200, 200,  404,  200,  200)),
    ("download a file",              "GET",  R % "network" + "files/{file}/1/download/", (404, 404, 200, 200, 200, 404,  200,  200)),
    ("download, no such version",    "GET",  R % "network" + "files/{file}/9/download/", (404, 404, 404, 404, 404, 404,  404,  404)),
    # Changing it
    ("edit a network resource",      "GET",  R % "network" + "edit/",                (LOGIN, 404, 403, 403, 200,  404,  200,  403)),
    ("edit a network resource",      "POST", R % "network" + "edit/",                (LOGIN, 404, 403, 403, 400,  404,  400,  403)),
    ("edit the draft (its author)",  "GET",  R % "draft" + "edit/",                  (LOGIN, 404, 404, 200, 200,  404,  200,  404)),
    ("upload a file",                "GET",  R % "network" + "files/new/",           (LOGIN, 404, 403, 403, 200,  404,  200,  403)),
    ("upload a file",                "POST", R % "network" + "files/new/",           (LOGIN, 404, 403, 403, 400,  404,  400,  403)),
    ("upload a new version",         "GET",  R % "network" + "files/{file}/new/",    (LOGIN, 404, 403, 403, 200,  404,  200,  403)),
    ("send the draft for review",    "POST", R % "draft" + "submit/",                (LOGIN, 404, 404, 302, 302,  404,  302,  404)),
    ("send, wrong method",           "GET",  R % "draft" + "submit/",                (LOGIN, 405, 405, 405, 405,  405,  405,  405)),
    ("publish (in review)",          "POST", R % "review" + "publish/",              (LOGIN, 404, 403, 404, 302,  404,  302,  404)),
    ("return to the author",         "GET",  R % "review" + "return/",               (LOGIN, 404, 403, 404, 200,  404,  200,  404)),
    ("return to the author",         "POST", R % "review" + "return/",               (LOGIN, 404, 403, 404, 400,  404,  400,  404)),
    ("withdraw (published)",         "POST", R % "network" + "withdraw/",            (LOGIN, 404, 403, 403, 302,  404,  302,  403)),
    ("still current",                "POST", R % "network" + "still-current/",       (LOGIN, 404, 403, 403, 302,  404,  302,  403)),
]
# fmt: on


def _address(library, template):
    values = {key: item.pk for key, item in library.items.items()}
    return template.format(**values, file=library.file_id)


@pytest.fixture
def with_file(library):
    data = docx_bytes("Delirium checklist", [("Checklist", ["Ask about sleep."])])
    version = services.file_upload(
        viewer=_admin(library),
        resource=library["network"],
        upload=io.BytesIO(data),
        filename="checklist.docx",
        size=len(data),
        user=library.world.users["coordinator"],
    )
    library.file_id = version.file_id
    return library


def _admin(library):
    from kmatrix.core.access import viewer_for

    return viewer_for(library.world.users["administrator"])


@pytest.mark.parametrize(
    ("label", "method", "template", "expected", "user"),
    [
        pytest.param(label, method, template, outcome, user, id=f"{label}, {method}, {user}")
        for label, method, template, outcomes in MATRIX
        for user, outcome in zip(NAMED_USERS, outcomes, strict=True)
    ],
)
def test_the_permission_matrix(with_file, label, method, template, expected, user):
    client = with_file.world.client(user)
    address = _address(with_file, template)
    response = client.get(address) if method == "GET" else client.post(address, {"note": ""})
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected, response.content[:500]


def test_a_knowledge_manager_moderates_their_networks_resources(library):
    from django.test import Client

    from kmatrix.library.tests.conftest import knowledge_manager

    client = Client()
    client.force_login(knowledge_manager(library.world))
    assert client.get(f"/library/{library['review'].pk}/").status_code == 200
    assert client.get(f"/library/{library['draft'].pk}/").status_code == 200
    # ...but not what its visibility keeps from them.
    assert client.get(f"/library/{library['restricted'].pk}/").status_code == 404
    response = client.post(f"/library/{library['review'].pk}/publish/")
    assert response.status_code == 302
    library["review"].refresh_from_db()
    assert library["review"].status == "published"
    assert "1 waiting" not in client.get("/library/").content.decode()
