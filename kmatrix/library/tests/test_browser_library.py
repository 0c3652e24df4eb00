"""The library's demo journey in Debian's Chromium (Playwright), every page checked by axe-core.

A member finds a phrase that appears only inside an uploaded slide deck, and sees the NEYH and
NW MLNs' shared items through the Knowledge Matrix; an outsider, and a visitor who is not
signed in, find nothing restricted by any route: page, search, facet counts, feed, export, API.
"""

# The fixtures (browser, page) come from the demo's journeys, so their names are parameters.
# ruff: noqa: F811

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kmatrix.demo.tests.test_browser_journeys import (  # noqa: F401 - fixtures used by name
    assert_accessible,
    browser,
    page,
    sign_in,
)
from kmatrix.library.demo import DECK_PHRASE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DECK = "Dementia awareness in the general hospital: training slides"
HIDDEN = (
    DECK,
    "Restrictive practice review: the Alliance-wide summary",
    "Derbyshire Healthcare's own report",
    "notes on individual incidents",
    "Intermediate care in-reach to care homes",
    "Workstream budget notes",
    "A carers' feedback loop",
)


def test_a_member_finds_words_inside_a_slide_deck_and_partners_items(page: Any) -> None:
    sign_in(page, "member@example.org")
    # The one search box sits in the header of every page.
    page.get_by_label("Search Knowledge Matrix").fill(DECK_PHRASE)
    page.get_by_label("Search Knowledge Matrix").press("Enter")
    expect(page.get_by_role("heading", name="1 result for")).to_be_visible()
    hit = page.locator(".km-hit").first
    expect(hit.get_by_role("link")).to_have_text(DECK)
    expect(hit.locator("mark").first).to_have_text("sundowning")
    assert_accessible(page)
    # The phrase is in the deck, not in anything typed on the resource.
    hit.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text(DECK)
    expect(page.get_by_text("Illustrative example")).to_be_visible()
    expect(page.get_by_role("link", name="dementia-in-the-general-hospital.pptx")).to_be_visible()
    expect(page.get_by_text("Text read: search finds words inside it")).to_be_visible()
    assert DECK_PHRASE not in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Knowledge Matrix", exact=True).click()
    expect(page.get_by_role("heading", name="Knowledge Matrix")).to_be_visible()
    neyh = page.get_by_role("row").filter(has_text="NEYH MLN")
    expect(neyh).to_contain_text("partner network")
    expect(page.get_by_role("row").filter(has_text="NW MLN")).to_contain_text("partner network")
    assert_accessible(page)
    neyh.get_by_role("link", name="Specialist CMHT/Intermediate care: 1 positive practice").click()
    expect(
        page.get_by_role("link", name="Intermediate care in-reach to care homes")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Workstream budget notes")).to_have_count(0)
    assert_accessible(page)
    # The partner's shared plans, from the same grid; its unshared plan stays at home.
    page.go_back()
    neyh.get_by_role("link", name="Specialist CMHT/Intermediate care: 1 published plan").click()
    page.get_by_role("link", name="Weekly intermediate care rounds in care homes").click()
    expect(page.get_by_role("heading", name="Weekly intermediate care rounds")).to_be_visible()
    expect(page.get_by_text("shared with partner networks once published")).to_be_visible()
    assert_accessible(page)
    page.goto("/networks/neyh-mln/plans/")
    expect(page.get_by_role("link", name="Workstream budget review")).to_have_count(0)
    page.goto("/matrix/?view=progress")
    expect(page.get_by_role("table")).to_contain_text("with a measured outcome")
    assert_accessible(page)


def _nothing_hidden(text: str) -> None:
    for title in HIDDEN:
        assert title not in text, title


def test_an_outsider_finds_nothing_restricted_by_any_route(page: Any) -> None:
    sign_in(page, "outsider@example.org")
    _every_route_for_someone_outside(page)


def test_a_visitor_not_signed_in_finds_nothing_restricted_by_any_route(page: Any) -> None:
    _every_route_for_someone_outside(page)


def _every_route_for_someone_outside(page: Any) -> None:
    page.goto(f"/search/?q={DECK_PHRASE}")
    expect(page.get_by_role("heading", name="0 results for")).to_be_visible()
    assert_accessible(page)
    for words in ("restrictive practice", "intermediate care", "budget", "carers", "report"):
        page.goto(f"/search/?q={words}")
        _nothing_hidden(page.locator("main").inner_text())
    # Facets count only what they may read: the public items, of two networks at most.
    page.goto("/search/?q=the")
    facets = page.locator(".km-facets").inner_text()
    assert "NEYH" not in facets
    assert "NW MLN" not in facets
    page.goto("/library/")
    _nothing_hidden(page.locator("main").inner_text())
    expect(page.get_by_role("link", name="Keeping clinical support workers")).to_be_visible()
    assert_accessible(page)
    page.goto("/matrix/")
    expect(page.get_by_text("partner network")).to_have_count(0)
    assert_accessible(page)

    deck_id = _deck_id(page)
    assert page.request.get(f"/library/{deck_id}/").status == 404
    assert page.request.get(f"/library/{deck_id}/files/status/").status == 404
    assert page.request.get(f"/api/v1/library/resources/{deck_id}").status == 404
    for address in (
        "/library/export.csv",
        "/library/export.json",
        "/library/positive-practice.atom",
        "/api/v1/library/resources?page_size=100",
        f"/api/v1/search?q={DECK_PHRASE}",
        "/api/v1/search?q=report",
        "/api/v1/matrix",
    ):
        response = page.request.get(address)
        assert response.status == 200, address
        _nothing_hidden(response.text())
    assert page.request.get(f"/api/v1/search?q={DECK_PHRASE}").json()["total"] == 0


def _deck_id(page: Any) -> int:
    from kmatrix.library.models import Resource

    return Resource.objects.get(title=DECK).pk
