"""The service's payments against the funding awards of the programme that pays for them (for
the Alliance, the Therapy Supervision programme's £150,000 for 2021/22 and £177,000 for each of
2022/23 and 2023/24).

A statement marked paid draws its total down from the award covering its run's financial year
(April to March), through ``programmes.services.award_drawdown``, which refuses to draw more than
is left. Statements due or approved are committed: not drawn yet, but promised. A year's
payments go to the first award that covers it (oldest first); a year no award covers is shown
on its own, with nothing to set it against.

Amounts are exact ``Decimal`` pounds throughout; nothing is rounded but the final two places.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import Http404

from kmatrix.core.access import Viewer
from kmatrix.programmes.queries import AwardFunds, programme_awards
from kmatrix.programmes.services import award_drawdown
from kmatrix.supervision.choices import InvoiceStatus
from kmatrix.supervision.models import Statement, SupervisionService
from kmatrix.supervision.queries import YearTotal, payment_totals_by_year
from kmatrix.supervision.times import financial_year_label

ZERO = Decimal("0.00")
# Paying a statement is authorised by the service's own rules (its project managers); recording
# the drawdown that follows is part of that payment, whoever may read the programme.
PAYMENT = Viewer(is_admin=True)
DRAWING = ("secured", "received", "spent")  # a bid pays nothing


@dataclass(frozen=True)
class AwardDrawdown:
    """One award (or one financial year no award covers) with the payments set against it."""

    label: str  # the financial years, "2022/23"
    years: tuple[int, ...]
    award: AwardFunds | None
    paid: Decimal = ZERO  # statements paid in these years
    approved: Decimal = ZERO
    due: Decimal = ZERO

    @property
    def committed(self) -> Decimal:
        return self.approved + self.due

    @property
    def amount(self) -> Decimal | None:
        return self.award.amount if self.award is not None else None

    @property
    def drawn(self) -> Decimal:
        """What the programme records as drawn from the award (the paid statements' drawdowns,
        and any other the programme records); without an award, what was paid."""
        return self.award.drawn if self.award is not None else self.paid

    @property
    def remaining(self) -> Decimal | None:
        """What is left once what is drawn and what is committed are taken off."""
        if self.amount is None:
            return None
        return self.amount - self.drawn - self.committed

    @property
    def over(self) -> bool:
        return self.remaining is not None and self.remaining < 0


@dataclass(frozen=True)
class Drawdown:
    programme_id: int | None
    readable: bool  # whether the viewer may read the programme (and so its awards)
    rows: list[AwardDrawdown] = field(default_factory=list)

    def row_for(self, year: int) -> AwardDrawdown | None:
        return next((r for r in self.rows if year in r.years), None)

    @property
    def over(self) -> list[AwardDrawdown]:
        return [r for r in self.rows if r.over]


def award_years(award: AwardFunds) -> tuple[int, ...]:
    if award.first_year is None:
        return ()
    return tuple(range(award.first_year, (award.last_year or award.first_year) + 1))


def _row(
    label: str, years: Iterable[int], award: AwardFunds | None, totals: dict[int, YearTotal]
) -> AwardDrawdown:
    years = tuple(years)
    found = [totals[y] for y in years if y in totals]
    paid = sum((t.paid for t in found), ZERO)
    approved = sum((t.approved for t in found), ZERO)
    due = sum((t.total - t.paid - t.approved for t in found), ZERO)
    return AwardDrawdown(label, years, award, paid, approved, due)


def drawdown_for(viewer: Viewer, service: SupervisionService) -> Drawdown:
    """The programme's awards with the service's payments set against them, oldest first, then
    the years with payments that no award covers."""
    totals = {t.year: t for t in payment_totals_by_year(service)}
    rows: list[AwardDrawdown] = []
    claimed: set[int] = set()
    if service.programme_id is not None:
        try:
            awards = programme_awards(viewer, service.programme_id)
        except Http404:
            return Drawdown(service.programme_id, readable=False)
        for award in awards:
            if award.status not in DRAWING:
                continue
            years = [y for y in award_years(award) if y not in claimed]
            claimed.update(years)
            label = award.financial_years or "Financial year not recorded"
            rows.append(_row(label, years, award, totals))
    for year in sorted(set(totals) - claimed):
        rows.append(_row(financial_year_label(year), [year], None, totals))
    return Drawdown(service.programme_id, readable=True, rows=rows)


def _award_of_year(service: SupervisionService, year: int) -> AwardFunds | None:
    for award in programme_awards(PAYMENT, service.programme_id or 0, year):
        if award.status in DRAWING:
            return award  # the first covering the year, as the drawdown page sets them out
    return None


def statement_draw(statement: Statement, *, user: Any | None) -> Any | None:
    """Draw a paid statement's total from the award of its run's financial year, if the service
    has a funding programme and an award covers the year. Raises ValidationError when the award
    has too little left (nothing is paid then: the caller's transaction is undone)."""
    service = statement.run.service
    if service.programme_id is None or statement.total <= 0:
        return None
    if statement.status != InvoiceStatus.PAID or statement.paid_on is None:
        raise ValueError("Only a paid statement, with its date, draws down an award.")
    award = _award_of_year(service, statement.run.financial_year)
    if award is None:
        return None
    return award_drawdown(
        award_id=award.award_id,
        amount=statement.total,
        drawn_on=statement.paid_on,
        reference=statement.number,
        source="supervision",
        recorded_by=user,
    )
