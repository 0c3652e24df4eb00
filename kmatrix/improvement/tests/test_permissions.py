"""The permission matrix of the improvement pages: every address, every named user.

Outcomes as in kmatrix/networks/tests/test_views_permissions.py: 200 page, 302 redirect after
success, 400 the form shown again with errors (write views are posted blank), 403 seen but not
theirs to change, 404 not there for them, LOGIN the sign-in page. The plan is published and
network-visible, led by the member; the draft is the member's too.
"""

# ruff: noqa: E501

from __future__ import annotations

import pytest

from kmatrix.core.tests.helpers import NAMED_USERS
from kmatrix.improvement import models as im
from kmatrix.improvement.tests import work_fixtures as wf

LOGIN = "LOGIN"
N = "/networks/alliance/"

# fmt: off
MATRIX = [
    # page                       method  address                              anon   out  mem lead coord board admin other
    ("checklists",               "GET",  N + "checklists/",                   (404,  404, 200, 200, 200, 404, 200, 404)),
    ("checklist",                "GET",  N + "checklists/{checklist}/",       (404,  404, 200, 200, 200, 404, 200, 404)),
    ("checklist as YAML",        "GET",  N + "checklists/{checklist}/?format=yaml", (404, 404, 200, 200, 200, 404, 200, 404)),
    ("checklist import",         "GET",  N + "checklists/import/",            (LOGIN, 404, 403, 403, 200, 404, 200, 404)),
    ("checklist import",         "POST", N + "checklists/import/",            (LOGIN, 404, 403, 403, 400, 404, 400, 404)),
    ("localities",               "GET",  N + "localities/",                   (404,  404, 200, 200, 200, 404, 200, 404)),
    ("locality add",             "POST", N + "localities/",                   (404,  404, 403, 403, 400, 404, 400, 404)),
    ("assessments",              "GET",  N + "assessments/",                  (404,  404, 200, 200, 200, 404, 200, 404)),
    ("assessment start",         "GET",  N + "assessments/new/",              (LOGIN, 404, 200, 200, 200, 404, 200, 404)),
    ("assessment start",         "POST", N + "assessments/new/",              (LOGIN, 404, 400, 400, 400, 404, 400, 404)),
    ("assessment",               "GET",  N + "assessments/{assessment}/",     (404,  404, 200, 200, 200, 404, 200, 404)),
    ("assessment ratings",       "POST", N + "assessments/{assessment}/",     (404,  404, 302, 302, 302, 404, 302, 404)),
    ("assessment complete",      "POST", N + "assessments/{assessment}/complete/", (LOGIN, 404, 302, 302, 302, 404, 302, 404)),
    ("assessment comparison",    "GET",  N + "assessments/{assessment}/compare/", (404, 404, 200, 200, 200, 404, 200, 404)),
    ("evidence upload",          "POST", N + "assessments/{assessment}/files/", (LOGIN, 404, 302, 302, 302, 404, 302, 404)),
    ("gap register",             "GET",  N + "gaps/",                         (404,  404, 200, 200, 200, 404, 200, 404)),
    ("gap register as CSV",      "GET",  N + "gaps/?format=csv",              (404,  404, 200, 200, 200, 404, 200, 404)),
    ("heatmap",                  "GET",  N + "heatmap/",                      (404,  404, 200, 200, 200, 404, 200, 404)),
    ("plans",                    "GET",  N + "plans/",                        (404,  404, 200, 200, 200, 404, 200, 404)),
    ("plans as XLSX",            "GET",  N + "plans/?format=xlsx",            (404,  404, 200, 200, 200, 404, 200, 404)),
    ("plan new",                 "GET",  N + "plans/new/",                    (LOGIN, 404, 200, 200, 200, 404, 200, 404)),
    ("plan new",                 "POST", N + "plans/new/",                    (LOGIN, 404, 400, 400, 400, 404, 400, 404)),
    ("plan",                     "GET",  N + "plans/{plan}/",                 (404,  404, 200, 200, 200, 404, 200, 404)),
    ("draft plan",               "GET",  N + "plans/{draft}/",                (404,  404, 200, 200, 200, 404, 200, 404)),
    ("draft of another author",  "GET",  N + "plans/{other_draft}/",          (404,  404, 404, 200, 200, 404, 200, 404)),
    ("plan edit",                "GET",  N + "plans/{plan}/edit/",            (LOGIN, 404, 200, 200, 200, 404, 200, 404)),
    ("plan edit",                "POST", N + "plans/{plan}/edit/",            (LOGIN, 404, 400, 400, 400, 404, 400, 404)),
    ("plan submit",              "POST", N + "plans/{draft}/submit/",         (LOGIN, 404, 302, 302, 302, 404, 302, 404)),
    ("plan review",              "GET",  N + "plans/{submitted}/review/",     (LOGIN, 404, 403, 200, 200, 404, 200, 404)),
    ("plan review",              "POST", N + "plans/{submitted}/review/",     (LOGIN, 404, 403, 400, 400, 404, 400, 404)),
    ("plan finish",              "POST", N + "plans/{plan}/finish/",          (LOGIN, 404, 302, 302, 302, 404, 302, 404)),
    ("action new",               "GET",  N + "plans/{plan}/actions/new/",     (LOGIN, 404, 200, 200, 200, 404, 200, 404)),
    ("measure new",              "GET",  N + "plans/{plan}/measures/new/",    (LOGIN, 404, 200, 200, 200, 404, 200, 404)),
    ("update new",               "GET",  N + "plans/{plan}/updates/new/",     (LOGIN, 404, 200, 200, 200, 404, 200, 404)),
    ("update new",               "POST", N + "plans/{plan}/updates/new/",     (LOGIN, 404, 400, 400, 400, 404, 400, 404)),
    ("update edit",              "GET",  N + "plans/{plan}/updates/{update}/", (LOGIN, 404, 200, 200, 200, 404, 200, 404)),
    ("update review",            "POST", N + "plans/{plan}/updates/{update}/review/", (LOGIN, 404, 403, 302, 302, 404, 302, 404)),
    ("outcome new",              "GET",  N + "plans/{plan}/outcomes/new/",    (LOGIN, 404, 200, 200, 200, 404, 200, 404)),
    ("updates",                  "GET",  N + "updates/",                      (404,  404, 200, 200, 200, 404, 200, 404)),
    ("theme summary",            "GET",  N + "themes/{theme}/summary/",       (404,  404, 200, 200, 200, 404, 200, 404)),
    ("evidence",                 "GET",  N + "evidence/",                     (404,  404, 200, 200, 200, 404, 200, 404)),
]
# fmt: on


@pytest.fixture
def records(world):
    member, lead = world.people["member"], world.people["theme_lead"]
    assessment = wf.assessed(world, {"1.1": "not_met", "1.2": "met", "2.1": "met"}, complete=False)
    wf.assessed(world, wf.ALL_MET, on=assessment.assessed_on.replace(year=2024))
    plan = wf.plan(world, title="Published plan", lead=member)
    update = wf.update(plan, plan.published_at.date().replace(day=1))
    draft = wf.plan(world, title="Draft plan", status="draft", lead=member, aim="Aim.")
    other_draft = wf.plan(world, title="Someone's draft", status="draft", lead=None)
    submitted = wf.plan(world, title="Submitted plan", status="submitted", lead=lead)
    submitted.team.set([member])
    update.status = "submitted"
    update.rag = "green"
    update.save()
    return {
        "checklist": assessment.checklist_id,
        "assessment": assessment.pk,
        "plan": plan.pk,
        "update": update.pk,
        "draft": draft.pk,
        "other_draft": other_draft.pk,
        "submitted": submitted.pk,
        "theme": world.theme.pk,
    }


@pytest.mark.parametrize(
    ("label", "method", "address", "expected"), MATRIX, ids=[f"{r[0]} {r[1]}" for r in MATRIX]
)
@pytest.mark.django_db
def test_who_may_open_each_page(world, records, label, method, address, expected):
    url = address.format(**records)
    for name, outcome in zip(NAMED_USERS, expected, strict=True):
        client = world.client(name)
        response = client.get(url) if method == "GET" else client.post(url, {"blank": ""})
        if outcome == LOGIN:
            assert response.status_code == 302, (name, response.status_code)
            assert "/accounts/login/" in response["Location"], name
        else:
            assert response.status_code == outcome, (label, name, response.status_code)
        if method == "POST" and outcome == 302 and label in ("plan submit", "plan finish"):
            # Undo what the successful user did, so the next one meets the same record.
            im.ImprovementPlan.objects.filter(pk=records["draft"]).update(status="draft")
            im.ImprovementPlan.objects.filter(pk=records["plan"]).update(status="published")
