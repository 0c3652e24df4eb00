"""The theme lead's journey in Debian's Chromium, on the demo data: a locality from its
assessment to its gaps to a new plan, submitted and published; updates received and reviewed;
an outcome shown with its SPC chart. Every page is checked with axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kmatrix.demo.tests.test_browser_journeys import assert_accessible, browser, page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["browser", "page"]  # the fixtures, shared with the demo's journeys

MLN = "/networks/em-mln/"


def test_a_theme_lead_takes_a_locality_from_assessment_to_plan_to_outcome(page: Any) -> None:
    sign_in(page, "theme.lead@example.org")
    page.goto(MLN)
    page.get_by_role("link", name="Baseline assessments").click()
    expect(page.get_by_role("heading", name="Baseline assessments")).to_be_visible()
    assert_accessible(page)

    # Nottinghamshire's re-assessment, and what changed since the baseline.
    page.get_by_role("link", name="Nottinghamshire").first.click()
    expect(page.locator("h1")).to_contain_text("Nottinghamshire: assessment of 13 March 2026")
    expect(page.get_by_text("Illustrative").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("14 March 2025")).click()
    expect(page.get_by_text("gap(s) closed")).to_be_visible()
    assert_accessible(page)

    # The gaps still open there, and a plan written for one of them.
    page.goto(MLN + "gaps/")
    page.get_by_label("Locality").select_option(label="Nottinghamshire")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("heading", name="Gap register")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Write a plan")).first.click()
    expect(page.get_by_role("heading", name="New improvement plan")).to_be_visible()
    page.get_by_label("Title").fill("Carers at the memory clinic")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("Plan saved as a draft.")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    # No aim and no RAG rating yet: refused, with the reasons, nothing lost.
    expect(page.get_by_text("Write the plan's aim before submitting it.")).to_be_visible()
    page.get_by_role("link", name="Edit the plan").click()
    page.get_by_label("Aim (optional)").fill("Every carer offered a carers' assessment.")
    page.get_by_label("RAG rating (optional)").select_option("amber")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Plan submitted")).to_be_visible()
    assert_accessible(page)

    # The theme lead reviews it: a return needs a comment; then it is published.
    page.get_by_label("Return it with comments").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(
        page.get_by_text("Say what needs to change before you return the plan.").first
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Publish the plan").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Plan published.")).to_be_visible()

    # Updates received on the workstream's plans; one reviewed into the theme summary.
    page.goto("/my-work/")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    assert_accessible(page)
    page.goto(MLN + "plans/?q=Co-produced")
    page.get_by_role("link", name="Co-produced care plans on older people's wards").click()
    expect(page.get_by_text("Special-cause improvement").first).to_be_visible()
    page.wait_for_selector("[data-km-chart][data-drawn]")
    assert_accessible(page)
    # Updates not yet reviewed open their review form.
    form = page.locator("details[open] form").first
    form.get_by_label("Feedback to the team (optional)").fill("A model for the other wards.")
    form.get_by_label("Include in the theme summary for the network").check()
    form.get_by_role("button", name="Save the review").click()
    expect(page.get_by_text(re.compile("Review of the .* update saved."))).to_be_visible()
    expect(page.get_by_text("Half of audited care plans").first).to_be_visible()

    page.goto(MLN + "evidence/")
    expect(page.get_by_role("cell", name="Special-cause improvement")).to_be_visible()
    assert_accessible(page)
    page.goto(MLN + "heatmap/")
    expect(page.get_by_role("heading", name="Heatmap of gaps")).to_be_visible()
    assert_accessible(page)
