"""The programmes API: the same figures as the pages, the same access, and 4xx with a reason
for every bad amount, year, date or reference."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kmatrix.core.tests.helpers import NAMED_USERS, api_call, api_items
from kmatrix.networks.tests.html import text

API = "/api/v1/networks/alliance/"


def get(world, user, path):
    return world.client(user).get(API + path)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("programmes", (404, 404, 200, 200, 200, 404, 200, 404)),
        ("programmes/patient-safety", (404, 404, 200, 200, 200, 404, 200, 404)),
        ("programmes/secret", (404, 404, 404, 200, 404, 404, 200, 404)),
        ("funding", (404, 404, 200, 200, 200, 404, 200, 404)),
    ],
)
def test_reading_follows_the_access_helper(world, funded, path, expected):
    outcomes = [get(world, user, path).status_code for user in NAMED_USERS]
    assert outcomes == list(expected)


def test_the_list_has_the_figures_of_the_page(world, funded):
    items = api_items(get(world, "member", "programmes"))
    assert [i["name"] for i in items] == ["Patient Safety", "CSW retention", "Gambling service"]
    safety = items[0]
    assert safety["secured"] == {
        "label": "Secured",
        "amount": "400000.00",
        "awards": 1,
        "unquantified": [],
    }
    assert safety["bids"]["amount"] == "50000.00"
    assert items[2]["secured"]["unquantified"] == ["just under £1 million"]
    total = sum(Decimal(i["secured"]["amount"]) for i in items)
    page = text(world.client("member").get("/networks/alliance/programmes/"))
    assert f"£{total:,.0f} in exact amounts" in page


def test_the_funding_summary_agrees_with_its_page(world, funded):
    body = get(world, "member", "funding").json()
    assert body["secured"]["amount"] == "2259640.00"
    assert {t["label"]: t["amount"] for t in body["by_theme"]} == {
        "Safety": "400000.00",
        "Workforce": "1859640.00",
        "No theme": "0.00",
    }
    assert [t["label"] for t in body["by_year"]] == [
        "2021/22",
        "2022/23",
        "2023/24",
        "Financial year not recorded",
    ]
    rxm = next(
        o for o in body["by_organisation"] if o["organisation"]["name"] == "Derbyshire Test Trust"
    )
    assert (rxm["led"]["amount"], rxm["allocated"]) == ("400000.00", "133000.00")


def test_the_detail_has_awards_allocations_and_what_is_left(world, funded):
    body = get(world, "member", "programmes/csw").json()
    # Awards come by financial year, those with none recorded last (as on the page).
    assert [a["financial_years"] for a in body["awards"]] == ["2021/22", "2022/23", "2023/24", ""]
    csw = body["awards"][-1]
    assert (csw["amount"], csw["allocated"], csw["remaining"]) == (
        "1355640.00",
        "566000.00",
        "1355640.00",
    )
    amounts = sorted(a["amount"] for a in csw["allocations"])
    assert amounts == ["133000.00", "133000.00", "300000.00"]


def post(world, user, path, body, method="post"):
    return api_call(world.client(user), method, API + path, body)


AWARD = {"status": "secured", "amount": "1000.00", "first_year": "2023/24"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "-1"}, "amount", "An amount cannot be negative."),
        ({"amount": "10.001"}, "amount", "no more than 2 decimal places"),
        ({"first_year": "2023/25"}, "first_year", "the year starting April 2023 is 2023/24"),
        ({"first_year": "2023/24", "last_year": "2022/23"}, "last_year", "is before the first"),
        ({"funder": 999999}, "funder", "no organisation with this id"),
    ],
)
def test_a_bad_award_is_a_422_naming_the_field(world, funded, changes, field, message):
    response = post(world, "coordinator", "programmes/patient-safety/awards", {**AWARD, **changes})
    assert response.status_code == 422, response.content
    assert message in " ".join(response.json()["errors"][field])


def test_a_non_numeric_amount_is_refused_by_the_schema(world, funded):
    response = post(
        world, "coordinator", "programmes/patient-safety/awards", {**AWARD, "amount": "lots"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "The request is not valid."


def test_an_award_and_its_allocations_are_made_and_checked(world, funded):
    made = post(world, "coordinator", "programmes/patient-safety/awards", AWARD)
    assert made.status_code == 201
    assert made.json()["amount"] == "1000.00"
    award_id = made.json()["id"]
    path = f"programmes/patient-safety/awards/{award_id}/allocations"
    ok = post(
        world,
        "coordinator",
        path,
        {"purpose": "Training", "amount": 600, "organisation": world.org.pk},
    )
    assert ok.status_code == 201
    assert ok.json()["amount"] == "600.00"
    over = post(world, "coordinator", path, {"purpose": "More", "amount": "400.01"})
    assert over.status_code == 422
    assert "at most £400 is left to allocate" in over.json()["detail"]
    shrink = post(
        world,
        "coordinator",
        f"programmes/patient-safety/awards/{award_id}",
        {"amount": "500"},
        "patch",
    )
    assert shrink.status_code == 422
    assert "already add up to £600" in shrink.json()["detail"]


def test_writes_need_a_manager(world, funded):
    assert post(world, "member", "programmes/patient-safety/awards", AWARD).status_code == 403
    assert post(world, "outsider", "programmes/patient-safety/awards", AWARD).status_code == 404
    assert (
        api_call(
            world.client("anonymous"), "post", API + "programmes/patient-safety/awards", AWARD
        ).status_code
        == 401
    )


def test_a_programme_is_made_and_changed(world, funded):
    body = {
        "name": "Open Dialogue pilot",
        "slug": "open-dialogue",
        "theme": world.theme.pk,
        "sponsor": "restrictive-practice",
        "partners": [world.org.pk],
        "status": "planned",
    }
    made = post(world, "coordinator", "programmes", body)
    assert made.status_code == 201, made.content
    assert made.json()["sponsor"]["slug"] == "restrictive-practice"
    bad_dates = post(
        world,
        "coordinator",
        "programmes/open-dialogue",
        {"starts_on": "2023-06-01", "ends_on": "2023-05-01"},
        "patch",
    )
    assert bad_dates.status_code == 422
    assert bad_dates.json()["errors"] == {
        "ends_on": ["The end date must be on or after the start date."]
    }
    duplicate = post(world, "coordinator", "programmes", body)
    assert duplicate.status_code == 422
    assert "slug" in duplicate.json()["errors"]
    unknown = post(world, "coordinator", "programmes", {**body, "slug": "x", "sponsor": "nope"})
    assert unknown.status_code == 422
    assert "sponsor" in unknown.json()["errors"]
    extra = post(world, "coordinator", "programmes", {**body, "slug": "y", "budget": 5})
    assert extra.status_code == 422
