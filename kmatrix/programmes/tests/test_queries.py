"""The named reads other apps call: the Board paper's programmes and funding, the awards a
spending app draws down, and the documents the platform search indexes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.http import Http404

from kmatrix.core.access import ANONYMOUS, viewer_for
from kmatrix.programmes import queries, services, years
from kmatrix.programmes.models import Programme
from kmatrix.programmes.tests.factories import award, programme

JUNE_2023 = (date(2023, 1, 1), date(2023, 6, 30))


def viewer(world, name):
    return viewer_for(world.users[name]) if name != "anonymous" else ANONYMOUS


@pytest.fixture
def reported(funded):
    """Updates and milestones in and out of the period."""
    services.update_add(
        programme=funded.safety,
        on=date(2023, 6, 15),
        text="Regional funding secured.",
        source="Board paper",
    )
    services.update_add(programme=funded.safety, on=date(2022, 6, 15), text="Last year's news.")
    for title, status, on, precision in (
        ("Learning event in Nottingham", "achieved", date(2023, 3, 1), "month"),
        ("Learning event in Northampton", "achieved", date(2022, 1, 1), "year"),
        ("Postholder in place", "planned", date(2023, 6, 30), "day"),
        ("Project manager recruited", "planned", None, "day"),
        ("An old idea", "dropped", None, "day"),
    ):
        services.milestone_save(
            programme=funded.safety, title=title, status=status, on=on, precision=precision
        )
    return funded


def test_the_board_paper_gets_programme_updates_and_milestones_by_theme(world, reported):
    themes = queries.board_programmes(viewer(world, "member"), world.network, *JUNE_2023)
    assert [t.theme for t in themes] == ["Safety"]
    (safety,) = themes[0].programmes
    assert safety.name == "Patient Safety"
    assert safety.url == "/networks/alliance/programmes/patient-safety/"
    assert [(u.on, u.text) for u in safety.updates] == [
        (date(2023, 6, 15), "Regional funding secured.")
    ]
    assert [(m.title, m.when) for m in safety.milestones] == [
        ("Learning event in Nottingham", "March 2023"),
        ("Postholder in place", "30 June 2023"),
        ("Project manager recruited", ""),
    ]


def test_the_board_paper_respects_access(world, reported):
    services.update_add(programme=reported.secret, on=date(2023, 5, 1), text="Confidential.")
    lead = queries.board_programmes(viewer(world, "theme_lead"), world.network, *JUNE_2023)
    member = queries.board_programmes(viewer(world, "member"), world.network, *JUNE_2023)
    assert [p.name for p in lead[0].programmes] == ["Confidential bid", "Patient Safety"]
    assert [p.name for p in member[0].programmes] == ["Patient Safety"]


def test_the_board_paper_gets_funding_secured_with_totals_by_theme(world, funded):
    found = queries.board_funding(
        viewer(world, "member"), world.network, date(2023, 4, 1), date(2024, 3, 31)
    )
    by_theme = {t.theme: t for t in found.themes}
    # 2023/24's award overlaps the period; 2021/22's and 2022/23's do not; undated awards count.
    assert by_theme["Workforce"].total == Decimal("1355640") + Decimal("177000")
    assert by_theme["Safety"].total == Decimal("400000")  # the bid is not secured
    assert by_theme["No theme"].unquantified == ("just under £1 million",)
    assert found.total == Decimal("1932640")
    undated = [a for a in by_theme["Workforce"].awards if not a.dated]
    assert [a.amount for a in undated] == [Decimal("1355640")]
    assert [t.theme for t in found.themes] == ["Safety", "Workforce", "No theme"]


def test_an_award_secured_in_the_period_is_the_boards_by_its_date(world, funded):
    award(funded.safety, "7000", secured_on=date(2023, 2, 1), first_year=2019)
    found = queries.board_funding(
        viewer(world, "member"), world.network, date(2023, 1, 1), date(2023, 3, 1)
    )
    safety = next(t for t in found.themes if t.theme == "Safety")
    assert Decimal("7000") in [a.amount for a in safety.awards]


def test_a_spending_app_finds_awards_by_financial_year_and_draws_them_down(world, funded):
    member = viewer(world, "member")
    pid = queries.programme_find(member, network_id=world.network.pk, slug="csw")
    assert pid == funded.workforce.pk
    (year,) = queries.programme_awards(member, pid, "2022/23")
    assert (year.amount, year.remaining, year.financial_years) == (
        Decimal("177000.00"),
        Decimal("177000.00"),
        "2022/23",
    )
    services.award_drawdown(
        award_id=year.award_id,
        amount=Decimal("1200"),
        drawn_on=date(2022, 10, 3),
        reference="Booking 17",
        source="supervision",
    )
    (after,) = queries.programme_awards(member, pid, 2022)
    assert (after.drawn, after.remaining) == (Decimal("1200.00"), Decimal("175800.00"))
    every = queries.programme_awards(member, pid)
    assert [a.financial_years for a in every] == ["2021/22", "2022/23", "2023/24", ""]


def test_a_multi_year_award_is_found_for_each_of_its_years(world, funded):
    award(funded.workforce, "900", first_year=2024, last_year=2026)
    found = queries.programme_awards(viewer(world, "member"), funded.workforce.pk, "2025/26")
    assert [a.amount for a in found] == [Decimal("900.00")]


def test_the_spending_lookups_respect_access_and_bad_years(world, funded):
    outsider = viewer(world, "outsider")
    assert queries.programme_find(outsider, network_id=world.network.pk, slug="csw") is None
    with pytest.raises(Http404):
        queries.programme_awards(outsider, funded.workforce.pk)
    with pytest.raises(years.FinancialYearError):
        queries.programme_awards(viewer(world, "member"), funded.workforce.pk, "2022/24")


def test_programmes_become_search_documents(world, reported):
    assert set(queries.programme_search_records()) == set(Programme.objects.all())
    docs = {d.id: d for d in queries.programme_search_documents()}
    safety = docs[reported.safety.pk]
    assert (safety.kind, safety.title, safety.network_id) == (
        "programme",
        "Patient Safety",
        world.network.pk,
    )
    assert safety.organisation_id == world.org.pk
    assert safety.theme_ids == (world.theme.pk,)
    assert "Regional funding secured." in safety.body
    assert "£400,000 Regional funding" in safety.body
    assert safety.year == 2023  # the financial year of its latest update
    assert safety.url == "/networks/alliance/programmes/patient-safety/"
    only_these = list(queries.programme_search_documents([reported.elsewhere.pk]))
    assert [d.title for d in only_these] == ["Elsewhere"]


def test_the_search_filters_documents_through_the_access_helper(world, funded):
    ids = [funded.safety.pk, funded.secret.pk, funded.gambling.pk, funded.elsewhere.pk]
    assert (
        queries.programme_search_visible(viewer(world, "anonymous"), ids) == set()
    )  # the network is not public
    assert queries.programme_search_visible(viewer(world, "member"), ids) == {
        funded.safety.pk,
        funded.gambling.pk,
    }
    assert queries.programme_search_visible(viewer(world, "theme_lead"), ids) == {
        funded.safety.pk,
        funded.gambling.pk,
        funded.secret.pk,
    }
    assert queries.programme_search_visible(viewer(world, "other_member"), ids) == {
        funded.elsewhere.pk
    }


def test_a_programme_with_nothing_in_the_period_is_left_out(world):
    programme(world.network, "quiet", theme=world.theme)
    assert queries.board_programmes(viewer(world, "member"), world.network, *JUNE_2023) == []
