"""Programmes, awards and allocations for tests, made through the services as the pages do."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kmatrix.programmes import services
from kmatrix.programmes.models import FundingAward, Programme


def programme(network: Any, slug: str = "patient-safety", **fields: Any) -> Programme:
    defaults: dict[str, Any] = {
        "name": slug.replace("-", " ").capitalize(),
        "status": "active",
        "visibility": "network",
    }
    return services.programme_save(network=network, slug=slug, **{**defaults, **fields})


def award(prog: Programme, amount: str | None = "100000", **fields: Any) -> FundingAward:
    defaults: dict[str, Any] = {"status": "secured"}
    if amount is None:
        defaults["amount_note"] = "just under £1 million"
    return services.award_save(
        programme=prog, amount=Decimal(amount) if amount else None, **{**defaults, **fields}
    )
