"""The demo's supervision service: the East Midlands Alliance's Therapy Supervision programme.

From seed 003: the Alliance expands therapy supervision across its six providers with one
booking system; a project manager runs vetting, booking and payment; the HR Director network
sponsors it; external supervisors and staff who retire and return are recruited; most
supervision is virtual; a gap analysis per provider shows the need. Everything else here is
illustrative and says so: the people are fictional (kmatrix/demo/people.py's name lists), and
the sessions, bookings, payments and need figures are made up to show how the service works.

Sessions are dated from the day the demo is loaded: about nine weeks of delivered sessions
before it (with attendance, paid by two monthly runs) and eight weeks of sessions after it.
Everything goes in through the service functions, with the clock set back for what happened
in the past, and without emailing anyone. Loading is idempotent: once the service exists,
nothing is written again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from kmatrix.core.access import Viewer, Visibility
from kmatrix.core.models import User
from kmatrix.demo import people as names
from kmatrix.networks import services as directory
from kmatrix.networks.models import Group, Membership, Network, Organisation, Person, Role
from kmatrix.programmes.queries import programmes_of
from kmatrix.supervision import bookings, invitations, payments, services, slots
from kmatrix.supervision.choices import (
    Attendance,
    CheckKind,
    CheckStatus,
    InvoiceStatus,
    Modality,
    Mode,
    Profession,
    ServiceRoleKind,
    SupervisorStatus,
)
from kmatrix.supervision.models import Slot, SupervisionService, Supervisor
from kmatrix.supervision.times import LONDON, financial_year, first_of_month, next_month

ALLIANCE_SLUG = "em-alliance"
SPONSOR_GROUP = "hr-directors"
PROVIDERS = ("RXM", "RT5", "RP7", "RP1", "RHA", "NYA")
FUNDING_PROGRAMME = "therapy-supervision"  # the programmes demo's slug
LEAD_PROVIDER = "NYA"  # "The programme is led by St Andrew's"
PM_EMAIL = "project.manager@example.org"
SUPERVISOR_EMAIL = "supervisor@example.org"
MEMBER_EMAIL = "member@example.org"
# The demo's supervision people have emails ending so, which the reset looks for.
DEMO_EMAIL_END = ".ts@example.nhs.uk"
ILLUSTRATIVE_NOTE = "Illustrative figure for the demo, not the Alliance's gap analysis."

DESCRIPTION = """\
The Alliance's regional approach to expanding therapy supervision. The programme is led by
St Andrew's Healthcare, managed by a project group of therapy leads and sponsored by the HR
Director network. Staff of the six providers find and book supervision here; the project
manager vets supervisors, manages bookings and pays for sessions delivered. External
supervisors and former staff who retire and return are recruited, and most supervision takes
place virtually.

**In this demo the supervisors, sessions, bookings, payments and need figures are
illustrative**: made up, with fictional people, to show how the service works.
"""


@dataclass(frozen=True)
class DemoSupervisor:
    key: str
    name: str
    kind: str
    profession: str
    modalities: tuple[str, ...]
    rate: str
    provider: str = ""
    languages: str = "English"
    in_person: str = ""  # the area, for those who also meet in person
    vetting: str = "valid"  # valid, expiring, expired, pending, partial, failed
    weekday: int = 1
    hour: int = 10
    capacity: int = 1
    experience: int = 8
    email: str = ""


S = DemoSupervisor
SUPERVISORS = (
    S(
        "login",
        "Rhiannon Cloudwick",
        "external",
        "clinical_psychologist",
        ("cbt", "cat"),
        "85.00",
        languages="English, Welsh",
        weekday=1,
        hour=10,
        experience=14,
        email=SUPERVISOR_EMAIL,
    ),
    S(
        "briarford",
        "Ursula Briarford",
        "retire_and_return",
        "family_therapist",
        ("family_therapy",),
        "70.00",
        provider="RHA",
        weekday=2,
        hour=14,
        capacity=4,
        experience=22,
    ),
    S(
        "larkstone",
        "Idris Larkstone",
        "internal",
        "cbt_therapist",
        ("cbt",),
        "60.00",
        provider="RP7",
        in_person="Lincoln",
        weekday=3,
        hour=9,
    ),
    S(
        "hawkmere",
        "Selin Hawkmere",
        "external",
        "psychotherapist",
        ("psychodynamic", "mbt"),
        "90.00",
        languages="English, Turkish",
        weekday=0,
        hour=17,
        experience=16,
    ),
    S(
        "fernhurst",
        "Vikram Fernhurst",
        "internal",
        "clinical_psychologist",
        ("dbt", "act"),
        "60.00",
        provider="RT5",
        weekday=4,
        hour=11,
        capacity=6,
        languages="English, Punjabi",
    ),
    S(
        "reedthorpe",
        "Morgan Reedthorpe",
        "external",
        "arts_therapist",
        ("arts",),
        "75.00",
        in_person="Nottingham",
        weekday=2,
        hour=10,
    ),
    S(
        "maplecombe",
        "Eilidh Maplecombe",
        "retire_and_return",
        "occupational_therapist",
        ("act", "cbt"),
        "65.00",
        provider="RXM",
        weekday=3,
        hour=13,
        experience=25,
    ),
    S(
        "junipergate",
        "Astrid Junipergate",
        "retire_and_return",
        "counselling_psychologist",
        ("ipt", "cft"),
        "70.00",
        provider="RP1",
        weekday=0,
        hour=10,
        capacity=3,
    ),
    S(
        "oakfield",
        "Chidi Oakfield",
        "external",
        "counselling_psychologist",
        ("cft", "emdr"),
        "80.00",
        vetting="expiring",
        weekday=4,
        hour=15,
    ),
    S(
        "ravenby",
        "Lowri Ravenby",
        "internal",
        "clinical_psychologist",
        ("schema", "cbt"),
        "60.00",
        provider="NYA",
        vetting="expiring",
        weekday=1,
        hour=15,
    ),
    S(
        "ashbank",
        "Quentin Ashbank",
        "external",
        "cbt_therapist",
        ("cbt",),
        "75.00",
        vetting="expired",
        weekday=2,
        hour=16,
    ),
    S(
        "thistlemore",
        "Farah Thistlemore",
        "external",
        "psychotherapist",
        ("psychodynamic",),
        "80.00",
        vetting="pending",
        languages="English, Urdu",
    ),
    S(
        "elderwood",
        "Gwen Elderwood",
        "external",
        "clinical_psychologist",
        ("dbt", "cbt"),
        "85.00",
        vetting="partial",
    ),
    S(
        "kestrelbank",
        "Stefan Kestrelbank",
        "external",
        "cbt_therapist",
        ("cbt", "act"),
        "70.00",
        vetting="failed",
    ),
)
# Supervisors whose sessions run (those cleared to be booked, and the one whose checks lapsed,
# whose earlier sessions ran while they were valid).
DELIVERING = (
    "login",
    "briarford",
    "larkstone",
    "hawkmere",
    "fernhurst",
    "reedthorpe",
    "maplecombe",
    "junipergate",
    "oakfield",
    "ravenby",
    "ashbank",
)

# Staff who book: three therapists at each provider, as (job title, profession).
STAFF_POSTS = (
    ("Clinical Psychologist", "clinical_psychologist"),
    ("Occupational Therapist", "occupational_therapist"),
    ("Community Mental Health Nurse", "mental_health_nurse"),
)
# Need by profession for the year, per provider (illustrative): sessions needed.
NEED = {
    "RXM": {"clinical_psychologist": 120, "occupational_therapist": 60, "mental_health_nurse": 90},
    "RT5": {
        "clinical_psychologist": 150,
        "occupational_therapist": 80,
        "mental_health_nurse": 140,
        "wellbeing_practitioner": 60,
    },
    "RP7": {"clinical_psychologist": 90, "occupational_therapist": 50, "mental_health_nurse": 70},
    "RP1": {"clinical_psychologist": 110, "occupational_therapist": 70, "mental_health_nurse": 100},
    "RHA": {
        "clinical_psychologist": 200,
        "occupational_therapist": 110,
        "mental_health_nurse": 180,
        "family_therapist": 40,
    },
    "NYA": {"clinical_psychologist": 130, "occupational_therapist": 60, "mental_health_nurse": 120},
}


def _names(count: int, taken: set[str]) -> list[str]:
    """Fictional names from the demo's lists, by a fixed stride, none already in use."""
    found: list[str] = []
    i = 0
    while len(found) < count:
        first = names.FIRST_NAMES[(i * 11 + 5) % len(names.FIRST_NAMES)]
        name = f"{first} {names.SURNAMES[(i * 53 + 29) % len(names.SURNAMES)]}"
        if name not in taken:
            taken.add(name)
            found.append(name)
        i += 1
    return found


def _email(name: str) -> str:
    return name.lower().replace(" ", ".").replace("'", "") + DEMO_EMAIL_END


def _person(name: str, job: str, org: Organisation | None, email: str = "") -> Person:
    email = email or _email(name)
    found = Person.objects.filter(email=email).first()
    if found is not None:
        return found
    person = Person(
        full_name=name,
        job_title=job,
        organisation=org,
        email=email,
        # Network-level: seen by the network's members through their memberships; external
        # supervisors have none, so only they see their entry (the service shows their name).
        visibility=Visibility.NETWORK,
        contact_visibility=Visibility.NETWORK,
    )
    person.full_clean()
    person.save()
    return person


def _join(alliance: Network, person: Person) -> None:
    if (
        person.organisation is None
        or Membership.objects.filter(person=person, network=alliance).exists()
    ):
        return
    directory.membership_save(
        person=person,
        network=alliance,
        organisation=person.organisation,
        roles=[Role.MEMBER],
        joined_on=date(2023, 6, 1),
        committed_days_per_month=Decimal("0.0"),
    )


@dataclass
class Cast:
    pm: Person
    leads: dict[str, Person]
    staff: list[Person]
    member: Person | None
    orgs: dict[str, Organisation]


def _cast(alliance: Network) -> Cast:
    orgs = {o.ods_code: o for o in Organisation.objects.filter(ods_code__in=PROVIDERS)}
    taken = set(Person.objects.values_list("full_name", flat=True)) | {s.name for s in SUPERVISORS}
    pm = Person.objects.get(email=PM_EMAIL)  # made by the directory demo (people.LOGIN_PEOPLE)
    _join(alliance, pm)
    picked = iter(_names(len(PROVIDERS) * (1 + len(STAFF_POSTS)), taken))
    leads, staff = {}, []
    for code in PROVIDERS:
        leads[code] = _person(next(picked), "Therapies Lead", orgs[code])
        _join(alliance, leads[code])
        for job, _profession in STAFF_POSTS:
            person = _person(next(picked), job, orgs[code])
            _join(alliance, person)
            staff.append(person)
    member = Person.objects.filter(email=MEMBER_EMAIL).first()
    return Cast(pm, leads, staff, member, orgs)


def _service(alliance: Network, cast: Cast) -> SupervisionService:
    service = services.service_save(
        network=alliance,
        name="Therapy Supervision",
        description=DESCRIPTION,
        contact_email="therapy.supervision@example.nhs.uk",
        sponsor_group=Group.objects.filter(network=alliance, slug=SPONSOR_GROUP).first(),
        # The paper's Therapy Supervision programme, whose awards the payments draw down
        # (none when the programmes demo is not loaded).
        programme=programmes_of(Viewer(is_admin=True), alliance)
        .filter(slug=FUNDING_PROGRAMME)
        .first(),
    )
    services.service_role_add(service=service, person=cast.pm, role=ServiceRoleKind.PROJECT_MANAGER)
    for code, lead in cast.leads.items():
        services.service_role_add(
            service=service,
            person=lead,
            role=ServiceRoleKind.PROVIDER_LEAD,
            organisation=cast.orgs[code],
        )
    return service


def _checks(supervisor: Supervisor, vetting: str, today: date, user: User | None) -> None:
    far = today + timedelta(days=700)
    lapse = {"expiring": today + timedelta(days=19), "expired": today - timedelta(days=9)}
    for kind in CheckKind.values:
        status, expires = CheckStatus.VALID, far
        if vetting in lapse and kind == (
            CheckKind.DBS if vetting == "expiring" else CheckKind.TRAINING
        ):
            expires = lapse[vetting]
        if vetting == "pending" or (
            vetting == "partial" and kind not in ("identity", "reference_1")
        ):
            status = CheckStatus.PENDING
        if vetting == "failed" and kind == CheckKind.REFERENCE_2:
            status = CheckStatus.FAILED
        references: dict[str, str] = {
            CheckKind.DBS: f"00{supervisor.pk:010d}",
            CheckKind.REGISTRATION: "PYL0" + str(supervisor.pk),
            CheckKind.REFERENCE_1: "Former line manager",
            CheckKind.REFERENCE_2: "Clinical lead",
            CheckKind.TRAINING: "Safeguarding level 3; information governance",
            CheckKind.CONTRACT: "Honorary supervision contract",
        }
        reference = references.get(kind, "Passport seen")
        if vetting == "pending" and kind != CheckKind.IDENTITY:
            continue  # a new registration: nothing recorded yet but the identity check started
        services.vetting_check_save(
            supervisor=supervisor,
            kind=kind,
            user=user,
            status=status,
            reference=reference,
            checked_on=today - timedelta(days=200) if status == CheckStatus.VALID else None,
            expires_on=expires
            if kind in ("registration", "dbs", "training") and status == CheckStatus.VALID
            else None,
        )


def _supervisors(service: SupervisionService, cast: Cast, today: date) -> dict[str, Supervisor]:
    pm_user = cast.pm.user
    made: dict[str, Supervisor] = {}
    for spec in SUPERVISORS:
        org = cast.orgs.get(spec.provider) if spec.provider else None
        title = f"{Profession(spec.profession).label} (supervisor)"
        person = _person(spec.name, title, org if spec.kind == "internal" else None, spec.email)
        supervisor = services.supervisor_save(
            service=service,
            person=person,
            modalities=spec.modalities,
            kind=spec.kind,
            provider=org,
            profession=spec.profession,
            professional_body="hcpc",
            registration_number=f"PYL{40000 + len(made):05d}",
            experience_years=spec.experience,
            languages=spec.languages,
            offers_virtual=True,
            offers_in_person=bool(spec.in_person),
            in_person_area=spec.in_person,
            rate=Decimal(spec.rate),
            about=f"{Profession(spec.profession).label} offering supervision in "
            + ", ".join(Modality(m).label for m in spec.modalities)
            + ".",
        )
        _checks(supervisor, spec.vetting, today, pm_user)
        supervisor.refresh_from_db()
        if spec.vetting in ("valid", "expiring", "expired"):
            # The expired one was taken on while their checks were valid.
            Supervisor.objects.filter(pk=supervisor.pk).update(status=SupervisorStatus.ACTIVE)
            supervisor.status = SupervisorStatus.ACTIVE
        made[spec.key] = supervisor
    _link_accounts(made)
    return made


def _link_accounts(made: dict[str, Supervisor]) -> None:
    """The supervisor login's account, and one for the applicant who registered themselves
    (their email confirmed, so they wait for vetting; no password: they are not a login)."""
    login = made["login"].person
    user = User.objects.filter(email=SUPERVISOR_EMAIL).first()
    if user is not None and login.user_id is None:
        login.user = user
        login.save(update_fields=["user"])
    applicant = made["thistlemore"]
    account = User.objects.create_user(email=applicant.person.email, password=None)
    EmailAddress.objects.create(user=account, email=account.email, verified=True, primary=True)
    Person.objects.filter(pk=applicant.person_id).update(user=account)
    Supervisor.objects.filter(pk=applicant.pk).update(self_registered=True)


def _series(
    supervisor: Supervisor, spec: DemoSupervisor, first: date, last: date, now: datetime
) -> list[Slot]:
    mode = Mode.IN_PERSON if spec.in_person and spec.weekday % 2 == 0 else Mode.VIRTUAL
    found = slots.availability_create(
        supervisor=supervisor,
        weekday=spec.weekday,
        starts_at=time(spec.hour),
        duration_minutes=60 if spec.capacity == 1 else 90,
        first_day=first,
        last_day=last,
        mode=mode,
        capacity=spec.capacity,
        location=f"{spec.in_person} therapies centre"
        if mode == Mode.IN_PERSON
        else "Microsoft Teams",
        joining_link=""
        if mode == Mode.IN_PERSON
        else f"https://teams.example.nhs.uk/supervision/{supervisor.pk}",
        now=now,
    )
    return found.made


def _book(slot: Slot, person: Person, profession: str, when: datetime) -> None:
    assert person.organisation is not None
    bookings.booking_create(
        slot_id=slot.pk,
        person=person,
        organisation=person.organisation,
        profession=profession,
        focus="Complex case formulation" if slot.pk % 3 == 0 else "",
        now=when,
    )


def _staff_profession(person: Person) -> str:
    return dict(STAFF_POSTS).get(person.job_title, "clinical_psychologist")


def _past(
    specs: dict[str, DemoSupervisor],
    made: dict[str, Supervisor],
    cast: Cast,
    start: date,
    now: datetime,
) -> None:
    """Delivered sessions from ``start`` to yesterday, offered as if the day before: booked,
    attended (a few not), a few cancelled late; the last days' attendance partly not recorded."""
    offered = datetime.combine(start, time(0), tzinfo=LONDON) - timedelta(days=1)
    turn = 0
    for key in DELIVERING:
        spec, supervisor = specs[key], made[key]
        series = _series(supervisor, spec, start, _last_delivered(spec), offered)
        for slot in series:
            places = 1 if spec.capacity == 1 else min(spec.capacity - 1, 3)
            for _ in range(places):
                person = cast.staff[turn % len(cast.staff)]
                turn += 1
                _book(slot, person, _staff_profession(person), slot.starts_at - timedelta(days=6))
            _outcome(slot, turn, now)


def _last_delivered(spec: DemoSupervisor) -> date:
    # The supervisor whose training lapsed delivered sessions only while it was valid.
    back = 10 if spec.vetting == "expired" else 1
    return timezone.localdate() - timedelta(days=back)


def _outcome(slot: Slot, turn: int, now: datetime) -> None:
    booked = list(
        slot.bookings.filter(status="confirmed").select_related(
            "person", "service__network", "slot__service"
        )
    )
    recent = slot.starts_at > now - timedelta(days=5)
    for i, booking in enumerate(booked):
        if turn % 17 == 0 and i == 0:
            bookings.booking_cancel(
                booking=booking,
                user=None,
                reason="Clinical emergency on the ward",
                now=slot.starts_at - timedelta(hours=6),
            )
        elif recent and turn % 2 == 0:
            continue  # not recorded yet: shows as awaiting attendance
        else:
            mark = Attendance.NO_SHOW if (turn + i) % 13 == 0 else Attendance.ATTENDED
            bookings.attendance_record(booking=booking, attendance=mark, now=slot.ends_at)


def _upcoming(
    specs: dict[str, DemoSupervisor], made: dict[str, Supervisor], cast: Cast, now: datetime
) -> None:
    """Eight weeks of sessions from tomorrow; about two in three places booked, one group
    session full with someone waiting."""
    first = timezone.localdate() + timedelta(days=1)
    last = first + timedelta(weeks=8) - timedelta(days=1)
    turn = 0
    for key in (*DELIVERING[:-1], "elderwood"):  # the expired one offers no more; an applicant does
        spec, supervisor = specs[key], made[key]
        for index, slot in enumerate(_series(supervisor, spec, first, last, now)):
            if _bookable(slot, now) and index % 3 != 2:
                take = (
                    1
                    if spec.capacity == 1
                    else (spec.capacity if index == 0 else spec.capacity // 2)
                )
                for _ in range(take):
                    # A stride coprime with the number of staff: nobody twice in one session.
                    person = cast.staff[(turn * 5) % len(cast.staff)]
                    turn += 1
                    _book(slot, person, _staff_profession(person), now)
                slot.refresh_from_db()
                if index == 0 and spec.capacity > 1 and slot.free == 0:
                    waiting = cast.staff[(turn * 7) % len(cast.staff)]
                    assert waiting.organisation is not None
                    bookings.waiting_join(
                        slot_id=slot.pk,
                        person=waiting,
                        organisation=waiting.organisation,
                        profession=_staff_profession(waiting),
                        now=now,
                    )
    _member_booking(made["login"], cast, now)


def _bookable(slot: Slot, now: datetime) -> bool:
    return not bookings.bookable_problem(slot, now)


def _member_booking(supervisor: Supervisor, cast: Cast, now: datetime) -> None:
    """The member login (Derbyshire) has one session booked with the supervisor login."""
    if cast.member is None:
        return
    free = supervisor.slots.filter(starts_at__gt=now, taken=0).order_by("starts_at").first()
    if free is not None:
        _book(free, cast.member, "mental_health_nurse", now)


def _payments(service: SupervisionService, cast: Cast, now: datetime) -> None:
    """Two monthly runs, for the two months before this one: the earlier one paid, the later
    one partly approved."""
    this_month = first_of_month(timezone.localdate())
    earlier = first_of_month(this_month - timedelta(days=1))
    earliest = first_of_month(earlier - timedelta(days=1))
    for month in (earliest, earlier):
        run, _made = payments.payment_run_start(
            service=service, month=month, user=cast.pm.user, now=now, enqueue=False
        )
        run = payments.payment_run_execute(run_id=run.pk)
        for i, statement in enumerate(run.statements.order_by("pk")):
            if month == earliest or i % 2 == 0:
                payments.statement_status_set(
                    statement=statement, status=InvoiceStatus.APPROVED, user=cast.pm.user
                )
            if month == earliest:
                paid = min(next_month(month) + timedelta(days=14), timezone.localdate())
                payments.statement_status_set(
                    statement=statement, status=InvoiceStatus.PAID, user=cast.pm.user, paid_on=paid
                )


def _need(service: SupervisionService, cast: Cast) -> None:
    year = financial_year(timezone.localdate())
    for code, needs in NEED.items():
        rows = services.need_save(
            service=service,
            organisation=cast.orgs[code],
            financial_year=year,
            needs=needs,
            user=cast.pm.user,
        )
        for row in rows:
            row.is_illustrative, row.notes = True, ILLUSTRATIVE_NOTE
            row.save(update_fields=["is_illustrative", "notes"])


@transaction.atomic
def supervision_demo_load() -> SupervisionService | None:
    """Load the Therapy Supervision demo unless it is there; returns the service if made."""
    alliance = Network.objects.filter(slug=ALLIANCE_SLUG).first()
    if alliance is None or SupervisionService.objects.filter(network=alliance).exists():
        return None
    now = timezone.now()
    today = timezone.localdate()
    with invitations.muted():
        cast = _cast(alliance)
        service = _service(alliance, cast)
        made = _supervisors(service, cast, today)
        specs = {s.key: s for s in SUPERVISORS}
        start = first_of_month(first_of_month(today) - timedelta(days=40))
        _past(specs, made, cast, start, now)
        _upcoming(specs, made, cast, now)
        _payments(service, cast, now)
        _need(service, cast)
    return service


@transaction.atomic
def supervision_demo_reset() -> None:
    """Delete the demo's service (everything in it goes with it) and its people."""
    SupervisionService.objects.filter(network__slug=ALLIANCE_SLUG).delete()
    Person.objects.filter(email__endswith=DEMO_EMAIL_END).delete()
    Person.objects.filter(email=SUPERVISOR_EMAIL).delete()
    User.objects.filter(email__endswith=DEMO_EMAIL_END).delete()
