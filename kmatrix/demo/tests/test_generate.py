from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q, QuerySet

from kmatrix.demo import generate, generate_indicators, people, seed
from kmatrix.indicators.models import DataPoint, Indicator, SeriesResult
from kmatrix.networks.models import (
    AdoptedTheme,
    Group,
    Membership,
    MembershipRole,
    Network,
    NetworkOrganisation,
    Organisation,
    Person,
    Workstream,
    WorkstreamMember,
)

pytestmark = pytest.mark.django_db

SMALL = generate.SCALES["small"]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("generate", "--scale", "small", *args, stdout=out)
    return out.getvalue()


def generated_people() -> QuerySet[Person]:
    return Person.objects.filter(email__endswith=f"@{generate.EMAIL_DOMAIN}")


def generated_networks() -> QuerySet[Network]:
    return Network.objects.filter(slug__startswith=generate.SLUG_PREFIX)


def snapshot() -> dict[str, object]:
    """What a run made, independent of primary keys."""
    models = (Network, Organisation, Person, Membership, MembershipRole, AdoptedTheme, Workstream)
    return {
        "counts": {m.__name__: m.objects.count() for m in (*models, WorkstreamMember, Group)},
        "names": list(generated_people().order_by("pk").values_list("full_name", flat=True)),
        "networks": list(generated_networks().order_by("pk").values_list("name", flat=True)),
        "codes": list(Organisation.objects.order_by("pk").values_list("ods_code", flat=True)),
    }


def test_small_scale_makes_a_twentieth_of_the_national_directory(capsys):
    text = run("--seed", "7")
    assert "Generated the small data set from seed 7" in text
    assert generated_networks().count() == SMALL.networks == 3
    assert Organisation.objects.filter(description=generate.GENERATED_NOTE).count() == 15
    assert generated_people().count() == 1000
    assert generate.generated_scale() == "small"
    # The progress bar goes to stderr, out of the way of the summary.
    assert "generate small" in capsys.readouterr().err


def test_every_organisation_has_a_unique_valid_ods_code(db):
    Organisation.objects.create(name="Derbyshire Healthcare", ods_code="RXM", sector="nhs_trust")
    run("--seed", "7")
    codes = list(Organisation.objects.values_list("ods_code", flat=True))
    assert all(re.fullmatch(r"[A-Z0-9]{3,6}", code) for code in codes)
    assert len(codes) == len(set(codes)) == 16


def test_each_person_is_in_one_to_three_networks_for_their_employer(db):
    run("--seed", "7")
    per_person = Counter(Membership.objects.values_list("person_id", flat=True))
    assert set(per_person.values()) <= {1, 2, 3}
    assert len(per_person) > 900  # nearly everyone; a few employers' networks are few
    assert not Membership.objects.exclude(organisation=F("person__organisation")).exists()
    assert not Membership.objects.filter(roles__isnull=True).exists()


def test_each_network_has_its_officers_themes_workstreams_and_groups(db):
    run("--seed", "7")
    networks = generated_networks().annotate(
        coordinators=Count(
            "memberships", filter=Q(memberships__roles__role="coordinator"), distinct=True
        ),
        co_chairs=Count(
            "memberships", filter=Q(memberships__roles__role="co_chair"), distinct=True
        ),
        groups_made=Count("groups", distinct=True),
        active=Count("adopted_themes", filter=Q(adopted_themes__status="active"), distinct=True),
        workstreams_made=Count("workstreams", distinct=True),
    )
    for network in networks:
        assert 1 <= network.coordinators <= 3
        assert 1 <= network.co_chairs <= 2
        assert 5 <= network.groups_made <= 15
        assert network.workstreams_made == network.active >= 3


def test_workstreams_have_leads_who_hold_the_theme_lead_role(db):
    run("--seed", "7")
    for workstream in Workstream.objects.prefetch_related("members"):
        leads = [m for m in workstream.members.all() if m.is_lead]
        assert 1 <= len(leads) <= 2
        assert len(workstream.members.all()) >= 3
        for lead in leads:
            membership = Membership.objects.get(person=lead.person, network=workstream.network)
            assert "theme_lead" in membership.role_values


def test_groups_have_members_and_a_chair_among_them(db):
    run("--seed", "7")
    for group in Group.objects.annotate(n=Count("members")):
        assert group.n >= 4
        assert group.chair_id is not None
        assert group.members.filter(pk=group.chair_id).exists()


def test_coordinators_have_accounts(db):
    run("--seed", "7")
    coordinators = generated_people().filter(memberships__roles__role="coordinator").distinct()
    assert coordinators.exists()
    assert not coordinators.filter(user__isnull=True).exists()


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not(db):
    generate.generate(scale="small", seed=11, progress=False)
    first = snapshot()
    generate.generated_reset()
    assert generated_people().count() == 0
    generate.generate(scale="small", seed=11, progress=False)
    assert snapshot() == first
    generate.generate(scale="small", seed=12, reset=True, progress=False)
    assert snapshot()["names"] != first["names"]


def test_a_second_run_is_refused_without_reset(db):
    run("--seed", "7")
    before = snapshot()
    with pytest.raises(CommandError, match="already holds generated data"):
        run("--seed", "7")
    assert snapshot() == before
    run("--seed", "7", "--reset")
    assert snapshot() == before


def test_the_demo_and_the_generated_data_do_not_disturb_each_other(db):
    generate.generate(scale="small", seed=7, progress=False)
    alone = snapshot()
    generate.generated_reset()
    seed.demo_load()
    demo_people = Person.objects.count()
    generate.generate(scale="small", seed=7, progress=False)
    # The same people and networks, whether or not the demo is there.
    assert snapshot()["names"] == alone["names"]
    assert snapshot()["networks"] == alone["networks"]
    generate.generated_reset()
    assert Person.objects.count() == demo_people
    assert Network.objects.count() == len(seed.NETWORKS) + 1  # and the national A&E example
    assert not generate.generated_data_exists()


def test_an_unknown_scale_is_an_error(db):
    with pytest.raises(ValueError, match="Unknown scale"):
        generate.generate(scale="galactic", seed=1, progress=False)


def test_generated_names_use_no_name_from_the_seeds():
    banned = {name.lower() for name in people.SEED_NAMES}
    assert not banned & {name.lower() for name in people.FIRST_NAMES}
    assert not banned & {name.lower() for name in people.SURNAMES}


# Indicators (kmatrix/demo/generate_indicators.py)


def generated_points() -> QuerySet[DataPoint]:
    return DataPoint.objects.filter(indicator__source=generate_indicators.SOURCE)


def test_every_organisation_reports_every_indicator_every_month(db):
    generate.generate(scale="small", seed=7, progress=False)
    indicators = Indicator.objects.filter(source=generate_indicators.SOURCE)
    assert indicators.count() == SMALL.indicators == 10
    assert indicators.values("network").distinct().count() == 1
    network = indicators.first().network
    assert network.slug.startswith(generate.SLUG_PREFIX)
    assert not indicators.filter(is_illustrative=False).exists()
    assert generated_points().count() == 10 * 15 * 36
    members = NetworkOrganisation.objects.filter(network=network, is_member=True)
    assert set(members.values_list("organisation_id", flat=True)) == set(
        Organisation.objects.filter(description=generate.GENERATED_NOTE).values_list(
            "pk", flat=True
        )
    )
    results = SeriesResult.objects.filter(indicator__in=indicators)
    assert results.count() == 10 * 15
    assert not results.exclude(points=36).exists()
    assert set(results.values_list("latest_period", flat=True)) == {date(2019, 3, 1)}


def test_values_are_possible_for_their_unit(db):
    generate.generate(scale="small", seed=7, progress=False)
    points = generated_points()
    percent = points.filter(indicator__unit="percent")
    assert not percent.filter(Q(value__lt=0) | Q(value__gt=100)).exists()
    assert not percent.filter(numerator__gt=F("denominator")).exists()
    assert not percent.filter(denominator__isnull=True).exists()
    rates = points.filter(indicator__unit="rate_per_1000_obd")
    for value, numerator, denominator in rates.values_list("value", "numerator", "denominator"):
        assert value == pytest.approx(1000 * numerator / denominator)
    counts = points.filter(indicator__unit="count").values_list("value", flat=True)
    assert all(v >= 0 and float(v).is_integer() for v in counts)
    assert not points.filter(indicator__unit="days", value__lt=0).exists()


def test_some_series_show_special_causes_and_most_do_not(db):
    generate.generate(scale="small", seed=7, progress=False)
    icons = Counter(
        SeriesResult.objects.filter(indicator__source=generate_indicators.SOURCE).values_list(
            "variation_icon", flat=True
        )
    )
    special = sum(n for icon, n in icons.items() if icon != "common_cause")
    assert icons["common_cause"] > special > 0


def test_about_one_series_in_six_shifts_for_good_in_its_second_half():
    factors = generate_indicators._special_causes(600, 120, np.random.default_rng(3))
    shifted = [row for row in factors if row[-1] != 1 and row[-2] != 1]
    assert 70 < len(shifted) < 130
    for row in shifted:
        # Untouched in the first half, but for at most one outlying month.
        assert np.count_nonzero(row[:60] != 1) <= 1


def test_the_same_seed_gives_the_same_values(db):
    generate.generate(scale="small", seed=11, progress=False)
    first = list(generated_points().order_by("indicator__code", "organisation__name", "period")
                 .values_list("value", "numerator", "denominator"))  # fmt: skip
    generate.generate(scale="small", seed=11, reset=True, progress=False)
    again = list(generated_points().order_by("indicator__code", "organisation__name", "period")
                 .values_list("value", "numerator", "denominator"))  # fmt: skip
    assert again == first
    generate.generate(scale="small", seed=12, reset=True, progress=False)
    other = list(generated_points().order_by("indicator__code", "organisation__name", "period")
                 .values_list("value", "numerator", "denominator"))  # fmt: skip
    assert other != first


def test_reset_deletes_the_indicators_and_their_points(db):
    generate.generate(scale="small", seed=7, progress=False)
    generate.generated_reset()
    assert not Indicator.objects.exists()
    assert not DataPoint.objects.exists()
    assert not SeriesResult.objects.exists()
