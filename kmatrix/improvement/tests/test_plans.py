"""Plans on the reporting template: drafting, submitting, reviewing, concurrent edits,
progress updates whose values reach the indicators' SPC, reviews, outcomes and evidence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from kmatrix.core.tests.helpers import api_call
from kmatrix.improvement import models as im
from kmatrix.improvement import plans as rules
from kmatrix.improvement import services
from kmatrix.improvement.tests import work_fixtures as wf
from kmatrix.indicators.models import DataPoint, SeriesResult
from kmatrix.networks import models as nm

pytestmark = pytest.mark.django_db


def _page(plan, rest=""):
    return f"/networks/alliance/plans/{plan.pk}/{rest}"


def _plan_form(world, plan, **changes):
    data = {
        "version": plan.version, "title": plan.title, "theme": world.theme.pk,
        "workstream": world.workstream.pk, "aim": plan.aim, "baseline": plan.baseline,
        "rag": plan.rag, "update_every_months": 1, "visibility": "network",
    }  # fmt: skip
    data.update(changes)
    return data


# --- Drafting, submitting, reviewing ------------------------------------------------------


def test_a_member_drafts_a_plan_from_a_gap(world):
    gap = wf.gap(world)
    response = world.client("member").post(
        "/networks/alliance/plans/new/",
        {"title": "Fewer restraints", "theme": world.theme.pk, "workstream": world.workstream.pk,
         "gaps": [gap.pk], "update_every_months": 1, "visibility": "network", "method": "pdsa"},
    )  # fmt: skip
    assert response.status_code == 302
    plan = im.ImprovementPlan.objects.get()
    assert (plan.status, plan.created_by, list(plan.gaps.all())) == (
        "draft",
        world.users["member"],
        [gap],
    )
    assert world.client("member").get(_page(plan)).status_code == 200
    assert world.client("other_member").get(_page(plan)).status_code == 404


@pytest.mark.parametrize(("missing", "message"), [("aim", "aim"), ("rag", "RAG rating")])
def test_a_plan_without_an_aim_or_rag_is_not_submitted(world, missing, message):
    plan = wf.plan(world, status="draft", **{missing: ""})
    with pytest.raises(ValidationError) as caught:
        services.plan_submit(plan=plan)
    assert missing in caught.value.message_dict
    response = world.client("member").post(_page(plan, "submit/"), follow=True)
    assert message in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "draft"
    api = api_call(world.client("member"), "post", f"/api/v1/plans/{plan.pk}/submit")
    assert api.status_code == 422
    assert missing in api.json()["errors"]


def test_a_submitted_plan_goes_to_the_theme_lead_and_communications_lead(
    world, django_capture_on_commit_callbacks
):
    comms = nm.Person.objects.create(full_name="Comms Person", email="comms@example.org")
    membership = nm.Membership.objects.create(
        person=comms, network=world.network, organisation=world.org
    )
    nm.MembershipRole.objects.create(membership=membership, role="communications_lead")
    plan = wf.plan(world, status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_submit(plan=plan)
    plan.refresh_from_db()
    assert plan.status == "submitted"
    assert {m.to[0] for m in mail.outbox} == {"theme_lead@example.org", "comms@example.org"}


def test_submission_mails_the_reviewers(world, django_capture_on_commit_callbacks):
    plan = wf.plan(world, status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_submit(plan=plan)
    assert {m.to[0] for m in mail.outbox} == {"theme_lead@example.org"}
    assert "submitted for review" in mail.outbox[0].subject


def test_a_return_needs_a_comment_everywhere(world):
    plan = wf.plan(world, status="submitted")
    with pytest.raises(ValidationError) as caught:
        services.plan_review(plan=plan, user=world.users["theme_lead"], decision="returned")
    assert "comment" in caught.value.message_dict
    page = world.client("theme_lead").post(
        _page(plan, "review/"), {"decision": "returned", "comment": "  "}
    )
    assert page.status_code == 400
    assert "Say what needs to change" in page.content.decode()
    api = api_call(
        world.client("theme_lead"),
        "post",
        f"/api/v1/plans/{plan.pk}/review",
        {"decision": "returned"},
    )
    assert api.status_code == 422
    with pytest.raises(IntegrityError), transaction.atomic():
        im.PlanReview.objects.create(plan=plan, decision="returned", comment="")
    plan.refresh_from_db()
    assert plan.status == "submitted"


def test_a_reviewer_returns_then_publishes(world):
    plan = wf.plan(world, status="submitted")
    client = world.client("theme_lead")
    assert (
        client.post(
            _page(plan, "review/"), {"decision": "returned", "comment": "Add a measure."}
        ).status_code
        == 302
    )
    plan.refresh_from_db()
    assert plan.status == "returned"
    assert "Add a measure." in world.client("member").get(_page(plan)).content.decode()
    services.plan_submit(plan=plan)
    assert client.post(_page(plan, "review/"), {"decision": "published"}).status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.published_at is not None) == ("published", True)


def test_a_lead_of_another_workstream_does_not_review(world):
    other_theme = nm.Theme.objects.create(
        framework=world.framework, name="Workforce", slug="workforce"
    )
    nm.AdoptedTheme.objects.create(network=world.network, theme=other_theme)
    other = nm.Workstream.objects.create(
        network=world.network, theme=other_theme, name="Workforce ws"
    )
    plan = wf.plan(world, status="submitted", theme=other_theme, workstream=other)
    # Not theirs to review, and a submitted plan is read only by its authors and reviewers.
    assert (
        world.client("theme_lead")
        .post(_page(plan, "review/"), {"decision": "published"})
        .status_code
        == 404
    )
    assert (
        world.client("coordinator")
        .post(_page(plan, "review/"), {"decision": "published"})
        .status_code
        == 302
    )


# --- Concurrent edits ---------------------------------------------------------------------


def test_the_second_save_of_a_plan_is_told_and_loses_nothing(world):
    plan = wf.plan(world, title="Original", aim="First aim.")
    first, second = world.client("member"), world.client("theme_lead")
    stale = plan.version
    assert (
        first.post(_page(plan, "edit/"), _plan_form(world, plan, aim="Their aim.")).status_code
        == 302
    )
    response = second.post(
        _page(plan, "edit/"), _plan_form(world, plan, version=stale, aim="My aim.")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else saved this plan" in html
    assert "My aim." in html  # the second person's text is still in the form
    assert "Their aim." in html  # and what the first saved is shown beside it
    plan.refresh_from_db()
    assert plan.aim == "Their aim."
    # Saving again from the conflict page keeps the second version, on purpose.
    again = second.post(_page(plan, "edit/"), _plan_form(world, plan, aim="My aim."))
    assert again.status_code == 302
    plan.refresh_from_db()
    assert plan.aim == "My aim."


def test_the_api_answers_409_to_a_stale_version(world):
    plan = wf.plan(world)
    body = {
        "title": "New title",
        "theme_id": world.theme.pk,
        "version": plan.version,
        "aim": "A",
        "rag": "red",
        "lead_id": world.people["member"].pk,
    }
    client = world.client("member")
    assert api_call(client, "put", f"/api/v1/plans/{plan.pk}", body).status_code == 200
    stale = api_call(client, "put", f"/api/v1/plans/{plan.pk}", {**body, "title": "Later"})
    assert stale.status_code == 409
    assert stale.json()["current"]["title"] == "New title"


# --- Progress updates ---------------------------------------------------------------------


def _period(plan):
    return rules.first_period(plan)


def test_an_update_to_a_closed_plan_is_refused(world):
    plan = wf.plan(world, status="closed")
    with pytest.raises(ValidationError, match="closed: it takes no more updates"):
        services.update_save(plan=plan, period=date(2025, 1, 1), progress="x")
    api = api_call(
        world.client("member"), "post", f"/api/v1/plans/{plan.pk}/updates",
        {"period": "2025-01-01", "progress": "x", "rag": "green"},
    )  # fmt: skip
    assert api.status_code == 422
    assert "no more updates" in api.json()["detail"]


def test_an_update_is_for_one_of_the_plans_periods_that_has_started(world):
    plan = wf.plan(world, months_ago=2)
    with pytest.raises(ValidationError) as caught:
        services.update_save(plan=plan, period=date(1999, 1, 1), progress="x")
    assert "period" in caught.value.message_dict
    future = rules.add_months(rules.month_start(timezone.localdate()), 1)
    with pytest.raises(ValidationError, match="not started"):
        services.update_save(plan=plan, period=future, progress="x")


def test_submitting_needs_progress_and_rag_but_a_draft_does_not(world):
    plan = wf.plan(world)
    draft = services.update_save(plan=plan, period=_period(plan), progress="")
    assert draft.status == "draft"
    with pytest.raises(ValidationError) as caught:
        services.update_save(
            plan=plan, period=_period(plan), update=draft, version=draft.version, submit=True
        )
    assert set(caught.value.message_dict) == {"progress", "rag"}


def test_submitted_measure_values_reach_the_indicator_and_its_spc(world):
    indicator = wf.indicator(world)
    plan = wf.plan(world, months_ago=3)
    measure = services.measure_add(plan=plan, indicator=indicator, organisation=world.org)
    update = services.update_save(
        plan=plan, period=_period(plan), progress="Done", rag="green", submit=True,
        values={measure.pk: services.MeasureValue(7)}, user=world.users["member"],
    )  # fmt: skip
    point = DataPoint.objects.get(indicator=indicator, organisation=world.org)
    assert (point.period, point.value) == (_period(plan), 7.0)
    assert "Progress update" in point.note
    assert SeriesResult.objects.filter(indicator=indicator, organisation=world.org).exists()
    assert update.measures.get().value == 7.0
    plan.refresh_from_db()
    assert plan.rag == "green"  # the plan's RAG follows its latest update


def test_a_bad_measure_value_is_a_field_error_and_the_update_is_not_submitted(world):
    indicator = wf.indicator(world)
    plan = wf.plan(world, months_ago=3)
    measure = services.measure_add(plan=plan, indicator=indicator, organisation=world.org)
    with pytest.raises(ValidationError) as caught:
        services.update_save(
            plan=plan, period=_period(plan), progress="Done", rag="green", submit=True,
            values={measure.pk: services.MeasureValue("lots")},
        )  # fmt: skip
    assert f"measure_{measure.pk}_value" in caught.value.message_dict
    assert not im.ProgressUpdate.objects.exists()
    assert not DataPoint.objects.exists()


def test_the_update_page_writes_submits_and_keeps_text_on_error(world):
    plan = wf.plan(world, months_ago=2)
    client = world.client("member")
    period = _period(plan).isoformat()
    bad = client.post(
        _page(plan, "updates/new/"), {"period": period, "progress": "Kept text", "action": "submit"}
    )
    assert bad.status_code == 400
    assert "Kept text" in bad.content.decode()
    assert "Give the update a RAG rating" in bad.content.decode()
    good = client.post(
        _page(plan, "updates/new/"),
        {"period": period, "progress": "Kept text", "rag": "amber", "action": "submit"},
    )
    assert good.status_code == 302
    assert im.ProgressUpdate.objects.get().status == "submitted"


def test_the_second_save_of_an_update_is_told_and_loses_nothing(world):
    plan = wf.plan(world, months_ago=2)
    update = services.update_save(plan=plan, period=_period(plan), progress="Start")
    stale = update.version
    address = _page(plan, f"updates/{update.pk}/")
    first = world.client("member").post(
        address,
        {
            "version": stale,
            "period": update.period.isoformat(),
            "progress": "Theirs",
            "action": "draft",
        },
    )
    assert first.status_code == 302
    second = world.client("theme_lead").post(
        address,
        {
            "version": stale,
            "period": update.period.isoformat(),
            "progress": "Mine",
            "action": "draft",
        },
    )
    assert second.status_code == 400
    html = second.content.decode()
    assert "Someone else saved this update" in html
    assert "Mine" in html
    assert "Theirs" in html
    update.refresh_from_db()
    assert update.progress == "Theirs"
    api = api_call(
        world.client("member"),
        "put",
        f"/api/v1/plans/{plan.pk}/updates/{update.pk}",
        {"version": stale, "period": update.period.isoformat(), "progress": "Late"},
    )
    assert api.status_code == 409


def test_the_theme_lead_reviews_updates_into_the_theme_summary(world):
    plan = wf.plan(world, months_ago=2)
    update = services.update_save(
        plan=plan,
        period=_period(plan),
        progress="Co-produced plans doubled",
        rag="green",
        submit=True,
        help_needed="Examples please",
    )
    response = world.client("theme_lead").post(
        _page(plan, f"updates/{update.pk}/review/"), {"feedback": "Well done", "in_summary": "on"}
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.in_summary, update.feedback, update.reviewed_by) == (
        True,
        "Well done",
        world.users["theme_lead"],
    )
    start = update.period.strftime("%Y-%m")
    html = (
        world.client("member")
        .get(f"/networks/alliance/themes/{world.theme.pk}/summary/?from={start}&to={start}")
        .content.decode()
    )
    assert "Co-produced plans doubled" in html
    assert "Examples please" in html
    assert (
        world.client("member").post(_page(plan, f"updates/{update.pk}/review/"), {}).status_code
        == 403
    )


# --- Outcomes, checks, evidence ------------------------------------------------------------


def test_an_outcome_schedules_its_sustainability_checks(world):
    plan = wf.plan(world)
    outcome = services.outcome_save(plan=plan, summary="Halved", recorded_on=date(2025, 8, 31))
    assert [(c.months_after, c.due_on) for c in outcome.checks.all()] == [
        (6, date(2026, 2, 28)),
        (12, date(2026, 8, 31)),
    ]
    check = outcome.checks.first()
    with pytest.raises(ValidationError) as caught:
        services.check_record(
            check=check, checked_on=timezone.localdate() + timedelta(days=1), result="sustained"
        )
    assert "checked_on" in caught.value.message_dict
    services.check_record(check=check, checked_on=date(2026, 3, 1), result="partly")
    assert (
        "6-month sustainability check: partly sustained"
        in world.client("member").get(_page(plan)).content.decode()
    )


def test_a_draft_plan_takes_no_outcome(world):
    with pytest.raises(ValidationError):
        services.outcome_save(
            plan=wf.plan(world, status="draft"), summary="x", recorded_on=date(2025, 1, 1)
        )


def test_an_outcome_file_is_read_by_those_who_read_the_plan(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = wf.plan(world)
    response = world.client("member").post(
        _page(plan, "outcomes/new/"),
        {
            "summary": "Better",
            "recorded_on": "2025-06-01",
            "file": SimpleUploadedFile("audit.csv", b"a,b\n"),
        },
    )
    assert response.status_code == 302
    evidence = im.EvidenceFile.objects.get()
    address = f"/networks/alliance/evidence-files/{evidence.pk}/"
    download = world.client("member").get(address)
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert world.client("other_member").get(address).status_code == 404
    assert world.client("anonymous").get(address).status_code == 404


def test_the_evidence_view_puts_measured_improvement_first(world):
    indicator = wf.indicator(world)
    plan = wf.plan(world, title="Measured")
    measure = services.measure_add(plan=plan, indicator=indicator, organisation=world.org)
    SeriesResult.objects.create(
        indicator=indicator, organisation=world.org, points=13, first_period=date(2024, 1, 1),
        latest_period=date(2025, 1, 1), latest_value=1.0, analysis={"types": "ccccccciiiiii"},
    )  # fmt: skip
    services.outcome_save(
        plan=wf.plan(world, title="Unmeasured"), summary="Said so", recorded_on=date(2025, 6, 2)
    )
    services.outcome_save(plan=plan, summary="Shown", measure=measure, recorded_on=date(2025, 6, 1))
    body = world.client("member").get("/api/v1/networks/alliance/evidence").json()
    assert [(e["plan_title"], e["measured_improvement"]) for e in body] == [
        ("Measured", True),
        ("Unmeasured", False),
    ]
