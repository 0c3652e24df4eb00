"""The demo's programmes and funding are the Board paper's (seed 003), figure for figure, and
nothing the paper does not give is filled in."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from kmatrix.core.access import viewer_for
from kmatrix.core.models import User
from kmatrix.demo.tests.test_demo import demo  # noqa: F401 - the class-scoped demo fixture
from kmatrix.networks.models import Network
from kmatrix.networks.tests.html import text
from kmatrix.programmes import queries
from kmatrix.programmes.models import FundingAllocation, FundingAward, Programme

pytestmark = pytest.mark.django_db
BASE = "/networks/em-alliance/programmes/"


def amounts(slug):
    awards = FundingAward.objects.filter(programme__slug=slug).order_by("first_year", "pk")
    return [(a.amount, a.amount_note, a.years, a.term_years, a.status) for a in awards]


@pytest.mark.usefixtures("demo")
class TestTheDemoProgrammes:
    def test_every_programme_of_the_paper_is_under_its_theme(self):
        coordinator = viewer_for(User.objects.get(email="coordinator@example.org"))
        page = queries.by_theme(coordinator, Network.objects.get(slug="em-alliance"))
        assert {s.title: [r.programme.name for r in s.rows] for s in page.sections} == {
            "Safety": ["East Midlands Mental Health Patient Safety programme"],
            "Workforce development": [
                "Clinical Support Worker retention programme",
                "Mental Health Act training materials",
                "Therapy Supervision programme",
            ],
            "Innovation": ["Embedded Mental Health Innovation role", "Open Dialogue pilot"],
            "Collaboratives and population health": [
                "Gambling addictions service for the East Midlands"
            ],
        }

    def test_the_figures_are_the_papers_exactly(self):
        assert amounts("patient-safety") == [(Decimal("400000.00"), "", "", 2, "secured")]
        assert amounts("csw-retention") == [(Decimal("1355640.00"), "", "", 2, "secured")]
        assert amounts("therapy-supervision") == [
            (Decimal("150000.00"), "", "2021/22", None, "secured"),
            (Decimal("177000.00"), "", "2022/23", None, "secured"),
            (Decimal("177000.00"), "", "2023/24", None, "secured"),
        ]
        assert amounts("mental-health-act-training") == [
            (Decimal("66000.00"), "", "", None, "secured")
        ]
        assert amounts("open-dialogue") == [(Decimal("100000.00"), "", "", None, "secured")]
        # "just under £1million" and the role's salary have no exact figure: none is invented.
        assert amounts("gambling-addictions-service") == [
            (None, "just under £1 million", "", None, "secured")
        ]
        (role,) = amounts("mental-health-innovation-role")
        assert role[0] is None
        assert role[3] == 2

    def test_the_csw_award_has_133000_to_each_provider_and_the_recruitment_element(self):
        shares = FundingAllocation.objects.filter(award__programme__slug="csw-retention")
        by_org = sorted(
            (a.organisation.ods_code if a.organisation else "", a.amount) for a in shares
        )
        assert by_org == [("", Decimal("300000.00"))] + [
            (code, Decimal("133000.00"))
            for code in sorted(["RXM", "RT5", "RP7", "RP1", "RHA", "NYA"])
        ]

    def test_only_the_papers_funders_and_leads_are_recorded(self):
        funders = {
            p.slug: {a.funder.name if a.funder else a.funder_note for a in p.awards.all()}
            for p in Programme.objects.filter(network__slug="em-alliance")
        }
        assert funders["csw-retention"] == {"Health Education England"}
        assert funders["mental-health-innovation-role"] == {
            "East Midlands Academic Health Science Network"
        }
        assert funders["patient-safety"] == {"Regional funding"}
        assert funders["therapy-supervision"] == {""}
        leads = dict(
            Programme.objects.filter(network__slug="em-alliance").values_list(
                "slug", "lead_organisation__ods_code"
            )
        )
        assert leads == {
            "patient-safety": None,
            "csw-retention": None,
            "therapy-supervision": "NYA",
            "mental-health-act-training": "RT5",
            "open-dialogue": "RP7",
            "gambling-addictions-service": "RXM",
            "mental-health-innovation-role": None,
        }
        assert not Programme.objects.filter(starts_on__isnull=False).exists()

    def test_the_coordinator_sees_the_totals_on_the_page(self):
        client = Client()
        client.force_login(User.objects.get(email="coordinator@example.org"))
        page = text(client.get(BASE))
        # 400,000 + 1,355,640 + 150,000 + 177,000 + 177,000 + 66,000 + 100,000
        assert "£2,425,640 in exact amounts" in page
        assert "just under £1 million" in page
        assert "Total for Workforce development £1,925,640" in page
        assert "Total for Safety £400,000" in page
        summary = text(client.get(BASE + "funding/"))
        assert "2021/22 £150,000 1" in summary
        assert "Health Education England £1,355,640 1" in summary

    def test_each_programme_links_to_its_updates_and_indicators(self):
        safety = Programme.objects.get(slug="patient-safety")
        assert safety.updates.get().source == "Common Board paper, June 2023"
        assert set(safety.links.values_list("indicator__code", flat=True)) == {
            "restraint-rate",
            "seclusion-rate",
            "long-term-segregation-rate",
        }
        assert safety.sponsor.slug == "medical-nurse-directors"
