"""The scale generator's supervision step: supervision services with their supervisors,
vetting, sessions, bookings, payments and need, in proportion to the national data set.

One network in five runs a service (10 at national scale). Supervisors are one person in 50
(400), drawn from the generated people; internal ones from the service's member providers,
external ones from elsewhere. Their vetting is spread over every state. Each supervisor offers
a weekly session (a third of them for groups) over ``FIRST_DAY`` to ``LAST_DAY``; about two
places in three are booked by staff of the member providers, with attendance recorded for
sessions before ``PAID_UNTIL``, which monthly payment runs have paid. Need is set per provider,
profession and financial year. At national scale that is about 52,000 sessions, 50,000
bookings, 200 payment runs and 7,000 statements.

The dates are a fixed window (April 2025 to September 2027), not today, so a seed gives the
same data every day; the benchmark books and searches sessions after today within it. Rows go
in with ``bulk_create``; the denormalised fields the services keep (a session's places taken
and end, a supervisor's clearance, statement totals) are set to what the services would set.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth.hashers import make_password
from django.db import connection

from kmatrix.core.models import User
from kmatrix.networks.models import NetworkOrganisation, Person
from kmatrix.supervision.choices import (
    EXPIRING_CHECKS,
    CheckKind,
    Modality,
    Profession,
    ServiceRoleKind,
)
from kmatrix.supervision.models import (
    Booking,
    PaymentRun,
    ServiceRole,
    SessionNeed,
    Slot,
    Statement,
    StatementLine,
    SupervisionService,
    Supervisor,
    SupervisorModality,
    VettingCheck,
)
from kmatrix.supervision.times import LONDON, financial_year, first_of_month, next_month

if TYPE_CHECKING:
    from kmatrix.demo.generate import Context

SERVICE_NAME = "Therapy supervision (generated)"
FIRST_DAY = date(2025, 4, 7)
LAST_DAY = date(2027, 9, 27)
PAID_UNTIL = date(2026, 12, 1)  # sessions before this were delivered and paid
VETTING_TODAY = date(2026, 12, 1)  # the day the vetting states are drawn around
STATES = (("valid", 70), ("expiring", 8), ("expired", 7), ("pending", 10), ("failed", 5))
PROFESSIONS = list(Profession.values)
MODALITIES = list(Modality.values)


def _services(ctx: Context) -> list[SupervisionService]:
    chosen = ctx.networks[::5] or ctx.networks[:1]
    return SupervisionService.objects.bulk_create(
        [
            SupervisionService(
                network=network,
                name=SERVICE_NAME,
                description="Synthetic supervision service for scale testing.",
                contact_email=f"supervision.{network.pk}@scale.example.org",
            )
            for network in chosen
        ]
    )


def _member_orgs(services: list[SupervisionService]) -> dict[int, set[int]]:
    members: dict[int, set[int]] = defaultdict(set)
    for network_id, org_id in NetworkOrganisation.objects.filter(
        network_id__in=[s.network_id for s in services], is_member=True
    ).values_list("network_id", "organisation_id"):
        members[network_id].add(org_id)
    return members


def _clearance(
    state: str, rng: Any
) -> tuple[date | None, bool, dict[str, tuple[str, date | None]]]:
    """Checks (kind -> status, expiry) for a supervisor in ``state``, and what they add up to."""
    far = VETTING_TODAY + timedelta(days=rng.randint(200, 900))
    checks = {
        kind: ("valid", far if kind in EXPIRING_CHECKS else None) for kind in CheckKind.values
    }
    lapsing = rng.choice(sorted(EXPIRING_CHECKS))
    if state == "expiring":
        checks[lapsing] = ("valid", VETTING_TODAY + timedelta(days=rng.randint(1, 29)))
    elif state == "expired":
        checks[lapsing] = ("valid", VETTING_TODAY - timedelta(days=rng.randint(1, 120)))
    elif state == "pending":
        checks[rng.choice(CheckKind.values)] = ("pending", None)
    elif state == "failed":
        checks[rng.choice([CheckKind.REFERENCE_1, CheckKind.REFERENCE_2, CheckKind.DBS])] = (
            "failed",
            None,
        )
    if state in ("pending", "failed"):
        return None, state == "failed", checks
    return min(e for _s, e in checks.values() if e is not None), False, checks


def _supervisors(
    ctx: Context, services: list[SupervisionService], members: dict[int, set[int]]
) -> list[Supervisor]:
    per_service = max(1, len(ctx.people) // 50 // len(services))
    rows: list[Supervisor] = []
    checks: list[tuple[int, dict[str, tuple[str, date | None]]]] = []
    taken: set[int] = set()
    for service in services:
        pool = [p for p in ctx.people if p.pk not in taken]
        for index, person in enumerate(ctx.rng.sample(pool, min(per_service, len(pool)))):
            taken.add(person.pk)
            internal = person.organisation_id in members[service.network_id]
            kind = ctx.rng.choice(["internal", "retire_and_return"]) if internal else "external"
            # Every service has each vetting state at least once; the rest are drawn by weight.
            state = (
                STATES[index][0]
                if index < len(STATES)
                else ctx.rng.choices([s for s, _w in STATES], [w for _s, w in STATES])[0]
            )
            until, failed, made = _clearance(state, ctx.rng)
            rows.append(
                Supervisor(
                    service=service,
                    person=person,
                    kind=kind,
                    provider_id=person.organisation_id if internal else None,
                    profession=ctx.rng.choice(PROFESSIONS),
                    professional_body="hcpc",
                    registration_number=f"PYL{person.pk:06d}",
                    experience_years=ctx.rng.randint(2, 30),
                    languages="English",
                    offers_virtual=True,
                    offers_in_person=ctx.rng.random() < 0.3,
                    rate=Decimal(ctx.rng.choice(["60.00", "65.00", "70.00", "75.00", "85.00"])),
                    status="applied" if state in ("pending", "failed") else "active",
                    cleared_until=until,
                    vetting_failed=failed,
                )
            )
            checks.append((len(rows) - 1, made))
    supervisors = Supervisor.objects.bulk_create(rows, batch_size=2000)
    VettingCheck.objects.bulk_create(
        [
            VettingCheck(
                supervisor=supervisors[i],
                kind=kind,
                status=status,
                expires_on=expires,
                reference="000000000000" if kind == "dbs" else "GEN",
                checked_on=date(2024, 6, 1) if status == "valid" else None,
            )
            for i, made in checks
            for kind, (status, expires) in made.items()
        ],
        batch_size=2000,
    )
    SupervisorModality.objects.bulk_create(
        [
            SupervisorModality(supervisor=s, modality=m)
            for s in supervisors
            for m in ctx.rng.sample(MODALITIES, ctx.rng.randint(1, 3))
        ],
        batch_size=2000,
    )
    return supervisors


def _slots(ctx: Context, supervisors: list[Supervisor]) -> list[Slot]:
    rows = []
    for supervisor in supervisors:
        group = ctx.rng.random() < 0.33
        weekday, hour = ctx.rng.randrange(5), ctx.rng.choice([9, 10, 11, 13, 14, 15, 16, 17])
        minutes = 90 if group else 60
        day = FIRST_DAY + timedelta(days=(weekday - FIRST_DAY.weekday()) % 7)
        while day <= LAST_DAY:
            start = datetime.combine(day, time(hour), tzinfo=LONDON)
            rows.append(
                Slot(
                    service_id=supervisor.service_id,
                    supervisor=supervisor,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=minutes),
                    duration_minutes=minutes,
                    mode="virtual"
                    if ctx.rng.random() < 0.8 or not supervisor.offers_in_person
                    else "in_person",
                    location="Microsoft Teams",
                    capacity=ctx.rng.randint(3, 6) if group else 1,
                    rate=supervisor.rate,
                )
            )
            day += timedelta(weeks=1)
    return rows  # saved with their places taken, once the bookings are drawn


def _staff(
    ctx: Context, services: list[SupervisionService], members: dict[int, set[int]]
) -> dict[int, list[tuple[int, int]]]:
    """(person, organisation) of the staff of each service's member providers."""
    staff: dict[int, list[tuple[int, int]]] = {}
    for service in services:
        orgs = members[service.network_id]
        staff[service.pk] = [
            (m.person_id, m.organisation_id)
            for m in ctx.members.get(service.network_id, [])
            if m.organisation_id in orgs
        ]
    return staff


def _bookings(
    ctx: Context,
    slots: list[Slot],
    staff: dict[int, list[tuple[int, int]]],
    cleared: dict[int, Supervisor],
) -> list[Booking]:
    rows: list[Booking] = []
    paid_before = datetime.combine(PAID_UNTIL, time(0), tzinfo=LONDON)
    booked_at: dict[int, set[datetime]] = defaultdict(set)  # nobody in two sessions at once
    for slot in slots:
        supervisor = cleared.get(slot.supervisor_id)
        people = staff.get(slot.service_id, [])
        if (
            supervisor is None
            or not people
            or slot.starts_at.date() > (supervisor.cleared_until or date.min)
        ):
            continue
        past = slot.starts_at < paid_before
        wanted = sum(ctx.rng.random() < (0.75 if past else 0.5) for _ in range(slot.capacity))
        for person_id, org_id in ctx.rng.sample(people, min(wanted, len(people))):
            if slot.starts_at in booked_at[person_id]:
                continue
            booked_at[person_id].add(slot.starts_at)
            roll = ctx.rng.random()
            late = past and roll < 0.04
            rows.append(
                Booking(
                    service_id=slot.service_id,
                    slot=slot,
                    person_id=person_id,
                    organisation_id=org_id,
                    profession=ctx.rng.choice(PROFESSIONS),
                    status="cancelled" if late else "confirmed",
                    attendance=(
                        "cancelled_late" if late else "no_show" if roll < 0.09 else "attended"
                    )
                    if past
                    else "",
                    cancelled_at=slot.starts_at - timedelta(hours=5) if late else None,
                )
            )
            slot.taken += 0 if late else 1
    Slot.objects.bulk_create(slots, batch_size=2000)
    for booking in rows:
        booking.slot_id = booking.slot.pk  # the sessions have their keys only now
    return Booking.objects.bulk_create(rows, batch_size=2000)


def _payments(
    ctx: Context, services: list[SupervisionService], slots: list[Slot], bookings: list[Booking]
) -> int:
    """A run per service and month up to ``PAID_UNTIL``, paying every session someone came to,
    missed or cancelled late."""
    booked_slots = {b.slot_id for b in bookings}
    by_month: dict[tuple[int, date], dict[int, list[Slot]]] = defaultdict(lambda: defaultdict(list))
    for slot in slots:
        if slot.pk in booked_slots and slot.starts_at.date() < PAID_UNTIL:
            by_month[(slot.service_id, first_of_month(slot.starts_at.astimezone(LONDON).date()))][
                slot.supervisor_id
            ].append(slot)
    runs = PaymentRun.objects.bulk_create(
        [
            PaymentRun(
                service_id=service_id,
                month=month,
                status="done",
                supervisors_total=len(found),
                supervisors_done=len(found),
                sessions=sum(len(v) for v in found.values()),
                total=sum((s.rate for v in found.values() for s in v), Decimal("0")),
                finished_at=datetime.combine(next_month(month), time(9), tzinfo=LONDON),
            )
            for (service_id, month), found in sorted(by_month.items())
        ]
    )
    statements, lines = [], []
    for run in runs:
        for supervisor_id, paid in sorted(by_month[(run.service_id, run.month)].items()):
            old = run.month < first_of_month(PAID_UNTIL - timedelta(days=40))
            statements.append(
                Statement(
                    run=run,
                    supervisor_id=supervisor_id,
                    number=f"GEN{run.service_id}-{run.month:%Y%m}-{supervisor_id:06d}",
                    sessions=len(paid),
                    total=sum((s.rate for s in paid), Decimal("0")),
                    status="paid" if old else ctx.rng.choice(["due", "approved"]),
                    paid_on=next_month(run.month) + timedelta(days=20) if old else None,
                )
            )
    statements = Statement.objects.bulk_create(statements, batch_size=2000)
    for statement in statements:
        for slot in by_month[(statement.run.service_id, statement.run.month)][
            statement.supervisor_id
        ]:
            lines.append(
                StatementLine(
                    statement=statement,
                    slot=slot,
                    starts_at=slot.starts_at,
                    duration_minutes=slot.duration_minutes,
                    mode=slot.mode,
                    places=slot.capacity,
                    attended=slot.taken,
                    cancelled_late=0,
                    no_shows=0,
                    rate=slot.rate,
                    amount=slot.rate,
                )
            )
    StatementLine.objects.bulk_create(lines, batch_size=2000)
    return len(runs) + len(statements) + len(lines)


def _need(ctx: Context, services: list[SupervisionService], members: dict[int, set[int]]) -> int:
    rows = [
        SessionNeed(
            service=service,
            organisation_id=org,
            profession=profession,
            financial_year=year,
            sessions_needed=ctx.rng.randint(10, 200),
        )
        for service in services
        for org in sorted(members[service.network_id])
        for year in (financial_year(FIRST_DAY), financial_year(PAID_UNTIL))
        for profession in ctx.rng.sample(PROFESSIONS, 4)
    ]
    return len(SessionNeed.objects.bulk_create(rows, batch_size=2000))


def _roles(
    ctx: Context, services: list[SupervisionService], staff: dict[int, list[tuple[int, int]]]
) -> int:
    """A project manager for each service (a coordinator with an account, where there is one,
    so that the benchmark can sign in as them) and an account for one member of staff."""
    with_account = dict(
        Person.objects.filter(pk__in=[p.pk for p in ctx.people], user__isnull=False).values_list(
            "pk", "user_id"
        )
    )
    rows, made = [], 0
    password = make_password(None)
    for service in services:
        people = [pid for pid, _org in staff[service.pk]]
        managers = [pid for pid in people if pid in with_account] or people[:1]
        if managers:
            rows.append(
                ServiceRole(
                    service=service, person_id=managers[0], role=ServiceRoleKind.PROJECT_MANAGER
                )
            )
        bookers = [pid for pid in people if pid not in with_account]
        if bookers:
            person = Person.objects.get(pk=bookers[0])
            person.user = User.objects.create(email=person.email, password=password)
            person.save(update_fields=["user"])
            made += 1
    ServiceRole.objects.bulk_create(rows)
    return len(rows) + made


def supervision_build(ctx: Context) -> int:
    services = _services(ctx)
    members = _member_orgs(services)
    supervisors = _supervisors(ctx, services, members)
    slots = _slots(ctx, supervisors)
    staff = _staff(ctx, services, members)
    cleared = {s.pk: s for s in supervisors if s.status == "active"}
    bookings = _bookings(ctx, slots, staff, cleared)
    made = len(services) + len(supervisors) * 8 + len(slots) + len(bookings)
    made += _payments(ctx, services, slots, bookings)
    return made + _need(ctx, services, members) + _roles(ctx, services, staff)


def _delete(model: Any, table_filter: str) -> None:
    """Delete the generated rows of ``model`` in one statement: Django's delete would load
    tens of thousands of them to send signals."""
    found = model.objects.filter(**{table_filter: SERVICE_NAME}).values("pk")
    sql, params = found.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE id IN ({sql})", params)  # noqa: S608 - our own SQL


def supervision_reset() -> object:
    for model, path in (
        (StatementLine, "statement__run__service__name"),
        (Statement, "run__service__name"),
        (PaymentRun, "service__name"),
        (Booking, "service__name"),
        (Slot, "service__name"),
        (VettingCheck, "supervisor__service__name"),
        (SupervisorModality, "supervisor__service__name"),
        (Supervisor, "service__name"),
        (SessionNeed, "service__name"),
        (ServiceRole, "service__name"),
    ):
        _delete(model, path)
    return SupervisionService.objects.filter(name=SERVICE_NAME).delete()
