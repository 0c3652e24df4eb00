"""The meeting pages: who sees and changes what, what they show, bad input, and downloads that
agree with the pages."""

# The permission matrix is a table, one row a line, so that it reads as one.
# ruff: noqa: E501

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl  # type: ignore[import-untyped]
import pytest

from kmatrix.core.tests.helpers import LOGIN, NAMED_USERS, outcome, uncovered_routes
from kmatrix.improvement.tests.work_fixtures import plan
from kmatrix.meetings import services
from kmatrix.meetings.models import AgendaItem, Meeting
from kmatrix.networks.tests.html import error_summary, field_error, text

BLANK_FORM = {"name": ""}
N = "/networks/alliance/"
M = N + "meetings/{may}/"
G = N + "groups/restrictive-practice/meetings/"

# fmt: off
MATRIX = [
    # page                          method  address                                     anon   out  mem lead coord board admin other
    ("network's meetings",           "GET",  N + "meetings/",                             (404,  404, 200, 200, 200,  404,  200,  404)),
    ("network's meetings as CSV",    "GET",  N + "meetings/?format=xlsx",                 (404,  404, 200, 200, 200,  404,  200,  404)),
    ("meeting",                      "GET",  M,                                           (404,  404, 200, 200, 200,  404,  200,  404)),
    ("restricted meeting (lead)",    "GET",  N + "meetings/{secret}/",                    (404,  404, 404, 200, 404,  404,  200,  404)),
    ("another network's meeting",    "GET",  "/networks/other/meetings/{elsewhere}/",     (404,  404, 404, 404, 404,  404,  200,  200)),
    ("edit meeting (lead chairs)",   "GET",  M + "edit/",                                 (LOGIN, 404, 403, 200, 200, 404,  200,  404)),
    ("edit meeting",                 "POST", M + "edit/",                                 (LOGIN, 404, 403, 400, 400, 404,  400,  404)),
    ("add agenda item",              "GET",  M + "agenda/new/",                           (LOGIN, 404, 403, 200, 200, 404,  200,  404)),
    ("add agenda item",              "POST", M + "agenda/new/",                           (LOGIN, 404, 403, 400, 400, 404,  400,  404)),
    ("edit agenda item",             "GET",  M + "agenda/{item}/edit/",                   (LOGIN, 404, 403, 200, 200, 404,  200,  404)),
    ("edit agenda item",             "POST", M + "agenda/{item}/edit/",                   (LOGIN, 404, 403, 400, 400, 404,  400,  404)),
    ("remove agenda item",           "POST", M + "agenda/{fresh_item}/delete/",           (LOGIN, 404, 403, 302, 302, 404,  302,  404)),
    ("remove, wrong method",         "GET",  M + "agenda/{item}/delete/",                 (LOGIN, 405, 405, 405, 405, 405,  405,  405)),
    ("attendance",                   "GET",  M + "attendance/",                           (LOGIN, 404, 403, 200, 200, 404,  200,  404)),
    ("attendance (none marked)",     "POST", M + "attendance/",                           (LOGIN, 404, 403, 302, 302, 404,  302,  404)),
    ("minutes",                      "GET",  M + "minutes/",                              (LOGIN, 404, 403, 200, 200, 404,  200,  404)),
    ("minutes",                      "POST", M + "minutes/",                              (LOGIN, 404, 403, 400, 400, 404,  400,  404)),
    ("record a decision",            "GET",  M + "decisions/new/",                        (LOGIN, 404, 403, 200, 200, 404,  200,  404)),
    ("record a decision",            "POST", M + "decisions/new/",                        (LOGIN, 404, 403, 400, 400, 404,  400,  404)),
    ("edit decision 1",              "GET",  M + "decisions/1/edit/",                     (LOGIN, 404, 403, 200, 200, 404,  200,  404)),
    ("edit decision 1",              "POST", M + "decisions/1/edit/",                     (LOGIN, 404, 403, 400, 400, 404,  400,  404)),
    ("edit decision 9 (none)",       "GET",  M + "decisions/9/edit/",                     (LOGIN, 404, 403, 404, 404, 404,  404,  404)),
    ("add an action",                "GET",  M + "actions/new/",                          (LOGIN, 404, 403, 200, 200, 404,  200,  404)),
    ("add an action",                "POST", M + "actions/new/",                          (LOGIN, 404, 403, 400, 400, 404,  400,  404)),
    ("group's meetings",             "GET",  G,                                           (404,  404, 200, 200, 200,  404,  200,  404)),
    ("group page's meetings part",   "GET",  G + "section/",                              (404,  404, 200, 200, 200,  404,  200,  404)),
    ("group's calendar",             "GET",  G + "calendar.ics",                          (404,  404, 200, 200, 200,  404,  200,  404)),
    ("new meeting of the group",     "GET",  G + "new/",                                  (LOGIN, 404, 403, 200, 200, 404,  200,  404)),
    ("new meeting of the group",     "POST", G + "new/",                                  (LOGIN, 404, 403, 400, 400, 404,  400,  404)),
    ("schedule meetings",            "GET",  G + "schedule/",                             (LOGIN, 404, 403, 200, 200, 404,  200,  404)),
    ("schedule meetings",            "POST", G + "schedule/",                             (LOGIN, 404, 403, 400, 400, 404,  400,  404)),
    ("programme's decisions",        "GET",  N + "programmes/patient-safety/decisions/",  (404,  404, 200, 200, 200,  404,  200,  404)),
    ("plan page's decisions part",   "GET",  N + "plans/{plan}/decisions/",               (404,  404, 200, 200, 200,  404,  200,  404)),
    ("a draft plan's decisions",     "GET",  N + "plans/{draft}/decisions/",              (404,  404, 404, 200, 200,  404,  200,  404)),
    ("action tracker",               "GET",  "/actions/",                                 (LOGIN, 200, 200, 200, 200, 200,  200,  200)),
    ("action tracker as CSV",        "GET",  "/actions/?status=all&format=csv",           (LOGIN, 200, 200, 200, 200, 200,  200,  200)),
    ("my actions",                   "GET",  "/actions/mine/",                            (LOGIN, 200, 200, 200, 200, 200,  200,  200)),
    ("action",                       "GET",  "/actions/{a}/",                             (404,  404, 200, 200, 200,  404,  200,  404)),
    ("action in a restricted meeting", "GET", "/actions/{secret_action}/",                (404,  404, 404, 200, 404,  404,  200,  404)),
    ("record progress (member owns)", "POST", "/actions/{a}/progress/",                   (LOGIN, 404, 400, 400, 400, 404,  400,  404)),
    ("record progress, wrong method", "GET", "/actions/{a}/progress/",                    (LOGIN, 405, 405, 405, 405, 405,  405,  405)),
    ("edit an action",               "GET",  "/actions/{a}/edit/",                        (LOGIN, 404, 403, 200, 200, 404,  200,  404)),
    ("edit an action",               "POST", "/actions/{a}/edit/",                        (LOGIN, 404, 403, 400, 400, 404,  400,  404)),
    ("your calendar",                "GET",  "/calendar/",                                (LOGIN, 200, 200, 200, 200, 200,  200,  200)),
    ("change your calendar address", "POST", "/calendar/reset/",                          (LOGIN, 302, 302, 302, 302, 302,  302,  302)),
    ("change it, wrong method",      "GET",  "/calendar/reset/",                          (LOGIN, 405, 405, 405, 405, 405,  405,  405)),
    # A calendar program has no session: the secret address is the key, whoever asks.
    ("the member's calendar feed",   "GET",  "/calendar/{token}/meetings.ics",            (200,  200, 200, 200, 200,  200,  200,  200)),
    ("a group feed, member's address", "GET", "/calendar/{token}/groups/{group}.ics",     (200,  200, 200, 200, 200,  200,  200,  200)),
    ("an unknown calendar address",  "GET",  "/calendar/1-nope/meetings.ics",             (404,  404, 404, 404, 404,  404,  404,  404)),
]
# fmt: on


@pytest.fixture
def ids(world, minuted):
    return {
        "may": minuted.may.pk,
        "secret": minuted.secret.pk,
        "elsewhere": minuted.elsewhere.pk,
        "item": minuted.may.agenda.first().pk,
        "a": minuted.a.pk,
        "secret_action": minuted.secret_action.pk,
        "group": world.group.pk,
        "token": services.calendar_token(world.users["member"]),
        "plan": plan(world).pk,
        # A draft is read by its authors and reviewers: the theme lead leads the workstream.
        "draft": plan(world, status="draft", lead=world.people["theme_lead"]).pk,
    }


@pytest.mark.parametrize(
    ("method", "address", "expected"),
    [
        pytest.param(method, address, expected, id=f"{method} {page}")
        for page, method, address, expected in MATRIX
    ],
)
def test_each_named_user_gets_the_outcome_in_the_matrix(
    world, minuted, ids, method, address, expected
):
    outcomes = {}
    for name in NAMED_USERS:
        values = dict(ids)
        if "{fresh_item}" in address:
            values["fresh_item"] = AgendaItem.objects.create(meeting=minuted.may, title="Spare").pk
        client = world.client(name)
        url = address.format(**values)
        response = client.get(url) if method == "GET" else client.post(url, BLANK_FORM)
        outcomes[name] = outcome(response)
    assert outcomes == dict(zip(NAMED_USERS, expected, strict=True))


def test_the_matrix_covers_every_address_of_the_app():
    from kmatrix.meetings.urls import urlpatterns

    assert uncovered_routes(urlpatterns, [address for _p, _m, address, _e in MATRIX]) == []


# --- What the pages show -------------------------------------------------------------------


def test_the_meeting_page_has_agenda_attendance_decisions_and_actions(world, minuted):
    page = text(world.client("member").get(N + f"meetings/{minuted.may.pk}/"))
    assert "Wednesday 3 May 2023, 10:00 to 12:00 (UK time)" in page
    assert "Restraint in high secure settings Presented by Member" in page
    assert "Papers: Draft work programme" in page
    assert "Present (1) Member, Derbyshire Test Trust" in page
    assert "Apologies (1) Coordinator" in page
    assert (
        "Decision 1 Expand the work to mechanical restraint. About: Safety (theme); Patient Safety (programme)"
        in page
    )
    assert "Draft the expanded work programme Member 9 June 2023 Open" in page
    assert "Book the learning event Restrictive practice No date Done on 1 June 2023" in page
    assert "Share the review Coordinator No date In progress" in page
    assert "Next meeting: Restrictive practice, Friday 9 June 2023" in page


def test_open_actions_carry_to_the_next_meetings_agenda(world, minuted):
    page = text(world.client("member").get(N + f"meetings/{minuted.june.pk}/"))
    assert "Matters arising: actions carried from earlier meetings" in page
    assert (
        "Draft the expanded work programme From Wednesday 3 May 2023, 10:00 to 12:00, decision 1"
        in page
    )
    assert "Share the review" in page
    assert "Book the learning event" not in page  # done before the meeting


def test_people_the_viewer_may_not_see_are_not_named(world, minuted):
    world.people["member"].visibility = "restricted"
    world.people["member"].save()
    page = text(
        world.client("other_member").get(f"/networks/other/meetings/{minuted.elsewhere.pk}/")
    )
    assert "Member" not in page
    coordinator = text(world.client("coordinator").get(N + f"meetings/{minuted.may.pk}/"))
    assert "Draft the expanded work programme Someone you cannot see" in coordinator
    assert "Present (1)" not in coordinator


def test_the_group_page_links_to_its_meetings_and_calendar(world, minuted):
    group_page = world.client("member").get(N + "groups/restrictive-practice/").content.decode()
    assert 'hx-get="/networks/alliance/groups/restrictive-practice/meetings/section/"' in group_page
    section = text(world.client("member").get(G + "section/"))
    assert "Recent meetings" in section
    assert "Subscribe to this calendar" in section
    assert "Confidential case review" not in section  # restricted to the theme lead
    assert "Confidential case review" in text(world.client("theme_lead").get(G + "section/"))


def test_the_tracker_lists_open_actions_across_groups_and_filters_them(world, minuted):
    client = world.client("member")
    open_page = text(client.get("/actions/"))
    assert "2 actions" in open_page
    assert "Review the case notes" not in open_page
    closed = text(client.get("/actions/?status=closed"))
    assert "1 action" in closed
    assert "Book the learning event" in closed
    overdue = text(client.get("/actions/?status=overdue"))
    assert "Draft the expanded work programme" in overdue
    assert "Overdue" in overdue
    searched = text(client.get("/actions/?status=all&q=review"))
    assert "1 action" in searched
    assert text(client.get("/actions/?network=other")).count("Select a valid choice") == 1


def test_my_actions_are_mine_and_my_groups(world, minuted):
    member = text(world.client("member").get("/actions/mine/"))
    assert "1 action" in member
    assert "Draft the expanded work programme" in member
    chair = text(world.client("theme_lead").get("/actions/mine/?status=all"))
    # The theme lead chairs the group that owns B, and owns nothing personally.
    assert "1 action" in chair
    assert "Book the learning event" in chair


def test_the_tracker_download_has_the_rows_of_the_page(world, minuted):
    response = world.client("member").get("/actions/?status=all&format=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["Action", "Owner", "Due by", "Status"]
    assert sorted(r[0] for r in rows[1:]) == [
        "Book the learning event",
        "Draft the expanded work programme",
        "Share the review",
    ]
    book = openpyxl.load_workbook(
        io.BytesIO(world.client("member").get("/actions/?status=all&format=xlsx").content)
    ).active
    values = list(book.iter_rows(values_only=True))
    assert len(values) == 4
    assert any(row[2] is not None and row[2].date() == date(2023, 6, 9) for row in values[1:])


def test_the_owner_records_progress_and_the_result(world, minuted):
    client = world.client("member")
    response = client.post(
        f"/actions/{minuted.a.pk}/progress/",
        {"status": "done", "result": "Drafted and shared.", "closed_on": "2023-06-08"},
    )
    assert response.status_code == 302
    page = text(client.get(f"/actions/{minuted.a.pk}/"))
    assert "Decision 1: Expand the work to mechanical restraint." in page
    assert "Result: Drafted and shared." in page
    assert "Done or dropped on 8 June 2023" in page
    assert "Change everything" not in page  # the owner does not run the meeting


def test_a_bad_decision_number_is_a_field_error_on_the_page(world, minuted):
    response = world.client("coordinator").post(
        N + f"meetings/{minuted.may.pk}/decisions/new/", {"number": "1", "text": "Again"}
    )
    assert response.status_code == 400
    assert field_error(response, "number") == "This meeting already has a decision 1."
    assert minuted.may.decisions.count() == 1


def test_an_action_with_no_owner_is_a_field_error_on_the_page(world, minuted):
    response = world.client("coordinator").post(
        N + f"meetings/{minuted.may.pk}/actions/new/", {"title": "Nobody's", "status": "open"}
    )
    assert response.status_code == 400
    assert field_error(response, "owner") == "Say who will do it: a person or a group."
    assert error_summary(response) == ["Say who will do it: a person or a group."]


def test_a_meeting_form_refuses_a_time_the_clocks_skip(world, minuted):
    response = world.client("coordinator").post(
        G + "new/",
        {
            "title": "Night meeting",
            "date": "2023-03-26",
            "date_precision": "day",
            "start_time": "01:30",
            "end_time": "03:00",
            "status": "scheduled",
            "visibility": "network",
        },
    )
    assert response.status_code == 400
    assert "does not happen on 26 March 2023" in field_error(response, "start_time")


def test_schedule_previews_then_creates_across_the_clock_change(world, minuted):
    client = world.client("theme_lead")  # the group's chair
    form = {
        "first": "2023-10-19",
        "until": "2023-11-16",
        "start_time": "10:00",
        "end_time": "11:30",
        "title": "",
        "location": "Online",
    }
    preview = text(client.post(G + "schedule/", form))
    assert "3 meetings" in preview
    assert "Thursday 19 October 2023, 10:00 to 11:30 (BST)" in preview
    assert "Thursday 2 November 2023, 10:00 to 11:30 (GMT)" in preview
    assert Meeting.objects.filter(date__gte=date(2023, 10, 1)).count() == 0
    done = client.post(G + "schedule/", {**form, "confirm": "on"})
    assert done.status_code == 302
    made = Meeting.objects.filter(date__gte=date(2023, 10, 1)).order_by("date")
    assert [(m.date, m.start_time.hour) for m in made] == [
        (date(2023, 10, 19), 10),
        (date(2023, 11, 2), 10),
        (date(2023, 11, 16), 10),
    ]


def test_a_schedule_for_a_group_without_a_cadence_says_why(world, minuted):
    world.group.cadence = "as_needed"
    world.group.save()
    response = world.client("coordinator").post(
        G + "schedule/",
        {"first": "2023-10-19", "until": "2023-11-16", "start_time": "10:00", "end_time": "11:00"},
    )
    assert response.status_code == 400
    assert "has no regular cadence recorded" in text(response)
    assert "Set the group's cadence" in text(response)


def test_agenda_papers_must_be_addresses(world, minuted):
    response = world.client("coordinator").post(
        N + f"meetings/{minuted.may.pk}/agenda/new/",
        {"title": "Item", "papers": "Slides | not a web address"},
    )
    assert response.status_code == 400
    assert "is not a web address" in field_error(response, "papers")


def test_a_decisions_link_to_a_restricted_programme_or_indicator_is_not_named(world, minuted):
    from kmatrix.indicators.models import Indicator
    from kmatrix.programmes.tests.factories import programme

    secret = programme(world.network, "secret-bid", name="Secret bid", visibility="restricted")
    secret.restricted_to.add(world.users["theme_lead"])
    hidden = Indicator.objects.create(
        network=world.network,
        code="hidden",
        name="Hidden measure",
        unit="count",
        direction="decrease",
        visibility="restricted",
    )
    services.decision_save(meeting=minuted.june, text="Bid again.", links=[secret, hidden])
    address = N + f"meetings/{minuted.june.pk}/"
    member = text(world.client("member").get(address))
    assert "Secret bid" not in member
    assert "Hidden measure" not in member
    assert "Secret bid" in text(world.client("theme_lead").get(address))
    api = world.client("member").get(f"/api/v1/networks/alliance/meetings/{minuted.june.pk}").json()
    assert api["decisions"][0]["links"] == []


def test_a_restricted_programme_of_an_agenda_item_or_a_meeting_is_not_named(world, minuted):
    from kmatrix.programmes.tests.factories import programme

    secret = programme(world.network, "secret-bid", name="Secret bid", visibility="restricted")
    secret.restricted_to.add(world.users["theme_lead"])
    AgendaItem.objects.create(meeting=minuted.june, position=9, title="The bid", programme=secret)
    event = Meeting.objects.create(
        network=world.network, programme=secret, title="Bid workshop", date=date(2023, 6, 20)
    )
    address = N + f"meetings/{minuted.june.pk}/"
    member = world.client("member")
    assert "The bid" in text(member.get(address))
    assert "Secret bid" not in text(member.get(address))
    assert "Secret bid" in text(world.client("theme_lead").get(address))
    assert "Secret bid" not in text(member.get(N + f"meetings/{event.pk}/"))
    assert "Secret bid" not in text(member.get(N + "meetings/"))
    assert "Secret bid" in text(world.client("theme_lead").get(N + "meetings/"))
    api = member.get(f"/api/v1/networks/alliance/meetings/{minuted.june.pk}").json()
    assert [i["programme"] for i in api["agenda"] if i["title"] == "The bid"] == [None]
    rows = member.get("/api/v1/networks/alliance/meetings").json()["items"]
    assert [r["programme"] for r in rows if r["title"] == "Bid workshop"] == [None]
    rows = world.client("theme_lead").get("/api/v1/networks/alliance/meetings").json()["items"]
    assert [r["programme"] for r in rows if r["title"] == "Bid workshop"] == ["secret-bid"]


def test_the_back_office_lists_and_opens_meetings_actions_and_programmes(world, minuted):
    client = world.client("administrator")
    for path in (
        "/admin/meetings/meeting/",
        f"/admin/meetings/meeting/{minuted.may.pk}/change/",
        "/admin/meetings/action/",
        f"/admin/meetings/action/{minuted.a.pk}/change/",
        "/admin/programmes/programme/",
        f"/admin/programmes/programme/{minuted.safety.pk}/change/",
        "/admin/programmes/fundingaward/",
        "/admin/programmes/fundingdrawdown/",
    ):
        assert client.get(path).status_code == 200, path
