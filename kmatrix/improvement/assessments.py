"""Assessments against a checklist: writes (start, rate, complete, which keeps the gap
register), and the reads that compare two assessments of a place and draw the heatmap.

The register holds one ``Gap`` per place and checklist item (matched by the checklist's slug
and the item's code, so a re-assessment against a new version carries the gap over). Only the
latest complete assessment of a place changes its gaps: completing an older one afterwards
leaves the register as the newer one set it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from kmatrix.core.access import Viewer, visible
from kmatrix.improvement.models import (
    GAP_RATINGS,
    Assessment,
    Checklist,
    ChecklistItem,
    ChecklistSection,
    Gap,
    ItemRating,
    Locality,
    Rating,
)
from kmatrix.library.services import search_index_update
from kmatrix.networks.models import NetworkOrganisation, Organisation

RATING_FIELDS = ("rating", "evidence", "current_provision", "planned_developments")


@dataclass(frozen=True)
class RatingInput:
    item_id: int
    rating: str = ""
    evidence: str = ""
    current_provision: str = ""
    planned_developments: str = ""


def _place_errors(
    network_id: int, locality: Locality | None, organisation: Organisation | None
) -> dict[str, str]:
    if (locality is None) == (organisation is None):
        return {"locality": "Choose a locality or an organisation (one of them)."}
    if locality is not None and locality.network_id != network_id:
        return {"locality": "Choose a locality of this network."}
    if (
        organisation is not None
        and not NetworkOrganisation.objects.filter(
            network_id=network_id, organisation=organisation
        ).exists()
    ):
        return {"organisation": "Choose an organisation of this network."}
    return {}


@transaction.atomic
def assessment_start(
    *,
    checklist: Checklist,
    assessed_on: date,
    locality: Locality | None = None,
    organisation: Organisation | None = None,
    user: Any = None,
    visibility: str = "network",
    summary: str = "",
    is_illustrative: bool = False,
) -> Assessment:
    """A draft assessment with one unrated row per item of the checklist version."""
    errors = _place_errors(checklist.network_id, locality, organisation)
    if errors:
        raise ValidationError(errors)
    assessment = Assessment(
        network_id=checklist.network_id,
        checklist=checklist,
        locality=locality,
        organisation=organisation,
        assessed_on=assessed_on,
        visibility=visibility,
        summary=summary,
        is_illustrative=is_illustrative,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    assessment.full_clean()
    assessment.save()
    ItemRating.objects.bulk_create(
        ItemRating(assessment=assessment, item_id=pk)
        for pk in checklist.items.order_by("position", "pk").values_list("pk", flat=True)
    )
    return assessment


@transaction.atomic
def ratings_save(*, assessment: Assessment, ratings: Sequence[RatingInput]) -> int:
    """Rate items of the assessment; every item must be of the assessment's checklist version
    (an item of another version is refused, and nothing is saved). Returns how many changed."""
    rows = {r.item_id: r for r in assessment.ratings.all()}
    errors: dict[str, list[str]] = {}
    for given in ratings:
        if given.item_id not in rows:
            errors.setdefault("item", []).append(
                f"Item {given.item_id} is not in {assessment.checklist}: an assessment rates "
                "the items of one checklist version only."
            )
        if given.rating not in ("", *Rating.values):
            errors.setdefault(f"rating_{given.item_id}", []).append(
                "Choose met, partly met, not met or not applicable."
            )
    if errors:
        raise ValidationError(errors)
    changed = []
    for given in ratings:
        row = rows[given.item_id]
        values = {name: getattr(given, name).strip() for name in RATING_FIELDS}
        if any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            changed.append(row)
    ItemRating.objects.bulk_update(changed, list(RATING_FIELDS))
    if changed and assessment.status == Assessment.Status.COMPLETE:
        gaps_sync(assessment)
    return len(changed)


@transaction.atomic
def assessment_complete(*, assessment: Assessment) -> Assessment:
    """Close the assessment once every item is rated, and bring the gap register up to date."""
    unrated = assessment.ratings.filter(rating="").select_related("item")
    codes = [r.item.code for r in unrated[:10]]
    if codes:
        more = unrated.count() - len(codes)
        raise ValidationError(
            "Rate every item before completing the assessment; still to rate: "
            + ", ".join(codes)
            + (f" and {more} more" if more > 0 else "")
            + "."
        )
    assessment.status = Assessment.Status.COMPLETE
    assessment.save(update_fields=["status"])
    gaps_sync(assessment)
    return assessment


def _same_place(assessment: Assessment) -> Q:
    if assessment.locality_id is not None:
        return Q(locality_id=assessment.locality_id)
    return Q(organisation_id=assessment.organisation_id)


def _is_latest(assessment: Assessment) -> bool:
    newer = Assessment.objects.filter(
        _same_place(assessment),
        checklist__slug=assessment.checklist.slug,
        network_id=assessment.network_id,
        status=Assessment.Status.COMPLETE,
    ).filter(
        Q(assessed_on__gt=assessment.assessed_on)
        | Q(assessed_on=assessment.assessed_on, pk__gt=assessment.pk)
    )
    return not newer.exists()


def gaps_sync(assessment: Assessment) -> int:
    """Open, move or close the place's gaps from a complete assessment; returns rows changed."""
    if not _is_latest(assessment):
        return 0
    ratings = list(assessment.ratings.select_related("item__section"))
    existing = {
        g.item.code: g
        for g in Gap.objects.filter(
            _same_place(assessment),
            network_id=assessment.network_id,
            item__checklist__slug=assessment.checklist.slug,
        ).select_related("item")
    }
    made, changed = [], []
    for row in ratings:
        gap = existing.get(row.item.code)
        if row.rating in GAP_RATINGS:
            if gap is None:
                made.append(
                    Gap(
                        network_id=assessment.network_id,
                        item=row.item,
                        theme_id=row.item.section.theme_id,
                        locality_id=assessment.locality_id,
                        organisation_id=assessment.organisation_id,
                        rating=row.rating,
                        opened_by=assessment,
                        assessment=assessment,
                    )
                )
                continue
            if gap.status == Gap.Status.CLOSED:
                gap.opened_by, gap.closed_by = assessment, None
            gap.status, gap.rating = Gap.Status.OPEN, row.rating
        elif row.rating in (Rating.MET, Rating.NOT_APPLICABLE) and gap is not None:
            if gap.status == Gap.Status.OPEN:
                gap.status, gap.closed_by = Gap.Status.CLOSED, assessment
        else:
            continue
        gap.item, gap.theme_id, gap.assessment = row.item, row.item.section.theme_id, assessment
        changed.append(gap)
    Gap.objects.bulk_create(made)
    Gap.objects.bulk_update(
        changed, ["status", "rating", "opened_by", "closed_by", "item", "theme", "assessment"]
    )
    search_index_update(kind="gap", ids=[g.pk for g in [*made, *changed] if g.pk is not None])
    return len(made) + len(changed)


# --- Comparing two assessments --------------------------------------------------------------


@dataclass(frozen=True)
class ItemChange:
    code: str
    question: str
    section: str
    earlier: str  # rating value, "" when not rated or not in the earlier checklist
    later: str

    @property
    def kind(self) -> str:
        was, now = self.earlier in GAP_RATINGS, self.later in GAP_RATINGS
        if was and not now and self.later:
            return "closed"
        if now and not was:
            return "opened"
        if was and now and self.earlier != self.later:
            return "moved"
        return "unchanged"


@dataclass
class Comparison:
    earlier: Assessment
    later: Assessment
    changes: list[ItemChange]

    def of(self, kind: str) -> list[ItemChange]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def closed(self) -> list[ItemChange]:
        return self.of("closed")

    @property
    def opened(self) -> list[ItemChange]:
        return self.of("opened")

    @property
    def moved(self) -> list[ItemChange]:
        return self.of("moved")

    @property
    def unchanged(self) -> list[ItemChange]:
        return self.of("unchanged")


def _ratings_by_code(assessment: Assessment) -> dict[str, ItemRating]:
    rows = assessment.ratings.select_related("item__section").order_by(
        "item__section__position", "item__position", "pk"
    )
    return {r.item.code: r for r in rows}


def compare(earlier: Assessment, later: Assessment) -> Comparison:
    """What closed, opened and moved between two assessments (items matched by code)."""
    if earlier.assessed_on > later.assessed_on:
        earlier, later = later, earlier
    before, after = _ratings_by_code(earlier), _ratings_by_code(later)
    changes = []
    for code, row in after.items():
        old = before.get(code)
        changes.append(
            ItemChange(
                code,
                row.item.question,
                row.item.section.title,
                old.rating if old else "",
                row.rating,
            )
        )
    for code, old in before.items():
        if code not in after:
            changes.append(
                ItemChange(code, old.item.question, old.item.section.title, old.rating, "")
            )
    return Comparison(earlier, later, changes)


def comparable(viewer: Viewer, assessment: Assessment) -> QuerySet[Assessment]:
    """Other assessments of the same place against the same checklist (any version)."""
    return (
        visible(viewer, Assessment.objects.filter(_same_place(assessment)))
        .filter(network_id=assessment.network_id, checklist__slug=assessment.checklist.slug)
        .exclude(pk=assessment.pk)
        .select_related("checklist")
        .order_by("-assessed_on", "-pk")
    )


# --- Heatmap --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    section: ChecklistSection
    items: int
    gaps: int | None  # None: the locality has no complete assessment against this checklist

    @property
    def share(self) -> float | None:
        return None if self.gaps is None or not self.items else self.gaps / self.items

    @property
    def level(self) -> int:
        """0 (no gaps) to 4 (every item a gap), for the cell's shade; -1 when not assessed."""
        share = self.share
        if share is None:
            return -1
        return 0 if share == 0 else min(4, 1 + int(share * 4))


@dataclass
class Heatmap:
    checklist: Checklist
    sections: list[ChecklistSection]
    rows: list[tuple[Locality, list[HeatCell]]]


def heatmap(viewer: Viewer, checklist: Checklist, localities: Iterable[Locality]) -> Heatmap:
    """Open gaps per locality and section of one checklist version, among the gaps and
    assessments the viewer may see (four queries)."""
    sections = list(checklist.sections.order_by("position", "pk"))
    sizes = dict(
        ChecklistItem.objects.filter(checklist=checklist)
        .values("section_id")
        .annotate(n=Count("pk"))
        .values_list("section_id", "n")
    )
    counts: dict[tuple[int, int], int] = {}
    rows = (
        visible(viewer, Gap.objects.filter(item__checklist=checklist, status=Gap.Status.OPEN))
        .filter(locality__isnull=False)
        .values("locality_id", "item__section_id")
        .annotate(n=Count("pk"))
        .values_list("locality_id", "item__section_id", "n")
    )
    for locality_id, section_id, n in rows:
        counts[locality_id, section_id] = n
    assessed = set(
        visible(
            viewer,
            Assessment.objects.filter(
                network_id=checklist.network_id,
                checklist__slug=checklist.slug,
                status=Assessment.Status.COMPLETE,
                locality__isnull=False,
            ),
        ).values_list("locality_id", flat=True)
    )
    table = []
    for locality in localities:
        cells = [
            HeatCell(
                s,
                sizes.get(s.pk, 0),
                counts.get((locality.pk, s.pk), 0) if locality.pk in assessed else None,
            )
            for s in sections
        ]
        table.append((locality, cells))
    return Heatmap(checklist, sections, table)
