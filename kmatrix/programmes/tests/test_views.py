"""The programme pages: who sees and changes what, bad input, downloads that agree with the
pages, and a fixed number of queries however much funding there is."""

# The permission matrix is a table, one row a line, so that it reads as one.
# ruff: noqa: E501

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl  # type: ignore[import-untyped]
import pytest

from kmatrix.core.tests.helpers import LOGIN, NAMED_USERS, outcome, uncovered_routes
from kmatrix.improvement.tests.work_fixtures import plan
from kmatrix.indicators.models import Indicator
from kmatrix.networks.tests.html import error_summary, field_error, text
from kmatrix.programmes import services
from kmatrix.programmes.models import FundingAllocation, Milestone

BLANK_FORM = {"name": ""}
P = "/networks/alliance/programmes/"
SAFETY = P + "patient-safety/"

# fmt: off
MATRIX = [
    # page                          method  address                                   anon   out  mem lead coord board admin other
    ("programmes by theme",          "GET",  P,                                         (404,  404, 200, 200, 200,  404,  200,  404)),
    ("programmes as CSV",            "GET",  P + "?format=csv",                         (404,  404, 200, 200, 200,  404,  200,  404)),
    ("programmes as XLSX",           "GET",  P + "?format=xlsx",                        (404,  404, 200, 200, 200,  404,  200,  404)),
    ("funding summary",              "GET",  P + "funding/",                            (404,  404, 200, 200, 200,  404,  200,  404)),
    ("funding table as CSV",         "GET",  P + "funding/?table=funder&format=csv",    (404,  404, 200, 200, 200,  404,  200,  404)),
    ("programme",                    "GET",  SAFETY,                                    (404,  404, 200, 200, 200,  404,  200,  404)),
    ("restricted programme (lead)",  "GET",  P + "secret/",                             (404,  404, 404, 200, 404,  404,  200,  404)),
    ("another network's programme",  "GET",  "/networks/other/programmes/elsewhere/",   (404,  404, 404, 404, 404,  404,  200,  200)),
    ("new programme",                "GET",  P + "new/",                                (LOGIN, 404, 403, 403, 200, 404,  200,  404)),
    ("new programme",                "POST", P + "new/",                                (LOGIN, 404, 403, 403, 400, 404,  400,  404)),
    ("edit programme",               "GET",  SAFETY + "edit/",                          (LOGIN, 404, 403, 403, 200, 404,  200,  404)),
    ("edit programme",               "POST", SAFETY + "edit/",                          (LOGIN, 404, 403, 403, 400, 404,  400,  404)),
    ("edit the restricted one",      "GET",  P + "secret/edit/",                        (LOGIN, 404, 404, 403, 404, 404,  200,  404)),
    ("new award",                    "GET",  SAFETY + "awards/new/",                    (LOGIN, 404, 403, 403, 200, 404,  200,  404)),
    ("new award",                    "POST", SAFETY + "awards/new/",                    (LOGIN, 404, 403, 403, 400, 404,  400,  404)),
    ("edit award",                   "GET",  SAFETY + "awards/{award}/edit/",           (LOGIN, 404, 403, 403, 200, 404,  200,  404)),
    ("edit award",                   "POST", SAFETY + "awards/{award}/edit/",           (LOGIN, 404, 403, 403, 400, 404,  400,  404)),
    ("another programme's award",    "GET",  SAFETY + "awards/{csw}/edit/",             (LOGIN, 404, 403, 403, 404, 404,  404,  404)),
    ("allocate",                     "GET",  P + "csw/awards/{csw}/allocations/new/",   (LOGIN, 404, 403, 403, 200, 404,  200,  404)),
    ("allocate",                     "POST", P + "csw/awards/{csw}/allocations/new/",   (LOGIN, 404, 403, 403, 400, 404,  400,  404)),
    ("remove an allocation",         "POST", P + "csw/awards/{csw}/allocations/{fresh_allocation}/delete/", (LOGIN, 404, 403, 403, 302, 404, 302, 404)),
    ("remove, wrong method",         "GET",  P + "csw/awards/{csw}/allocations/{allocation}/delete/",       (LOGIN, 405, 405, 405, 405, 405, 405, 405)),
    ("new milestone",                "GET",  SAFETY + "milestones/new/",                (LOGIN, 404, 403, 403, 200, 404,  200,  404)),
    ("new milestone",                "POST", SAFETY + "milestones/new/",                (LOGIN, 404, 403, 403, 400, 404,  400,  404)),
    ("edit milestone",               "GET",  SAFETY + "milestones/{milestone}/edit/",   (LOGIN, 404, 403, 403, 200, 404,  200,  404)),
    ("edit milestone",               "POST", SAFETY + "milestones/{milestone}/edit/",   (LOGIN, 404, 403, 403, 400, 404,  400,  404)),
    ("new update",                   "GET",  SAFETY + "updates/new/",                   (LOGIN, 404, 403, 403, 200, 404,  200,  404)),
    ("new update",                   "POST", SAFETY + "updates/new/",                   (LOGIN, 404, 403, 403, 400, 404,  400,  404)),
    ("link an indicator",            "GET",  SAFETY + "links/new/",                     (LOGIN, 404, 403, 403, 200, 404,  200,  404)),
    ("link an indicator",            "POST", SAFETY + "links/new/",                     (LOGIN, 404, 403, 403, 400, 404,  400,  404)),
    ("link an improvement plan",     "GET",  SAFETY + "links/new-plan/",                (LOGIN, 404, 403, 403, 200, 404,  200,  404)),
    ("link an improvement plan",     "POST", SAFETY + "links/new-plan/",                (LOGIN, 404, 403, 403, 400, 404,  400,  404)),
    ("plan page's programmes part",  "GET",  "/networks/alliance/plans/{plan}/programmes/", (404, 404, 200, 200, 200, 404,  200,  404)),
    ("a draft plan's programmes",    "GET",  "/networks/alliance/plans/{draft}/programmes/", (404, 404, 404, 200, 200, 404,  200,  404)),
    ("remove a link",                "POST", SAFETY + "links/{fresh_link}/delete/",     (LOGIN, 404, 403, 403, 302, 404,  302,  404)),
    ("remove a link, wrong method",  "GET",  SAFETY + "links/{link}/delete/",           (LOGIN, 405, 405, 405, 405, 405,  405,  405)),
]
# fmt: on


@pytest.fixture
def indicator(world):
    return Indicator.objects.create(
        network=world.network,
        code="restraint",
        name="Restraint",
        unit="count",
        direction="decrease",
    )


@pytest.fixture
def ids(world, funded, indicator):
    milestone = services.milestone_save(
        programme=funded.safety, title="Learning event", status="achieved"
    )
    link = services.link_add(programme=funded.safety, indicator=indicator)
    return {
        "plan": plan(world).pk,
        # A draft is read by its authors and reviewers: the theme lead leads the workstream.
        "draft": plan(world, status="draft", lead=world.people["theme_lead"]).pk,
        "award": funded.safety.awards.first().pk,
        "csw": funded.csw.pk,
        "allocation": funded.csw.allocations.first().pk,
        "milestone": milestone.pk,
        "link": link.pk,
    }


def _fresh(name, funded, indicator):
    """A new record for each user to remove (the first who may would remove a shared one)."""
    if name == "fresh_allocation":
        return FundingAllocation.objects.create(
            award=funded.csw, purpose="Spare", amount=Decimal("1")
        ).pk
    funded.safety.links.all().delete()
    return services.link_add(programme=funded.safety, indicator=indicator).pk


@pytest.mark.parametrize(
    ("method", "address", "expected"),
    [
        pytest.param(method, address, expected, id=f"{method} {page}")
        for page, method, address, expected in MATRIX
    ],
)
def test_each_named_user_gets_the_outcome_in_the_matrix(
    world, funded, indicator, ids, method, address, expected
):
    outcomes = {}
    for name in NAMED_USERS:
        values = dict(ids)
        for key in ("fresh_allocation", "fresh_link"):
            if "{" + key + "}" in address:
                values[key] = _fresh(key, funded, indicator)
        client = world.client(name)
        url = address.format(**values)
        response = client.get(url) if method == "GET" else client.post(url, BLANK_FORM)
        outcomes[name] = outcome(response)
    assert outcomes == dict(zip(NAMED_USERS, expected, strict=True))


def test_the_matrix_covers_every_address_of_the_app():
    from kmatrix.programmes.urls import urlpatterns

    assert uncovered_routes(urlpatterns, [address for _p, _m, address, _e in MATRIX]) == []


# --- What the pages show -------------------------------------------------------------------


def test_programmes_are_listed_under_their_themes_with_exact_totals(world, funded):
    page = text(world.client("member").get(P))
    assert (
        page.index("Safety")
        < page.index("Patient Safety")
        < page.index("Workforce")
        < page.index("CSW retention")
    )
    # 400,000 + 1,355,640 + 150,000 + 177,000 + 177,000; the gambling service has no figure.
    assert (
        "£2,259,640 in exact amounts, plus just under £1 million (no exact figure, so not added in)"
        in page
    )
    assert "Total for Safety £400,000" in page
    assert "Total for Workforce £1,859,640" in page
    assert "Bids not yet secured: £50,000" in page
    assert "No theme" in page
    assert "No exact figure: just under £1 million" in page
    assert "Confidential bid" not in page
    assert "Elsewhere" not in page


def test_the_theme_lead_named_on_a_restricted_programme_sees_it_in_the_totals(world, funded):
    page = text(world.client("theme_lead").get(P))
    assert "Confidential bid" in page
    assert "£2,260,639 in exact amounts" in page


def test_the_funding_summary_totals_by_theme_funder_year_and_organisation(world, funded):
    page = text(world.client("member").get(P + "funding/"))
    assert "£2,259,640 in exact amounts from 5 awards, plus just under £1 million" in page
    assert "Workforce £1,859,640 4" in page
    assert "Health Education England £1,355,640 1" in page
    assert "Regional funding (funder not named) £400,000 1" in page
    assert "2021/22 £150,000 1" in page
    assert "2023/24 £177,000 1" in page
    assert "Financial year not recorded £1,755,640 3 just under £1 million" in page
    # RXM leads Patient Safety (£400,000) and is allocated £133,000 of the CSW award.
    assert "Derbyshire Test Trust £400,000 £133,000" in page
    assert "Bid £50,000 1" in page


def test_the_programme_page_shows_awards_allocations_and_what_is_left(world, funded):
    page = text(world.client("member").get(P + "csw/"))
    assert "£1,355,640" in page
    assert "Allocated £566,000, £789,640 not yet allocated" in page
    assert "Recruitment element £300,000" in page
    assert "Drawn down £0, £1,355,640 left" in page


def _csv(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def _xlsx(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_downloads_hold_the_page_figures(world, funded):
    client = world.client("member")
    rows = _csv(client.get(P + "?format=csv"))
    assert rows[0][:2] == ["Theme", "Programme"]
    safety = next(r for r in rows if r[1] == "Patient Safety")
    assert safety[6] == "400000.00"
    assert safety[8] == "50000.00"
    book = _xlsx(client.get(P + "?format=xlsx"))
    workforce = [r for r in book if r[0] == "Workforce"]
    assert sum(Decimal(str(r[6])) for r in workforce) == Decimal("1859640")
    gambling = next(r for r in book if r[1] == "Gambling service")
    assert gambling[7] == "just under £1 million"
    by_funder = _csv(client.get(P + "funding/?table=funder&format=csv"))
    assert ["Health Education England", "1355640.00", "1", ""] in by_funder
    assert client.get(P + "funding/?table=nonsense&format=csv").status_code == 404
    assert client.get(P + "?format=pdf").status_code == 404


# --- Bad input -----------------------------------------------------------------------------


def _award_form(**changes):
    return {
        "status": "secured",
        "amount": "1000",
        "amount_note": "",
        "funder_note": "",
        "first_year": "",
        "last_year": "",
        "term_years": "",
        "secured_on": "",
        "notes": "",
        "funder": "",
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "-5"}, "amount", "An amount cannot be negative."),
        ({"amount": "lots"}, "amount", "Enter an amount in pounds using digits only"),
        ({"amount": "100.005"}, "amount", "no more than 2 decimal places"),
        ({"amount": "1e6"}, "amount", "digits only"),
        ({"amount": "", "amount_note": ""}, "amount_note", "Give the exact amount"),
        (
            {"first_year": "2022/24"},
            "first_year",
            "they run from April to March, so the year starting April 2022 is 2022/23",
        ),
        ({"first_year": "2022"}, "first_year", "write it as 2022/23"),
        ({"first_year": "2023/24", "last_year": "2022/23"}, "last_year", "is before the first"),
        ({"term_years": "0"}, "term_years", "greater than or equal to 1"),
    ],
)
def test_a_bad_award_is_shown_again_with_the_reason(world, funded, changes, field, message):
    response = world.client("coordinator").post(SAFETY + "awards/new/", _award_form(**changes))
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert error_summary(response)
    assert funded.safety.awards.count() == 2  # nothing saved


def test_a_good_award_is_saved_exactly(world, funded):
    response = world.client("coordinator").post(
        SAFETY + "awards/new/", _award_form(amount="£1,234.50", first_year="2024-25")
    )
    assert response.status_code == 302
    made = funded.safety.awards.get(first_year=2024)
    assert made.amount == Decimal("1234.50")


def test_an_allocation_over_the_award_is_a_field_error(world, funded):
    response = world.client("coordinator").post(
        P + f"csw/awards/{funded.csw.pk}/allocations/new/",
        {"purpose": "Too much", "amount": "789,640.01", "organisation": "", "notes": ""},
    )
    assert response.status_code == 400
    assert "at most £789,640 is left to allocate" in field_error(response, "amount")


def test_an_end_before_the_start_is_a_field_error_on_the_page(world, funded):
    response = world.client("coordinator").post(
        SAFETY + "edit/",
        {
            "name": "Patient Safety",
            "slug": "patient-safety",
            "status": "active",
            "visibility": "network",
            "starts_on": "2023-06-01",
            "ends_on": "2023-01-01",
        },
    )
    assert response.status_code == 400
    assert field_error(response, "ends_on") == "The end date must be on or after the start date."


def test_a_programme_is_made_and_changed_through_the_form(world, funded):
    client = world.client("coordinator")
    response = client.post(
        P + "new/",
        {
            "name": "Open Dialogue pilot",
            "slug": "open-dialogue",
            "status": "planned",
            "visibility": "public",
            "theme": world.theme.pk,
            "partners": [world.org.pk],
            "summary": "Two wards",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == P + "open-dialogue/"
    page = text(client.get(P + "open-dialogue/"))
    assert "Open Dialogue pilot" in page
    assert "Derbyshire Test Trust" in page


def test_a_milestone_and_an_update_are_added(world, funded):
    client = world.client("coordinator")
    client.post(
        SAFETY + "milestones/new/",
        {
            "title": "Postholder in place",
            "status": "planned",
            "on": "2023-06-30",
            "precision": "day",
            "when_note": "",
        },
    )
    client.post(
        SAFETY + "updates/new/",
        {"on": "2023-06-15", "text": "Regional funding secured.", "source": "Board paper"},
    )
    page = text(client.get(SAFETY))
    assert "Postholder in place 30 June 2023 Planned" in page
    assert "15 June 2023 (Board paper) Regional funding secured." in page
    assert Milestone.objects.filter(programme=funded.safety).count() == 1


def test_an_unknown_download_format_or_page_number_is_never_a_500(world, funded):
    client = world.client("coordinator")
    assert client.get(P + "?format=%00").status_code == 400  # the middleware refuses NUL
    assert client.get(P + "?format=pdf").status_code == 404
    assert client.get(P + "nonexistent/").status_code == 404
    assert client.get(SAFETY + "awards/999999/edit/").status_code == 404
    assert (
        client.get(P + f"csw/awards/{funded.csw.pk}/allocations/999999/delete/").status_code == 405
    )
