"""Request and response bodies of the supervision API (kmatrix/supervision/api.py)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import field_validator

from kmatrix.networks.schemas import StrictInput
from kmatrix.supervision.choices import (
    Attendance,
    CheckStatus,
    InvoiceStatus,
    Modality,
    Mode,
    Profession,
    SupervisorStatus,
)
from kmatrix.supervision.models import (
    Booking,
    Slot,
    Statement,
    Supervisor,
    WaitingListEntry,
)
from kmatrix.supervision.times import financial_year_label


class ServiceOut(Schema):
    network: str = Field(description="The network's slug: the service's address in the API")
    name: str
    contact_email: str
    notice_hours: int
    offer_hours: int
    required_checks: list[str]
    open_for_applications: bool

    @staticmethod
    def resolve_network(obj: Any) -> str:
        return str(obj.network.slug)


class SupervisorBrief(Schema):
    id: int
    name: str
    profession: str

    @staticmethod
    def resolve_name(obj: Supervisor) -> str:
        return obj.person.full_name


class SupervisorOut(SupervisorBrief):
    kind: str
    provider: str | None = Field(
        description="ODS code of the provider, for internal and returning staff"
    )
    modalities: list[str]
    languages: str
    offers_virtual: bool
    offers_in_person: bool
    in_person_area: str
    experience_years: int | None
    about: str
    status: str

    @staticmethod
    def resolve_provider(obj: Supervisor) -> str | None:
        return (obj.provider.ods_code or obj.provider.name) if obj.provider else None

    @staticmethod
    def resolve_modalities(obj: Supervisor) -> list[str]:
        return [m.modality for m in obj.modalities.all()]


class CheckOut(Schema):
    kind: str
    required: bool
    status: str = Field(description="pending, valid or failed; pending when not recorded")
    reference: str
    checked_on: date | None
    expires_on: date | None
    valid_today: bool


class VettingOut(Schema):
    supervisor: int
    state: str = Field(description="valid, expiring, expired, pending or failed")
    cleared_until: date | None = Field(description="The last day every required check is valid")
    rate: Decimal = Field(description="Fee per session, in pounds")
    checks: list[CheckOut]


class SupervisorIn(StrictInput):
    full_name: str = ""
    email: str
    kind: Literal["internal", "external", "retire_and_return"]
    provider: str | None = Field(None, description="ODS code of a member provider")
    profession: Profession
    modalities: list[Modality]
    professional_body: str = ""
    registration_number: str = ""
    experience_years: int | None = Field(None, ge=0, le=60)
    languages: str = ""
    offers_virtual: bool = True
    offers_in_person: bool = False
    in_person_area: str = ""
    about: str = ""
    rate: Decimal = Field(Decimal("0"), description="Fee per session in pounds; never negative")


class CheckIn(StrictInput):
    status: CheckStatus
    reference: str = ""
    checked_on: date | None = None
    expires_on: date | None = None
    notes: str = ""


class StatusIn(StrictInput):
    status: SupervisorStatus


class SessionOut(Schema):
    id: int
    supervisor: SupervisorBrief
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    mode: str
    location: str
    capacity: int
    free: int
    status: str


class SessionIn(StrictInput):
    supervisor: int | None = Field(
        None, description="Project managers: whose session. Supervisors offer their own"
    )
    starts_at: datetime = Field(
        description="With its offset, for example 2026-03-03T10:00:00+00:00"
    )
    duration_minutes: int = Field(ge=15, le=240)
    mode: Mode = Mode.VIRTUAL
    capacity: int = Field(1, ge=1, le=12)
    location: str = ""
    joining_link: str = ""
    rate: Decimal | None = Field(None, description="Project managers: the session's fee in pounds")

    @field_validator("starts_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("give the time with its offset or Z, for example 2026-03-03T10:00:00Z")
        return value


class WeeklyIn(StrictInput):
    supervisor: int | None = None
    weekday: int = Field(ge=0, le=6, description="Monday 0 to Sunday 6")
    starts_at: time = Field(description="UK time, the same all year")
    duration_minutes: int = Field(ge=15, le=240)
    first_day: date
    last_day: date
    every_weeks: Literal[1, 2] = 1
    mode: Mode = Mode.VIRTUAL
    capacity: int = Field(1, ge=1, le=12)
    location: str = ""
    joining_link: str = ""


class SessionPatch(StrictInput):
    """Only what you send changes; the time only while nobody is booked."""

    starts_at: datetime | None = None
    duration_minutes: int | None = Field(None, ge=15, le=240)
    mode: Mode | None = None
    capacity: int | None = Field(None, ge=1, le=12)
    location: str | None = None
    joining_link: str | None = None
    rate: Decimal | None = Field(None, description="Project managers only")


class WeeklyOut(Schema):
    made: list[SessionOut]
    skipped: list[dict[str, str]]


class CancelIn(StrictInput):
    reason: str = Field("", max_length=300)


class BookingIn(StrictInput):
    session: int
    profession: Profession
    focus: str = Field("", max_length=2000)


class MoveIn(StrictInput):
    session: int


class AttendanceIn(StrictInput):
    attendance: Literal["attended", "no_show", ""]


class BookingOut(Schema):
    id: int
    session: SessionOut
    person: str
    organisation: str = Field(description="ODS code of the provider booked for")
    profession: str
    focus: str
    status: str
    attendance: str = Field(description=", ".join(v or '""' for v in Attendance.values))
    created_at: datetime

    @staticmethod
    def resolve_session(obj: Booking) -> Slot:
        return obj.slot

    @staticmethod
    def resolve_person(obj: Booking) -> str:
        return obj.person.full_name

    @staticmethod
    def resolve_organisation(obj: Booking) -> str:
        return obj.organisation.ods_code or obj.organisation.name


class WaitIn(StrictInput):
    profession: Profession
    focus: str = Field("", max_length=2000)


class WaitingOut(Schema):
    id: int
    session: int
    status: str
    offer_expires_at: datetime | None

    @staticmethod
    def resolve_session(obj: WaitingListEntry) -> int:
        return obj.slot_id


class RunIn(StrictInput):
    month: str = Field(description="YYYY-MM, a month that has ended")


class RunOut(Schema):
    id: int
    month: date
    financial_year: str
    status: str
    supervisors_total: int
    supervisors_done: int
    sessions: int
    total: Decimal

    @staticmethod
    def resolve_financial_year(obj: Any) -> str:
        return financial_year_label(obj.financial_year)


class LineOut(Schema):
    session: int
    starts_at: datetime
    duration_minutes: int
    mode: str
    places: int
    attended: int
    cancelled_late: int
    no_shows: int
    amount: Decimal
    from_earlier_month: bool

    @staticmethod
    def resolve_session(obj: Any) -> int:
        return int(obj.slot_id)


class StatementOut(Schema):
    id: int
    number: str
    month: date
    supervisor: SupervisorBrief
    sessions: int
    total: Decimal
    status: str
    paid_on: date | None

    @staticmethod
    def resolve_month(obj: Statement) -> date:
        return obj.run.month


class StatementDetail(StatementOut):
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj: Statement) -> list[Any]:
        return list(obj.lines.all())


class InvoiceIn(StrictInput):
    status: InvoiceStatus
    paid_on: date | None = None


class YearTotalOut(Schema):
    year: int
    label: str
    runs: int
    sessions: int
    total: Decimal
    approved: Decimal
    paid: Decimal


class DrawdownRowOut(Schema):
    label: str = Field(description="The financial years, e.g. 2022/23")
    years: list[int] = Field(description="Each financial year by the calendar year it starts")
    award_id: int | None = Field(description="None for a year no award covers")
    amount: Decimal | None = Field(description="The award; None when it has no exact amount")
    drawn: Decimal = Field(description="Drawn from the award (statements paid)")
    approved: Decimal
    due: Decimal
    committed: Decimal = Field(description="Approved and due: promised, not yet drawn")
    remaining: Decimal | None = Field(description="Amount less drawn and committed")
    over: bool = Field(description="Whether drawn and committed exceed the award")


class DrawdownOut(Schema):
    programme_id: int | None = Field(description="The service's funding programme")
    readable: bool = Field(description="Whether you may read the programme and its awards")
    rows: list[DrawdownRowOut]


class NeedRowOut(Schema):
    organisation: str
    profession: str
    needed: int | None
    booked: int
    delivered: int
    gap: int | None


class NeedOut(Schema):
    year: int
    label: str
    rows: list[NeedRowOut]


class NeedIn(StrictInput):
    organisation: str = Field(description="ODS code (or id) of a member provider")
    year: int = Field(ge=2000, le=2100, description="The financial year by the year it starts")
    needs: dict[Profession, int | None] = Field(
        description="Sessions needed by profession; null removes a profession's need"
    )

    @field_validator("needs")
    @classmethod
    def _not_negative(cls, value: dict[Any, int | None]) -> dict[Any, int | None]:
        if any(n is not None and n < 0 for n in value.values()):
            raise ValueError("a need cannot be negative")
        return value
