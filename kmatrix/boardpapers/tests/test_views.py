"""The Board paper pages and API: who may do what (the named users of kmatrix/conftest.py plus
``reviewer``, a member named as the paper's reviewer), bad input, drafting in the background
with its progress, editing conflicts, publishing, and a fixed number of queries per page."""

# The permission matrix is a table, one row a line, so that it reads as one.
# ruff: noqa: E501

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kmatrix.boardpapers import services
from kmatrix.boardpapers.models import DraftRun, PaperDistribution, Status
from kmatrix.core.tests.helpers import NAMED_USERS
from kmatrix.library.tests.factories import resource
from kmatrix.networks import models as m
from kmatrix.networks.tests import factories as f
from kmatrix.networks.tests.html import field_error, text

USERS = (*NAMED_USERS, "reviewer")
LOGIN = "LOGIN"
B = "/networks/alliance/board-papers/"


def client_for(drafted, name: str) -> Client:
    if name == "reviewer":
        client = Client()
        client.force_login(drafted.reviewer)
        return client
    return drafted.world.client(name)


def address(drafted, template: str) -> str:
    paper = drafted.paper
    return template.format(
        paper=paper.pk,
        section=paper.sections.get(key="theme-safety").pk,
        chart=1
        + next(
            i
            for i, fig in enumerate(paper.sections.get(key="theme-safety").figures)
            if fig["kind"] == "chart"
        ),
    )


# fmt: off
MATRIX = [
    # page                          method  address                                       anon   out  mem  lead coord board admin other reviewer
    ("my board papers",              "GET",  "/board-papers/",                             (LOGIN, 200, 200, 200, 200,  200,  200,  200,  200)),
    ("the network's papers",         "GET",  B,                                            (LOGIN, 404, 200, 200, 200,  200,  200,  404,  200)),
    ("new paper",                    "GET",  B + "new/",                                   (LOGIN, 404, 403, 403, 200,  404,  200,  404,  403)),
    ("new paper",                    "POST", B + "new/",                                   (LOGIN, 404, 403, 403, 400,  404,  400,  404,  403)),
    ("a draft paper",                "GET",  B + "{paper}/",                               (LOGIN, 404, 404, 404, 200,  404,  200,  404,  200)),
    ("its chart",                    "GET",  B + "{paper}/sections/{section}/figures/{chart}.svg", (LOGIN, 404, 404, 404, 200, 404, 200, 404, 200)),
    ("as DOCX",                      "GET",  B + "{paper}/paper.docx",                     (LOGIN, 404, 404, 404, 200,  404,  200,  404,  200)),
    ("details",                      "GET",  B + "{paper}/edit/",                          (LOGIN, 404, 404, 404, 200,  404,  200,  404,  403)),
    ("details",                      "POST", B + "{paper}/edit/",                          (LOGIN, 404, 404, 404, 400,  404,  400,  404,  403)),
    ("draft from the records",       "GET",  B + "{paper}/draft/",                         (LOGIN, 405, 405, 405, 405,  405,  405,  405,  405)),
    ("edit a section",               "GET",  B + "{paper}/sections/{section}/edit/",       (LOGIN, 404, 404, 404, 200,  404,  200,  404,  200)),
    ("edit a section",               "POST", B + "{paper}/sections/{section}/edit/",       (LOGIN, 404, 404, 404, 400,  404,  400,  404,  400)),
    ("comment",                      "POST", B + "{paper}/comments/",                      (LOGIN, 404, 404, 404, 400,  404,  400,  404,  400)),
    ("status",                       "POST", B + "{paper}/status/",                        (LOGIN, 404, 404, 404, 302,  404,  302,  404,  403)),
    ("publish",                      "GET",  B + "{paper}/publish/",                       (LOGIN, 404, 404, 404, 200,  404,  200,  404,  403)),
    ("versions",                     "GET",  B + "{paper}/versions/",                      (LOGIN, 404, 404, 404, 200,  404,  200,  404,  200)),
    ("a version",                    "GET",  B + "{paper}/versions/1/",                    (LOGIN, 404, 404, 404, 200,  404,  200,  404,  200)),
    ("compare versions",             "GET",  B + "{paper}/versions/compare/",              (LOGIN, 404, 404, 404, 400,  404,  400,  404,  400)),
]
# fmt: on


@pytest.mark.parametrize(
    ("page", "method", "template", "expected"), MATRIX, ids=[f"{r[1]} {r[0]}" for r in MATRIX]
)
def test_permission_matrix(drafted, page, method, template, expected):
    url = address(drafted, template)
    for name, outcome in zip(USERS, expected, strict=True):
        client = client_for(drafted, name)
        response = client.get(url) if method == "GET" else client.post(url, {"body": ""})
        if outcome == LOGIN:
            assert response.status_code == 302, (name, url)
            assert "/accounts/login/" in response["Location"], (name, url)
        else:
            assert response.status_code == outcome, (name, page, method, response.status_code)


def _published(drafted):
    user = drafted.world.users["coordinator"]
    for status in (Status.IN_REVIEW, Status.APPROVED):
        services.paper_status_set(paper=drafted.paper, status=status, user=user)
    response = drafted.world.client("coordinator").post(f"{B}{drafted.paper.pk}/publish/")
    assert response.status_code == 302
    drafted.paper.refresh_from_db()


def test_a_published_paper_goes_to_its_board_readers_with_the_pdf_and_is_recorded(drafted):
    world = drafted.world
    mail.outbox.clear()
    _published(drafted)
    assert drafted.paper.status == Status.PUBLISHED
    assert [m.to for m in mail.outbox] == [["board_reader@example.org"]]
    attachment = mail.outbox[0].attachments[0]
    assert attachment[0].endswith(".pdf")
    assert attachment[1][:4] == b"%PDF"
    sent = PaperDistribution.objects.get()
    assert (sent.email, sent.organisation) == ("board_reader@example.org", world.org.name)
    page = world.client("coordinator").get(f"{B}{drafted.paper.pk}/")
    assert "Sent to the Boards" in text(page)


def test_board_readers_and_members_read_a_published_paper_but_never_edit_it(drafted):
    _published(drafted)
    url = f"{B}{drafted.paper.pk}/"
    for name in ("board_reader", "member", "theme_lead"):
        client = drafted.world.client(name)
        assert client.get(url).status_code == 200, name
        assert client.get(url + "paper.pdf").status_code == 200, name
        assert client.get(url + "versions/").status_code == 403, name
    for name in ("outsider", "other_member"):
        assert drafted.world.client(name).get(url).status_code == 404, name
    listed = text(drafted.world.client("board_reader").get("/board-papers/"))
    assert "Common Board paper" in listed


def test_a_paper_for_one_members_board_is_read_only_by_that_members_people(drafted, world):
    services.paper_update(paper=drafted.paper, audience_organisation=world.other_org)
    _published(drafted)
    url = f"{B}{drafted.paper.pk}/"
    for name in ("board_reader", "member"):  # both on behalf of RXM
        assert world.client(name).get(url).status_code == 404, name
    person = f.PersonFactory(organisation=world.other_org, user=f.UserFactory())
    f.MembershipFactory(
        person=person, network=world.network, organisation=world.other_org, roles=["board_reader"]
    )
    client = Client()
    client.force_login(person.user)
    assert client.get(url).status_code == 200


def test_drafting_from_the_page_runs_in_the_background_and_shows_its_progress(
    paper_world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = paper_world.world.client("coordinator")
    url = f"{B}{paper_world.paper.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url + "draft/")
    run = DraftRun.objects.get()
    assert response["Location"] == f"{url}draft/{run.pk}/"
    assert run.status == DraftRun.RunStatus.DONE
    assert run.steps_done == run.steps_total == 8  # with "Other indicators", left out: none
    progress = client.get(f"{url}draft/{run.pk}/progress/")
    assert progress.status_code == 286  # done: htmx stops polling
    assert "Drafted from the records: Summary, Safety" in text(progress)
    page = client.get(url)
    assert "Indicator highlights" in text(page)


def test_a_run_in_progress_is_polled_and_shows_how_far_it_has_got(drafted):
    run = DraftRun.objects.create(
        paper=drafted.paper,
        status=DraftRun.RunStatus.RUNNING,
        steps_total=7,
        steps_done=2,
        step_label="Safety: indicator 1 of 2",
    )
    client = drafted.world.client("coordinator")
    page = client.get(f"{B}{drafted.paper.pk}/draft/{run.pk}/")
    assert 'hx-trigger="every 1s"' in page.content.decode()
    progress = client.get(f"{B}{drafted.paper.pk}/draft/{run.pk}/progress/")
    assert progress.status_code == 200
    assert "2 of 7 sections (28%): Safety: indicator 1 of 2" in text(progress)


def test_a_period_that_ends_before_it_starts_is_a_field_error(world):
    m.NetworkOrganisation.objects.create(network=world.network, organisation=world.org)
    response = world.client("coordinator").post(
        B + "new/",
        {
            "title": "Paper",
            "period_from": "2024-06-01",
            "period_to": "2024-01-01",
            "paper_date": "2024-06-30",
            "author": "A",
        },
    )
    assert response.status_code == 400
    assert (
        field_error(response, "period_to") == "The end of the period must be on or after its start."
    )


def test_a_coordinator_makes_a_paper_for_one_members_board(world):
    m.NetworkOrganisation.objects.create(network=world.network, organisation=world.org)
    response = world.client("coordinator").post(
        B + "new/",
        {
            "title": "For RXM",
            "period_from": "2024-01-01",
            "period_to": "2024-06-30",
            "paper_date": "2024-06-30",
            "author": "A",
            "audience_organisation": str(world.org.pk),
        },
    )
    assert response.status_code == 302
    paper = world.network.board_papers.get()
    assert paper.audience_organisation == world.org
    assert paper.visibility == "organisation"


def test_the_second_of_two_reviewers_saving_one_section_is_told_and_keeps_their_text(drafted):
    section = drafted.paper.sections.get(key="theme-workforce")
    url = f"{B}{drafted.paper.pk}/sections/{section.pk}/edit/"
    opened = section.revision
    first = client_for(drafted, "reviewer").post(
        url, {"title": "Workforce", "body": "Reviewer's words", "revision": opened}
    )
    assert first.status_code == 302
    second = drafted.world.client("coordinator").post(
        url, {"title": "Workforce", "body": "Coordinator's words", "revision": opened}
    )
    assert second.status_code == 409
    page = text(second)
    assert "Someone else saved this section while you were editing it" in page
    assert "Coordinator's words" in page  # theirs, still in the form
    assert "Reviewer's words" in page  # the saved one, beside it
    section.refresh_from_db()
    assert section.body == "Reviewer's words"
    again = drafted.world.client("coordinator").post(
        url, {"title": "Workforce", "body": "Both", "revision": section.revision}
    )
    assert again.status_code == 302


def test_a_new_draft_beside_an_edit_is_chosen_on_its_page(drafted):
    section = drafted.paper.sections.get(key="theme-safety")
    services.section_save(
        section=section,
        title="Safety",
        body="Edited.",
        expected_revision=section.revision,
        user=drafted.reviewer,
    )
    drafted.restraint.name = "Restraint (all types)"
    drafted.restraint.save()
    services.paper_draft(paper=drafted.paper)
    client = drafted.world.client("coordinator")
    paper_page = text(client.get(f"{B}{drafted.paper.pk}/"))
    assert "New drafts waiting" in paper_page
    url = f"{B}{drafted.paper.pk}/sections/{section.pk}/new-draft/"
    choose = text(client.get(url))
    assert "Edited." in choose
    assert "Restraint (all types)" in choose
    assert client.post(url, {"choice": "draft"}).status_code == 302
    section.refresh_from_db()
    assert "Restraint (all types)" in section.body


def test_bad_addresses_are_not_found_rather_than_errors(drafted):
    client = drafted.world.client("coordinator")
    safety = drafted.paper.sections.get(key="theme-safety")
    for url in (
        f"{B}{drafted.paper.pk}/paper.odt",
        f"{B}{drafted.paper.pk}/sections/{safety.pk}/figures/99.svg",
        f"{B}{drafted.paper.pk}/sections/{safety.pk}/figures/1.svg",  # a table, not a chart
        f"{B}{drafted.paper.pk}/versions/99/",
        f"{B}99999/",
        "/networks/nowhere/board-papers/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"{B}{drafted.paper.pk}/versions/compare/?from=x&to=1").status_code == 400


def test_an_unknown_status_is_refused_with_a_message(drafted):
    client = drafted.world.client("coordinator")
    response = client.post(f"{B}{drafted.paper.pk}/status/", {"status": "published"}, follow=True)
    assert "cannot be moved to that status" in text(response)
    drafted.paper.refresh_from_db()
    assert drafted.paper.status == Status.DRAFT


def test_reviewers_comment_on_a_section(drafted):
    section = drafted.paper.sections.get(key="summary")
    response = client_for(drafted, "reviewer").post(
        f"{B}{drafted.paper.pk}/comments/", {"body": "Name the chairs.", "section": str(section.pk)}
    )
    assert response.status_code == 302
    page = text(drafted.world.client("coordinator").get(f"{B}{drafted.paper.pk}/"))
    assert "Name the chairs." in page
    assert "on Summary" in page


def test_the_paper_page_makes_a_fixed_number_of_queries(drafted):
    client = drafted.world.client("coordinator")
    url = f"{B}{drafted.paper.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(5):
        services.comment_add(paper=drafted.paper, user=drafted.reviewer, body=f"Comment {i}")
    library = [resource(drafted.paper.network, f"Appendix {i}") for i in range(3)]
    services.paper_update(paper=drafted.paper, appendices=library)
    with CaptureQueriesContext(connection) as more:
        page = text(client.get(url))
    assert "Appendix 2" in page
    assert len(few.captured_queries) == len(more.captured_queries) == 15


def test_the_api_lists_and_reads_papers_with_the_same_rules(drafted):
    coordinator = drafted.world.client("coordinator")
    listed = coordinator.get("/api/v1/board-papers?network=alliance").json()
    assert [p["title"] for p in listed["items"]] == ["Common Board paper"]
    detail = coordinator.get(f"/api/v1/board-papers/{drafted.paper.pk}").json()
    assert [s["title"] for s in detail["sections"]][:2] == ["Summary", "Safety"]
    assert (
        drafted.world.client("member").get(f"/api/v1/board-papers/{drafted.paper.pk}").status_code
        == 404
    )
    assert drafted.world.client("member").get("/api/v1/board-papers").json()["items"] == []
