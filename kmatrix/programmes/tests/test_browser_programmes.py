"""The coordinator's journey through programmes, funding, a decision's actions and a group's
calendar, in Debian's Chromium on the demo data, every page checked by axe-core; the API and
the downloads are read in the same session and must agree with what the pages showed."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from kmatrix.demo.tests.test_browser_journeys import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALLIANCE = "/networks/em-alliance/"
# Seed 003's programmes, the theme the paper files each under, and its figures.
SEED = {
    "Safety": {"East Midlands Mental Health Patient Safety programme": "£400,000"},
    "Workforce development": {
        "Clinical Support Worker retention programme": "£1,355,640",
        "Mental Health Act training materials": "£66,000",
        "Therapy Supervision programme": "£504,000",
    },
    "Innovation": {
        "Open Dialogue pilot": "£100,000",
        "Embedded Mental Health Innovation role": "the role's salary for two years",
    },
    "Collaboratives and population health": {
        "Gambling addictions service for the East Midlands": "just under £1 million"
    },
}


def _section(page: Any, theme: str) -> Any:
    """The programmes table that follows a theme's heading (in its scroll box)."""
    heading = page.get_by_role("heading", name=theme, exact=True)
    return heading.locator("xpath=following-sibling::*[1]/descendant-or-self::table[1]")


def test_a_coordinator_follows_programmes_funding_decisions_actions_and_a_calendar(
    page: Any,
) -> None:
    sign_in(page, "coordinator@example.org")
    page.goto(ALLIANCE)
    page.get_by_role("link", name="Programmes and funding").click()
    expect(page.get_by_role("heading", name="Programmes", exact=True)).to_be_visible()
    assert_accessible(page)

    # Every programme of the seed under its theme, with the seed's figures and the totals.
    for theme, programmes in SEED.items():
        table = _section(page, theme)
        for name, figure in programmes.items():
            row = table.get_by_role("row").filter(has=page.get_by_role("link", name=name))
            expect(row).to_contain_text(figure)
    expect(page.locator("#secured-total")).to_contain_text("£2,425,640 in exact amounts")
    expect(page.locator("#secured-total")).to_contain_text("just under £1 million")
    expect(_section(page, "Workforce development")).to_contain_text("£1,925,640")
    expect(_section(page, "Innovation")).to_contain_text("£100,000")

    # The download and the API hold the same figures as the page.
    download = page.request.get(ALLIANCE + "programmes/?format=csv")
    rows = list(csv.DictReader(io.StringIO(download.text().lstrip("\ufeff"))))
    assert len(rows) == 7
    assert sum(Decimal(r["Secured (£, exact amounts)"]) for r in rows) == Decimal("2425640")
    funding = page.request.get("/api/v1/networks/em-alliance/funding").json()
    assert funding["secured"]["amount"] == "2425640.00"
    assert sorted(funding["secured"]["unquantified"]) == [
        "just under £1 million",
        "the role's salary for two years (no figure given)",
    ]
    listed = page.request.get("/api/v1/networks/em-alliance/programmes").json()["items"]
    assert {p["name"]: p["secured"]["amount"] for p in listed}[
        "Therapy Supervision programme"
    ] == "504000.00"

    page.get_by_role("link", name="Funding summary").first.click()
    expect(page.get_by_role("heading", name="Funding summary")).to_be_visible()
    year = page.locator("#table-year")
    for label, amount in (
        ("2021/22", "£150,000"),
        ("2022/23", "£177,000"),
        ("2023/24", "£177,000"),
    ):
        expect(year.get_by_role("row").filter(has_text=label)).to_contain_text(amount)
    expect(page.locator("#table-funder")).to_contain_text("Health Education England")
    assert_accessible(page)

    page.get_by_role("link", name="Clinical Support Worker retention programme").first.click()
    expect(page.get_by_text("£1,098,000, £257,640 not yet allocated")).to_be_visible()
    assert_accessible(page)

    # The 9 June meeting, from its group's page, to a decision and its actions.
    page.goto(ALLIANCE + "groups/joint-chair-ceo/")
    meetings = page.locator("#group-meetings")  # loaded by htmx into the group page
    expect(meetings).to_contain_text("Friday 9 June 2023")
    assert_accessible(page)
    meetings.get_by_role("link", name="Joint Chair and CEO meeting").first.click()
    expect(page.get_by_role("heading", name="Joint Chair and CEO meeting")).to_be_visible()
    expect(page.get_by_text("St Andrew's Healthcare, Northampton").first).to_be_visible()
    decision = page.locator("#decision-1")
    expect(decision).to_contain_text("Ask the Strategy Director group to work up a draft model")
    expect(decision).to_contain_text("Strategy and Finance Director forum")
    expect(decision.get_by_role("row").filter(has_text="Work up a draft model")).to_contain_text(
        "Open"
    )
    expect(page.locator("#decision-2")).to_contain_text("Joint Chair and CEO group")
    expect(page.get_by_text("Matters arising")).to_be_visible()  # 3 May's actions carried over
    assert_accessible(page)
    meeting_path = urlsplit(page.url).path

    decision.get_by_role("link", name=re.compile("^Work up a draft model")).click()
    expect(page.get_by_text("Decision 1:")).to_be_visible()
    expect(page.locator("main")).to_contain_text("owned by Strategy and Finance Director forum")
    expect(page.locator("main")).to_contain_text("Result: Not done yet.")
    assert_accessible(page)

    # The API says the same of the meeting's decisions and actions.
    meeting_id = meeting_path.rstrip("/").rsplit("/", 1)[-1]
    body = page.request.get(f"/api/v1/networks/em-alliance/meetings/{meeting_id}").json()
    assert [
        (d["number"], [(a["owner"], a["status"]) for a in d["actions"]]) for d in body["decisions"]
    ] == [
        (1, [("Strategy and Finance Director forum", "open")]),
        (2, [("Joint Chair and CEO group", "open")]),
    ]

    # The tracker and its download agree too.
    page.goto("/actions/?status=all&network=em-alliance")
    count = int(page.locator("#action-count").inner_text().split()[0])
    tracker = page.request.get("/actions/?status=all&network=em-alliance&format=csv").text()
    assert len(list(csv.reader(io.StringIO(tracker.lstrip("\ufeff"))))) == count + 1
    api = page.request.get("/api/v1/actions?status=all&network=em-alliance").json()
    assert api["count"] == count
    assert_accessible(page)

    # Subscribe to the group's calendar: the address works without a session.
    page.goto(ALLIANCE + "groups/joint-chair-ceo/meetings/")
    page.get_by_text("Subscribe to this calendar").click()
    address = page.get_by_label("Calendar address").input_value()
    expect(
        page.get_by_role(
            "link", name=re.compile("Subscribe to Joint Chair and CEO group's calendar")
        )
    ).to_have_attribute("href", re.compile("^webcal://"))
    assert_accessible(page)
    calendar_program = page.context.browser.new_context(base_url=page.url.split("/networks/")[0])
    feed = calendar_program.request.get(urlsplit(address).path)
    status, kind, text = feed.status, feed.headers["content-type"], feed.text()
    calendar_program.close()
    assert status == 200
    assert kind == "text/calendar; charset=utf-8"
    text = text.replace("\r\n ", "")
    assert "SUMMARY:Joint Chair and CEO meeting" in text
    assert "DTSTART;VALUE=DATE:20230609" in text
    assert "DTSTART;VALUE=DATE:20230503" in text
    assert "LOCATION:St Andrew's Healthcare\\, Northampton" in text
