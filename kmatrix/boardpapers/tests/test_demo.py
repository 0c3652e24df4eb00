"""The demo's paper: the Alliance's June 2023 common Board paper, with seed 003's structure."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test.utils import override_settings

from kmatrix.boardpapers import demo
from kmatrix.boardpapers.models import BoardPaper, Status
from kmatrix.demo import seed

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Marks the module as using the database, so that pytest-django sets the test database up even
# when this file runs alone (its fixture alone does not ask for it, and it would then read and
# write the development database in var/).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def paper(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        seed.demo_load()
        yield BoardPaper.objects.select_related("network").get(title=demo.TITLE)
        transaction.set_rollback(True)


def _sections(paper):
    return list(paper.sections.filter(in_paper=True).order_by("position"))


def test_it_covers_january_to_june_2023_and_is_in_review(paper):
    assert (paper.period_from.isoformat(), paper.period_to.isoformat()) == (
        "2023-01-01",
        "2023-06-30",
    )
    assert paper.paper_date.isoformat() == "2023-06-15"
    assert paper.status == Status.IN_REVIEW
    assert paper.network.slug == "em-alliance"


def test_it_has_the_seed_papers_structure(paper):
    assert [s.title for s in _sections(paper)] == [
        "Summary",
        "Safety",
        "Quality Improvement",
        "Workforce development",
        "Innovation",
        "Collaboratives and population health",
        "A stronger collective voice",
        "Professional networks",
        "Joint meetings",
        "Recommendations",
        "Appendices",
    ]


def test_the_summary_names_the_six_members(paper):
    summary = paper.sections.get(key="summary").body
    assert "the Boards of its six members" in summary
    for name in (
        "Derbyshire Healthcare",
        "Leicestershire Partnership",
        "Lincolnshire Partnership",
        "Northamptonshire Healthcare",
        "Nottinghamshire Healthcare",
        "St Andrew's Healthcare",
    ):
        assert name in summary


def test_the_themes_carry_the_alliances_indicators_and_groups(paper):
    safety = paper.sections.get(key="theme-safety")
    assert "Restraint" in safety.body
    assert any(f["kind"] == "chart" for f in safety.figures)
    for group in ("Restrictive practice", "Sexual safety", "Suicide and self-harm"):
        assert group in safety.body
    collaboratives = paper.sections.get(key="theme-collaboratives-and-population-health").body
    assert "IMPACT: adult secure patients placed out of area" in collaboratives
    networks = paper.sections.get(key="professional-networks").body
    assert "Chief Executive Forum" in networks
    assert "Alliance Board" in networks
    assert "Joint Chair and CEO group" in paper.sections.get(key="joint-meetings").body


def _body(paper, theme):
    return paper.sections.get(key=f"theme-{theme}").body


def test_each_theme_reports_the_seeds_programmes_and_funding(paper):
    safety = _body(paper, "safety")
    assert "#### East Midlands Mental Health Patient Safety programme" in safety
    assert "£400,000 for the East Midlands Mental Health Patient Safety programme" in safety
    workforce = _body(paper, "workforce-development")
    assert "£1,355,640 for the Clinical Support Worker retention programme" in workforce
    assert "funder: Health Education England; over two years; secured" in workforce
    assert "£133,000 to each of six organisations" in workforce
    assert "£300,000: Recruitment element" in workforce
    assert "£150,000 for the Therapy Supervision programme, 2021/22" in workforce
    assert workforce.count("£177,000 for the Therapy Supervision programme") == 2
    assert "£66,000 for the Mental Health Act training materials" in workforce
    innovation = _body(paper, "innovation")
    assert "£100,000 for the Open Dialogue pilot" in innovation
    assert "Embedded Mental Health Innovation role" in innovation
    collaboratives = _body(paper, "collaboratives-and-population-health")
    assert "An award with no exact figure (just under £1 million)" in collaboratives
    summary = paper.sections.get(key="summary").body
    assert "### Funding secured" in summary
    assert "Funding secured across the themes: £2,275,640 in exact amounts" in summary


def test_the_professional_networks_and_joint_meetings_say_what_they_discussed_and_decided(paper):
    networks = paper.sections.get(key="professional-networks").body
    assert "**HR Director network, February 2023.**" in networks
    assert "- Plans to manage industrial action [" in networks
    assert "**Medical and Nurse Director network, April 2023.**" in networks
    assert "**Alliance Board, April 2023.**" in networks
    joint = paper.sections.get(key="joint-meetings").body
    assert "**Joint Chair and CEO meeting, Wednesday 3 May 2023, Leicester.**" in joint
    assert "**Joint Chair and CEO meeting, Friday 9 June 2023" in joint
    assert "- Decision 2: Restructure the common Board paper" in joint
    assert "- Population health and inequalities [" in joint
    quality = _body(paper, "quality-improvement")
    assert "PCREF leads network: two meetings in the period, reported under Professional" in (
        quality
    )


def test_the_recommendations_and_appendices_are_the_seeds(paper):
    recommendations = paper.sections.get(key="recommendations")
    assert recommendations.body == demo.RECOMMENDATIONS_INTRO
    assert [label for label, _text in recommendations.letters] == ["a", "b", "c", "d"]
    assert (
        recommendations.items[3]
        == "review the summaries of the joint Chair and CEO meetings held in May and June."
    )
    appendices = paper.sections.get(key="appendices")
    assert [f"{label}. {text}" for label, text in appendices.letters] == [
        "1. Regional restrictive practice report May 2023",
        "2. Clinical Support Worker case study",
        "3. Alliance framework slides",
    ]


def test_loading_again_leaves_the_paper_as_it_is(paper):
    version = paper.version
    assert demo.boardpapers_demo_load().pk == paper.pk
    paper.refresh_from_db()
    assert paper.version == version
