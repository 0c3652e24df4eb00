"""A coordinator drafts the Alliance's common Board paper in the demo, edits a section and
downloads it as DOCX and PDF, in Debian's Chromium (axe-core on every page)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kmatrix.demo.tests.test_browser_journeys import (  # noqa: F401 - fixtures
    assert_accessible,
    browser,
    page,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    # No worker runs beside the test server, so the drafting task runs as it is queued.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_a_coordinator_drafts_edits_and_downloads_the_board_paper(page: Any) -> None:  # noqa: F811
    sign_in(page, "coordinator@example.org")
    page.get_by_role("link", name="Board papers").first.click()
    expect(page.get_by_role("heading", name="Board papers")).to_be_visible()
    assert_accessible(page)

    page.goto("/networks/em-alliance/board-papers/")
    page.get_by_role("button", name="New Board paper").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Common Board paper: July 2023")
    page.get_by_label("Period from").fill("2023-07-01")
    page.get_by_label("Period to").fill("2023-01-01")
    page.get_by_label("Date of the paper").fill("2023-07-15")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(
        page.get_by_text("The end of the period must be on or after its start.").first
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Period from").fill("2023-01-01")
    page.get_by_label("Period to").fill("2023-06-30")
    page.get_by_label("Joint Chair and CEO group").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Common Board paper: July 2023")).to_be_visible()

    page.get_by_role("button", name="Draft from the records").click()
    expect(page.get_by_role("heading", name="Drafted")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Read the paper").click()
    expect(page.get_by_role("heading", name="Safety", exact=True)).to_be_visible()
    expect(page.get_by_text("Indicator highlights").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Edit Recommendations").click()
    assert_accessible(page)
    page.get_by_label("Text (optional)").fill("Provider Boards are asked to:")
    page.get_by_label("Recommendations (optional)").fill(
        "note the progress made by the Alliance\nreview the joint meetings"
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Recommendations saved.")).to_be_visible()
    expect(page.get_by_text("a) note the progress made by the Alliance")).to_be_visible()
    expect(page.get_by_text("b) review the joint meetings")).to_be_visible()

    # The links the coordinator selects, fetched with their session, as the browser would.
    for label, start, kind in (("Word (DOCX)", b"PK", "wordprocessingml"), ("PDF", b"%PDF", "pdf")):
        href = page.get_by_role("link", name=label).get_attribute("href")
        assert href is not None
        response = page.context.request.get(href, timeout=120_000)
        assert response.ok, label
        assert kind in response.headers["content-type"], label
        assert "attachment" in response.headers["content-disposition"], label
        assert response.body().startswith(start), label

    page.get_by_role("button", name="Versions").click()
    expect(page.get_by_text("Recommendations edited")).to_be_visible()
    assert_accessible(page)
