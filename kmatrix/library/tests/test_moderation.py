"""Resources from draft to published: who moves them, what they are told, the review-date
reminders, and Markdown that cannot carry script."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from kmatrix.core.access import viewer_for
from kmatrix.library import services
from kmatrix.library.models import Resource
from kmatrix.library.tests.conftest import knowledge_manager


def _form(world, **more):
    data = {
        "network": world.network.pk,
        "kind": "positive_practice",
        "title": "Night-time checks that let people sleep",
        "summary": "Fewer checks, at agreed times.",
        "body": "",
        "visibility": "network",
        "licence": "",
        "shared_with_partners": "on",
    }
    data.update(more)
    return data


def test_a_member_adds_a_draft_that_only_they_and_moderators_read(library):
    world = library.world
    response = world.client("member").post("/library/new/", _form(world))
    assert response.status_code == 302
    made = Resource.objects.get(title="Night-time checks that let people sleep")
    assert made.status == "draft"
    assert made.created_by == world.users["member"]
    assert made.review_on == date.today() + timedelta(days=365)
    assert world.client("theme_lead").get(made.get_absolute_url()).status_code == 404
    assert world.client("coordinator").get(made.get_absolute_url()).status_code == 200


def test_the_form_shows_its_errors(library):
    response = library.world.client("member").post(
        "/library/new/", _form(library.world, title="", link="javascript:alert(1)")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter a valid URL" in body


def test_from_draft_to_published_with_a_return_on_the_way(
    library, django_capture_on_commit_callbacks
):
    world = library.world
    draft = library["draft"]
    lead = viewer_for(world.users["theme_lead"])
    coordinator = viewer_for(world.users["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_submit(viewer=lead, resource=draft)
    assert draft.status == "in_review"
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]
    with pytest.raises(PermissionDenied):
        services.resource_publish(viewer=lead, resource=draft)
    with pytest.raises(ValidationError):
        services.resource_return(viewer=coordinator, resource=draft, note="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_return(viewer=coordinator, resource=draft, note="Add the evidence.")
    assert draft.status == "draft"
    assert mail.outbox[-1].to == ["theme_lead@example.org"]
    assert "Add the evidence." in mail.outbox[-1].body
    page = world.client("theme_lead").get(draft.get_absolute_url()).content.decode()
    assert "Changes asked for:</strong> Add the evidence." in page
    services.resource_submit(viewer=lead, resource=draft)
    services.resource_publish(viewer=coordinator, resource=draft)
    assert draft.status == "published"
    assert draft.published_at is not None
    assert world.client("member").get(draft.get_absolute_url()).status_code == 200
    with pytest.raises(ValidationError):
        services.resource_submit(viewer=lead, resource=draft)


def test_a_knowledge_manager_publishes_and_withdraws(library):
    manager = viewer_for(knowledge_manager(library.world))
    review = library["review"]
    services.resource_publish(viewer=manager, resource=review)
    services.resource_withdraw(viewer=manager, resource=review)
    assert review.status == "draft"
    other = viewer_for(library.world.users["other_member"])
    with pytest.raises(PermissionDenied):
        services.resource_withdraw(viewer=other, resource=library["network"])


def test_reminders_go_once_per_review_date_to_the_contact_or_author(library):
    world = library.world
    due = library["network"]
    due.review_on = date(2025, 1, 1)
    due.contact = world.people["theme_lead"]
    due.save()
    later = library["public"]
    later.review_on = date(2099, 1, 1)
    later.save()
    assert services.resources_review_remind(today=date(2025, 6, 1)) == 1
    assert mail.outbox[0].to == ["theme_lead@example.org"]
    assert "Still current?" in mail.outbox[0].subject
    assert services.resources_review_remind(today=date(2025, 6, 2)) == 0
    # "Still current" moves the review a year on and resets the reminder.
    services.resource_confirm_current(viewer=viewer_for(world.users["coordinator"]), resource=due)
    due.refresh_from_db()
    assert due.review_on > date.today()
    assert due.review_reminded_on is None


def test_the_page_asks_still_current_when_the_review_date_has_passed(library):
    Resource.objects.filter(pk=library["network"].pk).update(review_on=date(2020, 1, 1))
    page = library.world.client("coordinator").get(library["network"].get_absolute_url())
    assert "Still current?" in page.content.decode()
    assert (
        "Still current?"
        not in library.world.client("member")
        .get(library["network"].get_absolute_url())
        .content.decode()
    )


def test_markdown_keeps_formatting_and_drops_script(library):
    Resource.objects.filter(pk=library["public"].pk).update(
        body="**Bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=y>"
    )
    body = library.world.client("anonymous").get(library["public"].get_absolute_url())
    html = body.content.decode()
    assert "<strong>Bold</strong>" in html
    assert "<script>alert(1)" not in html
    assert 'href="javascript:' not in html
    assert "onerror" not in html.replace("&lt;img src=x onerror=y&gt;", "")


def test_an_illustrative_resource_says_so(library):
    Resource.objects.filter(pk=library["public"].pk).update(is_illustrative=True)
    page = library.world.client("anonymous").get(library["public"].get_absolute_url())
    assert "Illustrative example" in page.content.decode()


def test_a_moderator_editing_a_restricted_resource_keeps_its_author_named(library):
    world = library.world
    restricted = library["restricted"]
    restricted.created_by = world.users["member"]
    restricted.save()
    services.resource_save(
        viewer=viewer_for(world.users["administrator"]),
        user=world.users["administrator"],
        network=world.network,
        resource=restricted,
        title="Incident notes, revised",
    )
    assert list(restricted.restricted_to.all()) == [world.users["member"]]
