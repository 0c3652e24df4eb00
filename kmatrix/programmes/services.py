"""Writes to programmes and their funding: each checks the rules that span records (allocations
within the award, drawdowns within what is left) under a lock on the award, so two people
saving at once cannot together overspend it.

Other apps record spending through ``award_drawdown`` and ``drawdown_reverse`` (for example the
therapy supervision app, whose payments draw down the Therapy Supervision awards).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from kmatrix.core.services import validated_save
from kmatrix.library.services import search_index_update
from kmatrix.networks.models import Organisation
from kmatrix.programmes import money
from kmatrix.programmes.models import (
    SECURED_STATUSES,
    FundingAllocation,
    FundingAward,
    FundingDrawdown,
    Milestone,
    Programme,
    ProgrammeLink,
    ProgrammeUpdate,
)

ZERO = Decimal("0.00")


@transaction.atomic
def programme_save(
    *,
    programme: Programme | None = None,
    partners: Iterable[Organisation] | None = None,
    **fields: Any,
) -> Programme:
    """Create or update a programme; a slug already used in the network is a field error."""
    obj = programme or Programme()
    network = fields.get("network") or getattr(obj, "network", None)
    slug = fields.get("slug", obj.slug)
    clash = Programme.objects.filter(network=network, slug=slug).exclude(pk=obj.pk)
    if network is not None and clash.exists():
        raise ValidationError({"slug": f"Another programme in {network} uses “{slug}”."})
    saved: Programme = validated_save(obj, **fields)
    if partners is not None:
        saved.partners.set(list(partners))
    search_index_update(kind="programme", ids=[saved.pk])
    return saved


def _allocated(award: FundingAward, *, excluding: int | None = None) -> Decimal:
    rows = award.allocations.exclude(pk=excluding) if excluding else award.allocations.all()
    return rows.aggregate(total=Sum("amount"))["total"] or ZERO


def _drawn(award: FundingAward) -> Decimal:
    rows = award.drawdowns.filter(reversed_at__isnull=True)
    return rows.aggregate(total=Sum("amount"))["total"] or ZERO


def _amount(amount: Decimal, *, allow_zero: bool = True) -> Decimal:
    try:
        return money.check(amount, allow_zero=allow_zero)
    except money.AmountError as error:
        raise ValidationError({"amount": str(error)}) from None


def _locked(award: FundingAward) -> FundingAward:
    # Serialises writes to one award's money (PostgreSQL row lock; SQLite locks the database).
    return FundingAward.objects.select_for_update().get(pk=award.pk)


@transaction.atomic
def award_save(*, award: FundingAward | None = None, **fields: Any) -> FundingAward:
    """Create or update an award. Its amount may not drop below what is already allocated or
    drawn down, and an award without an exact amount cannot keep allocations."""
    obj = _locked(award) if award is not None and award.pk else (award or FundingAward())
    saved: FundingAward = validated_save(obj, **fields)
    if saved.pk:
        _check_award_covers(saved)
    search_index_update(kind="programme", ids=[saved.programme_id])  # awards are in its text
    return saved


def _check_award_covers(award: FundingAward) -> None:
    allocated, drawn = _allocated(award), _drawn(award)
    if award.amount is None:
        if allocated or drawn:
            raise ValidationError(
                {"amount": "This award has allocations or drawdowns, so it needs its amount."}
            )
        return
    if allocated > award.amount:
        raise ValidationError(
            {
                "amount": f"The allocations already add up to {money.pounds(allocated)}, more "
                f"than {money.pounds(award.amount)}: change them first."
            }
        )
    if drawn > award.amount:
        raise ValidationError(
            {"amount": f"{money.pounds(drawn)} has already been drawn down from this award."}
        )


@transaction.atomic
def allocation_save(
    *,
    award: FundingAward,
    allocation: FundingAllocation | None = None,
    organisation: Organisation | None,
    purpose: str,
    amount: Decimal,
    notes: str = "",
) -> FundingAllocation:
    """Set aside part of an award; all its allocations together may not exceed its amount."""
    award = _locked(award)
    if award.amount is None:
        raise ValidationError(
            {"amount": "Record the award's exact amount before allocating any of it."}
        )
    checked = _amount(amount)
    others = _allocated(award, excluding=allocation.pk if allocation else None)
    if others + checked > award.amount:
        left = award.amount - others
        raise ValidationError(
            {
                "amount": f"That would allocate {money.pounds(others + checked)} of a "
                f"{money.pounds(award.amount)} award: at most {money.pounds(left)} is left "
                "to allocate."
            }
        )
    return validated_save(
        allocation or FundingAllocation(award=award),
        organisation=organisation,
        purpose=purpose,
        amount=checked,
        notes=notes,
    )


@transaction.atomic
def allocation_delete(*, allocation: FundingAllocation) -> None:
    allocation.delete()


@transaction.atomic
def award_drawdown(
    *,
    award_id: int,
    amount: Decimal,
    drawn_on: date,
    reference: str,
    source: str = "",
    note: str = "",
    recorded_by: Any | None = None,
) -> FundingDrawdown:
    """Record money paid out of an award (for another app's spending, such as a supervision
    payment). The award must be secured, received or spent (not a bid), have an exact amount,
    and have at least ``amount`` left; otherwise a ValidationError says which."""
    award = FundingAward.objects.select_for_update().filter(pk=award_id).first()
    if award is None:
        raise ValidationError({"award": "There is no such funding award."})
    checked = _amount(amount, allow_zero=False)
    if award.status not in SECURED_STATUSES:
        raise ValidationError({"award": "Money cannot be drawn from a bid that is not secured."})
    if award.amount is None:
        raise ValidationError({"award": "This award has no exact amount to draw down from."})
    left = award.amount - _drawn(award)
    if checked > left:
        raise ValidationError(
            {
                "amount": f"Only {money.pounds(left)} is left in this award: "
                f"{money.pounds(checked)} cannot be drawn."
            }
        )
    user = recorded_by if getattr(recorded_by, "is_authenticated", False) else None
    return validated_save(
        FundingDrawdown(award=award),
        amount=checked,
        drawn_on=drawn_on,
        reference=reference,
        source=source,
        note=note,
        recorded_by=user,
    )


@transaction.atomic
def drawdown_reverse(*, drawdown_id: int, reason: str) -> FundingDrawdown:
    """Return a drawdown's money to its award (a cancelled booking, a refund); kept on record."""
    drawdown = FundingDrawdown.objects.select_for_update().filter(pk=drawdown_id).first()
    if drawdown is None:
        raise ValidationError({"drawdown": "There is no such drawdown."})
    if drawdown.reversed_at is not None:
        raise ValidationError({"drawdown": "This drawdown has already been reversed."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the drawdown is reversed."})
    drawdown.reversed_at = timezone.now()
    drawdown.reversed_reason = reason.strip()[:200]
    drawdown.save(update_fields=["reversed_at", "reversed_reason"])
    return drawdown


@transaction.atomic
def milestone_save(*, milestone: Milestone | None = None, **fields: Any) -> Milestone:
    saved: Milestone = validated_save(milestone or Milestone(), **fields)
    search_index_update(kind="programme", ids=[saved.programme_id])
    return saved


@transaction.atomic
def update_add(
    *, programme: Programme, on: date, text: str, source: str = "", author: Any = None
) -> ProgrammeUpdate:
    user = author if getattr(author, "is_authenticated", False) else None
    saved: ProgrammeUpdate = validated_save(
        ProgrammeUpdate(programme=programme), on=on, text=text, source=source, author=user
    )
    search_index_update(kind="programme", ids=[programme.pk])
    return saved


@transaction.atomic
def link_add(
    *, programme: Programme, indicator: Any = None, plan: Any = None, note: str = ""
) -> ProgrammeLink:
    """Link a programme, once, to an indicator or an improvement plan of its own network. The
    caller has checked the editor may read the target."""
    if (indicator is None) == (plan is None):
        raise ValidationError({"indicator": "Choose an indicator or an improvement plan."})
    name, target = ("indicator", indicator) if indicator is not None else ("plan", plan)
    if target.network_id != programme.network_id:
        kind = "indicators" if name == "indicator" else "improvement plans"
        raise ValidationError({name: f"Choose one of the network's own {kind}."})
    already = ValidationError({name: f"The programme is already linked to {target}."})
    if ProgrammeLink.objects.filter(programme=programme, **{name: target}).exists():
        raise already
    try:
        with transaction.atomic():
            return validated_save(ProgrammeLink(programme=programme), note=note, **{name: target})
    except IntegrityError:  # a second request made the same link at the same moment
        raise already from None
