"""The library API: the same access as the pages, writes through the services, and bad input
answered with a 4xx and a reason."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kmatrix.core.tests.helpers import NAMED_USERS, api_call, api_items
from kmatrix.library.files_demo import pdf_bytes
from kmatrix.library.models import Resource

API = "/api/v1"


def _titles(response):
    return {item["title"] for item in api_items(response)}


@pytest.mark.parametrize("name", NAMED_USERS)
def test_the_catalogue_lists_what_each_user_may_read(library, name):
    expected = {
        "anonymous": {"public"},
        "outsider": {"public"},
        "member": {"public", "network", "unshared", "organisation", "partner"},
        "theme_lead": {"public", "network", "unshared", "organisation", "partner"},
        "coordinator": {"public", "network", "unshared", "organisation", "restricted", "partner"},
        "board_reader": {"public"},
        "administrator": {"public", "network", "unshared", "organisation", "restricted", "partner"},
        "other_member": {"public", "network", "partner"},
    }[name]
    response = api_call(library.world.client(name), "GET", f"{API}/library/resources")
    assert _titles(response) == {library[key].title for key in expected}


@pytest.mark.parametrize("name", NAMED_USERS)
def test_a_hidden_resource_is_a_404_and_a_readable_one_has_its_files(library, name):
    client = library.world.client(name)
    restricted = api_call(client, "GET", f"{API}/library/resources/{library['restricted'].pk}")
    assert restricted.status_code == (200 if name in ("coordinator", "administrator") else 404)
    public = api_call(client, "GET", f"{API}/library/resources/{library['public'].pk}")
    assert public.status_code == 200
    assert public.json()["files"] == []


def test_search_and_matrix_count_only_what_the_caller_reads(library):
    anonymous = api_call(library.world.client("anonymous"), "GET", f"{API}/search?q=notes")
    assert anonymous.json()["total"] == 0
    coordinator = api_call(library.world.client("coordinator"), "GET", f"{API}/search?q=notes")
    assert coordinator.json()["total"] == 2  # the budget notes and the incident notes
    hit = coordinator.json()["hits"][0]
    assert "<mark>" in hit["snippet_html"] or "<mark>" in hit["title_html"]
    grid = api_call(library.world.client("anonymous"), "GET", f"{API}/matrix").json()
    assert sum(c["total"] for row in grid["rows"] for c in row["cells"]) == 1  # the public one


def test_a_member_adds_submits_and_a_coordinator_publishes(library):
    world = library.world
    body = {"network": "alliance", "kind": "report", "title": "Ward audit", "summary": "An audit",
            "theme_ids": [world.theme.pk]}  # fmt: skip
    made = api_call(world.client("member"), "POST", f"{API}/library/resources", body)
    assert made.status_code == 201
    assert made.json()["status"] == "draft"
    pk = made.json()["id"]
    member = world.client("member")
    assert api_call(member, "POST", f"{API}/library/resources/{pk}/publish").status_code == 403
    assert api_call(member, "POST", f"{API}/library/resources/{pk}/submit").status_code == 200
    coordinator = world.client("coordinator")
    published = api_call(coordinator, "POST", f"{API}/library/resources/{pk}/publish")
    assert published.json()["status"] == "published"
    again = api_call(coordinator, "POST", f"{API}/library/resources/{pk}/publish")
    assert again.status_code == 422
    changed = api_call(member, "PUT", f"{API}/library/resources/{pk}", {**body, "title": "Audit 2"})
    assert changed.json()["title"] == "Audit 2"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        # A network they cannot see is not found; one they see but are not in is refused.
        ({"network": "other", "kind": "report", "title": "T", "summary": "S"}, 404),
        ({"network": "open", "kind": "report", "title": "T", "summary": "S"}, 403),
        ({"network": "nowhere", "kind": "report", "title": "T", "summary": "S"}, 404),
        ({"network": "alliance", "kind": "poem", "title": "T", "summary": "S"}, 422),
        ({"network": "alliance", "kind": "report", "title": "", "summary": "S"}, 422),
        (
            {
                "network": "alliance",
                "kind": "report",
                "title": "T",
                "summary": "S",
                "theme_ids": [999999],
            },
            422,
        ),
        (
            {
                "network": "alliance",
                "kind": "report",
                "title": "T",
                "summary": "S",
                "link": "javascript:alert(1)",
            },
            422,
        ),
        (
            {
                "network": "alliance",
                "kind": "report",
                "title": "T",
                "summary": "S",
                "visibility": "everyone",
            },
            422,
        ),
    ],
)
def test_bad_resources_are_refused_with_a_reason(library, body, status):
    from kmatrix.networks.tests.factories import NetworkFactory

    NetworkFactory(slug="open", visibility="public")
    response = api_call(library.world.client("member"), "POST", f"{API}/library/resources", body)
    assert response.status_code == status, response.content
    assert response.json()["detail"]


def test_uploads_through_the_api(library, django_capture_on_commit_callbacks):
    client = library.world.client("coordinator")
    address = f"{API}/library/resources/{library['network'].pk}/files"
    pdf = pdf_bytes("Audit", [("Findings", ["Night checks halved."])])
    with django_capture_on_commit_callbacks(execute=True):
        made = api_call(client, "POST", address, {"file": SimpleUploadedFile("audit.pdf", pdf)})
    assert made.status_code == 201
    assert made.json()["number"] == 1
    bad = api_call(client, "POST", address, {"file": SimpleUploadedFile("audit.docx", pdf)})
    assert bad.status_code == 422
    assert "contents are a PDF" in bad.json()["detail"]
    member = library.world.client("member")
    refused = api_call(member, "POST", address, {"file": SimpleUploadedFile("a.pdf", pdf)})
    assert refused.status_code == 403
    detail = api_call(member, "GET", f"{API}/library/resources/{library['network'].pk}").json()
    assert detail["files"][0]["versions"][0]["extraction"] == "done"


def test_the_api_reads_hostile_search_text(library):
    for text in ('"', "NEAR(", "title:x", "😀", "*" * 300, "-only -exclusions"):
        response = library.world.client("member").get(f"{API}/search", {"q": text})
        assert response.status_code == 200
    assert Resource.objects.count() == 8
