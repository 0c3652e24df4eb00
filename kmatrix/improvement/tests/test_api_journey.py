"""The theme lead's journey through the API, on the demo data: assess a locality, find its
gaps, write a plan for one, submit it, have it returned and published, report progress with
a measure value (which reaches the indicator's SPC), review the update, and show the outcome
backed by special-cause improvement on an SPC chart."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from kmatrix.core.models import User
from kmatrix.core.tests.helpers import api_call
from kmatrix.improvement.models import ImprovementPlan
from kmatrix.indicators.models import DataPoint

pytestmark = pytest.mark.django_db
B = "/api/v1"


@pytest.fixture
def lead(db) -> Client:
    call_command("demo", stdout=io.StringIO())
    client = Client()
    client.force_login(User.objects.get(email="theme.lead@example.org"))
    return client


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_a_theme_lead_goes_from_assessment_to_an_outcome_through_the_api(lead):
    [checklist] = _ok(lead.get(f"{B}/networks/em-mln/checklists"))
    localities = {
        loc["name"]: loc["id"] for loc in _ok(lead.get(f"{B}/networks/em-mln/localities"))
    }
    started = _ok(
        api_call(lead, "post", f"{B}/networks/em-mln/assessments",
                 {"checklist_id": checklist["id"], "locality_id": localities["Leicestershire"],
                  "assessed_on": "2026-11-20"}),
        201,
    )  # fmt: skip
    items = [r["item_id"] for r in started["ratings"]]
    ratings = [{"item_id": pk, "rating": "met"} for pk in items]
    ratings[22]["rating"] = "not_met"  # 8.2: care plans written with the person or carer
    _ok(api_call(lead, "put", f"{B}/assessments/{started['id']}/ratings", {"ratings": ratings}))
    done = _ok(api_call(lead, "post", f"{B}/assessments/{started['id']}/complete"))
    assert done["status"] == "complete"
    compared = _ok(lead.get(f"{B}/assessments/{started['id']}/compare"))
    assert compared["closed"] > 0

    gaps = _ok(lead.get(f"{B}/networks/em-mln/gaps?locality={localities['Leicestershire']}"))
    [gap] = gaps["items"]
    assert gap["code"] == "8.2"

    plan = _ok(
        api_call(lead, "post", f"{B}/networks/em-mln/plans",
                 {"title": "Care plans written together in Leicestershire",
                  "theme_id": gap["theme_id"], "locality_id": localities["Leicestershire"],
                  "gap_ids": [gap["id"]], "aim": "Half of care plans co-produced.",
                  "rag": "amber"}),
        201,
    )  # fmt: skip
    assert plan["status"] == "draft"
    assert _ok(api_call(lead, "post", f"{B}/plans/{plan['id']}/submit"))["status"] == "submitted"
    refused = api_call(lead, "post", f"{B}/plans/{plan['id']}/review", {"decision": "returned"})
    assert refused.status_code == 422
    returned = api_call(lead, "post", f"{B}/plans/{plan['id']}/review",
                        {"decision": "returned", "comment": "Add the measure."})  # fmt: skip
    assert _ok(returned)["status"] == "returned"
    _ok(api_call(lead, "post", f"{B}/plans/{plan['id']}/submit"))
    published = _ok(
        api_call(lead, "post", f"{B}/plans/{plan['id']}/review", {"decision": "published"})
    )
    assert published["status"] == "published"
    assert [t["kind"] for t in published["timeline"]].count("reviewed") == 2

    demo_plan = ImprovementPlan.objects.get(title="Co-produced care plans on older people's wards")
    measure = demo_plan.measures.get()
    linked = _ok(
        api_call(lead, "post", f"{B}/plans/{plan['id']}/measures",
                 {"indicator_id": measure.indicator_id,
                  "organisation_id": measure.organisation_id}),
        201,
    )  # fmt: skip
    period = published["published_at"][:7] + "-01"
    update = _ok(
        api_call(lead, "post", f"{B}/plans/{plan['id']}/updates",
                 {"period": period, "progress": "Started the audit.", "rag": "green",
                  "submit": True,
                  "values": [{"measure_id": linked["id"], "numerator": 20, "denominator": 40}]}),
        201,
    )  # fmt: skip
    assert update["status"] == "submitted"
    assert (
        DataPoint.objects.filter(indicator_id=measure.indicator_id, period=period).get().value
        == 50.0
    )
    reviewed = _ok(
        api_call(lead, "post", f"{B}/plans/{plan['id']}/updates/{update['id']}/review",
                 {"feedback": "Good start.", "in_summary": True})
    )  # fmt: skip
    assert reviewed["in_summary"] is True

    spc = _ok(lead.get(f"{B}/plans/{demo_plan.pk}/measures/{measure.pk}/spc"))
    assert spc["improvement_periods"]
    assert spc["is_illustrative"] is True
    evidence = _ok(lead.get(f"{B}/networks/em-mln/evidence"))
    assert evidence[0]["plan_id"] == demo_plan.pk
    assert evidence[0]["measured_improvement"] is True
