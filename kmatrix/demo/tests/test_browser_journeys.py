"""Whole journeys in Debian's Chromium, driven by Playwright, on the demo data.

Every page a journey opens is checked with axe-core (WCAG 2.2 A and AA rules) and any
violation fails the test. Run with `pytest -m browser` (`make test-browser`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect, sync_playwright

from kmatrix.demo import people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("KMATRIX_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; Django's guard against
    # database use from async code would otherwise trip on the live server's fixtures.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
    # The site's real Content Security Policy stays on: a blocked script or style fails the test.
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    blocked: list[str] = []
    tab.on("console", lambda msg: blocked.append(msg.text) if _is_csp_violation(msg.text) else None)
    yield tab
    context.close()
    assert blocked == [], "\n".join(blocked)


def _is_csp_violation(text: str) -> bool:
    # The NHS.UK stylesheet asks for the Frutiger web font from assets.nhs.uk, which the
    # policy (font-src 'self') refuses on purpose; pages fall back to Arial as NHS.UK intends.
    return "Content Security Policy" in text and "assets.nhs.uk" not in text


def assert_accessible(page: Any) -> None:
    # Evaluated through the DevTools protocol, so axe-core runs without loosening the policy.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    assert result["passes"], "axe-core ran no checks"
    violations = [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
    assert violations == [], f"{page.url}: {json.dumps(violations, indent=2)}"


def sign_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(people.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/networks/")


def test_a_member_signs_in_and_opens_the_alliance_and_rxm(page: Any) -> None:
    sign_in(page, "member@example.org")
    expect(page.get_by_role("heading", name="My networks")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="East Midlands Alliance for Mental Health").first.click()
    expect(page.locator("h1")).to_contain_text("East Midlands Alliance")
    expect(page.get_by_role("cell", name="RXM")).to_be_visible()
    expect(page.get_by_role("link", name="Chief Executive Forum")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Derbyshire Healthcare NHS Foundation Trust").first.click()
    expect(page.locator("h1")).to_have_text("Derbyshire Healthcare NHS Foundation Trust")
    expect(page.get_by_text("RXM", exact=True).first).to_be_visible()
    assert_accessible(page)

    page.goto("/networks/em-alliance/")
    page.get_by_role("link", name="Indicators and benchmarking").click()
    expect(page.get_by_role("heading", name="Indicators", exact=True)).to_be_visible()
    page.get_by_role("link", name="Sickness absence rate").click()
    # Real NHS Digital data: twelve months, so Making Data Count honestly draws no limits yet.
    expect(page.get_by_text("network figure").first).to_be_visible()
    page.wait_for_selector(".vega-embed svg, .vega-embed canvas")
    assert_accessible(page)

    page.goto("/people/?q=a")
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    assert_accessible(page)


def test_a_coordinator_edits_a_network_and_sees_its_history(page: Any) -> None:
    sign_in(page, "coordinator@example.org")
    page.goto("/networks/em-alliance/edit/")
    assert_accessible(page)
    page.get_by_label("Region (optional)").fill("East Midlands region")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/networks/em-alliance/")
    expect(page.get_by_text("Network details saved.")).to_be_visible()
    page.get_by_text("Change history").click()
    expect(page.get_by_text("East Midlands region").first).to_be_visible()
    assert_accessible(page)

    page.goto("/networks/em-alliance/members/")
    assert_accessible(page)
    page.goto("/organisations/new/")
    page.get_by_role("button", name="Save").click()  # empty form: errors, not a crash
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)


def test_an_outsider_sees_public_pages_only(page: Any) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Knowledge Matrix")).to_be_visible()
    assert_accessible(page)
    sign_in(page, "outsider@example.org")
    response = page.goto("/networks/em-alliance/members/")
    assert response is not None
    assert response.status == 403
    assert_accessible(page)


# Pages with wide tables: on a 320 px screen the page reflows and each table scrolls in its
# own box (WCAG 1.4.10); at 1280 px nothing is wider than the window.
WIDE_TABLE_PAGES = (
    "/networks/em-alliance/",
    "/my-work/",
    "/networks/em-mln/gaps/",
    "/library/review/",
    "/board-papers/",
    "/matrix/?view=progress",
    "/matrix/",
)


def _page_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_pages_with_wide_tables_reflow_on_a_narrow_screen(page: Any) -> None:
    sign_in(page, "coordinator@example.org")
    page.set_viewport_size({"width": 1280, "height": 900})
    for address in WIDE_TABLE_PAGES:
        page.goto(address)
        assert _page_width(page) <= 1280, address
    page.set_viewport_size({"width": 320, "height": 640})
    for address in WIDE_TABLE_PAGES:
        page.goto(address)
        assert _page_width(page) <= 320, address
        assert_accessible(page)
    page.goto("/networks/em-alliance/")
    box = page.locator(".km-table-scroll").first
    expect(box).to_have_attribute("role", "region")
    expect(box).to_have_attribute("tabindex", "0")
    box.focus()
    page.keyboard.press("ArrowRight")
    # The keyboard scrolls it (smoothly, so wait for it to move).
    page.wait_for_function("() => document.querySelector('.km-table-scroll').scrollLeft > 0")
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(box).not_to_have_attribute("tabindex", "0")
