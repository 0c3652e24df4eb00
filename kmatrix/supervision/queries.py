"""Reads for the supervision pages: named, joined once, narrowed by the access helper."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, TruncDate

from kmatrix.core.access import Viewer, get_for, visible
from kmatrix.networks.models import Organisation
from kmatrix.supervision.choices import (
    Attendance,
    BookingStatus,
    CheckKind,
    ServiceRoleKind,
    SlotStatus,
    SupervisorStatus,
    VettingState,
    WaitingStatus,
)
from kmatrix.supervision.models import (
    Booking,
    PaymentRun,
    ReminderRun,
    ServiceRole,
    Slot,
    Statement,
    SupervisionService,
    Supervisor,
    VettingCheck,
    WaitingListEntry,
)
from kmatrix.supervision.times import (
    LONDON,
    financial_year_bounds,
    financial_year_label,
    month_bounds,
)


def service_for(viewer: Viewer, slug: str) -> SupervisionService:
    return get_for(
        viewer,
        SupervisionService.objects.select_related("network", "sponsor_group"),
        network__slug=slug,
    )


@dataclass(frozen=True)
class Roles:
    """What the viewer is in one service, for what the pages offer them."""

    project_manager: bool = False
    coordinator: bool = False
    led_organisations: frozenset[int] = frozenset()
    supervisor: Supervisor | None = None
    hr_director: bool = False
    staff_organisation: Organisation | None = None

    @property
    def runs_service(self) -> bool:
        return self.project_manager or self.coordinator

    @property
    def sees_need(self) -> bool:
        return self.runs_service or self.hr_director or bool(self.led_organisations)


def roles_for(viewer: Viewer, service: SupervisionService) -> Roles:
    if not viewer.is_authenticated:
        return Roles()
    held = list(
        ServiceRole.objects.filter(service=service, person_id=viewer.person_id or 0).values_list(
            "role", "organisation_id"
        )
    )
    supervisor = (
        Supervisor.objects.filter(service=service, person_id=viewer.person_id or 0)
        .select_related("person")
        .first()
    )
    hr = bool(
        service.sponsor_group_id
        and viewer.person_id
        and service.sponsor_group.members.filter(pk=viewer.person_id).exists()  # type: ignore[union-attr]
    )
    return Roles(
        project_manager=viewer.is_admin
        or any(role == ServiceRoleKind.PROJECT_MANAGER for role, _org in held),
        coordinator=viewer.coordinates(service.network_id),
        led_organisations=frozenset(
            org for role, org in held if role == ServiceRoleKind.PROVIDER_LEAD and org
        ),
        supervisor=supervisor,
        hr_director=hr,
        staff_organisation=staff_organisation(viewer, service),
    )


def member_providers(service: SupervisionService) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        network_links__network_id=service.network_id, network_links__is_member=True
    ).order_by("name")


def staff_organisation(viewer: Viewer, service: SupervisionService) -> Organisation | None:
    """The member provider the viewer is in the network for: whom they book on behalf of."""
    orgs = viewer.organisations_in(service.network_id)
    if not orgs:
        return None
    return member_providers(service).filter(pk__in=sorted(orgs)).first()


# --- Vetting -------------------------------------------------------------------------------


def state_q(state: str, today: date, reminder_days: int) -> Q:
    soon = today + timedelta(days=reminder_days)
    ok = Q(vetting_failed=False)
    return {
        VettingState.FAILED: Q(vetting_failed=True),
        VettingState.PENDING: ok & Q(cleared_until__isnull=True),
        VettingState.EXPIRED: ok & Q(cleared_until__lt=today),
        VettingState.EXPIRING: ok & Q(cleared_until__gte=today, cleared_until__lte=soon),
        VettingState.VALID: ok & Q(cleared_until__gt=soon),
    }[VettingState(state)]


def vetting_counts(service: SupervisionService, today: date) -> dict[str, int]:
    current = Q(
        status__in=[SupervisorStatus.APPLIED, SupervisorStatus.ACTIVE, SupervisorStatus.PAUSED]
    )
    counts = Supervisor.objects.filter(Q(service=service) & current).aggregate(
        **{
            state: Count("pk", filter=state_q(state, today, service.reminder_days))
            for state in VettingState.values
        }
    )
    return {state: counts[state] or 0 for state in VettingState.values}


def supervisors_list(
    viewer: Viewer,
    service: SupervisionService,
    *,
    today: date,
    state: str = "",
    status: str = "",
    q: str = "",
) -> QuerySet[Supervisor]:
    found = visible(viewer, Supervisor.objects.filter(service=service))
    if state in VettingState.values:
        found = found.filter(state_q(state, today, service.reminder_days))
    if status in SupervisorStatus.values:
        found = found.filter(status=status)
    if q:
        found = found.filter(Q(person__full_name__icontains=q) | Q(languages__icontains=q))
    return (
        found.select_related("person", "provider")
        .prefetch_related("modalities")
        .annotate(
            slots_ahead=Count(
                "slots",
                filter=Q(slots__status=SlotStatus.OPEN, slots__starts_at__gte=_midnight(today)),
            ),
        )
        .order_by("person__full_name", "pk")
    )


def applications(service: SupervisionService) -> QuerySet[Supervisor]:
    """Profiles awaiting vetting, from people whose email is confirmed (or who were added by
    the project team)."""
    confirmed = EmailAddress.objects.filter(verified=True).values("user_id")
    return (
        Supervisor.objects.filter(service=service, status=SupervisorStatus.APPLIED)
        .filter(Q(self_registered=False) | Q(person__user__in=confirmed))
        .select_related("person")
        .order_by("created_at", "pk")
    )


@dataclass
class CheckRow:
    kind: str
    label: str
    required: bool
    check: VettingCheck | None
    valid_today: bool


def check_rows(supervisor: Supervisor, today: date) -> list[CheckRow]:
    have = {c.kind: c for c in supervisor.checks.select_related("checked_by")}
    required = set(supervisor.service.required_checks)
    return [
        CheckRow(
            kind,
            label,
            kind in required,
            have.get(kind),
            bool(have.get(kind) and have[kind].valid_on(today)),
        )
        for kind, label in CheckKind.choices
    ]


def expiring_checks(
    service: SupervisionService, today: date, limit: int = 10
) -> list[VettingCheck]:
    return list(
        VettingCheck.objects.filter(
            supervisor__service=service,
            kind__in=service.required_checks,
            status="valid",
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=service.reminder_days),
        )
        .select_related("supervisor__person")
        .order_by("expires_on", "pk")[:limit]
    )


# --- Sessions ------------------------------------------------------------------------------

TIMES_OF_DAY = {
    "morning": ("Morning (before 12:00)", 0, 12),
    "afternoon": ("Afternoon (12:00 to 17:00)", 12, 17),
    "evening": ("Evening (from 17:00)", 17, 24),
}


@dataclass(frozen=True)
class SessionFilters:
    modality: str = ""
    profession: str = ""
    mode: str = ""
    size: str = ""  # individual or group
    time_of_day: str = ""
    first_day: date | None = None
    last_day: date | None = None
    with_places: bool = False


def bookable_sessions(service: SupervisionService, now: datetime) -> QuerySet[Slot]:
    """Sessions anyone may book now: open, not started, with an active supervisor whose
    checks are all valid on the session's day."""
    return (
        Slot.objects.filter(
            service=service,
            status=SlotStatus.OPEN,
            starts_at__gt=now,
            supervisor__status=SupervisorStatus.ACTIVE,
        )
        .alias(day=TruncDate("starts_at", tzinfo=LONDON))
        .filter(supervisor__cleared_until__gte=F("day"))
    )


def session_search(
    viewer: Viewer, service: SupervisionService, filters: SessionFilters, now: datetime
) -> QuerySet[Slot]:
    found = visible(viewer, bookable_sessions(service, now))
    if filters.modality:
        found = found.filter(supervisor__modalities__modality=filters.modality)
    if filters.profession:
        found = found.filter(supervisor__profession=filters.profession)
    if filters.mode:
        found = found.filter(mode=filters.mode)
    if filters.size == "individual":
        found = found.filter(capacity=1)
    elif filters.size == "group":
        found = found.filter(capacity__gt=1)
    if filters.first_day:
        found = found.filter(starts_at__gte=_midnight(filters.first_day))
    if filters.last_day:
        found = found.filter(starts_at__lt=_midnight(filters.last_day + timedelta(days=1)))
    if filters.time_of_day in TIMES_OF_DAY:
        _label, low, high = TIMES_OF_DAY[filters.time_of_day]
        found = found.alias(hour=ExtractHour("starts_at", tzinfo=LONDON)).filter(
            hour__gte=low, hour__lt=high
        )
    if filters.with_places:
        found = found.filter(taken__lt=F("capacity"))
    return (
        found.select_related("supervisor__person")
        .prefetch_related("supervisor__modalities")
        .order_by("starts_at", "pk")
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=LONDON)


def slot_for(viewer: Viewer, service: SupervisionService, pk: int) -> Slot:
    return get_for(
        viewer,
        Slot.objects.filter(service=service).select_related(
            "supervisor__person", "supervisor__service__network", "service__network"
        ),
        pk=pk,
    )


def slot_bookings(viewer: Viewer, slot: Slot) -> list[Booking]:
    return list(
        visible(viewer, slot.bookings.all())
        .select_related("person", "organisation")
        .order_by("status", "created_at", "pk")
    )


def slot_waiting(viewer: Viewer, slot: Slot) -> list[WaitingListEntry]:
    return list(
        visible(
            viewer, slot.waiting.filter(status__in=[WaitingStatus.WAITING, WaitingStatus.OFFERED])
        ).select_related("person", "organisation")
    )


def own_entry(viewer: Viewer, slot: Slot) -> tuple[Booking | None, WaitingListEntry | None]:
    if viewer.person_id is None:
        return None, None
    booking = slot.bookings.filter(
        person_id=viewer.person_id, status=BookingStatus.CONFIRMED
    ).first()
    entry = slot.waiting.filter(
        person_id=viewer.person_id, status__in=[WaitingStatus.WAITING, WaitingStatus.OFFERED]
    ).first()
    return booking, entry


def supervisor_sessions(supervisor: Supervisor, *, since: datetime) -> QuerySet[Slot]:
    confirmed = Booking.objects.filter(status=BookingStatus.CONFIRMED).select_related("person")
    return (
        supervisor.slots.filter(starts_at__gte=since)
        .prefetch_related(Prefetch("bookings", queryset=confirmed, to_attr="confirmed"))
        .order_by("starts_at", "pk")
    )


def awaiting_attendance(
    service: SupervisionService, now: datetime, supervisor: Supervisor | None = None
) -> QuerySet[Slot]:
    """Sessions that have started whose bookings' attendance is not all recorded."""
    unrecorded = Booking.objects.filter(
        service=service,  # lets the database narrow the bookings by an index first
        slot_id=OuterRef("pk"),
        status=BookingStatus.CONFIRMED,
        attendance=Attendance.NOT_RECORDED,
    )
    found = Slot.objects.filter(service=service, status=SlotStatus.OPEN, starts_at__lte=now)
    if supervisor is not None:
        found = found.filter(supervisor=supervisor)
    return (
        found.filter(Exists(unrecorded))
        .select_related("supervisor__person")
        .order_by("starts_at", "pk")
    )


# --- Bookings ------------------------------------------------------------------------------


def booking_for(viewer: Viewer, service: SupervisionService, pk: int) -> Booking:
    return get_for(
        viewer,
        Booking.objects.filter(service=service).select_related(
            "slot__supervisor__person", "person", "organisation", "service__network"
        ),
        pk=pk,
    )


@dataclass(frozen=True)
class BookingFilters:
    organisation_id: int | None = None
    supervisor_id: int | None = None
    status: str = ""
    when: str = "upcoming"  # upcoming, past or all
    mine: bool = False


def bookings_list(
    viewer: Viewer, service: SupervisionService, filters: BookingFilters, now: datetime
) -> QuerySet[Booking]:
    found = visible(viewer, Booking.objects.filter(service=service))
    if filters.mine:
        found = found.filter(person_id=viewer.person_id or 0)
    if filters.organisation_id:
        found = found.filter(organisation_id=filters.organisation_id)
    if filters.supervisor_id:
        found = found.filter(slot__supervisor_id=filters.supervisor_id)
    if filters.status in BookingStatus.values:
        found = found.filter(status=filters.status)
    if filters.when == "upcoming":
        found = found.filter(slot__starts_at__gte=now).order_by("slot__starts_at", "pk")
    elif filters.when == "past":
        found = found.filter(slot__starts_at__lt=now).order_by("-slot__starts_at", "-pk")
    else:
        found = found.order_by("-slot__starts_at", "-pk")
    return found.select_related("slot__supervisor__person", "person", "organisation")


def own_waiting(viewer: Viewer, service: SupervisionService) -> list[WaitingListEntry]:
    return list(
        WaitingListEntry.objects.filter(
            service=service,
            person_id=viewer.person_id or 0,
            status__in=[WaitingStatus.WAITING, WaitingStatus.OFFERED],
        )
        .select_related("slot__supervisor__person")
        .order_by("slot__starts_at")
    )


def waiting_for(viewer: Viewer, service: SupervisionService, pk: int) -> WaitingListEntry:
    return get_for(
        viewer,
        WaitingListEntry.objects.filter(service=service).select_related(
            "slot__supervisor__person", "person"
        ),
        pk=pk,
    )


# --- The project manager's overview -------------------------------------------------------


@dataclass
class Overview:
    vetting: dict[str, int]
    applications: list[Supervisor]
    expiring: list[VettingCheck]
    month_sessions: int
    month_places: int
    month_booked: int
    month_delivered: int
    awaiting_attendance: int
    waiting: int
    runs: list[PaymentRun]
    reminders: ReminderRun | None
    by_provider: list[dict[str, Any]] = field(default_factory=list)


def overview(service: SupervisionService, today: date, now: datetime) -> Overview:
    start, end = month_bounds(today)
    month = Slot.objects.filter(
        service=service, status=SlotStatus.OPEN, starts_at__gte=start, starts_at__lt=end
    ).aggregate(sessions=Count("pk"), places=Sum("capacity"))
    month_slots = Slot.objects.filter(service=service, starts_at__gte=start, starts_at__lt=end)
    month_bookings = Booking.objects.filter(service=service, slot__in=month_slots.values("pk"))
    counted = month_bookings.aggregate(
        booked=Count("pk", filter=Q(status=BookingStatus.CONFIRMED)),
        delivered=Count("pk", filter=Q(attendance=Attendance.ATTENDED)),
    )
    by_provider = list(
        month_bookings.filter(status=BookingStatus.CONFIRMED)
        .values("organisation__name", "organisation__ods_code")
        .annotate(booked=Count("pk"))
        .order_by("organisation__name")
    )
    return Overview(
        vetting=vetting_counts(service, today),
        applications=list(applications(service)[:20]),
        expiring=expiring_checks(service, today),
        month_sessions=month["sessions"] or 0,
        month_places=month["places"] or 0,
        month_booked=counted["booked"],
        month_delivered=counted["delivered"],
        awaiting_attendance=awaiting_attendance(service, now).count(),
        waiting=WaitingListEntry.objects.filter(
            service=service, status=WaitingStatus.WAITING, slot__starts_at__gt=now
        ).count(),
        runs=list(service.payment_runs.order_by("-month")[:3]),
        reminders=ReminderRun.objects.order_by("-started_at").first(),
        by_provider=by_provider,
    )


# --- Payments ------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearTotal:
    """Payments in one financial year: what the Therapy Supervision funding award is drawn
    down against."""

    year: int
    label: str
    runs: int
    sessions: int
    total: Decimal
    approved: Decimal
    paid: Decimal


def payment_totals_by_year(service: SupervisionService) -> list[YearTotal]:
    """Totals of the service's payment runs by financial year (April to March), newest first.

    The interface for drawdown: a funding award of the year can set its spend against
    ``total`` (committed), ``approved`` and ``paid``."""
    by_year: dict[int, dict[str, Any]] = {}
    runs = PaymentRun.objects.filter(service=service).annotate(
        approved=Sum("statements__total", filter=Q(statements__status="approved")),
        paid=Sum("statements__total", filter=Q(statements__status="paid")),
    )
    for run in runs:
        row = by_year.setdefault(
            run.financial_year,
            {
                "runs": 0,
                "sessions": 0,
                "total": Decimal(0),
                "approved": Decimal(0),
                "paid": Decimal(0),
            },
        )
        row["runs"] += 1
        row["sessions"] += run.sessions
        row["total"] += run.total
        row["approved"] += run.approved or Decimal(0)
        row["paid"] += run.paid or Decimal(0)
    cents = Decimal("0.01")
    return [
        YearTotal(
            year,
            financial_year_label(year),
            values["runs"],
            values["sessions"],
            values["total"].quantize(cents),
            values["approved"].quantize(cents),
            values["paid"].quantize(cents),
        )
        for year, values in sorted(by_year.items(), reverse=True)
    ]


def runs_for(viewer: Viewer, service: SupervisionService) -> QuerySet[PaymentRun]:
    return visible(viewer, service.payment_runs.all()).order_by("-month")


def run_for(viewer: Viewer, service: SupervisionService, pk: int) -> PaymentRun:
    return get_for(
        viewer, PaymentRun.objects.filter(service=service).select_related("service"), pk=pk
    )


def run_statements(run: PaymentRun) -> QuerySet[Statement]:
    return run.statements.select_related("supervisor__person").order_by(
        "supervisor__person__full_name", "pk"
    )


def statements_for(viewer: Viewer, service: SupervisionService) -> QuerySet[Statement]:
    return (
        visible(viewer, Statement.objects.filter(run__service=service))
        .select_related("run", "supervisor__person")
        .order_by("-run__month", "supervisor__person__full_name", "pk")
    )


def statement_for(viewer: Viewer, service: SupervisionService, pk: int) -> Statement:
    return get_for(
        viewer,
        Statement.objects.filter(run__service=service).select_related(
            "run__service__network", "supervisor__person", "approved_by"
        ),
        pk=pk,
    )


# --- Need and provision --------------------------------------------------------------------


@dataclass
class NeedRow:
    organisation: Organisation
    profession: str
    profession_label: str
    needed: int | None
    booked: int
    delivered: int

    @property
    def gap(self) -> int | None:
        return None if self.needed is None else max(self.needed - self.booked, 0)


@dataclass
class NeedPage:
    year: int
    label: str
    rows: list[NeedRow]
    providers: list[dict[str, Any]]  # per organisation: needed, booked, delivered
    illustrative: bool = False  # some of the need figures are made up (the demo)

    def table(self) -> tuple[list[str], list[list[Any]]]:
        header = [
            "Provider",
            "ODS code",
            "Profession",
            "Sessions needed",
            "Booked",
            "Delivered",
            "Still to find",
        ]
        return header, [
            [
                r.organisation.name,
                r.organisation.ods_code,
                r.profession_label,
                r.needed,
                r.booked,
                r.delivered,
                r.gap,
            ]
            for r in self.rows
        ]


def need_page(service: SupervisionService, year: int) -> NeedPage:
    """Sessions needed by provider and profession in a financial year, against sessions booked
    (confirmed bookings of sessions in the year, past or to come) and delivered (attended)."""
    from kmatrix.supervision.choices import Profession

    first, after = financial_year_bounds(year)
    start, end = _midnight(first), _midnight(after)
    providers = list(member_providers(service))
    recorded = list(service.needs.filter(financial_year=year))
    needs = {(n.organisation_id, n.profession): n.sessions_needed for n in recorded}
    provided = (
        Booking.objects.filter(service=service, slot__starts_at__gte=start, slot__starts_at__lt=end)
        .values("organisation_id", "profession")
        .annotate(
            booked=Count("pk", filter=Q(status=BookingStatus.CONFIRMED)),
            delivered=Count("pk", filter=Q(attendance=Attendance.ATTENDED)),
        )
    )
    counts = {(p["organisation_id"], p["profession"]): p for p in provided}
    labels = dict(Profession.choices)
    rows = []
    for org in providers:
        for profession in Profession.values:
            key = (org.pk, profession)
            if key not in needs and key not in counts:
                continue
            got = counts.get(key, {"booked": 0, "delivered": 0})
            rows.append(
                NeedRow(
                    org,
                    profession,
                    labels[profession],
                    needs.get(key),
                    got["booked"],
                    got["delivered"],
                )
            )
    return NeedPage(
        year,
        financial_year_label(year),
        rows,
        _by_provider(providers, rows),
        illustrative=any(n.is_illustrative for n in recorded),
    )


def _by_provider(
    providers: Sequence[Organisation], rows: Sequence[NeedRow]
) -> list[dict[str, Any]]:
    totals = []
    for org in providers:
        mine = [r for r in rows if r.organisation.pk == org.pk]
        totals.append(
            {
                "organisation": org,
                "needed": sum(r.needed or 0 for r in mine),
                "booked": sum(r.booked for r in mine),
                "delivered": sum(r.delivered for r in mine),
            }
        )
    return totals


def need_years(service: SupervisionService, today: date) -> list[int]:
    """Financial years with need or sessions, and the current one."""
    from kmatrix.supervision.times import financial_year

    years = set(service.needs.values_list("financial_year", flat=True).distinct())
    years.add(financial_year(today))
    return sorted(years, reverse=True)
