"""Request and response bodies of the programmes API (kmatrix/programmes/api.py).

Amounts are exact decimals in pounds, written as strings in JSON ("1355640.00") so that no
client reads them as floating point. Financial years are written as on the pages: "2022/23".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Field, Schema

from kmatrix.core.access import Visibility
from kmatrix.networks.schemas import PatchInput, StrictInput
from kmatrix.programmes.models import AwardStatus, MilestoneStatus, ProgrammeStatus


class Ref(Schema):
    id: int
    name: str


class OrganisationRef(Ref):
    ods_code: str


class GroupRef(Ref):
    slug: str


class TotalOut(Schema):
    label: str
    amount: Decimal = Field(description="Exact amounts added up, in pounds")
    awards: int
    unquantified: list[str] = Field(
        description="Awards under this heading with no exact amount, as they were stated"
    )


class AllocationOut(Schema):
    id: int
    organisation: OrganisationRef | None
    purpose: str
    amount: Decimal
    notes: str


class AwardOut(Schema):
    id: int
    funder: OrganisationRef | None
    funder_note: str
    amount: Decimal | None = Field(description="Exact, in pounds; null when no exact figure")
    amount_note: str = Field(description="The amount as stated when there is no exact figure")
    first_year: str | None = Field(description="First financial year, e.g. 2022/23")
    last_year: str | None
    financial_years: str
    term_years: int | None
    status: AwardStatus
    secured_on: date | None
    notes: str
    allocations: list[AllocationOut]
    allocated: Decimal
    drawn: Decimal
    remaining: Decimal | None


class MilestoneOut(Schema):
    id: int
    title: str
    status: MilestoneStatus
    on: date | None
    precision: str
    when: str


class UpdateOut(Schema):
    id: int
    on: date
    text: str
    source: str


class LinkOut(Schema):
    id: int
    kind: str
    target_id: int
    name: str
    url: str
    note: str


class ProgrammeOut(Schema):
    id: int
    slug: str
    name: str
    url: str
    theme: Ref | None
    status: ProgrammeStatus
    sponsor: GroupRef | None
    lead_organisation: OrganisationRef | None
    starts_on: date | None
    ends_on: date | None
    summary: str
    visibility: Visibility
    funders: list[str]
    secured: TotalOut
    bids: TotalOut


class ProgrammeDetail(ProgrammeOut):
    description: str
    partners: list[OrganisationRef]
    awards: list[AwardOut]
    milestones: list[MilestoneOut]
    updates: list[UpdateOut]
    links: list[LinkOut]


class OrganisationTotalOut(Schema):
    organisation: Ref
    led: TotalOut = Field(description="Secured for programmes it leads")
    allocated: Decimal = Field(description="Allocated to it from secured awards")


class FundingOut(Schema):
    secured: TotalOut = Field(description="Discretionary funding secured, received or spent")
    by_theme: list[TotalOut]
    by_funder: list[TotalOut]
    by_year: list[TotalOut]
    by_status: list[TotalOut]
    by_organisation: list[OrganisationTotalOut]


class ProgrammeIn(StrictInput):
    name: str
    slug: str
    theme: int | None = Field(None, description="Id of a theme the network has adopted")
    status: ProgrammeStatus = ProgrammeStatus.ACTIVE
    sponsor: str | None = Field(None, description="Slug of one of the network's groups")
    lead_organisation: int | None = Field(None, description="Organisation id")
    partners: list[int] = Field(default_factory=list, description="Organisation ids")
    starts_on: date | None = None
    ends_on: date | None = None
    summary: str = ""
    description: str = ""
    visibility: Visibility = Visibility.NETWORK


class ProgrammePatch(PatchInput):
    name: str = ""
    theme: int | None = None
    status: ProgrammeStatus = ProgrammeStatus.ACTIVE
    sponsor: str | None = None
    lead_organisation: int | None = None
    partners: list[int] = Field(default_factory=list)
    starts_on: date | None = None
    ends_on: date | None = None
    summary: str = ""
    description: str = ""
    visibility: Visibility = Visibility.NETWORK


class AwardIn(StrictInput):
    funder: int | None = Field(None, description="Organisation id; null when not known")
    funder_note: str = ""
    amount: Decimal | None = Field(
        None, description="Exact, in pounds, at most 2 decimal places; null when not known"
    )
    amount_note: str = ""
    first_year: str | None = Field(None, description="e.g. 2022/23")
    last_year: str | None = None
    term_years: int | None = None
    status: AwardStatus
    secured_on: date | None = None
    notes: str = ""


class AwardPatch(PatchInput):
    funder: int | None = None
    funder_note: str = ""
    amount: Decimal | None = None
    amount_note: str = ""
    first_year: str | None = None
    last_year: str | None = None
    term_years: int | None = None
    status: AwardStatus = AwardStatus.SECURED
    secured_on: date | None = None
    notes: str = ""


class AllocationIn(StrictInput):
    organisation: int | None = Field(None, description="Organisation id, or null for a purpose")
    purpose: str
    amount: Decimal
    notes: str = ""


class LinkIn(StrictInput):
    indicator: str | None = Field(None, description="Code of one of the network's indicators")
    plan: int | None = Field(
        None, description="Id of one of the network's improvement plans you may read"
    )
    note: str = ""
