"""The rules that span records: allocations within the award, drawdowns within what is left,
dates in order, and the database's own checks behind them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kmatrix.networks.tests import factories as f
from kmatrix.programmes import services
from kmatrix.programmes.models import FundingAward, Programme, ProgrammeLink
from kmatrix.programmes.tests.factories import award, programme


def errors(exc_info):
    return exc_info.value.message_dict


def test_an_end_before_the_start_is_a_field_error(world):
    with pytest.raises(ValidationError) as caught:
        programme(world.network, starts_on=date(2023, 6, 1), ends_on=date(2023, 5, 31))
    assert errors(caught) == {"ends_on": ["The end date must be on or after the start date."]}


def test_the_database_refuses_an_end_before_the_start_too(world):
    prog = programme(world.network)
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(pk=prog.pk).update(
            starts_on=date(2023, 6, 1), ends_on=date(2023, 5, 1)
        )


def test_a_programme_theme_must_be_one_the_network_adopted(world):
    other = f.ThemeFactory(framework=world.framework, name="Not adopted", slug="not-adopted")
    with pytest.raises(ValidationError) as caught:
        programme(world.network, theme=other)
    assert "has not adopted" in errors(caught)["theme"][0]


def test_a_slug_is_unique_in_a_network_and_page_words_are_reserved(world):
    programme(world.network, "patient-safety")
    with pytest.raises(ValidationError) as caught:
        programme(world.network, "patient-safety")
    assert "uses “patient-safety”" in errors(caught)["slug"][0]
    programme(world.other_network, "patient-safety")  # another network may use it
    with pytest.raises(ValidationError, match="used by the pages"):
        programme(world.network, "funding")


def test_the_sponsor_must_be_a_group_of_the_network(world):
    stranger = f.GroupFactory(network=world.other_network, name="Elsewhere", slug="elsewhere")
    with pytest.raises(ValidationError) as caught:
        programme(world.network, sponsor=stranger)
    assert "network's groups" in errors(caught)["sponsor"][0]


@pytest.mark.parametrize(
    ("amount", "message"),
    [(Decimal("-1"), "negative"), (Decimal("10.001"), "2 decimal places")],
)
def test_an_award_amount_is_checked(world, amount, message):
    prog = programme(world.network)
    with pytest.raises(ValidationError) as caught:
        services.award_save(programme=prog, amount=amount, status="secured")
    assert message in errors(caught)["amount"][0]


def test_the_database_refuses_a_negative_award(world):
    prog = programme(world.network)
    made = award(prog, "10")
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingAward.objects.filter(pk=made.pk).update(amount=Decimal("-10"))


def test_financial_years_must_run_in_order(world):
    prog = programme(world.network)
    with pytest.raises(ValidationError) as caught:
        award(prog, "10", first_year=2023, last_year=2022)
    assert errors(caught) == {
        "last_year": ["The last financial year (2022/23) is before the first (2023/24)."]
    }
    with pytest.raises(ValidationError) as caught:
        award(prog, "10", last_year=2022)
    assert "first financial year" in errors(caught)["first_year"][0]


def test_allocations_may_not_exceed_the_award(funded):
    # £133,000 x 2 + £300,000 = £566,000 of £1,355,640 is allocated: £789,640 is left.
    with pytest.raises(ValidationError) as caught:
        services.allocation_save(
            award=funded.csw, organisation=None, purpose="More", amount=Decimal("789640.01")
        )
    assert errors(caught)["amount"] == [
        "That would allocate £1,355,640.01 of a £1,355,640 award: at most £789,640 is left to "
        "allocate."
    ]
    services.allocation_save(
        award=funded.csw, organisation=None, purpose="The rest", amount=Decimal("789640")
    )
    assert sum(a.amount for a in funded.csw.allocations.all()) == Decimal("1355640")


def test_changing_an_allocation_counts_it_once(funded):
    recruitment = funded.csw.allocations.get(purpose="Recruitment element")
    services.allocation_save(
        award=funded.csw,
        allocation=recruitment,
        organisation=None,
        purpose="Recruitment element",
        amount=Decimal("1089640"),  # the £300,000 is replaced, not added to
    )
    recruitment.refresh_from_db()
    assert recruitment.amount == Decimal("1089640.00")


def test_an_award_cannot_shrink_below_its_allocations(funded):
    with pytest.raises(ValidationError) as caught:
        services.award_save(award=funded.csw, amount=Decimal("500000"))
    assert "already add up to £566,000" in errors(caught)["amount"][0]
    with pytest.raises(ValidationError, match="needs its amount"):
        services.award_save(award=funded.csw, amount=None, amount_note="unknown")


def test_an_award_without_an_exact_amount_cannot_be_allocated(funded):
    unknown = funded.gambling.awards.get()
    with pytest.raises(ValidationError, match="exact amount before allocating"):
        services.allocation_save(
            award=unknown, organisation=None, purpose="Staff", amount=Decimal("1")
        )


def test_a_drawdown_is_recorded_within_what_is_left(funded, world):
    year = funded.workforce.awards.get(first_year=2022)
    services.award_drawdown(
        award_id=year.pk,
        amount=Decimal("176999.99"),
        drawn_on=date(2022, 9, 1),
        reference="Booking 1",
        source="supervision",
        recorded_by=world.users["coordinator"],
    )
    with pytest.raises(ValidationError) as caught:
        services.award_drawdown(
            award_id=year.pk, amount=Decimal("0.02"), drawn_on=date(2022, 9, 2), reference="2"
        )
    assert errors(caught)["amount"] == ["Only £0.01 is left in this award: £0.02 cannot be drawn."]


@pytest.mark.parametrize(
    ("amount", "message"),
    [(Decimal("0"), "more than £0"), (Decimal("-5"), "negative"), (Decimal("1.999"), "decimal")],
)
def test_a_drawdown_amount_is_checked(funded, amount, message):
    year = funded.workforce.awards.get(first_year=2022)
    with pytest.raises(ValidationError, match=message):
        services.award_drawdown(
            award_id=year.pk, amount=amount, drawn_on=date(2022, 9, 1), reference="x"
        )


def test_bids_and_unknown_awards_cannot_be_drawn_from(funded):
    bid = funded.safety.awards.get(status="bid")
    with pytest.raises(ValidationError, match="bid that is not secured"):
        services.award_drawdown(
            award_id=bid.pk, amount=Decimal("1"), drawn_on=date(2023, 1, 1), reference="x"
        )
    unknown = funded.gambling.awards.get()
    with pytest.raises(ValidationError, match="no exact amount"):
        services.award_drawdown(
            award_id=unknown.pk, amount=Decimal("1"), drawn_on=date(2023, 1, 1), reference="x"
        )
    with pytest.raises(ValidationError, match="no such funding award"):
        services.award_drawdown(
            award_id=0, amount=Decimal("1"), drawn_on=date(2023, 1, 1), reference="x"
        )


def test_a_reversed_drawdown_returns_its_money(funded):
    year = funded.workforce.awards.get(first_year=2021)
    drawn = services.award_drawdown(
        award_id=year.pk, amount=Decimal("150000"), drawn_on=date(2021, 5, 1), reference="All"
    )
    with pytest.raises(ValidationError, match="Say why"):
        services.drawdown_reverse(drawdown_id=drawn.pk, reason=" ")
    services.drawdown_reverse(drawdown_id=drawn.pk, reason="Booking cancelled")
    with pytest.raises(ValidationError, match="already been reversed"):
        services.drawdown_reverse(drawdown_id=drawn.pk, reason="Again")
    # The whole award is available again.
    services.award_drawdown(
        award_id=year.pk, amount=Decimal("150000"), drawn_on=date(2021, 6, 1), reference="Again"
    )


def test_an_award_cannot_drop_below_what_was_drawn(funded):
    year = funded.workforce.awards.get(first_year=2021)
    services.award_drawdown(
        award_id=year.pk, amount=Decimal("100000"), drawn_on=date(2021, 5, 1), reference="x"
    )
    with pytest.raises(ValidationError, match="already been drawn down"):
        services.award_save(award=year, amount=Decimal("99999"))


def test_a_link_is_to_an_indicator_of_the_network_once(world):
    from kmatrix.indicators.models import Indicator

    prog = programme(world.network)
    own = Indicator.objects.create(
        network=world.network,
        code="turnover",
        name="Turnover",
        unit="percent",
        direction="decrease",
    )
    theirs = Indicator.objects.create(
        network=world.other_network,
        code="other",
        name="Other",
        unit="percent",
        direction="decrease",
    )
    services.link_add(programme=prog, indicator=own)
    with pytest.raises(ValidationError, match="already linked"):
        services.link_add(programme=prog, indicator=own)
    with pytest.raises(ValidationError, match="network's own indicators"):
        services.link_add(programme=prog, indicator=theirs)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeLink.objects.create(programme=prog, indicator=None)
