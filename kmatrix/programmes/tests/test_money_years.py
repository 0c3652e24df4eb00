"""Money as people type it, and NHS financial years (April to March)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kmatrix.programmes import money, years


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("£1,355,640", Decimal("1355640.00")),
        ("1355640", Decimal("1355640.00")),
        ("133000.50", Decimal("133000.50")),
        ("  £ 400,000 ", Decimal("400000.00")),
        ("0", Decimal("0.00")),
        ("12.340", Decimal("12.34")),  # a trailing zero is not extra precision
        (".5", Decimal("0.50")),
    ],
)
def test_it_reads_amounts_as_people_write_them(text, expected):
    assert money.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5", "cannot be negative"),
        ("£-5", "cannot be negative"),
        ("-£5", "cannot be negative"),
        ("abc", "digits only"),
        ("1e5", "digits only"),
        ("1,35,640", "digits only"),
        ("£1 million", "digits only"),
        ("NaN", "digits only"),
        ("12.345", "no more than 2 decimal places"),
        ("0.001", "no more than 2 decimal places"),
        ("", "Enter an amount"),
        ("1000000000000", "too large"),
    ],
)
def test_it_refuses_bad_amounts_saying_why(text, message):
    with pytest.raises(money.AmountError, match=message):
        money.parse(text)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal("-0.01"), "negative"),
        (Decimal("1.005"), "2 decimal places"),
        (Decimal("NaN"), "not infinity"),
        (Decimal("Infinity"), "not infinity"),
        (Decimal("1E+20"), "too large"),
    ],
)
def test_it_checks_decimals_from_the_api_too(value, message):
    with pytest.raises(money.AmountError, match=message):
        money.check(value)


def test_zero_may_be_refused():
    with pytest.raises(money.AmountError, match="more than £0"):
        money.parse("0", allow_zero=False)


def test_it_writes_pounds_the_nhs_way():
    assert money.pounds(Decimal("1355640")) == "£1,355,640"
    assert money.pounds(Decimal("12.5")) == "£12.50"
    assert money.pounds(None) == ""
    assert money.pounds(None, empty="Not recorded") == "Not recorded"


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_what_it_writes_it_reads_back(amount):
    assert money.parse(money.pounds(amount)) == amount


@pytest.mark.parametrize("text", ["2022/23", "2022-23", "2022/2023", "2022-2023", "FY2022/23"])
def test_it_reads_a_financial_year(text):
    assert years.parse(text) == 2022


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2022/24", "they run from April to March, so the year starting April 2022 is 2022/23"),
        ("2022/2024", "April to March"),
        ("2022", "write it as 2022/23"),
        ("22/23", "write it as 2022/23"),
        ("April 2022", "write it as 2022/23"),
        ("1899/00", "outside the years"),
    ],
)
def test_it_refuses_what_is_not_one_april_to_march_year(text, message):
    with pytest.raises(years.FinancialYearError, match=message):
        years.parse(text)


def test_a_year_turns_at_the_first_of_april():
    assert years.of(date(2023, 3, 31)) == 2022
    assert years.of(date(2023, 4, 1)) == 2023
    assert years.bounds(2022) == (date(2022, 4, 1), date(2023, 3, 31))
    assert years.label(1999) == "1999/00"
    assert years.span(2021, 2023) == "2021/22 to 2023/24"
    assert years.span(2022, None) == years.span(2022, 2022) == "2022/23"
    assert years.span(None, None) == ""
