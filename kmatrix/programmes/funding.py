"""Funding totals: by theme, funder, financial year, organisation and status, worked out in
exact decimals from a list of awards already read (one query), so every total on a page and in
its download comes from the same numbers.

Only exact amounts are added up. An award whose amount is not known exactly ("just under £1
million") is counted and listed beside the total, never guessed into it. An award for several
financial years whose split is not known stays whole under its range of years ("2021/22 to
2022/23, not split by year") rather than being divided evenly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kmatrix.programmes import years
from kmatrix.programmes.models import SECURED_STATUSES, AwardStatus, FundingAward

ZERO = Decimal("0.00")
NO_THEME = "No theme"
NO_FUNDER = "Funder not recorded"
NO_YEAR = "Financial year not recorded"


@dataclass
class Total:
    """Exact money under one heading, and the awards under it with no exact amount."""

    label: str
    amount: Decimal = ZERO
    awards: int = 0
    unquantified: list[str] = field(default_factory=list)  # how each such award was stated
    key: Any = None  # what the heading is (a theme id, an organisation id, a year)
    sort: tuple[Any, ...] = ()

    def add(self, award: FundingAward) -> None:
        self.awards += 1
        if award.amount is None:
            self.unquantified.append(award.amount_note or "amount not recorded")
        else:
            self.amount += award.amount

    @property
    def exact_awards(self) -> int:
        return self.awards - len(self.unquantified)


def secured(awards: Iterable[FundingAward]) -> list[FundingAward]:
    return [a for a in awards if a.status in SECURED_STATUSES]


def total_of(awards: Iterable[FundingAward], label: str = "Total") -> Total:
    total = Total(label)
    for award in awards:
        total.add(award)
    return total


def _grouped(
    awards: Iterable[FundingAward],
    heading: Callable[[FundingAward], tuple[Any, str, tuple[Any, ...]]],
) -> list[Total]:
    totals: dict[Any, Total] = {}
    for award in awards:
        key, label, sort = heading(award)
        totals.setdefault(key, Total(label, key=key, sort=sort)).add(award)
    return sorted(totals.values(), key=lambda t: t.sort)


def by_theme(awards: Iterable[FundingAward], theme_order: Sequence[int] = ()) -> list[Total]:
    """Secured money per strategic theme of the programme, in the network's theme order."""
    position = {theme_id: i for i, theme_id in enumerate(theme_order)}

    def heading(award: FundingAward) -> tuple[Any, str, tuple[Any, ...]]:
        theme = award.programme.theme
        if theme is None:
            return None, NO_THEME, (1, 0, "")
        return theme.pk, theme.name, (0, position.get(theme.pk, len(position)), theme.name)

    return _grouped(secured(awards), heading)


def by_funder(awards: Iterable[FundingAward]) -> list[Total]:
    def heading(award: FundingAward) -> tuple[Any, str, tuple[Any, ...]]:
        if award.funder is not None:
            return award.funder.pk, award.funder.name, (0, award.funder.name)
        if award.funder_note:  # "Regional funding": described, but no funder named
            return (
                award.funder_note,
                f"{award.funder_note} (funder not named)",
                (1, award.funder_note),
            )
        return None, NO_FUNDER, (2, "")

    return _grouped(secured(awards), heading)


def by_year(awards: Iterable[FundingAward]) -> list[Total]:
    def heading(award: FundingAward) -> tuple[Any, str, tuple[Any, ...]]:
        first, last = award.first_year, award.last_year
        if first is None:
            return None, NO_YEAR, (1, 0, 0)
        if last is None or last == first:
            return (first, first), years.label(first), (0, first, first)
        return (first, last), f"{years.span(first, last)}, not split by year", (0, first, last)

    return _grouped(secured(awards), heading)


def by_status(awards: Iterable[FundingAward]) -> list[Total]:
    order = list(AwardStatus.values)
    labels = dict(AwardStatus.choices)

    def heading(award: FundingAward) -> tuple[Any, str, tuple[Any, ...]]:
        return award.status, labels[award.status], (order.index(award.status),)

    return _grouped(awards, heading)


@dataclass
class OrganisationTotal:
    """Secured money by organisation: awards to programmes it leads, and allocations to it."""

    organisation_id: int
    name: str
    led: Total
    allocated: Decimal = ZERO
    allocations: int = 0


def by_organisation(awards: Iterable[FundingAward]) -> list[OrganisationTotal]:
    rows: dict[int, OrganisationTotal] = {}

    def row(org: Any) -> OrganisationTotal:
        return rows.setdefault(org.pk, OrganisationTotal(org.pk, org.name, Total(org.name)))

    for award in secured(awards):
        lead = award.programme.lead_organisation
        if lead is not None:
            row(lead).led.add(award)
        for allocation in award.allocations.all():
            if allocation.organisation is not None:
                target = row(allocation.organisation)
                target.allocated += allocation.amount
                target.allocations += 1
    return sorted(rows.values(), key=lambda r: r.name)


def table(totals: Sequence[Total], heading: str) -> tuple[list[str], list[list[Any]]]:
    """A download of totals: exact amounts as numbers, the unquantified as text."""
    header = [heading, "Secured (£, exact amounts)", "Awards", "Not included (no exact amount)"]
    rows = [[t.label, t.amount, t.awards, "; ".join(t.unquantified)] for t in totals]
    return header, rows
