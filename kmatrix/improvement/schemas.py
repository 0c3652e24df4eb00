"""Request and response bodies of the improvement API (api_assessments.py, api_plans.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from kmatrix.networks.schemas import StrictInput

RatingValue = Literal["", "met", "partly_met", "not_met", "not_applicable"]
RagValue = Literal["", "red", "amber", "green"]
VisibilityValue = Literal["public", "network", "organisation", "restricted"]


# --- Checklists, localities, assessments, gaps --------------------------------------------


class ItemOut(Schema):
    id: int
    code: str
    question: str
    guidance: str
    evidence_expected: str


class SectionOut(Schema):
    id: int
    title: str
    theme_id: int | None
    items: list[ItemOut]


class ChecklistOut(Schema):
    id: int
    name: str
    slug: str
    version: str
    is_illustrative: bool
    source: str


class ChecklistDetail(ChecklistOut):
    description: str
    sections: list[SectionOut]


class ProblemOut(Schema):
    line: int | None
    column: str
    message: str


class ChecklistFailedOut(Schema):
    detail: str
    errors: list[ProblemOut]


class LocalityOut(Schema):
    id: int
    name: str
    slug: str
    kind: str
    organisation_ids: list[int]

    @staticmethod
    def resolve_organisation_ids(obj: Any) -> list[int]:
        return [o.pk for o in obj.organisations.all()]


class LocalityIn(StrictInput):
    name: str = Field(..., min_length=1, max_length=200)
    kind: Literal["county", "ics", "place"] = "county"
    organisation_ids: list[int] = Field(
        [], description="Organisations of the network; a PUT replaces the list"
    )


class AssessmentIn(StrictInput):
    checklist_id: int
    locality_id: int | None = None
    organisation_id: int | None = None
    assessed_on: date
    visibility: VisibilityValue = "network"
    summary: str = Field("", max_length=20_000)


class AssessmentOut(Schema):
    id: int
    checklist_id: int
    locality_id: int | None
    organisation_id: int | None
    place: str
    assessed_on: date
    status: str
    visibility: str
    is_illustrative: bool

    @staticmethod
    def resolve_place(obj: Any) -> str:
        return str(obj.place)


class RatingOut(Schema):
    item_id: int
    code: str = Field(..., alias="item.code")
    rating: str
    evidence: str
    current_provision: str
    planned_developments: str


class AssessmentDetail(AssessmentOut):
    summary: str
    ratings: list[RatingOut]


class RatingIn(StrictInput):
    item_id: int
    rating: RatingValue = ""
    evidence: str = Field("", max_length=20_000)
    current_provision: str = Field("", max_length=20_000)
    planned_developments: str = Field("", max_length=20_000)


class RatingsIn(StrictInput):
    ratings: list[RatingIn]


class ChangeOut(Schema):
    code: str
    question: str
    section: str
    earlier: str
    later: str
    kind: str


class ComparisonOut(Schema):
    earlier_id: int
    later_id: int
    closed: int
    opened: int
    moved: int
    unchanged: int
    changes: list[ChangeOut]


class GapOut(Schema):
    id: int
    item_id: int
    code: str = Field(..., alias="item.code")
    question: str = Field(..., alias="item.question")
    theme_id: int | None
    locality_id: int | None
    organisation_id: int | None
    rating: str
    status: str
    opened_by_id: int
    closed_by_id: int | None
    assessment_id: int
    addressed: bool = False


class HeatCellOut(Schema):
    section_id: int
    items: int
    gaps: int | None


class HeatRowOut(Schema):
    locality_id: int
    locality: str
    cells: list[HeatCellOut]


class HeatmapOut(Schema):
    checklist_id: int
    sections: list[SectionOut]
    rows: list[HeatRowOut]


# --- Plans --------------------------------------------------------------------------------


class PlanIn(StrictInput):
    title: str = Field(..., min_length=1, max_length=200)
    theme_id: int
    workstream_id: int | None = None
    locality_id: int | None = None
    organisation_id: int | None = None
    aim: str = Field("", max_length=20_000)
    baseline: str = Field("", max_length=20_000)
    method: Literal["", "pdsa", "lean", "ebcd", "other"] = ""
    method_other: str = Field("", max_length=200)
    lead_id: int | None = None
    team_ids: list[int] = []
    gap_ids: list[int] = []
    rag: RagValue = ""
    update_every_months: int = Field(1, ge=1, le=12)
    visibility: VisibilityValue = "network"
    shared_with_partners: bool = Field(
        False, description="Partner networks' members read it once published (network visibility)"
    )


class PlanChange(PlanIn):
    version: int = Field(..., description="The version you edited; a stale one is a 409")


class PlanOut(Schema):
    id: int
    network: str = Field(..., alias="network.slug")
    title: str
    theme_id: int
    workstream_id: int | None
    locality_id: int | None
    organisation_id: int | None
    status: str
    rag: str
    method: str
    lead_id: int | None
    published_at: datetime | None
    version: int
    is_illustrative: bool
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return str(obj.get_absolute_url())


class ActionOut(Schema):
    id: int
    title: str
    is_milestone: bool
    owner_id: int | None
    due_on: date | None
    status: str
    completed_on: date | None


class ActionIn(StrictInput):
    title: str = Field(..., min_length=1, max_length=200)
    is_milestone: bool = False
    owner_id: int | None = None
    due_on: date | None = None
    status: Literal["not_started", "in_progress", "done", "blocked"] = "not_started"


class MeasureIn(StrictInput):
    indicator_id: int
    organisation_id: int


class MeasureOut(Schema):
    id: int
    indicator_id: int
    indicator: str = Field(..., alias="indicator.name")
    organisation_id: int


class ValueIn(StrictInput):
    measure_id: int
    value: float | str | None = None
    numerator: float | str | None = None
    denominator: float | str | None = None


class ValueOut(Schema):
    measure_id: int
    value: float | None
    numerator: float | None
    denominator: float | None


class UpdateIn(StrictInput):
    period: date = Field(..., description="The first day of the month reported on")
    progress: str = Field("", max_length=20_000)
    next_steps: str = Field("", max_length=20_000)
    risks: str = Field("", max_length=20_000)
    help_needed: str = Field("", max_length=20_000)
    rag: RagValue = ""
    values: list[ValueIn] = []
    submit: bool = Field(False, description="Submit (needs the progress and a RAG)")


class UpdateChange(UpdateIn):
    version: int = Field(..., description="The version you edited; a stale one is a 409")


class UpdateOut(Schema):
    id: int
    plan_id: int
    period: date
    due_on: date
    status: str
    progress: str
    next_steps: str
    risks: str
    help_needed: str
    rag: str
    feedback: str
    in_summary: bool
    submitted_at: datetime | None
    reviewed_at: datetime | None
    version: int
    values: list[ValueOut]

    @staticmethod
    def resolve_values(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "measure_id": v.measure_id,
                "value": v.value,
                "numerator": v.numerator,
                "denominator": v.denominator,
            }
            for v in obj.measures.all()
        ]


class UpdateReviewIn(StrictInput):
    feedback: str = Field("", max_length=20_000)
    in_summary: bool = False


class CheckOut(Schema):
    id: int
    months_after: int
    due_on: date
    checked_on: date | None
    result: str
    note: str


class OutcomeIn(StrictInput):
    summary: str = Field(..., min_length=1, max_length=20_000)
    evidence: str = Field("", max_length=20_000)
    measure_id: int | None = None
    recorded_on: date


class OutcomeOut(Schema):
    id: int
    summary: str
    evidence: str
    measure_id: int | None
    recorded_on: date
    checks: list[CheckOut]


class CheckIn(StrictInput):
    checked_on: date
    result: Literal["sustained", "partly", "not_sustained"]
    note: str = Field("", max_length=20_000)


class ReviewIn(StrictInput):
    decision: Literal["published", "returned"]
    comment: str = Field("", max_length=20_000)


class FinishIn(StrictInput):
    status: Literal["sustained", "closed", "stopped"]
    version: int


class TimelineOut(Schema):
    when: date
    kind: str
    text: str
    rag: str


class PlanDetail(PlanOut):
    aim: str
    baseline: str
    method_other: str
    team_ids: list[int]
    gap_ids: list[int]
    update_every_months: int
    visibility: str
    shared_with_partners: bool
    submitted_at: datetime | None
    actions: list[ActionOut]
    measures: list[MeasureOut]
    outcomes: list[OutcomeOut]
    timeline: list[TimelineOut]

    @staticmethod
    def resolve_team_ids(obj: Any) -> list[int]:
        return [p.pk for p in obj.team.all()]

    @staticmethod
    def resolve_gap_ids(obj: Any) -> list[int]:
        return [g.pk for g in obj.gaps.all()]

    @staticmethod
    def resolve_timeline(obj: Any) -> list[Any]:
        return list(getattr(obj, "api_timeline", []))


class SpcPointOut(Schema):
    period: date
    value: float
    mean: float | None
    lower_limit: float | None
    upper_limit: float | None
    type: str


class SpcOut(Schema):
    indicator_id: int
    organisation_id: int
    indicator_name: str
    is_illustrative: bool
    chart_url: str
    variation_icon: str
    assurance_icon: str
    improvement_periods: list[date]
    points: list[SpcPointOut]


class EvidenceOut(Schema):
    plan_id: int
    plan_title: str
    outcome: OutcomeOut
    measured_improvement: bool


class ConflictOut(Schema):
    detail: str
    current: dict[str, Any]
