"""Appendices chosen from the library: the form takes their addresses in order and refuses one
the paper's audience may not read; drafting numbers them with their addresses; one that became
unreadable afterwards is left out and said so."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from kmatrix.boardpapers import services
from kmatrix.boardpapers.forms import PaperForm
from kmatrix.core.access import Visibility
from kmatrix.library.models import Resource
from kmatrix.library.tests.factories import resource


def _form_data(paper, appendices: str) -> dict[str, str]:
    return {
        "title": paper.title,
        "period_from": paper.period_from.isoformat(),
        "period_to": paper.period_to.isoformat(),
        "paper_date": paper.paper_date.isoformat(),
        "author": paper.author,
        "audience_organisation": "",
        "appendices": appendices,
    }


def _appendices(paper_world):
    world = paper_world.world
    report = resource(world.network, "Regional restrictive practice report May 2023")
    slides = resource(
        world.network, "Alliance framework slides", kind=Resource.Kind.TRAINING_SLIDES
    )
    secret = resource(
        world.network,
        "Confidential provider report",
        visibility=Visibility.RESTRICTED,
        created_by=world.users["coordinator"],
    )
    draft = resource(world.network, "Unpublished case study", status=Resource.Status.DRAFT)
    return report, slides, secret, draft


def test_the_form_takes_library_addresses_in_order(paper_world):
    report, slides, _secret, _draft = _appendices(paper_world)
    paper = paper_world.paper
    typed = f"{settings.SITE_URL}/library/{slides.pk}/\n\n{report.pk}\n/library/{slides.pk}/"
    form = PaperForm(_form_data(paper, typed), instance=paper, network=paper.network)
    assert form.is_valid(), form.errors
    services.paper_update(paper=paper, **form.details())
    assert [a.resource for a in paper.appendices.all()] == [slides, report]
    again = PaperForm(instance=paper, network=paper.network)
    assert again.initial["appendices"] == f"/library/{slides.pk}/\n/library/{report.pk}/"


def test_the_form_refuses_what_the_audience_may_not_read_or_what_is_no_address(paper_world):
    _report, _slides, secret, draft = _appendices(paper_world)
    paper = paper_world.paper
    typed = f"{secret.pk}\n/library/{draft.pk}/\nthe framework slides\n999999"
    form = PaperForm(_form_data(paper, typed), instance=paper, network=paper.network)
    assert not form.is_valid()
    errors = form.errors["appendices"]
    assert any(
        f"Library resource {secret.pk} is not one the paper's audience may" in e for e in errors
    )
    assert any(f"Library resource {draft.pk} is not" in e for e in errors)
    assert "“the framework slides” is not a library address or number." in errors
    assert any("Library resource 999999 is not" in e for e in errors)
    assert not paper.appendices.exists()


def test_drafting_numbers_the_library_appendices_with_their_addresses(paper_world):
    report, slides, _secret, _draft = _appendices(paper_world)
    paper = paper_world.paper
    services.paper_update(paper=paper, appendices=[report, slides])
    services.paper_draft(paper=paper, user=paper_world.world.users["coordinator"])
    section = paper.sections.get(key="appendices")
    assert section.letters == [
        (
            "1",
            f"Regional restrictive practice report May 2023 (Positive practice example): "
            f"{settings.SITE_URL}/library/{report.pk}/",
        ),
        (
            "2",
            "Alliance framework slides (Training slides): "
            f"{settings.SITE_URL}/library/{slides.pk}/",
        ),
    ]
    assert "The appendices are in the library: two resources. [1] [2]" in section.body
    assert [s["path"] for s in section.sources] == [
        f"/library/{report.pk}/",
        f"/library/{slides.pk}/",
    ]


def test_an_appendix_the_audience_may_no_longer_read_is_left_out(paper_world):
    report, slides, _secret, _draft = _appendices(paper_world)
    paper = paper_world.paper
    services.paper_update(paper=paper, appendices=[report, slides])
    slides.visibility = Visibility.RESTRICTED
    slides.save()
    services.paper_draft(paper=paper, user=paper_world.world.users["coordinator"])
    section = paper.sections.get(key="appendices")
    assert [label for label, _text in section.letters] == ["1"]
    assert "Alliance framework slides" not in str(section.items)
    assert "One chosen appendix left out: the paper's audience may not read it" in section.body


def test_the_coordinator_chooses_appendices_on_the_details_page(paper_world):
    report, _slides, secret, _draft = _appendices(paper_world)
    paper = paper_world.paper
    url = reverse("boardpapers:paper_edit", args=[paper.network.slug, paper.pk])
    coordinator = paper_world.world.client("coordinator")
    refused = coordinator.post(url, _form_data(paper, f"{secret.pk}"))
    assert refused.status_code == 400  # the form again, with its field errors
    assert f"Library resource {secret.pk} is not one the paper" in refused.content.decode()
    assert not paper.appendices.exists()
    saved = coordinator.post(url, _form_data(paper, f"/library/{report.pk}/"))
    assert saved.status_code == 302
    assert [a.resource for a in paper.appendices.all()] == [report]
    for name in ("member", "outsider"):
        response = paper_world.world.client(name).post(url, _form_data(paper, ""))
        assert response.status_code in (403, 404)
    assert [a.resource for a in paper.appendices.all()] == [report]


def test_the_details_page_and_the_api_list_the_appendices_each_reader_may_open(paper_world):
    from kmatrix.boardpapers.models import Status
    from kmatrix.boardpapers.publishing import paper_publish

    world = paper_world.world
    report, slides, _secret, _draft = _appendices(paper_world)
    paper = paper_world.paper
    coordinator = world.users["coordinator"]
    services.paper_update(paper=paper, appendices=[slides, report])
    services.paper_draft(paper=paper, user=coordinator)
    for status in (Status.IN_REVIEW, Status.APPROVED):
        services.paper_status_set(paper=paper, status=status, user=coordinator)
    paper.refresh_from_db()
    paper_publish(paper=paper, user=coordinator)
    # Afterwards the slides become restricted to the coordinator.
    slides.visibility = Visibility.RESTRICTED
    slides.save()
    slides.restricted_to.add(coordinator)
    page_url = reverse("boardpapers:paper", args=[paper.network.slug, paper.pk])
    api_url = f"/api/v1/board-papers/{paper.pk}"
    seen = {}
    # A board reader alone reads no network-level resources, so none is listed for them.
    for name in ("coordinator", "member", "board_reader"):
        client = world.client(name)
        page = client.get(page_url).content.decode()
        # The details' row (the published paper's own Appendices section is as it was sent).
        row = page.split("Appendices from the library", 1)[1].split("</dd>", 1)[0]
        api = client.get(api_url).json()["appendices"]
        seen[name] = [(a["number"], a["title"], a["address"]) for a in api]
        assert ("Alliance framework slides" in row) == (name == "coordinator"), name
        assert (f'href="/library/{report.pk}/"' in row) == (name != "board_reader"), name
    assert seen["coordinator"] == [
        (1, "Alliance framework slides", f"/library/{slides.pk}/"),
        (2, report.title, f"/library/{report.pk}/"),
    ]
    assert seen["member"] == [(1, report.title, f"/library/{report.pk}/")]
    assert seen["board_reader"] == []
    for name in ("outsider", "other_member"):
        assert world.client(name).get(api_url).status_code == 404, name
