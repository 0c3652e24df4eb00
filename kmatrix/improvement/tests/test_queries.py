"""The named reads other apps call (kmatrix/improvement/queries.py), with access applied."""

from __future__ import annotations

from datetime import date

import pytest

from kmatrix.core.access import viewer_for
from kmatrix.improvement import queries, services
from kmatrix.improvement.tests import work_fixtures as wf
from kmatrix.indicators.models import SeriesResult

pytestmark = pytest.mark.django_db


def _viewer(world, name):
    return viewer_for(world.users[name]) if name != "anonymous" else viewer_for(None)


def test_published_plan_counts_per_network_and_theme_follow_access_and_year(world):
    wf.plan(world)
    wf.plan(world)
    wf.plan(world, visibility="public")
    wf.plan(world, status="draft")
    wf.plan(world, visibility="restricted", lead=None)
    key = (world.network.pk, world.theme.pk)
    assert queries.published_plan_counts(_viewer(world, "member")) == {key: 3}
    assert queries.published_plan_counts(_viewer(world, "anonymous")) == {key: 1}
    assert queries.published_plan_counts(_viewer(world, "administrator"))[key] == 4
    year = wf.plan(world).published_at.year
    assert queries.published_plan_counts(_viewer(world, "member"), year=year - 5) == {}


def test_theme_progress_gives_the_share_of_gaps_closed_and_of_plans_measured(world):
    wf.assessed(world, {"1.1": "not_met", "1.2": "not_met", "2.1": "met"}, on=date(2025, 1, 1))
    wf.assessed(world, {"1.1": "met", "1.2": "not_met", "2.1": "met"}, on=date(2026, 1, 1))
    measured = wf.plan(world)
    wf.plan(world)
    indicator = wf.indicator(world)
    measure = services.measure_add(plan=measured, indicator=indicator, organisation=world.org)
    services.outcome_save(
        plan=measured, summary="Better", measure=measure, recorded_on=date(2025, 5, 1)
    )
    found = queries.theme_progress(_viewer(world, "member"))[world.network.pk, world.theme.pk]
    assert (found.gaps, found.gaps_closed, found.gaps_closed_share) == (2, 1, 0.5)
    assert (found.plans, found.plans_with_measured_outcome, found.measured_outcome_share) == (
        2,
        1,
        0.5,
    )
    assert queries.theme_progress(_viewer(world, "other_member")) == {}


def test_search_documents_cover_every_plan_update_and_gap(world):
    # The search's contract: every record (access is applied at search time, through each
    # model's access_scope), or only those asked for.
    plan = wf.plan(world, title="Seclusion review", aim="Halve seclusion.")
    update = wf.update(plan, plan.published_at.date().replace(day=1), submitted=True)
    draft = wf.update(plan, date(2001, 1, 1))
    wf.assessed(world, {"1.1": "not_met", "1.2": "met", "2.1": "met"})
    plans = list(queries.plan_search_documents())
    assert [(d.kind, d.title, d.network_id, d.theme_ids) for d in plans] == [
        ("plan", "Seclusion review", world.network.pk, (world.theme.pk,))
    ]
    assert "Halve seclusion." in plans[0].body
    assert plans[0].url == plan.get_absolute_url()
    assert plans[0].year == plan.published_at.year
    assert {d.id for d in queries.update_search_documents()} == {update.pk, draft.pk}
    assert [d.id for d in queries.update_search_documents([update.pk])] == [update.pk]
    gaps = list(queries.gap_search_documents())
    assert [(d.kind, d.title) for d in gaps] == [("gap", f"Gap 1.1 at {world.org}")]
    assert gaps[0].body.endswith("Not met, open")
    assert list(queries.gap_search_documents([0])) == []
    assert set(queries.plan_search_records()) == {plan}


def test_the_board_report_gathers_a_themes_plans_outcomes_rag_changes_and_overdue_updates(world):
    plan = wf.plan(world, months_ago=4, rag="amber")
    first = plan.published_at.date().replace(day=1)
    from kmatrix.improvement import plans as rules

    services.update_save(plan=plan, period=first, progress="a", rag="amber", submit=True)
    second = rules.add_months(first, 1)
    services.update_save(plan=plan, period=second, progress="b", rag="green", submit=True)
    indicator = wf.indicator(world)
    measure = services.measure_add(plan=plan, indicator=indicator, organisation=world.org)
    SeriesResult.objects.all().delete()
    from kmatrix.indicators import services as indicator_services

    indicator_services.datapoint_save(
        indicator=indicator, organisation=world.org, period=first, value=3
    )
    services.outcome_save(plan=plan, summary="Better", measure=measure, recorded_on=second)
    start, end = rules.add_months(first, -1), rules.add_months(first, 6)
    [theme] = queries.board_report(_viewer(world, "member"), world.network, start, end)
    assert theme.theme_name == world.theme.name
    assert theme.published == [plan]
    assert [(c.earlier, c.later) for c in theme.rag_changes] == [("amber", "green")]
    assert theme.outcomes[0].spc is not None
    assert theme.outcomes[0].spc.rows[0].value == 3
    overdue_periods = [p for _plan, p, _due in theme.overdue]
    assert first not in overdue_periods
    assert second not in overdue_periods
    assert queries.board_report(_viewer(world, "other_member"), world.network, start, end) == []
