"""The indicators API at /api/v1: who sees and changes what, bad bodies, SPC and query counts."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kmatrix.core.tests.helpers import NAMED_USERS, api_call, api_items
from kmatrix.indicators import api, services
from kmatrix.indicators.models import (
    DataPoint,
    DataPointRevision,
    ImportBatch,
    Indicator,
    SeriesResult,
    Target,
)
from kmatrix.networks import models as m
from kmatrix.networks.tests import factories as f

API = "/api/v1"
BASE = f"{API}/networks/alliance/indicators"
USERS = NAMED_USERS
# Fifteen months of sickness absence for two trusts: enough for SPC limits under mdc.
MONTHS = [f"{2023 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}" for i in range(15)]
RXM_DAYS = [(410 + 7 * (i % 4), 10_000) for i in range(15)]
RT5_DAYS = [(520 - 3 * i, 11_000) for i in range(15)]


def long_csv(*rows: str) -> bytes:
    header = "indicator_code,org_code,period,value,numerator,denominator,note"
    return ("\n".join([header, *rows]) + "\n").encode()


def sickness_rows() -> list[str]:
    rows = []
    for code, days in (("RXM", RXM_DAYS), ("RT5", RT5_DAYS)):
        rows += [
            f"sickness-rate,{code},{month},,{lost},{available},"
            for month, (lost, available) in zip(MONTHS, days, strict=True)
        ]
    return rows


@pytest.fixture
def data(world) -> dict[str, Any]:
    """Two trusts in the network, a sickness indicator with 15 months each (imported the way
    users import), and a restricted indicator that only the member is named on."""
    for org in (world.org, world.other_org):
        m.NetworkOrganisation.objects.create(network=world.network, organisation=org)
    sickness = Indicator.objects.create(
        network=world.network,
        code="sickness-rate",
        name="Sickness absence rate",
        unit="percent",
        direction="decrease",
        theme=world.theme,
        numerator_definition="FTE days lost",
        denominator_definition="FTE days available",
        source="NHS Digital",
    )
    Target.objects.create(indicator=sickness, value=4.5, applies_from=date(2023, 4, 1))
    secret = Indicator.objects.create(
        network=world.network,
        code="seclusion-rate",
        name="Seclusion (confidential review)",
        unit="rate_per_1000_obd",
        direction="decrease",
        visibility="restricted",
    )
    secret.restricted_to.add(world.users["member"])
    batch = services.datapoints_import(
        network=world.network, source=long_csv(*sickness_rows()), filename="sickness.csv"
    )
    assert batch.status == "done", batch.errors
    return {"sickness": sickness, "secret": secret, "batch": batch}


call = api_call


def upload(content: bytes, name: str = "points.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


items = api_items


# Permissions: endpoint x named user -> status

S404 = dict.fromkeys(USERS, 404)
NETWORK_READ = {
    **S404,
    "member": 200,
    "theme_lead": 200,
    "coordinator": 200,
    "administrator": 200,
}
COORDINATOR_WRITE = {
    **S404,
    "anonymous": 401,
    "member": 403,
    "theme_lead": 403,
    "coordinator": 201,
    "administrator": 201,
}
COORDINATOR_ONLY = {**S404, "anonymous": 401, "coordinator": 200, "administrator": 200}
NAMED_ONLY = {**S404, "member": 200, "administrator": 200}


def new_point(world) -> dict[str, Any]:
    return {"organisation": "RXM", "period": "2024-07", "numerator": 400, "denominator": 10_000}


def new_file(world) -> dict[str, Any]:
    return {"file": upload(long_csv("sickness-rate,RXM,2024-07,,400,10000,")), "format": "long"}


PERMISSIONS = [
    ("GET", "", None, NETWORK_READ),
    ("GET", "/sickness-rate", None, NETWORK_READ),
    ("GET", "/sickness-rate/points", None, NETWORK_READ),
    ("GET", "/sickness-rate/points?organisation=RXM&from=2023-06&to=2024-03", None, NETWORK_READ),
    ("GET", "/sickness-rate/spc/RXM", None, NETWORK_READ),
    ("POST", "/sickness-rate/points", new_point, COORDINATOR_WRITE),
    ("POST", "/import", new_file, COORDINATOR_WRITE),
    ("GET", "/seclusion-rate", None, NAMED_ONLY),
    ("GET", "/seclusion-rate/points", None, NAMED_ONLY),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "user", "expected"),
    [
        pytest.param(method, path, body, user, statuses[user], id=f"{method} {path} {user}")
        for method, path, body, statuses in PERMISSIONS
        for user in USERS
    ],
)
def test_each_endpoint_answers_each_named_user_as_the_access_rules_say(
    world, data, method, path, body, user, expected
):
    response = call(world.client(user), method, BASE + path, body(world) if body else None)
    assert response.status_code == expected, response.content
    assert response["Content-Type"].startswith("application/json")
    if expected >= 400:
        assert response.json()["detail"]


@pytest.mark.parametrize("user", USERS)
def test_an_import_batch_is_shown_to_the_coordinators_only(world, data, user):
    response = world.client(user).get(f"{API}/import-batches/{data['batch'].pk}")
    assert response.status_code == COORDINATOR_ONLY[user], response.content


def test_whoever_uploaded_a_batch_may_follow_it(world, data):
    data["batch"].uploaded_by = world.users["member"]
    data["batch"].save()
    response = world.client("member").get(f"{API}/import-batches/{data['batch'].pk}")
    assert response.status_code == 200
    assert response.json()["uploaded_by"] == "member@example.org"


def test_a_restricted_indicator_is_left_out_of_the_list_for_those_not_named(world, data):
    codes = [i["code"] for i in items(world.client("coordinator").get(BASE))]
    assert codes == ["sickness-rate"]
    named = items(world.client("member").get(BASE))
    assert [i["code"] for i in named] == ["seclusion-rate", "sickness-rate"]
    assert world.client("member").get(BASE).json()["count"] == 2


def test_a_public_network_shows_its_public_indicators_to_anyone(world, data):
    world.network.visibility = "public"
    world.network.save()
    Indicator.objects.filter(code="sickness-rate").update(visibility="public")
    anonymous = world.client("anonymous")
    assert [i["code"] for i in items(anonymous.get(BASE))] == ["sickness-rate"]
    assert anonymous.get(f"{BASE}/sickness-rate/spc/RXM").status_code == 200
    assert anonymous.get(f"{BASE}/seclusion-rate").status_code == 404
    # Reading is open; writing still needs a coordinator.
    response = call(anonymous, "POST", f"{BASE}/sickness-rate/points", new_point(world))
    assert response.status_code == 401


def test_a_coordinator_cannot_write_to_another_network(world, data):
    world.other_network.visibility = "public"
    world.other_network.save()
    Indicator.objects.create(
        network=world.other_network, code="turnover", name="Turnover", unit="percent",
        direction="decrease", visibility="public",
    )  # fmt: skip
    path = f"{API}/networks/other/indicators/turnover/points"
    response = call(world.client("coordinator"), "POST", path, new_point(world))
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to change this."}


# Reading


def test_the_list_describes_each_indicator(world, data):
    [item] = items(world.client("coordinator").get(BASE))
    assert item == {
        "code": "sickness-rate",
        "name": "Sickness absence rate",
        "unit": "percent",
        "direction": "decrease",
        "frequency": "monthly",
        "theme": {"slug": "safety", "name": "Safety", "framework": "strategic"},
        "source": "NHS Digital",
        "is_illustrative": False,
        "visibility": "network",
    }


def test_the_detail_has_targets_settings_and_each_organisations_latest_value_and_icons(world, data):
    body = world.client("member").get(f"{BASE}/sickness-rate").json()
    assert body["numerator_definition"] == "FTE days lost"
    assert body["targets"] == [{"value": 4.5, "applies_from": "2023-04-01"}]
    assert body["spc"] == {
        "preset": "mdc",
        "run_length": None,
        "screen_outliers": None,
        "baseline_points": None,
        "show_two_sigma": False,
    }
    by_code = {row["organisation"]["ods_code"]: row for row in body["latest"]}
    assert set(by_code) == {"RXM", "RT5"}
    rxm = by_code["RXM"]
    assert rxm["points"] == 15
    assert (rxm["first_period"], rxm["latest_period"]) == ("2023-04-01", "2024-06-01")
    assert rxm["latest_value"] == pytest.approx(100 * RXM_DAYS[-1][0] / 10_000)
    assert rxm["missing_periods"] == []
    stored = SeriesResult.objects.get(indicator=data["sickness"], organisation=world.org)
    assert rxm["variation_icon"] == stored.variation_icon
    assert rxm["assurance_icon"] == stored.assurance_icon
    # RT5 falls by 3 days a month for 15 months: a run of improvement.
    assert by_code["RT5"]["variation_icon"] == "improvement_low"


def test_points_come_by_organisation_and_period_and_can_be_narrowed(world, data):
    client = world.client("member")
    everything = client.get(f"{BASE}/sickness-rate/points?page_size=100").json()
    assert everything["count"] == 30
    assert [p["organisation"] for p in everything["items"]] == ["RT5"] * 15 + ["RXM"] * 15
    narrowed = items(client.get(f"{BASE}/sickness-rate/points?organisation=rxm&from=2024-05"))
    assert narrowed == [
        {
            "organisation": "RXM",
            "period": period,
            "value": pytest.approx(100 * lost / available),
            "numerator": lost,
            "denominator": available,
            "note": "",
        }
        for period, (lost, available) in zip(
            ("2024-05-01", "2024-06-01"), RXM_DAYS[-2:], strict=True
        )
    ]
    assert len(items(client.get(f"{BASE}/sickness-rate/points?to=2023-05-31"))) == 4


def test_points_pages_hold_up_to_a_thousand(world, data):
    page = world.client("member").get(f"{BASE}/sickness-rate/points?page_size=5000").json()
    assert len(page["items"]) == 30  # all of them: the cap is 1,000, above 30
    second = world.client("member").get(f"{BASE}/sickness-rate/points?page=2&page_size=20")
    assert len(second.json()["items"]) == 10


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("organisation=ZZZ", "no organisation has the ODS code ZZZ"),
        ("from=April", "from: "),
        ("to=2024-13", "to: "),
    ],
)
def test_a_bad_filter_is_a_422_that_says_what_is_wrong(world, data, query, message):
    response = world.client("member").get(f"{BASE}/sickness-rate/points?{query}")
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_the_spc_result_is_exactly_what_kmatrix_spc_prints_for_the_series(world, data, tmp_path):
    body = world.client("member").get(f"{BASE}/sickness-rate/spc/RXM").json()
    series = tmp_path / "rxm.csv"
    stored = DataPoint.objects.filter(indicator=data["sickness"], organisation=world.org)
    lines = ["period,value"] + [
        f"{period.isoformat()},{value!r}"
        for period, value in stored.order_by("period").values_list("period", "value")
    ]
    series.write_text("\n".join(lines) + "\n")
    out = io.StringIO()
    call_command("spc", str(series), "--direction", "decrease", "--target", "4.5", stdout=out)
    assert body == json.loads(out.getvalue())
    assert list(body) == ["segments", "points", "variation_icon", "assurance_icon", "warnings"]
    assert body["segments"][0]["upper_limit"] is not None


def test_spc_for_an_organisation_without_data_is_a_404(world, data):
    response = world.client("member").get(f"{BASE}/sickness-rate/spc/RP7")
    assert response.status_code == 404
    assert "No data for RP7" in response.json()["detail"]


# Writing one point


def post_point(world, body: Any, user: str = "coordinator", code: str = "sickness-rate") -> Any:
    return call(world.client(user), "POST", f"{BASE}/{code}/points", body)


def test_a_coordinator_adds_a_point_and_the_series_is_refreshed(world, data):
    response = post_point(world, new_point(world) | {"note": "Winter surge"})
    assert response.status_code == 201, response.content
    assert response.json() == {
        "organisation": "RXM",
        "period": "2024-07-01",
        "value": 4.0,
        "numerator": 400.0,
        "denominator": 10000.0,
        "note": "Winter surge",
    }
    result = SeriesResult.objects.get(indicator=data["sickness"], organisation=world.org)
    assert (result.points, result.latest_period, result.latest_value) == (16, date(2024, 7, 1), 4.0)
    batch = ImportBatch.objects.latest("pk")
    assert (batch.file_format, batch.uploaded_by) == ("api", world.users["coordinator"])


def test_changing_a_point_keeps_a_revision_and_the_same_values_change_nothing(world, data):
    body = {"organisation": "RXM", "period": "15/06/2024", "value": 5.1}
    response = post_point(world, body)
    assert response.status_code == 200, response.content
    assert response.json()["value"] == 5.1
    assert response.json()["numerator"] is None
    revision = DataPointRevision.objects.get()
    assert revision.value == pytest.approx(100 * RXM_DAYS[-1][0] / 10_000)
    batches = ImportBatch.objects.count()
    assert post_point(world, body).status_code == 200
    assert (ImportBatch.objects.count(), DataPointRevision.objects.count()) == (batches, 1)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"value": 140}, "value", "over 100"),
        ({"value": -2}, "value", "negative"),
        ({"numerator": 12, "denominator": 10}, "numerator", "above the denominator"),
        ({"numerator": 12}, "denominator", "blank"),
        ({"value": 4.0, "numerator": 1, "denominator": 10}, "value", "does not agree"),
        ({}, "value", "blank"),
        ({"period": "2099-01", "value": 4}, "period", "future"),
        ({"period": "June", "value": 4}, "period", "June"),
        ({"organisation": "ZZZ", "value": 4}, "organisation", "ZZZ"),
        ({"organisation": "RP7", "value": 4}, "organisation", "not in this indicator's network"),
        ({"value": 4, "note": "x" * 301}, "note", "300"),
    ],
)
def test_a_point_that_fails_the_import_checks_is_a_422_by_field(world, data, body, field, message):
    f.OrganisationFactory(ods_code="RP7", name="Lincolnshire Test Trust")
    points = DataPoint.objects.count()
    response = post_point(world, {"organisation": "RXM", "period": "2024-07"} | body)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert message in " ".join(errors[field]), errors
    assert message in response.json()["detail"]
    assert DataPoint.objects.count() == points


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"organisation": "RXM", "period": "2024-07", "value": 4, "colour": "red"}, 422),
        ({"organisation": "RXM", "period": "2024-07", "value": "four"}, 422),
        ({"period": "2024-07", "value": 4}, 422),
        ("{not json", 400),
    ],
)
def test_a_body_that_does_not_fit_the_schema_is_refused(world, data, body, status):
    response = post_point(world, body)
    assert response.status_code == status, response.content
    assert response.json()["detail"]


def test_a_point_for_a_restricted_indicator_is_a_404_to_a_coordinator_not_named(world, data):
    response = post_point(world, new_point(world), code="seclusion-rate")
    assert response.status_code == 404


# Importing a file


def post_file(world, content: bytes, user: str = "coordinator", **fields: Any) -> Any:
    return world.client(user).post(f"{BASE}/import", {"file": upload(content), **fields})


def test_an_import_returns_its_finished_batch(world, data):
    rows = ["sickness-rate,RXM,2024-07,,400,10000,", "sickness-rate,RT5,2024-07,4.2,,,"]
    same = f"sickness-rate,RXM,2024-06,,{RXM_DAYS[-1][0]},10000,"
    response = post_file(world, long_csv(*rows, same))
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("network", "status", "created", "changed", "unchanged")} == {
        "network": "alliance",
        "status": "done",
        "created": 2,
        "changed": 0,
        "unchanged": 1,
    }
    assert (body["file_format"], body["uploaded_by"], body["errors"]) == (
        "long",
        "coordinator@example.org",
        [],
    )
    assert world.client("coordinator").get(f"{API}/import-batches/{body['id']}").json() == body


def test_a_dry_run_says_what_would_change_and_writes_nothing(world, data):
    points = DataPoint.objects.count()
    content = long_csv("sickness-rate,RXM,2024-07,,400,10000,", "sickness-rate,RXM,2024-06,5,,,")
    response = post_file(world, content, dry_run="true")
    assert response.status_code == 201
    body = response.json()
    assert (body["dry_run"], body["created"], body["changed"]) == (True, 1, 1)
    assert DataPoint.objects.count() == points


def test_a_file_with_problems_imports_nothing_and_lists_them_by_row_and_column(world, data):
    points = DataPoint.objects.count()
    content = long_csv(
        "sickness-rate,RXM,2024-07,4,,,",
        "sickness-rate,RXM,2024-08,104,,,",
        "turnover,RT5,2024-07,4,,,",
    )
    response = post_file(world, content)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("Nothing was imported: the file has 2 problems.")
    where = [(e["row"], e["column"]) for e in body["errors"]]
    assert where == [(3, "value"), (4, "indicator_code")]
    assert body["batch"]["status"] == "failed"
    assert DataPoint.objects.count() == points


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n0000", "chart.png", "PNG"),
        (b"", "empty.csv", ""),
        (b"period,org\n2024-01,RXM\n", "odd.csv", "format"),
    ],
)
def test_a_file_that_is_not_a_data_file_is_a_422(world, data, content, name, message):
    response = world.client("coordinator").post(f"{BASE}/import", {"file": upload(content, name)})
    assert response.status_code == 422, response.content
    assert message in response.json()["detail"]


def test_an_unknown_format_or_a_missing_file_is_refused_by_the_schema(world, data):
    response = post_file(world, long_csv(), format="excel")
    assert response.status_code == 422
    assert response.json()["detail"] == "The request is not valid."
    missing = world.client("coordinator").post(f"{BASE}/import", {"format": "long"})
    assert missing.status_code == 422


def test_the_sickness_format_fills_the_named_indicator(world, data):
    content = (
        b"DATE,ORG_CODE,FTE_DAYS_LOST,FTE_DAYS_AVAILABLE\n"
        b"31/07/2024,RXM,512.5,10250\n31/07/2024,RNX,12,100\n"
    )
    response = post_file(world, content, format="nhs-sickness", indicator="sickness-rate")
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 1  # RNX is not in the network: skipped
    point = DataPoint.objects.get(organisation=world.org, period=date(2024, 7, 1))
    assert point.value == pytest.approx(5.0)


def test_a_large_file_is_queued_for_the_worker(world, data, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(api, "SYNC_IMPORT_MAX_BYTES", 10)
    response = post_file(world, long_csv("sickness-rate,RXM,2024-07,,400,10000,"))
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["created"]) == ("queued", 0)
    assert ImportBatch.objects.get(pk=body["id"]).status == "queued"


# Query counts do not grow with the data


def _grow(world, data, count: int) -> None:
    """``count`` more organisations with a series each, and ``count`` more indicators."""
    rows = []
    for i in range(count):
        org = f.OrganisationFactory(ods_code=f"Q{SeriesResult.objects.count() + i:04d}")
        m.NetworkOrganisation.objects.create(network=world.network, organisation=org)
        rows += [f"sickness-rate,{org.ods_code},{month},4.{i},,," for month in MONTHS[:3]]
        indicator = Indicator.objects.create(
            network=world.network, code=f"extra-{org.ods_code.lower()}", name="Extra",
            unit="count", direction="neutral", theme=world.theme,
        )  # fmt: skip
        Target.objects.create(
            indicator=data["sickness"], value=i, applies_from=date(2000 + indicator.pk, 1, 1)
        )
    batch = services.datapoints_import(network=world.network, source=long_csv(*rows), filename="x")
    assert batch.status == "done", batch.errors


# Signing in with a session and loading the caller's memberships take 7 queries of these.
READS = {
    "": 10,
    "/sickness-rate": 11,
    "/sickness-rate/points": 11,
    "/sickness-rate/spc/RXM": 11,  # the stored analysis, then the values it describes
}


@pytest.mark.parametrize(("path", "pinned"), READS.items())
def test_a_read_asks_the_same_number_of_queries_for_3_or_30_records(
    world, data, path, pinned, django_assert_max_num_queries
):
    client = world.client("coordinator")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(BASE + path)
        assert response.status_code == 200
        return len(captured)

    _grow(world, data, 3)
    few = queries()
    _grow(world, data, 27)
    many = queries()
    assert few == many
    with django_assert_max_num_queries(pinned):
        client.get(BASE + path)
