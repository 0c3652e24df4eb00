"""Time given: logging days (page and API), bad input, and the report against commitment."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kmatrix.core.tests.helpers import NAMED_USERS, api_call, api_items
from kmatrix.improvement import models as im
from kmatrix.improvement import work
from kmatrix.improvement.tests import work_fixtures as wf

pytestmark = pytest.mark.django_db
PAGE = "/networks/alliance/time/"
REPORT = "/networks/alliance/time/report/"
API = "/api/v1/networks/alliance/time-logs"
API_REPORT = "/api/v1/networks/alliance/time-report"


def _this_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def _next_month() -> str:
    return work.add_months(work.month_start(timezone.localdate()), 1).strftime("%Y-%m")


def _log(world, name="member", days="1.0", month=None):
    return im.TimeLog.objects.create(
        person=world.people[name],
        network=world.network,
        month=month or work.month_start(timezone.localdate()),
        days=Decimal(days),
    )


# --- Logging on the page ------------------------------------------------------------------


def test_a_member_logs_days_for_a_month_on_a_plan(world):
    plan = wf.plan(world, title="Seclusion")
    response = world.client("member").post(
        PAGE, {"month": _this_month(), "days": "1.5", "plan": plan.pk, "note": "Workshop"}
    )
    assert response.status_code == 302
    log = im.TimeLog.objects.get()
    assert (log.person, log.days, log.plan, log.month.day) == (
        world.people["member"],
        Decimal("1.5"),
        plan,
        1,
    )
    page = world.client("member").get(PAGE).content.decode()
    assert "Workshop" in page
    assert "1.5" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("days", "0", "more than 0 days"),
        ("days", "-1", "more than 0 days"),
        ("days", "32", "at most 31 days"),
        ("days", "1.25", "one decimal place"),
        ("days", "lots", "as a number"),
        ("month", "next", "for example 2025-03"),
        ("month", "2025-13", "real month"),
    ],
)
def test_bad_input_gets_a_field_error_and_saves_nothing(world, field, value, message):
    data = {"month": _this_month(), "days": "1", "note": "kept"}
    data[field] = value
    response = world.client("member").post(PAGE, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "There is a problem" in html
    assert 'value="kept"' in html  # nothing typed is lost
    assert not im.TimeLog.objects.exists()


def test_a_month_in_the_future_is_refused(world):
    response = world.client("member").post(PAGE, {"month": _next_month(), "days": "1"})
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()


def test_a_plan_of_another_network_is_refused(world):
    foreign = wf.plan(world, network=world.other_network, workstream=None)
    response = world.client("member").post(
        PAGE, {"month": _this_month(), "days": "1", "plan": foreign.pk}
    )
    assert response.status_code == 400
    assert "Choose a plan of this network" in response.content.decode()


def test_the_service_refuses_a_plan_of_another_network(world):
    foreign = wf.plan(world, network=world.other_network, workstream=None)
    with pytest.raises(ValidationError) as caught:
        work.timelog_save(
            log=None,
            person=world.people["member"],
            network=world.network,
            month=timezone.localdate(),
            days=Decimal(1),
            plan=foreign,
        )
    assert "plan" in caught.value.message_dict


def test_a_member_edits_and_deletes_their_own_log(world):
    log = _log(world)
    client = world.client("member")
    edit = f"{PAGE}{log.pk}/edit/"
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"month": _this_month(), "days": "2", "note": "More"})
    assert response.status_code == 302
    log.refresh_from_db()
    assert (log.days, log.note) == (Decimal(2), "More")
    bad = client.post(edit, {"month": _this_month(), "days": "40"})
    assert bad.status_code == 400
    log.refresh_from_db()
    assert log.days == Decimal(2)
    assert client.post(f"{PAGE}{log.pk}/delete/").status_code == 302
    assert not im.TimeLog.objects.exists()


@pytest.mark.parametrize("name", ["theme_lead", "coordinator", "administrator", "other_member"])
def test_nobody_else_edits_or_deletes_a_members_log(world, name):
    log = _log(world)
    client = world.client(name)
    # The administrator has no person record, so no logs of their own: 403 before any lookup.
    expected = 403 if name == "administrator" else 404
    assert client.get(f"{PAGE}{log.pk}/edit/").status_code == expected
    assert client.post(f"{PAGE}{log.pk}/delete/").status_code == expected
    assert im.TimeLog.objects.filter(pk=log.pk).exists()


def test_deleting_needs_a_post(world):
    log = _log(world)
    assert world.client("member").get(f"{PAGE}{log.pk}/delete/").status_code == 405


TIME_PAGE = {
    "anonymous": 302,
    "outsider": 404,
    "member": 200,
    "theme_lead": 200,
    "coordinator": 200,
    "board_reader": 404,  # board readers do not read the network's own pages
    "administrator": 403,  # no person record of their own to log time for
    "other_member": 404,
}


@pytest.mark.parametrize("name", NAMED_USERS)
def test_who_logs_time(world, name):
    assert world.client(name).get(PAGE).status_code == TIME_PAGE[name]


# --- The report ---------------------------------------------------------------------------

REPORT_PAGE = {
    "anonymous": 302,
    "outsider": 404,
    "member": 403,
    "theme_lead": 200,
    "coordinator": 200,
    "board_reader": 404,
    "administrator": 200,
    "other_member": 404,
}


@pytest.mark.parametrize("name", NAMED_USERS)
def test_who_sees_the_report(world, name):
    assert world.client(name).get(REPORT).status_code == REPORT_PAGE[name]


def test_the_report_compares_each_member_and_the_network_with_commitment(world):
    today = timezone.localdate()
    this, last = work.month_start(today), work.add_months(work.month_start(today), -1)
    _log(world, "member", "2.0", this)
    _log(world, "member", "0.5", last)
    _log(world, "theme_lead", "1.0", this)
    start, end = work.report_range(None, None, today)
    report = work.time_report(work_viewer(world, "coordinator"), world.network, start, end)
    assert len(report.months) == 12
    assert report.months[-1] == this
    rows = {r.person.full_name: r for r in report.rows}
    assert "Board Reader" not in rows  # board readers have no days to give
    assert rows["Member"].days[-1] == Decimal(2)
    assert rows["Member"].days[-2] == Decimal("0.5")
    assert rows["Member"].committed_total == Decimal(12)
    assert report.totals[-1] == Decimal(3)
    assert report.total == Decimal("3.5")
    assert report.committed_total == Decimal(36)  # three members, 1 day a month, 12 months


def work_viewer(world, name):
    from kmatrix.core.access import viewer_for

    return viewer_for(world.users[name])


def test_the_report_downloads_as_csv_and_xlsx(world):
    _log(world, "member", "2.0")
    client = world.client("coordinator")
    csv = client.get(REPORT + "?format=csv")
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "member,organisation,month,days logged,days committed" in text
    assert f"Member,Derbyshire Test Trust,{_this_month()},2.0,1.0" in text
    xlsx = client.get(REPORT + "?format=xlsx&start=2024-01&end=2024-03")
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    months = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert months == {"2024-01", "2024-02", "2024-03"}
    assert client.get(REPORT + "?format=pdf").status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2025-06&end=2025-01", "on or before"),
        (f"end={_next_month()}", "cannot be in the future"),
        ("start=1990-01&end=2024-01", "at most 60 months"),
        ("start=soon", "for example 2025-03"),
    ],
)
def test_a_bad_range_is_a_field_error(world, query, message):
    response = world.client("coordinator").get(f"{REPORT}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_chosen_range_shows_those_months(world):
    response = world.client("theme_lead").get(REPORT + "?start=2024-11&end=2025-02")
    html = response.content.decode()
    assert "Nov 2024" in html
    assert "Feb 2025" in html
    assert "Mar 2025" not in html


# --- API ----------------------------------------------------------------------------------


def test_the_api_creates_lists_and_deletes_own_logs(world):
    client = world.client("member")
    created = api_call(client, "post", API, {"month": _this_month(), "days": "1.5"})
    assert created.status_code == 201, created.content
    log_id = created.json()["id"]
    assert [item["id"] for item in api_items(client.get(API))] == [log_id]
    assert api_call(world.client("theme_lead"), "delete", f"{API}/{log_id}").status_code == 404
    assert api_call(client, "delete", f"{API}/{log_id}").status_code == 204
    assert not im.TimeLog.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"month": "2025-03", "days": "0"}, "days"),
        ({"month": "2025-03", "days": "31.5"}, "days"),
        ({"month": "March", "days": "1"}, "month"),
        ({"month": "3000-01", "days": "1"}, "month"),
        ({"month": "2025-03", "days": "1", "plan_id": 999999}, "plan_id"),
    ],
)
def test_the_api_answers_bad_input_with_a_reason(world, body, field):
    response = api_call(world.client("member"), "post", API, body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert response.json()["detail"]
    assert not im.TimeLog.objects.exists()


def test_the_api_refuses_a_plan_of_another_network(world):
    foreign = wf.plan(world, network=world.other_network, workstream=None, visibility="public")
    body = {"month": _this_month(), "days": "1", "plan_id": foreign.pk}
    response = api_call(world.client("member"), "post", API, body)
    assert response.status_code == 422
    assert "plan" in response.json()["errors"]


def test_the_api_refuses_unknown_fields(world):
    body = {"month": _this_month(), "days": "1", "person_id": 1}
    assert api_call(world.client("member"), "post", API, body).status_code == 422


API_LOGS = {
    "anonymous": 401,
    "outsider": 404,
    "member": 200,
    "theme_lead": 200,
    "coordinator": 200,
    "board_reader": 404,
    "administrator": 403,
    "other_member": 404,
}


@pytest.mark.parametrize("name", NAMED_USERS)
def test_who_uses_the_time_log_api(world, name):
    _log(world, "member")
    response = api_call(world.client(name), "get", API)
    assert response.status_code == API_LOGS[name]
    if response.status_code == 200:
        expected = 1 if name == "member" else 0
        assert len(response.json()["items"]) == expected


@pytest.mark.parametrize("name", NAMED_USERS)
def test_who_reads_the_time_report_api(world, name):
    response = api_call(world.client(name), "get", API_REPORT)
    expected = {**REPORT_PAGE, "anonymous": 401}[name]
    assert response.status_code == expected
    if expected == 200:
        assert len(response.json()["months"]) == 12
    else:
        assert response.json()["detail"]


def test_the_report_api_takes_a_range_and_refuses_a_bad_one(world):
    _log(world, "member", "1.0", date(2024, 2, 1))
    client = world.client("coordinator")
    body = client.get(API_REPORT + "?from=2024-01&to=2024-03").json()
    assert body["months"] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    member = next(m for m in body["members"] if m["name"] == "Member")
    assert [float(d) for d in member["days"]] == [0, 1, 0]
    assert client.get(API_REPORT + "?from=2024-05&to=2024-01").status_code == 422
    assert client.get(API_REPORT + "?from=May").status_code == 422


def test_the_report_makes_the_same_number_of_queries_with_more_data(
    world, django_assert_num_queries
):
    from kmatrix.networks.tests import factories as f

    client = world.client("coordinator")

    def grow(count):
        for _ in range(count):
            person = f.PersonFactory(organisation=world.org)
            f.MembershipFactory(person=person, network=world.network, organisation=world.org)
            for back in range(3):
                month = work.add_months(work.month_start(timezone.localdate()), -back)
                im.TimeLog.objects.create(
                    person=person, network=world.network, month=month, days=Decimal(1)
                )

    grow(2)
    with django_assert_num_queries(REPORT_QUERIES):
        small = client.get(REPORT)
    grow(10)
    with django_assert_num_queries(REPORT_QUERIES):
        large = client.get(REPORT)
    assert len(large.content) > len(small.content)


REPORT_QUERIES = 10
