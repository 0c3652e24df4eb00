"""The scale generator: a synthetic national directory, reproducible from one seed.

``generate(scale=..., seed=...)`` runs ``STEPS`` in order inside one transaction. Each step is
a function that takes the shared ``Context``, writes its records with ``bulk_create`` and
returns how many rows it made; later steps read what earlier ones left on the context. Other
capabilities add their records by appending their own ``Step`` (with a ``reset`` function that
deletes them) to ``STEPS``. All randomness comes from ``ctx.rng``, a ``random.Random(seed)``,
and steps draw from it in a fixed order, so one seed always gives the same data.

Generated records are recognisable without a model change, so ``--reset`` can find them:
networks and theme frameworks have slugs starting ``gen-``, people and accounts have emails
at ``scale.example.org``, and organisations carry ``GENERATED_NOTE`` as their description.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.test.utils import override_settings
from django.utils.text import slugify
from tqdm import tqdm

from kmatrix.core.access import Visibility
from kmatrix.core.models import User
from kmatrix.demo import people as names
from kmatrix.demo.generate_boardpapers import boardpapers_build, boardpapers_reset
from kmatrix.demo.generate_improvement import improvement_build, improvement_reset
from kmatrix.demo.generate_indicators import indicators_build, indicators_reset
from kmatrix.demo.generate_library import library_build, library_reset
from kmatrix.demo.generate_programmes import (
    meetings_build,
    meetings_reset,
    programmes_build,
    programmes_reset,
)
from kmatrix.demo.generate_supervision import supervision_build, supervision_reset
from kmatrix.networks.models import (
    AdoptedTheme,
    Cadence,
    Group,
    Membership,
    MembershipRole,
    Network,
    NetworkOrganisation,
    Organisation,
    Person,
    Role,
    Theme,
    ThemeFramework,
    Workstream,
    WorkstreamMember,
)

SLUG_PREFIX = "gen-"
EMAIL_DOMAIN = "scale.example.org"
GENERATED_NOTE = "Synthetic organisation made by `kmatrix generate` for scale testing."
BATCH_SIZE = 2000
# Dates are drawn between these, not from today, so that a seed gives the same data every day.
EARLIEST = date(2019, 4, 1)
LATEST = date(2025, 12, 31)


class GeneratedDataExists(Exception):
    """The database already holds generated data; pass ``reset=True`` to replace it."""


@dataclass(frozen=True)
class Scale:
    name: str
    networks: int
    organisations: int
    people: int
    frameworks: int
    indicators: int
    months: int  # of data per indicator and organisation


SCALES = {
    "national": Scale(
        "national",
        networks=50,
        organisations=300,
        people=20_000,
        frameworks=6,
        indicators=40,
        months=120,
    ),
    # About a twentieth of national, for tests.
    "small": Scale(
        "small", networks=3, organisations=15, people=1_000, frameworks=2, indicators=10, months=36
    ),
}


@dataclass(frozen=True)
class Member:
    """One active membership, as later steps need it: who, where and for which employer."""

    membership_id: int
    person_id: int
    organisation_id: int


@dataclass
class Context:
    scale: Scale
    rng: random.Random
    themes: dict[int, list[Theme]] = field(default_factory=dict)  # by framework id
    organisations: list[Organisation] = field(default_factory=list)
    networks: list[Network] = field(default_factory=list)
    network_organisations: dict[int, list[int]] = field(default_factory=dict)  # org -> networks
    people: list[Person] = field(default_factory=list)
    membership_ids: list[int] = field(default_factory=list)  # including those who have left
    members: dict[int, list[Member]] = field(default_factory=dict)  # active, by network id
    roles: dict[int, set[str]] = field(default_factory=dict)  # by membership id
    active_themes: dict[int, list[Theme]] = field(default_factory=dict)  # by network id
    workstreams: list[Workstream] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    progress: bool = False  # steps with a long inner loop show their own bar

    def pick_date(self, start: date = EARLIEST, end: date = LATEST) -> date:
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def pick_visibility(self, weights: Sequence[int]) -> str:
        # Weights for public, network, organisation, restricted, in that order.
        return self.rng.choices(VISIBILITIES, weights=weights)[0]


VISIBILITIES = [v.value for v in Visibility]


@dataclass(frozen=True)
class Step:
    name: str
    build: Callable[[Context], int]
    reset: Callable[[], object] | None = None


M = TypeVar("M", bound=models.Model)


def bulk(model: type[M], rows: Sequence[M]) -> list[M]:
    """Insert in batches; primary keys come back on SQLite and PostgreSQL alike."""
    return model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)


# --- Steps ---------------------------------------------------------------------------------


def frameworks_build(ctx: Context) -> int:
    topics = names.FRAMEWORK_TOPICS
    frameworks = bulk(
        ThemeFramework,
        [
            ThemeFramework(
                name=f"{topics[i % len(topics)]} themes (set {i + 1})",
                slug=f"{SLUG_PREFIX}framework-{i + 1}",
                description="Synthetic themes for scale testing.",
            )
            for i in range(ctx.scale.frameworks)
        ],
    )
    rows = []
    for framework in frameworks:
        chosen = ctx.rng.sample(names.THEME_NAMES, ctx.rng.randint(6, 12))
        rows += [
            Theme(framework=framework, name=name, slug=slugify(name), position=position)
            for position, name in enumerate(chosen, start=1)
        ]
    for theme in bulk(Theme, rows):
        ctx.themes.setdefault(theme.framework_id, []).append(theme)
    return len(frameworks) + len(rows)


def frameworks_reset() -> object:
    return ThemeFramework.objects.filter(slug__startswith=SLUG_PREFIX).delete()


ALPHA = "ABCDEFGHJKLMNPQRSTUVWXYZ"
ALNUM = ALPHA + "0123456789"
DIGITS = "0123456789"


@dataclass(frozen=True)
class SectorShape:
    """How a sector's organisations are named and how their ODS codes look."""

    sector: str
    share: int  # weight among all organisations
    names: tuple[str, ...]  # patterns with {} for a place name
    code_prefix: str  # a letter, then ``code_length`` characters drawn from ``code_chars``
    code_length: int
    code_chars: str

    def ods_code(self, rng: random.Random, taken: set[str]) -> str:
        while True:
            code = self.code_prefix + "".join(
                rng.choice(self.code_chars) for _ in range(self.code_length)
            )
            if code not in taken:
                taken.add(code)
                return code


SECTORS = (
    SectorShape("nhs_trust", 35, ("{} Healthcare NHS Foundation Trust",
                "{} Partnership NHS Trust", "{} Community Health NHS Trust"), "R", 2, ALNUM),
    SectorShape("icb", 8, ("NHS {} Integrated Care Board",), "Q", 2, ALNUM),
    SectorShape("local_authority", 15, ("{} County Council", "{} City Council",
                "{} Borough Council"), "L", 3, DIGITS),
    SectorShape("primary_care", 17, ("{} Medical Practice", "{} Health Centre",
                "{} Primary Care Network"), "C", 5, DIGITS),
    SectorShape("vcse", 12, ("{} Carers' Centre", "{} Community Wellbeing Trust",
                "{} Older People's Forum"), "8", 4, ALNUM),
    SectorShape("independent", 7, ("{} Care Group", "{} Specialist Hospitals"), "N", 2, ALPHA),
    SectorShape("academic", 4, ("University of {}",), "E", 4, ALNUM),
    SectorShape("other", 2, ("{} Health Innovation Network",), "X", 3, ALNUM),
)  # fmt: skip


def organisations_build(ctx: Context) -> int:
    # Codes in use (the demo's RXM, say) are skipped, so generated codes stay unique. Codes
    # come from their own generator so that a skip shifts only the codes, not everything after.
    taken = set(Organisation.objects.exclude(ods_code="").values_list("ods_code", flat=True))
    code_rng = random.Random(ctx.rng.getrandbits(64))
    used_names: set[str] = set()
    weights = [shape.share for shape in SECTORS]
    rows: list[Organisation] = []
    while len(rows) < ctx.scale.organisations:
        shape = ctx.rng.choices(SECTORS, weights)[0]
        place = ctx.rng.choice(names.PLACE_STARTS) + ctx.rng.choice(names.PLACE_ENDS)
        name = ctx.rng.choice(shape.names).format(place)
        if name in used_names:
            continue
        used_names.add(name)
        rows.append(
            Organisation(
                name=name,
                ods_code=shape.ods_code(code_rng, taken),
                sector=shape.sector,
                region=ctx.rng.choice(names.REGIONS),
                description=GENERATED_NOTE,
            )
        )
    ctx.organisations = bulk(Organisation, rows)
    return len(rows)


def organisations_reset() -> object:
    return Organisation.objects.filter(description=GENERATED_NOTE).delete()


NETWORK_KINDS = {
    Network.Kind.LEARNING_NETWORK: "Managed Learning Network",
    Network.Kind.ALLIANCE: "Provider Alliance",
    Network.Kind.COLLABORATIVE: "Collaborative",
    Network.Kind.COMMUNITY: "Community of Practice",
    Network.Kind.OTHER: "Network",
}
CADENCES = [c.value for c in Cadence]


def networks_build(ctx: Context) -> int:
    # Shuffle every combination, then skip names already taken: the order does not depend on
    # what the database holds, so a seed picks the same networks wherever it runs.
    existing = set(Network.objects.values_list("name", flat=True))
    combos = [(r, t, k) for r in names.REGIONS for t in names.NETWORK_TOPICS for k in NETWORK_KINDS]
    chosen = [
        (region, topic, kind, f"{region} {topic} {NETWORK_KINDS[kind]}")
        for region, topic, kind in ctx.rng.sample(combos, len(combos))
    ]
    chosen = [c for c in chosen if c[3] not in existing][: ctx.scale.networks]
    rows = []
    for i, (region, topic, kind, name) in enumerate(chosen):
        rows.append(
            Network(
                name=name,
                slug=f"{SLUG_PREFIX}{i + 1:03d}-{slugify(name)}"[:60].rstrip("-"),
                kind=kind,
                region=region,
                purpose=f"Improving {topic[0].lower()}{topic[1:]} services across {region} "
                "by sharing plans, evidence and positive practice.",
                cadence=ctx.rng.choice(CADENCES),
                visibility=ctx.pick_visibility([20, 80, 0, 0]),
            )
        )
    ctx.networks = bulk(Network, rows)
    return len(rows) + _network_links(ctx)


def _network_links(ctx: Context) -> int:
    """Put every organisation in one to four networks, and link some networks to others."""
    count = len(ctx.networks)
    links = []
    for i, org in enumerate(ctx.organisations):
        # Round robin first, so that no network is left without organisations.
        chosen = [ctx.networks[i % count]]
        extra = ctx.rng.sample(ctx.networks, min(count, ctx.rng.randint(0, 3)))
        chosen += [n for n in extra if n is not chosen[0]]
        ctx.network_organisations[org.pk] = [n.pk for n in chosen]
        links += [
            NetworkOrganisation(
                network=network,
                organisation=org,
                is_member=ctx.rng.random() < 0.8,
                joined_on=ctx.pick_date(),
            )
            for network in chosen
        ]
    bulk(NetworkOrganisation, links)
    return len(links) + _linked_networks(ctx)


def _linked_networks(ctx: Context) -> int:
    through = Network.linked_networks.through
    pairs: set[tuple[int, int]] = set()
    for network in ctx.networks:
        for other in ctx.rng.sample(ctx.networks, min(len(ctx.networks), ctx.rng.randint(0, 2))):
            if other.pk != network.pk:
                # The link is symmetrical, so it is stored both ways round.
                pairs |= {(network.pk, other.pk), (other.pk, network.pk)}
    bulk(through, [through(from_network_id=a, to_network_id=b) for a, b in sorted(pairs)])
    return len(pairs)


def networks_reset() -> object:
    return Network.objects.filter(slug__startswith=SLUG_PREFIX).delete()


# A few surnames are common, as in life (the commonest about 1.5%), so a directory search
# meets long result lists. The ranking is a fixed shuffle, not alphabetical order.
SURNAMES_BY_RANK = random.Random(0).sample(names.SURNAMES, len(names.SURNAMES))
SURNAME_WEIGHTS = [1 / (rank + 20) for rank in range(len(SURNAMES_BY_RANK))]


def people_build(ctx: Context) -> int:
    rows = []
    for i in range(ctx.scale.people):
        first = ctx.rng.choice(names.FIRST_NAMES)
        surname = ctx.rng.choices(SURNAMES_BY_RANK, SURNAME_WEIGHTS)[0]
        rows.append(
            Person(
                full_name=f"{first} {surname}",
                job_title=ctx.rng.choice(names.JOB_TITLES),
                organisation=ctx.rng.choice(ctx.organisations),
                email=f"{first}.{surname}.{i + 1}@{EMAIL_DOMAIN}".lower(),
                # 01632 960xxx is set aside by Ofcom for drama: never a real number.
                phone=f"01632 960{ctx.rng.randrange(1000):03d}",
                visibility=ctx.pick_visibility([5, 85, 8, 2]),
                contact_visibility=ctx.pick_visibility([0, 80, 15, 5]),
            )
        )
    ctx.people = bulk(Person, rows)
    return len(rows)


def people_reset() -> object:
    return Person.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()


def memberships_build(ctx: Context) -> int:
    rows = []
    for person in ctx.people:
        assert person.organisation_id is not None  # every generated person has an employer
        options = ctx.network_organisations[person.organisation_id]
        how_many = ctx.rng.choices((1, 2, 3), weights=(45, 35, 20))[0]
        for network_id in ctx.rng.sample(options, min(how_many, len(options))):
            rows.append(_membership(ctx, person, network_id, person.organisation_id))
    memberships = bulk(Membership, rows)
    ctx.membership_ids = [m.pk for m in memberships]
    for m in memberships:
        if m.left_on is None:
            ctx.members.setdefault(m.network_id, []).append(
                Member(m.pk, m.person_id, m.organisation_id)
            )
    for network in ctx.networks:
        _officers(ctx, ctx.members.get(network.pk, []))
    return len(rows)


def _membership(ctx: Context, person: Person, network_id: int, organisation_id: int) -> Membership:
    joined = ctx.pick_date()
    has_left = ctx.rng.random() < 0.03
    sent = ctx.rng.random() < 0.85
    return Membership(
        person=person,
        network_id=network_id,
        organisation_id=organisation_id,
        joined_on=joined,
        line_manager_agreed_on=joined - timedelta(days=ctx.rng.randint(7, 30)),
        letter_sent_on=joined + timedelta(days=ctx.rng.randint(3, 20)) if sent else None,
        committed_days_per_month=ctx.rng.choice(
            (Decimal("1.0"),) * 8 + (Decimal("0.5"), Decimal("2.0"))
        ),
        left_on=joined + timedelta(days=ctx.rng.randint(30, 700)) if has_left else None,
    )


OFFICERS = (
    (Role.COORDINATOR, 1, 3),
    (Role.CO_CHAIR, 1, 2),
    (Role.COMMUNICATIONS_LEAD, 1, 1),
    (Role.KNOWLEDGE_MANAGER, 1, 1),
    (Role.BOARD_READER, 0, 4),
)


def _officers(ctx: Context, members: list[Member]) -> None:
    """Give each network its officers, each from a different membership."""
    wanted = [(role, ctx.rng.randint(low, high)) for role, low, high in OFFICERS]
    chosen = ctx.rng.sample(members, min(len(members), sum(n for _, n in wanted)))
    for role, n in wanted:
        for member in chosen[:n]:
            ctx.roles[member.membership_id] = {role.value}
        chosen = chosen[n:]


def adopted_themes_build(ctx: Context) -> int:
    frameworks = sorted(ctx.themes)
    rows = []
    for network in ctx.networks:
        themes = list(ctx.themes[ctx.rng.choice(frameworks)])
        ctx.rng.shuffle(themes)
        themes = themes[: ctx.rng.randint(4, len(themes))]
        active = ctx.rng.randint(3, min(6, len(themes)))
        ctx.active_themes[network.pk] = themes[:active]
        rows += [
            AdoptedTheme(
                network=network,
                theme=theme,
                position=position,
                status=AdoptedTheme.Status.ACTIVE
                if position <= active
                else AdoptedTheme.Status.DEFERRED,
            )
            for position, theme in enumerate(themes, start=1)
        ]
    bulk(AdoptedTheme, rows)
    return len(rows)


def workstreams_build(ctx: Context) -> int:
    plans = [
        (network, theme) for network in ctx.networks for theme in ctx.active_themes[network.pk]
    ]
    ctx.workstreams = bulk(
        Workstream,
        [
            Workstream(
                network=network,
                theme=theme,
                name=theme.name,
                description="Baseline, gaps and an improvement plan for this theme.",
                visibility=ctx.pick_visibility([5, 90, 5, 0]),
            )
            for network, theme in plans
        ],
    )
    rows = []
    for ws in ctx.workstreams:
        members = ctx.members.get(ws.network_id, [])
        chosen = ctx.rng.sample(members, min(len(members), ctx.rng.randint(3, 13)))
        leads = 2 if ctx.rng.random() < 0.1 else 1
        for position, member in enumerate(chosen):
            is_lead = position < leads
            if is_lead:
                ctx.roles.setdefault(member.membership_id, {Role.MEMBER.value}).add(Role.THEME_LEAD)
            rows.append(
                WorkstreamMember(workstream=ws, person_id=member.person_id, is_lead=is_lead)
            )
    bulk(WorkstreamMember, rows)
    return len(ctx.workstreams) + len(rows)


def roles_build(ctx: Context) -> int:
    rows = [
        MembershipRole(membership_id=pk, role=role)
        for pk in ctx.membership_ids
        for role in sorted(ctx.roles.get(pk, {Role.MEMBER.value}))
    ]
    bulk(MembershipRole, rows)
    return len(rows)


GROUP_CHOICES = [(name, kind) for kind, group in names.GROUP_NAMES.items() for name in group]


def groups_build(ctx: Context) -> int:
    groups = []
    for network in ctx.networks:
        members = ctx.members.get(network.pk, [])
        themes = ctx.active_themes[network.pk]
        for name, kind in ctx.rng.sample(GROUP_CHOICES, ctx.rng.randint(5, 15)):
            chair = ctx.rng.choice(members) if members else None
            groups.append(
                Group(
                    network=network,
                    kind=kind,
                    name=name,
                    slug=slugify(name),
                    purpose=f"The {name.lower()} of the {network.name}.",
                    theme=ctx.rng.choice(themes) if ctx.rng.random() < 0.4 else None,
                    chair_id=chair.person_id if chair else None,
                    cadence=ctx.rng.choice(CADENCES),
                    visibility=ctx.pick_visibility([15, 85, 0, 0]),
                )
            )
    ctx.groups = bulk(Group, groups)
    return len(groups) + _group_members(ctx)


def _group_members(ctx: Context) -> int:
    through = Group.members.through
    rows = []
    for group in ctx.groups:
        members = ctx.members.get(group.network_id, [])
        people = {
            m.person_id for m in ctx.rng.sample(members, min(len(members), ctx.rng.randint(4, 25)))
        }
        if group.chair_id:
            people.add(group.chair_id)
        rows += [through(group_id=group.pk, person_id=pid) for pid in sorted(people)]
    bulk(through, rows)
    return len(rows)


def accounts_build(ctx: Context) -> int:
    """Accounts for the coordinators (the benchmark signs in as one), and restricted entries."""
    coordinating = sorted(
        {
            m.person_id
            for members in ctx.members.values()
            for m in members
            if Role.COORDINATOR in ctx.roles.get(m.membership_id, set())
        }
    )
    by_id = {p.pk: p for p in ctx.people}
    # An unusable password: these accounts sign in only through force_login or a reset.
    password = make_password(None)
    users = bulk(User, [User(email=by_id[pid].email, password=password) for pid in coordinating])
    for pid, user in zip(coordinating, users, strict=True):
        by_id[pid].user = user
    Person.objects.bulk_update(
        [by_id[pid] for pid in coordinating], ["user"], batch_size=BATCH_SIZE
    )
    return len(users) + _restricted_to(ctx, users)


def _restricted_to(ctx: Context, users: list[User]) -> int:
    """Name one coordinator on each restricted entry, so someone besides its subject sees it."""
    through = Person.restricted_to.through
    rows = [
        through(person_id=p.pk, user_id=ctx.rng.choice(users).pk)
        for p in ctx.people
        if p.visibility == Visibility.RESTRICTED and users
    ]
    bulk(through, rows)
    return len(rows)


def accounts_reset() -> object:
    return User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()


STEPS: list[Step] = [
    Step("theme frameworks", frameworks_build, frameworks_reset),
    Step("organisations", organisations_build, organisations_reset),
    Step("networks", networks_build, networks_reset),
    Step("people", people_build, people_reset),
    Step("memberships", memberships_build),
    Step("adopted themes", adopted_themes_build),
    Step("workstreams", workstreams_build),
    Step("membership roles", roles_build),
    Step("groups", groups_build),
    Step("accounts", accounts_build, accounts_reset),
    Step("indicators", indicators_build, indicators_reset),
    Step("improvement", improvement_build, improvement_reset),
    Step("library", library_build, library_reset),
    Step("programmes", programmes_build, programmes_reset),
    Step("meetings", meetings_build, meetings_reset),
    Step("supervision", supervision_build, supervision_reset),
    Step("board papers", boardpapers_build, boardpapers_reset),
]


# --- Running -------------------------------------------------------------------------------


def generated_data_exists() -> bool:
    return (
        Network.objects.filter(slug__startswith=SLUG_PREFIX).exists()
        or Person.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists()
        or Organisation.objects.filter(description=GENERATED_NOTE).exists()
    )


def generated_scale() -> str | None:
    """The name of the scale the generated data matches, if any (for the benchmarks)."""
    counts = (
        Network.objects.filter(slug__startswith=SLUG_PREFIX).count(),
        Organisation.objects.filter(description=GENERATED_NOTE).count(),
        Person.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").count(),
    )
    for scale in SCALES.values():
        if counts == (scale.networks, scale.organisations, scale.people):
            return scale.name
    return None


def postgres_database_ensure(url: str) -> bool:
    """Create the PostgreSQL database named in ``url`` if it is missing; True if it was made."""
    import psycopg
    from psycopg import sql

    params = psycopg.conninfo.conninfo_to_dict(url)
    name = str(params.get("dbname") or "")
    if not name:
        raise ValueError(f"{url} names no database")
    # Connect to the maintenance database: the one we want may not exist yet.
    maintenance = psycopg.conninfo.make_conninfo(url, dbname="postgres")
    with psycopg.connect(maintenance, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if found is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return found is None


@contextmanager
def _history_off() -> Iterator[None]:
    # Synthetic rows need no audit trail, and writing one per deleted row would take minutes.
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        yield


@transaction.atomic
def generated_reset() -> None:
    """Delete every generated record, the last step's first."""
    with _history_off():
        for step in reversed(STEPS):
            if step.reset is not None:
                step.reset()


def generate(
    *, scale: str, seed: int, reset: bool = False, progress: bool = True
) -> dict[str, int]:
    """Build the data set for ``scale`` from ``seed``; returns rows made per step."""
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}: choose from {', '.join(SCALES)}")
    with transaction.atomic(), _history_off():
        if generated_data_exists():
            if not reset:
                raise GeneratedDataExists(
                    "This database already holds generated data: use --reset to replace it."
                )
            generated_reset()
        ctx = Context(scale=SCALES[scale], rng=random.Random(seed), progress=progress)
        return _run_steps(ctx, progress=progress)


def _run_steps(ctx: Context, *, progress: bool) -> dict[str, int]:
    made: dict[str, int] = {}
    bar: Any = tqdm(
        STEPS, desc=f"generate {ctx.scale.name}", unit="step", file=sys.stderr, disable=not progress
    )
    for step in bar:
        bar.set_postfix_str(step.name)
        made[step.name] = step.build(ctx)
    return made
