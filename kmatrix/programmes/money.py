"""Amounts of money in pounds, exact to the penny, as people type them and as pages show them.

Amounts are ``Decimal`` everywhere (never ``float``): ``parse`` reads "£1,355,640", "133000" or
"66000.50" and refuses anything negative, not a number, in scientific notation or with more than
two decimal places, with a message a person can act on. ``pounds`` writes an amount the way the
NHS writes it: £1,355,640 (pence only when there are some: £12.50).
"""

from __future__ import annotations

import re
from decimal import Decimal

MAX_DIGITS = 14  # up to £999,999,999,999.99
DECIMAL_PLACES = 2
PENNY = Decimal("0.01")
# Digits with optional thousands separators (all or none), then up to any number of decimals:
# too many decimals is reported as its own problem rather than as "not a number".
_AMOUNT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^\.\d+$")


class AmountError(ValueError):
    """An amount that cannot be taken as it was written; the message says why."""


def parse(text: str | Decimal | int, *, allow_zero: bool = True) -> Decimal:
    """The amount ``text`` means, in pounds."""
    if isinstance(text, bool):
        raise AmountError("Enter an amount in pounds, for example 133000 or £1,355,640.")
    if isinstance(text, Decimal | int):
        return check(Decimal(text), allow_zero=allow_zero)
    cleaned = text.strip().replace(" ", "")
    if cleaned.startswith("-") or cleaned.startswith("£-") or cleaned.startswith("-£"):
        raise AmountError("An amount cannot be negative.")
    cleaned = cleaned.removeprefix("£")
    if not cleaned:
        raise AmountError("Enter an amount in pounds.")
    if not _AMOUNT.match(cleaned):
        raise AmountError(
            "Enter an amount in pounds using digits only, for example 133000 or £1,355,640."
        )
    return check(Decimal(cleaned.replace(",", "")), allow_zero=allow_zero)


def check(amount: Decimal, *, allow_zero: bool = True) -> Decimal:
    """``amount`` as a whole number of pence within range; AmountError otherwise."""
    if not amount.is_finite():
        raise AmountError("Enter an amount in pounds, not infinity or 'not a number'.")
    if amount < 0:
        raise AmountError("An amount cannot be negative.")
    if amount != 0 and amount.adjusted() >= MAX_DIGITS - DECIMAL_PLACES:
        raise AmountError("That amount is too large: the most is £999,999,999,999.99.")
    in_pence = abs(amount.quantize(PENNY))
    if in_pence != amount:
        raise AmountError("Amounts are in pounds and pence: no more than 2 decimal places.")
    if in_pence == 0 and not allow_zero:
        raise AmountError("The amount must be more than £0.")
    return in_pence


def pounds(amount: Decimal | None, *, empty: str = "") -> str:
    """£1,355,640 or £12.50; ``empty`` for no amount."""
    if amount is None:
        return empty
    if amount == amount.to_integral_value():
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"
