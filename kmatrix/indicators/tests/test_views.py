"""The indicator pages: who sees what, bad input, downloads, imports, and a fixed number of
queries whatever the size of the data.

The data is made with the models (DataPoint rows, then ``series.series_refresh``), as an import
would leave it. Named users come from the ``world`` fixture in kmatrix/conftest.py.
"""

# The permission matrix is a table, one row a line, so that it reads as one.
# ruff: noqa: E501

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kmatrix.core.tests.helpers import NAMED_USERS
from kmatrix.indicators import periods, series
from kmatrix.indicators.models import (
    Annotation,
    DataPoint,
    ImportBatch,
    Indicator,
    SeriesResult,
    Target,
)
from kmatrix.networks import models as m
from kmatrix.networks.tests import factories as f
from kmatrix.networks.tests.html import error_summary, field_error, text

START = date(2023, 4, 1)  # 24 months: April 2023 to March 2025
MONTHS = 24
LATEST = date(2025, 3, 1)
BASE = "/networks/alliance/indicators/"


def month(i: int) -> date:
    return periods.add(START, "monthly", i)


def rxm_numerator(i: int) -> float:
    return 50.0 + (i * 7) % 5  # of 1,000 days available: 5.0% to 5.4%


def rt5_numerator(i: int) -> float:
    return 40.0 + (i * 3) % 4  # of 800 days available: 5.0% to 5.375%


def add_points(indicator, org, values, *, start=0, skip=(), denominator=None):
    """Points for months start, start+1, ...; ``values`` are numerators when a denominator is
    given (the value is then worked out the way the unit says)."""
    rows = []
    for offset, raw in enumerate(values):
        i = start + offset
        if i in skip:
            continue
        if denominator is None:
            rows.append(
                DataPoint(indicator=indicator, organisation=org, period=month(i), value=raw)
            )
        else:
            rows.append(
                DataPoint(
                    indicator=indicator,
                    organisation=org,
                    period=month(i),
                    value=raw / denominator * 100,
                    numerator=raw,
                    denominator=denominator,
                )
            )
    DataPoint.objects.bulk_create(rows)


@dataclass
class Data:
    sickness: Indicator  # real-looking, pooled from numerators and denominators
    turnover: Indicator  # illustrative, values only
    secret: Indicator  # restricted to nobody
    elsewhere: Indicator  # another network's
    late_org: m.Organisation  # its series stops three months early
    gappy_org: m.Organisation  # two months missing


def make_indicator(network, code, **fields):
    defaults = {
        "name": code.replace("-", " ").capitalize(),
        "unit": "percent",
        "direction": "decrease",
    }
    return Indicator.objects.create(network=network, code=code, **{**defaults, **fields})


@pytest.fixture
def data(world) -> Data:
    late_org = f.OrganisationFactory(name="Lincolnshire Test Trust", ods_code="RP7")
    gappy_org = f.OrganisationFactory(name="Northamptonshire Test Trust", ods_code="RP1")
    for org in (world.org, world.other_org, late_org, gappy_org):
        m.NetworkOrganisation.objects.create(network=world.network, organisation=org)
    sickness = make_indicator(
        world.network,
        "sickness-rate",
        name="Sickness absence rate",
        theme=world.theme,
        numerator_definition="FTE days lost",
        denominator_definition="FTE days available",
        source="NHS Digital",
    )
    Target.objects.create(indicator=sickness, value=5.3, applies_from=START)
    add_points(sickness, world.org, [rxm_numerator(i) for i in range(MONTHS)], denominator=1000)
    add_points(
        sickness, world.other_org, [rt5_numerator(i) for i in range(MONTHS)], denominator=800
    )
    add_points(sickness, late_org, [rxm_numerator(i) for i in range(MONTHS - 3)], denominator=1000)
    add_points(
        sickness,
        gappy_org,
        [rxm_numerator(i) for i in range(MONTHS)],
        denominator=1000,
        skip={5, 6},
    )
    series.series_refresh(indicator=sickness)
    turnover = make_indicator(
        world.network, "turnover", name="Staff turnover", is_illustrative=True
    )
    add_points(turnover, world.org, [10 + (i % 3) for i in range(MONTHS)])
    add_points(turnover, world.other_org, [12 + (i % 2) for i in range(MONTHS)])
    series.series_refresh(indicator=turnover)
    secret = make_indicator(
        world.network, "secret", name="Confidential review", visibility="restricted"
    )
    add_points(secret, world.org, [1.0] * 3)
    series.series_refresh(indicator=secret)
    elsewhere = make_indicator(world.other_network, "elsewhere", name="Other network's measure")
    return Data(sickness, turnover, secret, elsewhere, late_org, gappy_org)


# --- Who sees what -------------------------------------------------------------------------

USERS = NAMED_USERS
LOGIN = "LOGIN"

# fmt: off
GET_MATRIX = [
    # page                         address                                                anon   out  mem  lead coord board admin other
    ("dashboard",                  BASE,                                                  404,  404, 200, 200, 200, 404, 200, 404),
    ("indicator",                  BASE + "sickness-rate/",                               404,  404, 200, 200, 200, 404, 200, 404),
    ("indicator charts",           BASE + "sickness-rate/charts/",                        404,  404, 200, 200, 200, 404, 200, 404),
    ("organisation report",        BASE + "organisation/{org}/",                          404,  404, 200, 200, 200, 404, 200, 404),
    ("organisation charts",        BASE + "organisation/{org}/charts/",                   404,  404, 200, 200, 200, 404, 200, 404),
    ("review",                     BASE + "review/?indicator=sickness-rate",              404,  404, 200, 200, 200, 404, 200, 404),
    ("chart",                      BASE + "sickness-rate/{org}/",                         404,  404, 200, 200, 200, 404, 200, 404),
    ("restricted indicator",       BASE + "secret/",                                      404,  404, 404, 404, 404, 404, 200, 404),
    ("restricted chart",           BASE + "secret/{org}/",                                404,  404, 404, 404, 404, 404, 200, 404),
    ("another network's code",     BASE + "elsewhere/",                                   404,  404, 404, 404, 404, 404, 404, 404),
    ("import form",                BASE + "import/",                                      LOGIN, 404, 403, 403, 200, 404, 200, 404),
    ("import batch",               BASE + "import/{batch}/",                              LOGIN, 404, 403, 403, 200, 404, 200, 404),
    ("import progress",            BASE + "import/{batch}/progress/",                     LOGIN, 404, 403, 403, 286, 404, 286, 404),
]
POST_MATRIX = [
    ("chart settings",             BASE + "sickness-rate/{org}/settings/",                LOGIN, 404, 403, 403, 400, 404, 400, 404),
    ("add a note",                 BASE + "sickness-rate/{org}/notes/",                   LOGIN, 404, 403, 403, 400, 404, 400, 404),
    ("remove a note",              BASE + "sickness-rate/{org}/notes/{note}/delete/",     LOGIN, 404, 403, 403, 302, 404, 302, 404),
]
# fmt: on


def _address(template, world, **more):
    return template.format(org=world.org.pk, **more)


def _expectations(matrix):
    return [
        pytest.param(address, user, outcome, id=f"{name}-{user}")
        for name, address, *outcomes in matrix
        for user, outcome in zip(USERS, outcomes, strict=True)
    ]


def _check(response, outcome):
    if outcome == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == outcome


@pytest.mark.parametrize(("address", "user", "outcome"), _expectations(GET_MATRIX))
def test_who_sees_each_page(world, data, address, user, outcome):
    batch = ImportBatch.objects.create(
        network=world.network, filename="a.csv", file_format="long", status="done"
    )
    response = world.client(user).get(_address(address, world, batch=batch.pk))
    _check(response, outcome)


@pytest.mark.parametrize(("address", "user", "outcome"), _expectations(POST_MATRIX))
def test_who_changes_charts(world, data, address, user, outcome):
    note = Annotation.objects.create(indicator=data.sickness, period=month(3), text="Note")
    response = world.client(user).post(_address(address, world, note=note.pk), {"form": ""})
    _check(response, outcome)


def test_board_readers_of_a_public_network_see_only_public_indicators(world, data):
    world.network.visibility = "public"
    world.network.save()
    data.turnover.visibility = "public"
    data.turnover.save()
    for user in ("board_reader", "anonymous", "outsider"):
        client = world.client(user)
        page = text(client.get(BASE))
        assert "Staff turnover" in page
        assert "Sickness absence rate" not in page
        assert client.get(BASE + "sickness-rate/").status_code == 404
        assert client.get(BASE + f"sickness-rate/{world.org.pk}/").status_code == 404
        assert client.get(BASE + f"turnover/{world.org.pk}/").status_code == 200
        rows = csv_rows(client.get(BASE + "?format=csv"))
        assert {row[1] for row in rows[1:]} == {"turnover"}


def test_the_dashboard_lists_only_visible_indicators(world, data):
    page = text(world.client("coordinator").get(BASE))
    assert "Sickness absence rate" in page
    assert "Confidential review" not in page
    assert "Other network's measure" not in page
    assert "Confidential review" in text(world.client("administrator").get(BASE))


# --- What the pages show -------------------------------------------------------------------


def test_the_dashboard_shows_latest_values_icons_and_flags(world, data):
    response = world.client("member").get(BASE)
    page = text(response)
    body = response.content.decode()
    assert "Illustrative figures" in page
    assert "Staff turnover is illustrative" in page
    assert "Safety" in page
    assert "Other indicators" in page
    assert "5.10" in page  # RXM's March 2025 sickness rate: 51 of 1,000 days
    assert "Late: Dec 2024" in page  # Lincolnshire's series stops in December
    assert "2 missing" in page  # Northamptonshire's gap
    assert 'alt="Variation: Common cause variation"' in body
    assert f"{BASE}sickness-rate/{world.org.pk}/" in body


def test_the_dashboard_pages_through_many_providers(world, data):
    for i in range(10):
        org = f.OrganisationFactory(name=f"Zeta Trust {i:02d}")
        m.NetworkOrganisation.objects.create(network=world.network, organisation=org)
    client = world.client("member")
    first = text(client.get(BASE))
    assert "Organisations 1 to 8 of 14" in first
    second = text(client.get(BASE + "?page=2"))
    assert "Zeta Trust 09" in second
    assert "Derbyshire Test Trust" not in second
    found = text(client.get(BASE + "?q=rp7"))
    assert "Lincolnshire Test Trust" in found
    assert "Zeta Trust" not in found
    assert "No member organisation matches" in text(client.get(BASE + "?q=nothing"))
    assert client.get(BASE + "?page=abc").status_code == 200


def test_the_indicator_page_ranks_compares_and_pools(world, data):
    response = world.client("member").get(BASE + "sickness-rate/")
    assert response.status_code == 200
    page = text(response)
    pooled = (rxm_numerator(23) + rt5_numerator(23) + rxm_numerator(23)) / 2800 * 100
    assert f"network figure {pooled:.2f}%" in page
    assert "Pooled: total numerator ÷ total denominator of 3 providers" in page
    assert "Illustrative figures" not in page
    assert "FTE days available" in page
    assert "5.30% from 1 April 2023" in page
    rows = csv_rows(world.client("member").get(BASE + "sickness-rate/?format=csv"))
    by_org = {row[0]: row for row in rows[1:]}
    rxm = by_org["Derbyshire Test Trust"]
    assert rxm[2] == "2025-03-01"
    assert float(rxm[3]) == pytest.approx(5.1)
    assert rxm[4] == "1"  # lower is better: 5.10 beats Leicestershire's 5.125
    # core.exports neutralises a leading minus too, so a fall reads '-0.3 in the CSV.
    assert rxm[6] == str(round(rxm_numerator(23) / 10 - rxm_numerator(22) / 10, 6))
    assert float(rxm[8].lstrip("'")) == pytest.approx(
        rxm_numerator(23) / 10 - rxm_numerator(11) / 10
    )
    assert by_org["Leicestershire Test Trust"][4] == "3"  # tied second place is Northamptonshire
    assert by_org["Lincolnshire Test Trust"][3] == ""
    assert by_org["Lincolnshire Test Trust"][11] == "2024-12-01"
    assert by_org["Northamptonshire Test Trust"][12] == "2023-09-01 2023-10-01"
    network = rows[-1]
    assert network[0].startswith("Network (Pooled")
    assert float(network[3]) == pytest.approx(pooled)


def test_an_indicator_without_numerators_shows_the_mean_as_the_network_figure(world, data):
    page = text(world.client("member").get(BASE + "turnover/"))
    assert "Mean of 2 providers' values" in page
    assert "Staff turnover is illustrative" in page


def inline_spec(response, element_id):
    body = response.content.decode()
    opening = f'id="{element_id}" type="application/json">'
    start = body.index(opening) + len(opening)
    return json.loads(body[start : body.index("</script>", start)])


def test_the_indicator_page_loads_its_small_multiples_with_their_data(world, data):
    response = world.client("member").get(BASE + "sickness-rate/")
    body = response.content.decode()
    fragment_url = BASE + "sickness-rate/charts/?page=1&amp;format=html"
    assert f'hx-get="{fragment_url}" hx-trigger="load"' in body
    fragment = world.client("member").get(fragment_url.replace("&amp;", "&"))
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    spec = inline_spec(fragment, "multiples-spec")
    assert spec["facet"]["sort"][:2] == ["Derbyshire Test Trust", "Leicestershire Test Trust"]
    page = text(fragment)
    assert "Data table for these charts" in page
    assert "April 2023 5.00 5.00" in page  # the first period's values, one column per chart
    chart = world.client("member").get(BASE + "sickness-rate/charts/?format=json")
    assert chart.json()["datasets"]["points"] == spec["datasets"]["points"]


def test_the_small_multiples_page_through_the_providers(world, data):
    for i in range(10):
        org = f.OrganisationFactory(name=f"Zeta Trust {i:02d}")
        m.NetworkOrganisation.objects.create(network=world.network, organisation=org)
        add_points(data.sickness, org, [rxm_numerator(j) for j in range(MONTHS)], denominator=1000)
    series.series_refresh(indicator=data.sickness)
    client = world.client("member")
    page = text(client.get(BASE + "sickness-rate/?charts=2"))
    assert "(organisations 10 to 14 of 14)" in page
    fragment = client.get(BASE + "sickness-rate/charts/?page=2&format=html")
    assert inline_spec(fragment, "multiples-spec")["facet"]["sort"][0] == "Zeta Trust 05"


def test_the_organisation_report_lists_every_indicator_with_icons(world, data):
    response = world.client("member").get(BASE + f"organisation/{world.org.pk}/")
    page = text(response)
    assert "Sickness absence rate" in page
    assert "Staff turnover" in page
    assert "Confidential review" not in page
    assert "5.30%" in page  # the target in force
    assert "Staff turnover is illustrative" in page
    rows = csv_rows(world.client("member").get(BASE + f"organisation/{world.org.pk}/?format=csv"))
    assert [row[1] for row in rows[1:]] == ["sickness-rate", "turnover"]


def test_the_chart_page_has_the_chart_its_table_and_warnings(world, data):
    response = world.client("member").get(BASE + f"sickness-rate/{world.org.pk}/")
    page = text(response)
    body = response.content.decode()
    assert 'data-spec-id="chart-spec"' in body
    assert "Data table" in page
    assert "April 2023" in page
    assert "March 2025" in page
    assert "Chart settings" not in page  # members read; coordinators manage
    result = SeriesResult.objects.get(indicator=data.sickness, organisation=world.org)
    upper = result.analysis["segments"][0]["upper_limit"]
    assert f"{upper:.2f}" in page
    gappy = text(world.client("member").get(BASE + f"sickness-rate/{data.gappy_org.pk}/"))
    assert "Missing periods: 2023-09-01, 2023-10-01" in gappy
    assert "Chart settings" in text(
        world.client("coordinator").get(BASE + f"sickness-rate/{world.org.pk}/")
    )


def test_a_short_series_says_there_are_too_few_points(world, data):
    short = make_indicator(world.network, "short", name="Short measure")
    add_points(short, world.org, [float(i % 4) for i in range(12)])
    series.series_refresh(indicator=short)
    page = text(world.client("member").get(BASE + f"short/{world.org.pk}/"))
    assert "Too few points (12) for SPC limits" in page
    assert "No variation icon" in page


def test_an_organisation_without_data_gets_a_page_not_an_error(world, data):
    org = f.OrganisationFactory(name="New Member Trust")
    m.NetworkOrganisation.objects.create(network=world.network, organisation=org)
    response = world.client("member").get(BASE + f"sickness-rate/{org.pk}/")
    assert response.status_code == 200
    assert "There is no data for New Member Trust" in text(response)
    assert world.client("member").get(BASE + f"organisation/{org.pk}/").status_code == 200


# --- Downloads -----------------------------------------------------------------------------


def csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def xlsx_rows(response):
    assert response.status_code == 200
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return sheet


TABLES = [
    BASE,
    BASE + "sickness-rate/",
    BASE + "organisation/{org}/",
    BASE + "review/?indicator=sickness-rate&first=2024-03",
    BASE + "sickness-rate/{org}/",
    BASE + "sickness-rate/charts/",
    BASE + "organisation/{org}/charts/",
]


@pytest.mark.parametrize("address", TABLES)
def test_every_table_downloads_as_csv_and_xlsx(world, data, address):
    client = world.client("member")
    address = _address(address, world)
    join = "&" if "?" in address else "?"
    rows = csv_rows(client.get(address + join + "format=csv"))
    sheet = xlsx_rows(client.get(address + join + "format=xlsx"))
    assert [c.value for c in sheet[1]] == rows[0]
    assert sheet.max_row == len(rows)


def test_downloads_neutralise_cells_a_spreadsheet_would_run(world, data):
    data.turnover.name = '=HYPERLINK("http://evil.example","x")'
    data.turnover.save()
    client = world.client("member")
    rows = csv_rows(client.get(BASE + "?format=csv"))
    names = {row[2] for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil.example","x")' in names
    sheet = xlsx_rows(client.get(BASE + "?format=xlsx"))
    cells = [row[2] for row in sheet.iter_rows(min_row=2)]
    assert all(not str(c.value).startswith("=") for c in cells)
    assert any(
        c.value == '\'=HYPERLINK("http://evil.example","x")' and c.data_type == "s" for c in cells
    )
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_numbers_in_xlsx_downloads_stay_numbers(world, data):
    sheet = xlsx_rows(
        world.client("member").get(BASE + f"sickness-rate/{world.org.pk}/?format=xlsx")
    )
    first = [c.value for c in sheet[2]]
    assert first[1] == pytest.approx(5.0)
    assert isinstance(first[2], float)  # the mean


@pytest.mark.parametrize(
    "address",
    [
        BASE + "sickness-rate/{org}/",
        BASE + "sickness-rate/charts/",
        BASE + "organisation/{org}/charts/",
    ],
)
def test_charts_download_as_png_and_svg(world, data, address):
    client = world.client("member")
    address = _address(address, world)
    join = "&" if "?" in address else "?"
    png = client.get(address + join + "format=png")
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert "attachment" in png["Content-Disposition"]
    svg = client.get(address + join + "format=svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content[:300]


def test_the_chart_spec_is_json_with_the_stored_limits(world, data):
    response = world.client("member").get(BASE + f"sickness-rate/{world.org.pk}/?format=json")
    spec = response.json()
    result = SeriesResult.objects.get(indicator=data.sickness, organisation=world.org)
    segment = result.analysis["segments"][0]
    points = spec["datasets"]["points"]
    assert len(points) == MONTHS
    assert points[0]["upper_limit"] == segment["upper_limit"]
    assert points[0]["lower_limit"] == segment["lower_limit"]
    assert points[0]["target"] == 5.3
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")


def test_an_unknown_download_format_is_not_found(world, data):
    assert world.client("member").get(BASE + "?format=pdf").status_code == 404
    assert (
        world.client("member").get(BASE + f"sickness-rate/{world.org.pk}/?format=exe").status_code
        == 404
    )


# --- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        BASE + "no-such-code/",
        BASE + "no-such-code/{org}/",
        BASE + "sickness-rate/abc/",
        BASE + "sickness-rate/99999999999999999999999/",
        BASE + "sickness-rate/9223372036854775807/",
        BASE + "sickness-rate/0/",
        BASE + "organisation/{other}/",
        BASE + "sickness-rate/{other}/",
        BASE + "organisation/abc/",
        BASE + "import/abc/",
        "/networks/no-such-network/indicators/",
    ],
)
def test_unknown_or_garbage_addresses_are_not_found(world, data, address):
    stranger = f.OrganisationFactory(name="Not a member")
    response = world.client("administrator").get(
        address.format(org=world.org.pk, other=stranger.pk)
    )
    assert response.status_code == 404


def review(world, **params):
    return world.client("member").get(BASE + "review/", params)


def test_the_review_compares_two_periods_with_the_change(world, data):
    response = review(world, indicator="sickness-rate", first="2023-04", second="2025-03")
    assert response.status_code == 200
    rows = csv_rows(
        world.client("member").get(
            BASE + "review/?indicator=sickness-rate&first=2023-04&second=2025-03&format=csv"
        )
    )
    rxm = next(row for row in rows if row[0] == "Derbyshire Test Trust")
    assert float(rxm[2]) == pytest.approx(rxm_numerator(0) / 10)
    assert float(rxm[3]) == pytest.approx(rxm_numerator(23) / 10)
    assert float(rxm[4]) == pytest.approx((rxm_numerator(23) - rxm_numerator(0)) / 10)
    assert rxm[5] == "Worse"  # 5.0% to 5.1%: lower is better
    assert rows[-1][0].startswith("Network (")
    page = text(response)
    assert "April 2023 and March 2025" in page
    assert "Better or worse" in page


def test_the_review_defaults_to_the_latest_period_and_two_years_before_within_the_data(world, data):
    response = review(world, indicator="sickness-rate")
    assert response.status_code == 200
    assert "April 2023 and March 2025" in text(response)  # two years before is before the data


def test_the_review_starts_with_an_empty_form(world, data):
    response = review(world)
    assert response.status_code == 200
    assert error_summary(response) == []


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"first": "March last year"}, "first", "is not a period"),
        ({"first": "2024-13"}, "first", "is not a real date"),
        ({"first": "31/02/2024"}, "first", "is not a real date"),
        ({"second": "2999-01"}, "second", "The period is in the future."),
        ({"first": "2010-01"}, "first", "There is no data for January 2010"),
        (
            {"first": "2025-03", "second": "2024-03"},
            "first",
            "The earlier period must be before the later one.",
        ),
        ({"indicator": "no-such-code"}, "indicator", "Select a valid choice"),
        ({"indicator": "secret"}, "indicator", "Select a valid choice"),
    ],
)
def test_the_review_shows_bad_periods_as_field_errors(world, data, params, field, message):
    response = review(world, **{"indicator": "sickness-rate", **params})
    assert response.status_code == 400
    assert message in field_error(response, field)


def test_a_nul_character_in_a_period_is_refused_not_an_error(world, data):
    assert review(world, indicator="sickness-rate", first="2024-03\x00").status_code == 400


def test_a_review_of_an_indicator_without_data_says_so(world, data):
    make_indicator(world.network, "empty", name="Empty measure")
    response = review(world, indicator="empty")
    assert response.status_code == 400
    assert field_error(response, "indicator") == "There is no data for this indicator yet."


SETTINGS = {"spc_preset": "mdc", "run_length": "", "screen_outliers": "", "baseline_points": ""}


def settings_post(world, **changes):
    return world.client("coordinator").post(
        BASE + f"sickness-rate/{world.org.pk}/settings/", {**SETTINGS, **changes}
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"run_length": "5"}, "run_length", "Select a valid choice"),
        (
            {"spc_preset": "plotthedots", "run_length": "6"},
            "run_length",
            "A run length of 6 is not allowed",
        ),
        (
            {"spc_preset": "plotthedots", "baseline_points": "5"},
            "baseline_points",
            "at least 12 points",
        ),
        ({"baseline_points": "1"}, "baseline_points", "greater than or equal to 2"),
        ({"baseline_points": "many"}, "baseline_points", "Enter a whole number"),
        ({"spc_preset": "nhs"}, "spc_preset", "Select a valid choice"),
    ],
)
def test_bad_chart_settings_are_field_errors_and_change_nothing(
    world, data, changes, field, message
):
    response = settings_post(world, **changes)
    assert response.status_code == 400
    assert message in field_error(response, field)
    data.sickness.refresh_from_db()
    assert (data.sickness.spc_preset, data.sickness.run_length, data.sickness.baseline_points) == (
        "mdc",
        None,
        None,
    )


def test_saving_chart_settings_recalculates_every_chart(world, data):
    before = SeriesResult.objects.get(indicator=data.sickness, organisation=world.org).analysis
    response = settings_post(
        world, baseline_points="13", show_two_sigma="on", run_length="7", screen_outliers="on"
    )
    assert response.status_code == 302
    assert response["Location"] == BASE + f"sickness-rate/{world.org.pk}/"
    data.sickness.refresh_from_db()
    assert (
        data.sickness.baseline_points,
        data.sickness.run_length,
        data.sickness.screen_outliers,
    ) == (13, 7, True)
    assert data.sickness.show_two_sigma
    after = SeriesResult.objects.get(indicator=data.sickness, organisation=world.org).analysis
    assert after["segments"][0]["mean"] != before["segments"][0]["mean"]
    other = SeriesResult.objects.get(indicator=data.sickness, organisation=world.other_org)
    expected = sum(rt5_numerator(i) / 8 for i in range(13)) / 13
    assert other.analysis["segments"][0]["mean"] == pytest.approx(expected)
    page = text(world.client("coordinator").get(response["Location"]))
    assert "Lower two-sigma" in page


def note_post(world, **fields):
    return world.client("coordinator").post(BASE + f"sickness-rate/{world.org.pk}/notes/", fields)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"period": "", "text": "x"}, "This field is required."),
        ({"period": "someday", "text": "x"}, "is not a period"),
        ({"period": "2999-01", "text": "x"}, "The period is in the future."),
        (
            {"period": "2020-01", "text": "x", "recalculate": "on"},
            "A recalculation starts at a period of this chart after its first: May 2023 to March 2025.",
        ),
        (
            {"period": "2023-04", "text": "x", "recalculate": "on"},
            "A recalculation starts at a period",
        ),
    ],
)
def test_bad_notes_are_field_errors(world, data, fields, message):
    response = note_post(world, **fields)
    assert response.status_code == 400
    assert message in field_error(response, "period")
    assert not Annotation.objects.exists()


def test_a_note_with_a_recalculation_splits_the_chart(world, data):
    response = note_post(world, period="01/04/2024", text="New policy", recalculate="on")
    assert response.status_code == 302
    note = Annotation.objects.get()
    assert (note.period, note.organisation_id, note.recalculate) == (
        date(2024, 4, 1),
        world.org.pk,
        True,
    )
    result = SeriesResult.objects.get(indicator=data.sickness, organisation=world.org)
    assert [s["start"] for s in result.analysis["segments"]] == ["2023-04-01", "2024-04-01"]
    other = SeriesResult.objects.get(indicator=data.sickness, organisation=world.other_org)
    assert len(other.analysis["segments"]) == 1  # the note was for this organisation only
    spec = world.client("member").get(BASE + f"sickness-rate/{world.org.pk}/?format=json").json()
    assert spec["datasets"]["annotations"] == [{"period": "2024-04-01", "text": "New policy"}]
    assert spec["datasets"]["recalculations"][0]["period"] == "2024-04-01"
    response = world.client("coordinator").post(
        BASE + f"sickness-rate/{world.org.pk}/notes/{note.pk}/delete/"
    )
    assert response.status_code == 302
    result = SeriesResult.objects.get(indicator=data.sickness, organisation=world.org)
    assert len(result.analysis["segments"]) == 1


def test_a_note_for_every_organisation_shows_on_each_chart(world, data):
    response = note_post(world, period="2024-06", text="Winter plan", everyone="on")
    assert response.status_code == 302
    page = text(world.client("member").get(BASE + f"sickness-rate/{world.other_org.pk}/"))
    assert "June 2024 : Winter plan" in page


def test_removing_another_indicators_note_is_not_found(world, data):
    note = Annotation.objects.create(indicator=data.turnover, period=month(3), text="Elsewhere")
    response = world.client("coordinator").post(
        BASE + f"sickness-rate/{world.org.pk}/notes/{note.pk}/delete/"
    )
    assert response.status_code == 404
    assert Annotation.objects.filter(pk=note.pk).exists()


# --- Imports -------------------------------------------------------------------------------


@pytest.fixture
def immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path


def upload(world, content, name="points.csv", **fields):
    form = {"upload": SimpleUploadedFile(name, content), "file_format": "auto", **fields}
    return world.client("coordinator").post(BASE + "import/", form)


GOOD_FILE = (
    b"indicator_code,org_code,period,value,numerator,denominator\n"
    b"sickness-rate,RXM,2023-03,5.2,52,1000\n"
    b"sickness-rate,RT5,2023-03,5,40,800\n"
    b"sickness-rate,RXM,2025-03,6,60,1000\n"
)


def test_an_upload_imports_in_the_background_and_shows_the_counts(
    world, data, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(world, GOOD_FILE)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert response["Location"] == BASE + f"import/{batch.pk}/"
    assert (batch.status, batch.created, batch.changed, batch.uploaded_by) == (
        "done",
        2,
        1,
        world.users["coordinator"],
    )
    page = world.client("coordinator").get(response["Location"])
    assert "New values 2" in text(page)
    assert "Changed values 1" in text(page)
    assert "hx-trigger" not in page.content.decode()
    result = SeriesResult.objects.get(indicator=data.sickness, organisation=world.org)
    assert result.first_period == date(2023, 3, 1)  # the new month, and the series refreshed


def test_an_import_with_bad_rows_lists_them_by_row_and_column(
    world, data, immediate_tasks, django_capture_on_commit_callbacks
):
    content = b"indicator_code,org_code,period,value\nsickness-rate,ZZZ,2024-01,5\nsickness-rate,RXM,not-a-date,5\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(world, content)
    batch = ImportBatch.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert batch.status == "failed"
    page = world.client("coordinator").get(response["Location"])
    assert "Nothing was imported" in text(page)
    rows = csv_rows(world.client("coordinator").get(response["Location"] + "?format=csv"))
    assert rows[0] == ["Row", "Column", "Message"]
    assert {(row[0], row[1]) for row in rows[1:]} >= {("2", "org_code"), ("3", "period")}
    assert world.client("coordinator").get(BASE + f"import/{batch.pk}/progress/").status_code == 286


def test_a_dry_run_saves_nothing(world, data, immediate_tasks, django_capture_on_commit_callbacks):
    before = DataPoint.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(world, GOOD_FILE, dry_run="on")
    assert response.status_code == 302
    assert DataPoint.objects.count() == before
    assert "nothing has been saved" in text(world.client("coordinator").get(response["Location"]))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("points.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This file is not a CSV file"),
        ("points.xlsx", b"indicator_code,org_code\n", "This file is not an XLSX workbook."),
        ("points.txt", b"indicator_code,org_code\n", "Choose a CSV or XLSX file"),
        ("points.pdf", b"%PDF-1.4", "Choose a CSV or XLSX file"),
        ("points.csv", b"", "The submitted file is empty."),
    ],
)
def test_an_upload_that_is_not_csv_or_xlsx_is_a_field_error(
    world, data, immediate_tasks, name, content, message
):
    response = upload(world, content, name=name)
    assert response.status_code == 400
    assert message in field_error(response, "upload")
    assert not ImportBatch.objects.exists()


def test_an_upload_over_the_size_limit_is_a_field_error(world, data, immediate_tasks, settings):
    settings.KMATRIX_MAX_UPLOAD_BYTES = 10
    response = upload(world, GOOD_FILE)
    assert response.status_code == 400
    assert "too large" in field_error(response, "upload")


def test_the_sickness_format_needs_its_indicator(world, data, immediate_tasks):
    response = upload(world, GOOD_FILE, file_format="nhs-sickness")
    assert response.status_code == 400
    assert (
        field_error(response, "indicator_code")
        == "Choose the indicator the sickness absence rate goes to."
    )


def test_a_running_import_polls_its_progress(world, data):
    batch = ImportBatch.objects.create(
        network=world.network,
        filename="big.csv",
        file_format="long",
        status="running",
        rows_total=200,
        rows_done=50,
    )
    client = world.client("coordinator")
    page = client.get(BASE + f"import/{batch.pk}/")
    body = page.content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert (
        '<progress id="batch-progress" class="km-progress" max="200" value="50">25%</progress>'
        in body
    )
    assert "Checked 50 of 200 rows (25%)" in text(page)
    partial = client.get(BASE + f"import/{batch.pk}/progress/")
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    batch.status, batch.rows_done, batch.created = "done", 200, 200
    batch.save()
    done = client.get(BASE + f"import/{batch.pk}/progress/")
    assert done.status_code == 286  # htmx stops polling
    assert "New values 200" in text(done)


def test_a_batch_of_another_network_is_not_found(world, data):
    batch = ImportBatch.objects.create(
        network=world.other_network, filename="x.csv", file_format="long"
    )
    assert world.client("administrator").get(BASE + f"import/{batch.pk}/").status_code == 404


# --- Queries -------------------------------------------------------------------------------


def grow(world, data, count):
    """More providers, indicators and months, all visible to the viewer."""
    orgs = []
    for i in range(count):
        org = f.OrganisationFactory(name=f"Growth Trust {i}")
        m.NetworkOrganisation.objects.create(network=world.network, organisation=org)
        orgs.append(org)
    for i in range(count):
        indicator = make_indicator(
            world.network,
            f"grown-{i}",
            name=f"Grown measure {i}",
            theme=world.theme if i % 2 else None,
        )
        Target.objects.create(indicator=indicator, value=3.0, applies_from=START)
        Annotation.objects.create(
            indicator=indicator, period=month(5), text="Note", recalculate=True
        )
        for org in [world.org, *orgs]:
            add_points(indicator, org, [float(j % 7) for j in range(MONTHS)])
        series.series_refresh(indicator=indicator)
    Annotation.objects.create(indicator=data.sickness, period=month(9), text="Another note")
    for org in orgs:
        add_points(data.sickness, org, [rxm_numerator(j) for j in range(MONTHS)], denominator=1000)
    series.series_refresh(indicator=data.sickness)


QUERY_PAGES = {
    "dashboard": BASE,
    "indicator": BASE + "sickness-rate/",
    "organisation report": BASE + "organisation/{org}/",
    "review": BASE + "review/?indicator=sickness-rate&first=2024-03",
    "chart": BASE + "sickness-rate/{org}/",
    "indicator charts": BASE + "sickness-rate/charts/?format=html",
    "organisation charts": BASE + "organisation/{org}/charts/?format=html",
    "dashboard csv": BASE + "?format=csv",
}
# The session, the user and the viewer's memberships are in every count (7 queries); the rest
# is the page's own, the same for 4 providers, 2 indicators and one note as for 11 providers,
# 9 indicators and notes on each.
# fmt: off
EXPECTED_QUERIES = [
    # page                  member  coordinator (who also sees the settings forms)
    ("dashboard",              13,  13),
    ("indicator",              13,  13),
    ("organisation report",    13,  13),
    ("review",                 13,  13),
    ("chart",                  14,  14),
    ("indicator charts",       14,  14),
    ("organisation charts",    14,  14),
    ("dashboard csv",          12,  12),
]
# fmt: on


def _count(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize(("page", "member", "coordinator"), EXPECTED_QUERIES)
def test_each_page_makes_a_fixed_number_of_queries(world, data, page, member, coordinator):
    address = QUERY_PAGES[page].format(org=world.org.pk)
    small = {user: _count(world.client(user), address) for user in ("member", "coordinator")}
    grow(world, data, 7)
    large = {user: _count(world.client(user), address) for user in ("member", "coordinator")}
    assert small == large
    assert small == {"member": member, "coordinator": coordinator}
