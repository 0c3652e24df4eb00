from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from kmatrix.core.access import Visibility, viewer_for, visible
from kmatrix.core.models import User
from kmatrix.demo import people, seed
from kmatrix.indicators.demo import AE_SLUG
from kmatrix.indicators.models import DataPoint, ImportBatch, Indicator, SeriesResult
from kmatrix.networks.models import (
    AdoptedTheme,
    Group,
    Membership,
    Network,
    NetworkOrganisation,
    Organisation,
    Person,
    Role,
    ThemeFramework,
    Workstream,
)

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def roles_of(email: str, slug: str) -> set[str]:
    membership = Membership.objects.get(person__user__email=email, network__slug=slug)
    return set(membership.role_values)


def adopted(slug: str) -> list[tuple[str, str]]:
    rows = AdoptedTheme.objects.filter(network__slug=slug).order_by("position")
    return [(a.theme.name, a.status) for a in rows.select_related("theme")]


def test_the_command_loads_the_demo_and_prints_one_login_per_role():
    out = io.StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert Network.objects.filter(slug__in=["em-mln", "em-alliance"]).count() == 2
    for login in people.LOGINS:
        assert re.search(
            rf"^{login.role}\s+{re.escape(login.email)}\s+{people.DEMO_PASSWORD}", text, re.M
        )


def test_loading_it_again_changes_nothing_at_all():
    call_command("demo", stdout=io.StringIO())
    before = row_counts()
    call_command("demo", stdout=io.StringIO())
    assert row_counts() == before


def test_reset_deletes_the_demo_and_loads_it_afresh():
    seed.demo_load()
    old = Network.objects.get(slug="em-mln").pk
    kept = {
        m: m.objects.count() for m in (Network, Person, Membership, Group, Workstream, Organisation)
    }
    call_command("demo", "--reset", stdout=io.StringIO())
    assert Network.objects.get(slug="em-mln").pk != old
    assert {m: m.objects.count() for m in kept} == kept


def test_reset_keeps_an_organisation_that_others_still_use():
    seed.demo_load()
    other = Network.objects.create(name="A network of someone else's", slug="elsewhere")
    rxm = Organisation.objects.get(ods_code="RXM")
    person = Person.objects.create(
        full_name="Ivor Somebody", job_title="Analyst", email="ivor@example.org"
    )
    Membership.objects.create(person=person, network=other, organisation=rxm)
    seed.demo_reset()
    assert Organisation.objects.filter(ods_code="RXM").exists()
    assert not Organisation.objects.filter(ods_code="RT5").exists()
    assert not Network.objects.filter(slug="em-alliance").exists()


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the class and rolled back after it (loading takes a second)."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        yield seed.demo_load()
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo")
class TestTheDemoData:
    def test_the_alliance_has_the_six_providers_as_members_and_three_partners(self):
        links = NetworkOrganisation.objects.filter(network__slug="em-alliance").select_related(
            "organisation"
        )
        members = {
            link.organisation.ods_code: link.organisation for link in links if link.is_member
        }
        partners = [link.organisation for link in links if not link.is_member]
        assert set(members) == {"RXM", "RT5", "RP7", "RP1", "RHA", "NYA"}
        assert members["RXM"].name == "Derbyshire Healthcare NHS Foundation Trust"
        assert members["NYA"].name == "St Andrew's Healthcare"
        assert members["NYA"].sector == Organisation.Sector.INDEPENDENT
        assert sorted(o.name for o in partners) == [
            "East Midlands Academic Health Science Network",
            "Health Education England",
            "NHS England",
        ]
        assert all(o.ods_code == "" and o.sector == "other" for o in partners)

    def test_local_authorities_and_charities_have_no_invented_ods_codes(self):
        councils = Organisation.objects.filter(sector=Organisation.Sector.LOCAL_AUTHORITY)
        assert councils.count() == 5
        assert not councils.exclude(ods_code="").exists()
        assert not Organisation.objects.filter(sector="vcse").exclude(ods_code="").exists()

    def test_the_alliance_adopts_the_six_strategic_themes_in_order(self):
        assert adopted("em-alliance") == [
            ("Safety", "active"),
            ("Quality Improvement", "active"),
            ("Workforce development", "active"),
            ("Innovation", "active"),
            ("Collaboratives and population health", "active"),
            ("A stronger collective voice", "active"),
        ]

    def test_the_mln_adopts_five_key_themes_and_defers_the_other_five(self):
        rows = adopted("em-mln")
        assert rows[:5] == [
            ("Service User Engagement", "active"),
            ("Care Homes/Housing/Home care/Day services", "active"),
            ("Specialist CMHT/Intermediate care", "active"),
            ("Liaison/General Hospital", "active"),
            ("In patient services", "active"),
        ]
        assert [status for _name, status in rows[5:]] == ["deferred"] * 5
        assert {name for name, _ in rows} == set(seed.KEY_THEMES)

    def test_the_key_themes_framework_keeps_the_seed_order(self):
        framework = ThemeFramework.objects.get(slug=seed.KEY_THEMES_SLUG)
        names = list(framework.themes.order_by("position").values_list("name", flat=True))
        assert names == [
            "Liaison/General Hospital",
            "Commissioning",
            "Workforce",
            "Culture and diversity",
            "In patient services",
            "Care Homes/Housing/Home care/Day services",
            "Specialist CMHT/Intermediate care",
            "Service User Engagement",
            "Health Promotion",
            "Primary Care",
        ]
        strategic = ThemeFramework.objects.get(slug=seed.STRATEGIC_THEMES_SLUG)
        assert strategic.name == "East Midlands Alliance strategic themes"
        assert strategic.themes.count() == 6

    def test_the_neyh_and_nw_mlns_adopt_all_ten_key_themes(self):
        for slug in ("neyh-mln", "nw-mln"):
            rows = adopted(slug)
            assert [name for name, _ in rows] == list(seed.KEY_THEMES)
            assert {status for _, status in rows} == {"active"}

    def test_the_mln_has_five_workstreams_each_with_one_lead_and_up_to_five_members(self):
        workstreams = Workstream.objects.filter(network__slug="em-mln").prefetch_related("members")
        assert workstreams.count() == 5
        for ws in workstreams:
            leads = [m for m in ws.members.all() if m.is_lead]
            others = [m for m in ws.members.all() if not m.is_lead]
            assert len(leads) == 1, ws.name
            assert 1 <= len(others) <= 5, ws.name
            assert ws.theme.name == ws.name
        sizes = {ws.name: ws.members.count() for ws in workstreams}
        assert sizes["In patient services"] == 6
        assert sizes["Service User Engagement"] == 2

    def test_theme_leads_hold_the_theme_lead_role(self):
        for ws in Workstream.objects.filter(network__slug="em-mln"):
            lead = ws.members.get(is_lead=True).person
            membership = Membership.objects.get(person=lead, network=ws.network)
            assert Role.THEME_LEAD in membership.role_values

    def test_the_mln_has_its_officers(self):
        mln = Network.objects.get(slug="em-mln")
        held: dict[str, list[Membership]] = {}
        for membership in mln.memberships.prefetch_related("roles").select_related("organisation"):
            for role in membership.role_values:
                held.setdefault(role, []).append(membership)
        assert len(held["co_chair"]) == 2
        assert "Care Services Improvement Partnership" in {
            m.organisation.name for m in held["co_chair"]
        }
        for role in ("coordinator", "communications_lead", "knowledge_manager"):
            assert len(held[role]) == 1
        sectors = set(mln.memberships.values_list("organisation__sector", flat=True))
        assert {"nhs_trust", "local_authority", "vcse"} <= sectors
        assert mln.cadence == "bimonthly"
        assert mln.cadence_note == "Bi-monthly at first, then quarterly"
        assert mln.kind == "learning_network"

    def test_memberships_record_the_commitment_and_letters(self):
        memberships = Membership.objects.filter(network__slug="em-mln")
        assert not memberships.exclude(committed_days_per_month=Decimal("1.0")).exists()
        assert not memberships.filter(joined_on__isnull=True).exists()
        assert not memberships.filter(line_manager_agreed_on__isnull=True).exists()
        unsent = memberships.filter(letter_sent_on__isnull=True).count()
        assert 0 < unsent < memberships.count() / 2

    def test_the_mln_links_to_the_other_learning_networks_and_collaboratives(self):
        mln = Network.objects.get(slug="em-mln")
        assert set(mln.linked_networks.values_list("name", flat=True)) == {
            "North East, Yorkshire and Humberside Managed Learning Network",
            "North West Managed Learning Network",
            "South East Dementia Collaborative",
            "West Midlands Dementia Collaborative",
            "North East Dementia Collaborative",
        }
        # Links run both ways.
        assert mln in Network.objects.get(slug="nw-mln").linked_networks.all()

    def test_the_alliance_has_its_groups_of_each_kind(self):
        groups = Group.objects.filter(network__slug="em-alliance")
        by_kind: dict[str, set[str]] = {}
        for group in groups:
            by_kind.setdefault(group.kind, set()).add(group.name)
        assert by_kind["professional_network"] == {
            "Chief Executive Forum",
            "Medical and Nurse Director network",
            "Strategy and Finance Director forum",
            "HR Director network",
            "PCREF leads network",
            "Sustainability group",
            "Digital leads group",
        }
        assert by_kind["forum"] == {"Alliance Board", "Joint Chair and CEO group"}
        assert by_kind["community_of_practice"] == {
            "Restrictive practice",
            "Sexual safety",
            "Suicide and self-harm",
        }
        assert by_kind["collaborative"] == {
            "CAMHS",
            "Adult Eating Disorders",
            "IMPACT forensics",
            "Perinatal",
            "Gambling addictions service",
            "Veterans",
        }
        assert groups.get(name="Chief Executive Forum").cadence == "fortnightly"

        def themes(kind: str) -> set[str]:
            return set(groups.filter(kind=kind).values_list("theme__name", flat=True))

        assert themes("community_of_practice") == {"Safety"}
        assert themes("collaborative") == {"Collaboratives and population health"}

    def test_every_group_has_a_chair_from_a_member_provider_and_several_members(self):
        providers = set(
            NetworkOrganisation.objects.filter(
                network__slug="em-alliance", is_member=True
            ).values_list("organisation_id", flat=True)
        )
        for group in Group.objects.filter(network__slug="em-alliance").select_related("chair"):
            assert group.chair is not None, group.name
            assert group.chair.organisation_id in providers, group.name
            assert group.members.filter(pk=group.chair.pk).exists()
            assert group.members.count() >= 4, group.name
            assert group.purpose

    def test_every_demo_login_can_sign_in(self):
        for login in people.LOGINS:
            assert Client().login(email=login.email, password=people.DEMO_PASSWORD), login.role

    def test_each_login_holds_the_role_it_is_named_for(self):
        assert User.objects.get(email="admin@example.org").is_superuser
        assert roles_of("coordinator@example.org", "em-mln") == {"coordinator"}
        assert roles_of("coordinator@example.org", "em-alliance") == {"coordinator"}
        assert "theme_lead" in roles_of("theme.lead@example.org", "em-mln")
        lead = Workstream.objects.get(network__slug="em-mln", name="Service User Engagement")
        lead_user = lead.members.get(is_lead=True).person.user
        assert lead_user is not None
        assert lead_user.email == "theme.lead@example.org"
        assert roles_of("member@example.org", "em-mln") == {"member"}
        alliance = Membership.objects.get(
            person__user__email="member@example.org", network__slug="em-alliance"
        )
        assert alliance.organisation.ods_code == "RXM"
        board = Membership.objects.filter(person__user__email="board.reader@example.org")
        assert [(m.network.slug, m.role_values) for m in board] == [
            ("em-alliance", ["board_reader"])
        ]
        outsider = User.objects.get(email="outsider@example.org")
        assert not Person.objects.filter(user=outsider).exists()

    def test_every_login_but_the_outsider_has_a_person_and_a_verified_email(self):
        for login in people.LOGINS:
            user = User.objects.get(email=login.email)
            addresses = EmailAddress.objects.filter(user=user, verified=True, primary=True)
            assert addresses.count() == 1
            assert Person.objects.filter(user=user).exists() == (login.role != "outsider")

    def test_everyone_has_a_job_title_and_an_example_email(self):
        for person in Person.objects.all():
            assert person.job_title, person
            domain = person.email.rsplit("@", 1)[1]
            assert domain.startswith("example."), person.email

    def test_no_one_in_the_demo_has_a_name_from_the_seeds(self):
        banned = {name.lower() for name in people.SEED_NAMES}
        for name in Person.objects.values_list("full_name", flat=True):
            assert not banned & set(name.lower().split()), name

    def test_the_demo_shows_each_kind_of_visibility(self):
        assert set(
            Network.objects.filter(slug__in=["em-mln", "em-alliance"]).values_list(
                "visibility", flat=True
            )
        ) == {"public"}
        assert Person.objects.filter(visibility=Visibility.RESTRICTED).exists()
        assert Person.objects.filter(visibility=Visibility.ORGANISATION).exists()
        assert Group.objects.filter(visibility=Visibility.PUBLIC).exists()
        assert Group.objects.filter(visibility=Visibility.NETWORK).exists()

    def test_the_restricted_person_is_seen_by_the_coordinator_but_not_the_member(self):
        secret = Person.objects.get(visibility=Visibility.RESTRICTED)
        coordinator = viewer_for(User.objects.get(email="coordinator@example.org"))
        member = viewer_for(User.objects.get(email="member@example.org"))
        assert secret in visible(coordinator, Person.objects.all())
        assert secret not in visible(member, Person.objects.all())


# --- Indicators (kmatrix/indicators/demo.py) ------------------------------------------------

NHS_TRUSTS = {"RXM", "RT5", "RP7", "RP1", "RHA"}


@pytest.mark.usefixtures("demo")
class TestTheDemoIndicators:
    def test_the_sickness_rate_is_nhs_digitals_twelve_months_for_the_five_trusts(self):
        points = DataPoint.objects.filter(
            indicator__network__slug="em-alliance", indicator__code="sickness-rate"
        ).select_related("organisation")
        assert points.count() == 60
        assert {p.organisation.ods_code for p in points} == NHS_TRUSTS
        assert {p.period for p in points} == {
            date(2024 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(12)
        }
        # As published for Derbyshire in April 2024: 5,138.87 FTE days lost of 87,661.67 (5.86%).
        rxm = points.get(organisation__ods_code="RXM", period=date(2024, 4, 1))
        assert (rxm.numerator, rxm.denominator) == (5138.87056, 87661.66937)
        assert round(rxm.value, 2) == 5.86
        assert ImportBatch.objects.filter(file_format="nhs-sickness", status="done").count() == 12

    def test_twelve_months_are_honestly_too_few_for_mdc_limits(self):
        results = SeriesResult.objects.filter(indicator__code="sickness-rate")
        assert results.count() == 5
        for result in results:
            assert result.variation_icon == ""
            assert result.analysis["segments"][0]["upper_limit"] is None
            assert result.analysis["warnings"] == [
                "Too few points (12) for SPC limits: at least 13 are needed."
            ]

    def test_only_the_real_data_is_not_flagged_illustrative(self):
        alliance = Indicator.objects.filter(network__slug="em-alliance")
        assert set(alliance.filter(is_illustrative=False).values_list("code", flat=True)) == {
            "sickness-rate"
        }
        for indicator in alliance.filter(is_illustrative=True):
            assert "Illustrative figures, not real data" in indicator.definition, indicator.code
        national = Indicator.objects.filter(network__slug=AE_SLUG)
        assert national.count() == 4
        assert not national.filter(is_illustrative=True).exists()

    def test_the_alliance_sets_hang_off_its_strategic_themes(self):
        themes = dict(
            Indicator.objects.filter(network__slug="em-alliance").values_list("code", "theme__name")
        )
        workforce = ["sickness-rate", "turnover-rate", "vacancy-rate", "time-to-hire"]
        assert {themes[c] for c in [*workforce, "agency-use", "supervision"]} == {
            "Workforce development"
        }
        restrictive = ["restraint-rate", "seclusion-rate", "long-term-segregation-rate"]
        assert {themes[c] for c in restrictive} == {"Safety"}
        assert {themes[c] for c in themes if c.startswith("impact-")} == {
            "Collaboratives and population health"
        }
        units = dict(Indicator.objects.filter(code__in=restrictive).values_list("code", "unit"))
        assert set(units.values()) == {"rate_per_1000_obd"}

    def test_the_restrictive_practice_review_has_both_review_months_for_every_provider(self):
        for code in ("restraint-rate", "seclusion-rate", "long-term-segregation-rate"):
            for month in (date(2021, 3, 1), date(2023, 3, 1)):
                found = DataPoint.objects.filter(indicator__code=code, period=month)
                assert set(found.values_list("organisation__ods_code", flat=True)) == {
                    *NHS_TRUSTS,
                    "NYA",
                }, (code, month)

    def test_the_impact_measures_end_at_the_board_papers_figures(self):
        latest = {
            r.indicator.code: r
            for r in SeriesResult.objects.filter(
                indicator__code__startswith="impact-"
            ).select_related("indicator", "organisation")
        }
        assert latest["impact-out-of-area-placements"].latest_value == 43
        assert round(latest["impact-out-of-area-share"].latest_value) == 8
        assert latest["impact-repeat-access-assessments"].latest_value == 6.0
        assert {r.organisation.ods_code for r in latest.values()} == {"NYA"}
        rates = DataPoint.objects.filter(
            indicator__code="impact-restraint-seclusion-rate"
        ).order_by("period")
        values = [p.value for p in rates]
        first, last = sum(values[:6]) / 6, sum(values[-6:]) / 6
        assert 0.7 < last / first < 0.9  # about 20% fewer

    def test_the_national_ae_example_has_274_providers_over_36_months(self):
        network = Network.objects.get(slug=AE_SLUG)
        assert network.visibility == "public"
        assert network.name == "National A&E benchmarking (NHS England data)"
        members = NetworkOrganisation.objects.filter(network=network, is_member=True)
        assert members.count() == 274
        performance = DataPoint.objects.filter(indicator__network=network,
                                               indicator__code="ae-4hr-performance")  # fmt: skip
        assert performance.values("organisation").distinct().count() == 274
        months = sorted(set(performance.values_list("period", flat=True)))
        assert (len(months), months[0], months[-1]) == (36, date(2016, 4, 1), date(2019, 3, 1))
        results = SeriesResult.objects.filter(indicator__network=network)
        assert results.filter(indicator__code="ae-4hr-performance").count() == 274
        assert results.filter(indicator__code="ae-attendances").count() == 274
        full = results.filter(indicator__code="ae-4hr-performance", points=36)
        assert full.count() == 190  # the providers that reported every month
        assert full.exclude(variation_icon="").count() == 190

    def test_ae_performance_is_worked_out_from_attendances_and_breaches_of_all_types(self):
        # RF4 in March 2017: types 1, 2 and other, from the file.
        attendances = 21289 + 813 + 2850
        breaches = 2879 + 22 + 6
        point = DataPoint.objects.get(
            indicator__code="ae-4hr-performance", organisation__ods_code="RF4",
            period=date(2017, 3, 1),
        )  # fmt: skip
        assert point.value == pytest.approx(100 * (attendances - breaches) / attendances)
        assert (point.numerator, point.denominator) == (attendances - breaches, attendances)
        count = DataPoint.objects.get(
            indicator__code="ae-attendances", organisation__ods_code="RF4",
            period=date(2017, 3, 1),
        )  # fmt: skip
        assert count.value == attendances

    def test_ae_providers_are_named_by_their_code_and_say_why(self):
        rf4 = Organisation.objects.get(ods_code="RF4")
        assert rf4.name == "RF4"
        assert rf4.sector == "nhs_trust"
        assert "identifies providers by ODS code only" in rf4.description
