"""The meetings API: the same meetings, decisions and actions as the pages, the same access,
and 4xx with a reason for what a secretary or an owner may get wrong."""

from __future__ import annotations

import pytest

from kmatrix.core.tests.helpers import NAMED_USERS, api_call, api_items

API = "/api/v1/"
N = API + "networks/alliance/"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("networks/alliance/meetings", (404, 404, 200, 200, 200, 404, 200, 404)),
        ("networks/alliance/meetings/{may}", (404, 404, 200, 200, 200, 404, 200, 404)),
        ("networks/alliance/meetings/{secret}", (404, 404, 404, 200, 404, 404, 200, 404)),
        ("actions/{a}", (404, 404, 200, 200, 200, 404, 200, 404)),
        ("actions/{secret_action}", (404, 404, 404, 200, 404, 404, 200, 404)),
        ("actions", (200, 200, 200, 200, 200, 200, 200, 200)),
    ],
)
def test_reading_follows_the_access_helper(world, minuted, path, expected):
    url = API + path.format(
        may=minuted.may.pk,
        secret=minuted.secret.pk,
        a=minuted.a.pk,
        secret_action=minuted.secret_action.pk,
    )
    assert [world.client(u).get(url).status_code for u in NAMED_USERS] == list(expected)


def test_a_meeting_has_what_its_page_has(world, minuted):
    body = world.client("member").get(N + f"meetings/{minuted.june.pk}").json()
    assert body["starts_at"] == "2023-06-09T10:00:00+01:00"
    assert [a["title"] for a in body["carried_actions"]] == [
        "Draft the expanded work programme",
        "Share the review",
    ]
    may = world.client("member").get(N + f"meetings/{minuted.may.pk}").json()
    (decision,) = may["decisions"]
    assert decision["number"] == 1
    assert sorted(link["kind"] for link in decision["links"]) == ["programme", "theme"]
    assert [(a["title"], a["status"], a["owner"]) for a in decision["actions"]] == [
        ("Draft the expanded work programme", "open", "Member"),
        ("Book the learning event", "done", "Restrictive practice"),
    ]
    assert may["agenda"][0]["presenter"] == "Member"
    assert [a["status"] for a in may["attendance"]] == ["apologies", "present"]


def test_the_tracker_agrees_with_the_page(world, minuted):
    items = api_items(world.client("member").get(API + "actions?status=all"))
    assert [i["title"] for i in items] == [
        "Draft the expanded work programme",
        "Book the learning event",
        "Share the review",
    ]
    assert items[0]["overdue"] is True
    mine = api_items(world.client("member").get(API + "actions?mine=true"))
    assert [i["title"] for i in mine] == ["Draft the expanded work programme"]
    assert world.client("member").get(API + "actions?status=soon").status_code == 422
    assert world.client("member").get(API + "actions?network=other").status_code == 404


def post(world, user, path, body, method="post"):
    return api_call(world.client(user), method, path, body)


def test_a_secretary_records_decisions_and_actions(world, minuted):
    made = post(
        world,
        "theme_lead",
        N + f"meetings/{minuted.june.pk}/decisions",
        {"text": "Adopt the plan.", "themes": [world.theme.pk], "programmes": ["patient-safety"]},
    )
    assert made.status_code == 201, made.content
    assert made.json()["number"] == 1
    duplicate = post(
        world,
        "theme_lead",
        N + f"meetings/{minuted.june.pk}/decisions",
        {"text": "Again.", "number": 1},
    )
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"] == {"number": ["This meeting already has a decision 1."]}
    unknown = post(
        world,
        "theme_lead",
        N + f"meetings/{minuted.june.pk}/decisions",
        {"text": "x", "programmes": ["nope"]},
    )
    assert unknown.status_code == 422
    assert "programmes" in unknown.json()["errors"]
    action = post(
        world,
        "theme_lead",
        N + f"meetings/{minuted.june.pk}/actions",
        {
            "title": "Write it up",
            "decision": 1,
            "owner": world.people["member"].pk,
            "due_on": "2023-07-01",
        },
    )
    assert action.status_code == 201, action.content
    assert action.json()["decision"] == 1
    nobody = post(
        world, "theme_lead", N + f"meetings/{minuted.june.pk}/actions", {"title": "Nobody's"}
    )
    assert nobody.status_code == 422
    assert nobody.json()["errors"] == {"owner": ["Say who will do it: a person or a group."]}
    stranger = post(
        world,
        "theme_lead",
        N + f"meetings/{minuted.june.pk}/actions",
        {"title": "x", "owner": world.people["other_member"].pk},
    )
    assert stranger.status_code == 422


def test_a_meeting_is_made_and_bad_times_are_refused(world, minuted):
    path = N + "groups/restrictive-practice/meetings"
    made = post(
        world,
        "coordinator",
        path,
        {"title": "Planning", "date": "2023-11-02", "start_time": "10:00", "end_time": "11:00"},
    )
    assert made.status_code == 201, made.content
    assert made.json()["starts_at"] == "2023-11-02T10:00:00Z"
    assert made.json()["visibility"] == "network"  # the group's
    skipped = post(
        world,
        "coordinator",
        path,
        {"title": "Night", "date": "2023-03-26", "start_time": "01:30", "end_time": "03:00"},
    )
    assert skipped.status_code == 422
    assert "does not happen" in skipped.json()["errors"]["start_time"][0]
    backwards = post(
        world,
        "coordinator",
        path,
        {"title": "x", "date": "2023-06-01", "start_time": "12:00", "end_time": "11:00"},
    )
    assert backwards.status_code == 422
    assert post(world, "member", path, {"title": "x", "date": "2023-06-01"}).status_code == 403


def test_an_owner_records_progress(world, minuted):
    done = post(
        world,
        "member",
        API + f"actions/{minuted.a.pk}",
        {"status": "done", "result": "Shared."},
        "patch",
    )
    assert done.status_code == 200, done.content
    assert done.json()["closed_on"] is not None
    assert done.json()["result"] == "Shared."
    reopened = post(world, "member", API + f"actions/{minuted.a.pk}", {"status": "open"}, "patch")
    assert reopened.json()["closed_on"] is None
    assert (
        post(
            world, "other_member", API + f"actions/{minuted.a.pk}", {"status": "done"}, "patch"
        ).status_code
        == 404
    )
    assert (
        post(
            world,
            "coordinator",
            API + f"actions/{minuted.b.pk}",
            {"status": "done", "closed_on": "2023-06-01"},
            "patch",
        ).status_code
        == 200
    )
    assert (
        post(
            world, "member", API + f"actions/{minuted.c.pk}", {"status": "done"}, "patch"
        ).status_code
        == 403
    )
