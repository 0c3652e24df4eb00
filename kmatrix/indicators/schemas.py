"""Request and response bodies of the indicators API (kmatrix/indicators/api.py).

The SPC analysis is returned exactly as ``kmatrix spc`` prints it (see the issue and
``stored.analysis_document``); these schemas describe it for the OpenAPI document.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from kmatrix.indicators.models import DataPoint, ImportBatch, Indicator, SeriesResult
from kmatrix.networks.schemas import OrganisationBrief, StrictInput, ThemeBrief


class TargetOut(Schema):
    value: float
    applies_from: date


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str = Field(description="percent, rate_per_1000_obd, count or days")
    direction: str = Field(description="increase or decrease (which is better), or neutral")
    frequency: str
    theme: ThemeBrief | None
    source: str
    is_illustrative: bool = Field(description="Illustrative figures, not real data")
    visibility: str


class SpcSettingsOut(Schema):
    preset: str = Field(description="mdc or plotthedots")
    run_length: int | None = Field(description="Shift and trend length; null: the preset's")
    screen_outliers: bool | None = Field(description="Moving-range screening; null: the preset's")
    baseline_points: int | None
    show_two_sigma: bool


class LatestOut(Schema):
    """One organisation's series, as last analysed (stored when its data was imported)."""

    organisation: OrganisationBrief
    points: int
    first_period: date
    latest_period: date
    latest_value: float
    variation_icon: str | None = Field(description="As in SPC.md; null without limits")
    assurance_icon: str | None = Field(description="pass, fail or hit_or_miss; null if none")
    missing_periods: list[date] = Field(description="Gaps in the series; no SPC until filled")

    @staticmethod
    def resolve_variation_icon(obj: SeriesResult) -> str | None:
        return obj.variation_icon or None

    @staticmethod
    def resolve_assurance_icon(obj: SeriesResult) -> str | None:
        return obj.assurance_icon or None


class IndicatorDetail(IndicatorOut):
    definition: str = Field(description="Markdown")
    numerator_definition: str
    denominator_definition: str
    spc: SpcSettingsOut
    targets: list[TargetOut] = Field(description="Each applies from its date until the next")
    latest: list[LatestOut] = Field(description="Every organisation's series, by name")

    @staticmethod
    def resolve_spc(obj: Indicator) -> dict[str, Any]:
        return {
            "preset": obj.spc_preset,
            "run_length": obj.run_length,
            "screen_outliers": obj.screen_outliers,
            "baseline_points": obj.baseline_points,
            "show_two_sigma": obj.show_two_sigma,
        }

    @staticmethod
    def resolve_targets(obj: Indicator) -> list[Any]:
        return list(obj.targets.all())

    @staticmethod
    def resolve_latest(obj: Indicator) -> list[SeriesResult]:
        return list(obj.results.all())


class DataPointOut(Schema):
    organisation: str = Field(description="ODS code")
    period: date = Field(description="The first day of the period")
    value: float
    numerator: float | None
    denominator: float | None
    note: str

    @staticmethod
    def resolve_organisation(obj: DataPoint) -> str:
        return obj.organisation.ods_code


class DataPointIn(StrictInput):
    organisation: str = Field(description="ODS code of an organisation in the network, e.g. RXM")
    period: str = Field(description="YYYY-MM, YYYY-MM-DD or dd/mm/yyyy; any day in the period")
    value: float | str | None = Field(
        None,
        description="Leave out to work it out from the numerator and denominator "
        "(percentages and rates)",
    )
    numerator: float | str | None = None
    denominator: float | str | None = None
    note: str = ""


class ImportErrorOut(Schema):
    row: int | None = Field(description="As a spreadsheet numbers it (the header is row 1)")
    column: str
    message: str


class ImportBatchOut(Schema):
    id: int
    network: str
    filename: str
    file_format: str
    dry_run: bool
    status: str = Field(description="queued, running, done or failed")
    rows_total: int
    rows_done: int
    created: int
    changed: int
    unchanged: int
    errors: list[ImportErrorOut] = Field(description="Why it failed: nothing was applied")
    started_at: datetime
    finished_at: datetime | None
    uploaded_by: str | None = Field(description="Email of who uploaded it")

    @staticmethod
    def resolve_network(obj: ImportBatch) -> str:
        return obj.network.slug

    @staticmethod
    def resolve_uploaded_by(obj: ImportBatch) -> str | None:
        return obj.uploaded_by.email if obj.uploaded_by else None


class ImportFailedOut(Schema):
    detail: str
    errors: list[ImportErrorOut] = Field(description="Up to 1,000 problems, by row and column")
    batch: ImportBatchOut


# The SPC analysis, in the shape `kmatrix spc` prints


class SpcSegmentOut(Schema):
    start: date
    points: int
    mean: float
    lower_limit: float | None
    upper_limit: float | None
    lower_two_sigma: float | None
    upper_two_sigma: float | None


class SpcPointOut(Schema):
    period: date
    value: float
    type: str = Field(description="common_cause, improvement, concern or neutral")
    rules: list[str] = Field(description="outside_limits, shift, trend, two_of_three")
    colour: str = Field(description="grey, blue, orange or purple")


class SpcAnalysisOut(Schema):
    segments: list[SpcSegmentOut]
    points: list[SpcPointOut]
    variation_icon: str | None
    assurance_icon: str | None
    warnings: list[str]
