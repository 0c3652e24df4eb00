"""Who may call each improvement API route: the named users, the same rules as the pages.

404 for what you may not read (never 403), 403 for what you read but may not change, 401
without a session or token where the route needs one, 422 for a blank body you may send.
"""

# ruff: noqa: E501

from __future__ import annotations

import pytest

from kmatrix.core.tests.helpers import NAMED_USERS, api_call
from kmatrix.improvement.tests import work_fixtures as wf

B = "/api/v1"
N = B + "/networks/alliance"

# fmt: off
MATRIX: list[tuple[str, str, str, dict[str, object] | None, tuple[int, ...]]] = [
    # route                  method  address                                    body                 anon  out  mem lead coord board admin other
    ("checklists",           "get",  N + "/checklists",                         None,                (404, 404, 200, 200, 200, 404, 200, 404)),
    ("checklist",            "get",  N + "/checklists/{checklist}",             None,                (404, 404, 200, 200, 200, 404, 200, 404)),
    ("localities",           "get",  N + "/localities",                         None,                (404, 404, 200, 200, 200, 404, 200, 404)),
    ("assessments",          "get",  N + "/assessments",                        None,                (404, 404, 200, 200, 200, 404, 200, 404)),
    ("assessment start",     "post", N + "/assessments",                        {"checklist_id": 0, "assessed_on": "2025-01-01"}, (401, 404, 422, 422, 422, 404, 422, 404)),
    ("assessment",           "get",  B + "/assessments/{assessment}",           None,                (404, 404, 200, 200, 200, 404, 200, 404)),
    ("ratings",              "put",  B + "/assessments/{assessment}/ratings",   {"ratings": []},     (401, 404, 200, 200, 200, 404, 200, 404)),
    ("gaps",                 "get",  N + "/gaps",                               None,                (404, 404, 200, 200, 200, 404, 200, 404)),
    ("heatmap",              "get",  N + "/heatmap",                            None,                (404, 404, 200, 200, 200, 404, 200, 404)),
    ("plans",                "get",  N + "/plans",                              None,                (404, 404, 200, 200, 200, 404, 200, 404)),
    ("plan create",          "post", N + "/plans",                              {"title": "T", "theme_id": 0}, (401, 404, 422, 422, 422, 404, 422, 404)),
    ("plan",                 "get",  B + "/plans/{plan}",                       None,                (404, 404, 200, 200, 200, 404, 200, 404)),
    ("draft of another",     "get",  B + "/plans/{other_draft}",                None,                (404, 404, 404, 200, 200, 404, 200, 404)),
    ("plan change, stale",   "put",  B + "/plans/{plan}",                       {"title": "T", "theme_id": "{theme}", "version": 99}, (401, 404, 409, 409, 409, 404, 409, 404)),
    ("plan submit",          "post", B + "/plans/{submitted}/submit",           None,                (401, 404, 422, 422, 422, 404, 422, 404)),
    ("plan review",          "post", B + "/plans/{submitted}/review",           {"decision": "returned"}, (401, 404, 403, 422, 422, 404, 422, 404)),
    ("updates",              "get",  B + "/plans/{plan}/updates",               None,                (404, 404, 200, 200, 200, 404, 200, 404)),
    ("update create",        "post", B + "/plans/{plan}/updates",               {"period": "1999-01-01"}, (401, 404, 422, 422, 422, 404, 422, 404)),
    ("update review",        "post", B + "/plans/{plan}/updates/{update}/review", {},                (401, 404, 403, 200, 200, 404, 200, 404)),
    ("network updates",      "get",  N + "/updates",                            None,                (404, 404, 200, 200, 200, 404, 200, 404)),
    ("evidence",             "get",  N + "/evidence",                           None,                (404, 404, 200, 200, 200, 404, 200, 404)),
    ("theme summary",        "get",  N + "/themes/{theme}/summary",             None,                (404, 404, 200, 200, 200, 404, 200, 404)),
]
# fmt: on


@pytest.fixture
def records(world):
    assessment = wf.assessed(world, {"1.1": "not_met", "1.2": "met", "2.1": "met"})
    plan = wf.plan(world, lead=world.people["member"])
    update = wf.update(plan, plan.published_at.date().replace(day=1), submitted=True)
    other_draft = wf.plan(world, status="draft", lead=None)
    submitted = wf.plan(world, status="submitted", lead=world.people["member"])
    return {
        "checklist": assessment.checklist_id,
        "assessment": assessment.pk,
        "plan": plan.pk,
        "update": update.pk,
        "other_draft": other_draft.pk,
        "submitted": submitted.pk,
        "theme": world.theme.pk,
    }


@pytest.mark.parametrize(
    ("label", "method", "address", "body", "expected"), MATRIX, ids=[r[0] for r in MATRIX]
)
@pytest.mark.django_db
def test_who_may_call_each_route(world, records, label, method, address, body, expected):
    url = address.format(**records)
    if body is not None:
        body = {k: int(records["theme"]) if v == "{theme}" else v for k, v in body.items()}
    for name, outcome in zip(NAMED_USERS, expected, strict=True):
        response = api_call(world.client(name), method, url, body)
        assert response.status_code == outcome, (
            label,
            name,
            response.status_code,
            response.content[:300],
        )
        if outcome >= 400:
            assert response.json()["detail"]
