"""The demo data set: the two networks described in the seed documents, with fictional people.

Loading is idempotent: each record is looked up by its natural key (slug, ODS code, email)
and only made when missing, so a second run writes nothing, not even history. Writes go
through the directory's services so the demo exercises the same paths as the pages.
See docs/demo.md for where each part comes from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Model, Q
from django.utils.text import slugify

from kmatrix.boardpapers.demo import boardpapers_demo_load
from kmatrix.core.access import Visibility
from kmatrix.core.models import User
from kmatrix.demo import people as p
from kmatrix.demo.improvement import improvement_demo_load, improvement_demo_reset
from kmatrix.indicators.demo import indicators_demo_load, indicators_demo_reset
from kmatrix.library.demo import library_demo_load, library_demo_reset
from kmatrix.library.search import index as search_index
from kmatrix.meetings.demo import meetings_demo_load, meetings_demo_reset
from kmatrix.networks import services
from kmatrix.networks.models import (
    AdoptedTheme,
    Cadence,
    Group,
    Membership,
    Network,
    NetworkOrganisation,
    Organisation,
    Person,
    Role,
    Theme,
    ThemeFramework,
    Workstream,
)
from kmatrix.programmes.demo import programmes_demo_load, programmes_demo_reset
from kmatrix.supervision.demo import supervision_demo_load, supervision_demo_reset

Sector = Organisation.Sector
GroupKind = Group.Kind

# --- Organisations -------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoOrganisation:
    key: str  # the ODS code where there is one
    name: str
    sector: str
    ods_code: str = ""
    region: str = "East Midlands"
    description: str = ""


PROVIDERS = ("RXM", "RT5", "RP7", "RP1", "RHA", "NYA")
MLN_TRUSTS = ("RXM", "RT5", "RP7", "RP1", "RHA")
COUNCILS = (
    "derbyshire-cc", "leicestershire-cc", "lincolnshire-cc", "northamptonshire-cc",
    "nottinghamshire-cc",
)  # fmt: skip
VOLUNTARY = ("ageuk-derby", "ageuk-notts")
ALLIANCE_PARTNERS = ("emahsn", "hee", "nhse")


def _trust(code: str, name: str) -> DemoOrganisation:
    return DemoOrganisation(code, name, Sector.NHS_TRUST, ods_code=code)


def _council(key: str, county: str) -> DemoOrganisation:
    return DemoOrganisation(key, f"{county} County Council", Sector.LOCAL_AUTHORITY)


ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    _trust("RXM", "Derbyshire Healthcare NHS Foundation Trust"),
    _trust("RT5", "Leicestershire Partnership NHS Trust"),
    _trust("RP7", "Lincolnshire Partnership NHS Foundation Trust"),
    _trust("RP1", "Northamptonshire Healthcare NHS Foundation Trust"),
    _trust("RHA", "Nottinghamshire Healthcare NHS Foundation Trust"),
    DemoOrganisation("NYA", "St Andrew's Healthcare", Sector.INDEPENDENT, ods_code="NYA",
                     description="A charity providing specialist mental health care."),
    DemoOrganisation("emahsn", "East Midlands Academic Health Science Network", Sector.OTHER,
                     description="Partner in the Mental Health Patient Safety programme."),
    DemoOrganisation("hee", "Health Education England", Sector.OTHER, region="England",
                     description="Funded the Clinical Support Worker retention programme."),
    DemoOrganisation("nhse", "NHS England", Sector.OTHER, region="England"),
    DemoOrganisation("csip", "Care Services Improvement Partnership", Sector.OTHER,
                     region="England",
                     description="Supported the MLN with a co-chair, communications and "
                     "knowledge management."),
    _council("derbyshire-cc", "Derbyshire"),
    _council("leicestershire-cc", "Leicestershire"),
    _council("lincolnshire-cc", "Lincolnshire"),
    _council("northamptonshire-cc", "Northamptonshire"),
    _council("nottinghamshire-cc", "Nottinghamshire"),
    DemoOrganisation("ageuk-derby", "Age UK Derby and Derbyshire", Sector.VCSE),
    DemoOrganisation("ageuk-notts", "Age UK Nottingham and Nottinghamshire", Sector.VCSE),
)  # fmt: skip

# --- Theme frameworks ----------------------------------------------------------------------

KEY_THEMES_SLUG = "everybodys-business-key-themes"
STRATEGIC_THEMES_SLUG = "em-alliance-strategic-themes"

KEY_THEMES = (
    "Liaison/General Hospital", "Commissioning", "Workforce", "Culture and diversity",
    "In patient services", "Care Homes/Housing/Home care/Day services",
    "Specialist CMHT/Intermediate care", "Service User Engagement", "Health Promotion",
    "Primary Care",
)  # fmt: skip
# The five the East Midlands MLN agreed to work on first, in the seed's order.
MLN_ACTIVE_THEMES = (
    "Service User Engagement", "Care Homes/Housing/Home care/Day services",
    "Specialist CMHT/Intermediate care", "Liaison/General Hospital", "In patient services",
)  # fmt: skip
STRATEGIC_THEMES = (
    "Safety", "Quality Improvement", "Workforce development", "Innovation",
    "Collaboratives and population health", "A stronger collective voice",
)  # fmt: skip


@dataclass(frozen=True)
class DemoFramework:
    slug: str
    name: str
    description: str
    themes: tuple[str, ...]


FRAMEWORKS = (
    DemoFramework(
        KEY_THEMES_SLUG,
        "Everybody's Business key themes (NEYH and NW MLNs)",
        "The ten key themes the North East, Yorkshire and Humberside and North West managed "
        "learning networks drew from *Everybody's Business*, the service development guide "
        "for older people's mental health. Other networks adopt them so that their work can "
        "be compared and shared.",
        KEY_THEMES,
    ),
    DemoFramework(
        STRATEGIC_THEMES_SLUG,
        "East Midlands Alliance strategic themes",
        "The six strategic themes under which the Alliance does its joint work and "
        "structures its common Board paper.",
        STRATEGIC_THEMES,
    ),
)

# --- Networks ------------------------------------------------------------------------------

MLN_PURPOSE = """\
The network brings together people from health, social care and the third sector across
Derbyshire, Leicestershire, Lincolnshire, Northamptonshire and Nottinghamshire who want to
improve mental health services for older people.

It puts *Everybody's Business*, the service development guide for older people's mental
health, into practice across the region, shaped by what local health and social care
communities need, and it links with the other managed learning networks and the Dementia
Collaboratives so that plans, evidence and positive practice are shared.

**Members commit to:**

- take forward the key themes of *Everybody's Business*
- act as a source of advice in their own locality
- give one day a month to their theme's work, and use it well
- challenge the status quo, so that older people's mental health is everybody's business
- find the other networks in their locality and exchange information and ideas with them
- bring learning and experience from their theme to network meetings
- work closely with colleagues across the network
"""

ALLIANCE_PURPOSE = """\
Six providers of mental health, learning disability and autism services in the East Midlands
working together on what none of them can do as well alone.

The Alliance's joint work runs under six strategic themes. Professional networks bring
together chief executives, directors and leads from each provider; communities of practice
share learning on patient safety; regional collaboratives plan specialised services for the
whole population. A common Board paper reports the work to each provider's Board.
"""


@dataclass(frozen=True)
class DemoNetwork:
    slug: str
    name: str
    kind: str
    region: str
    purpose: str
    short_name: str = ""
    cadence: str = ""
    cadence_note: str = ""
    letter_signatory: str = ""
    visibility: str = Visibility.PUBLIC


def _linked(slug: str, name: str, kind: str, region: str, short_name: str) -> DemoNetwork:
    what = "managed learning network" if kind == Network.Kind.LEARNING_NETWORK else "collaborative"
    purpose = (
        f"A {what} for older people's mental health and dementia care in {region}, "
        "linked with the East Midlands MLN to share plans and positive practice."
    )
    return DemoNetwork(slug, name, kind, region, purpose, short_name=short_name)


MLN_SLUG = "em-mln"
ALLIANCE_SLUG = "em-alliance"
NETWORKS = (
    DemoNetwork(
        MLN_SLUG,
        "East Midlands Managed Learning Network for Older People's Mental Health",
        Network.Kind.LEARNING_NETWORK,
        "East Midlands",
        MLN_PURPOSE,
        short_name="East Midlands MLN",
        cadence=Cadence.BIMONTHLY,
        cadence_note="Bi-monthly at first, then quarterly",
        letter_signatory="Co-chairs, East Midlands MLN",
    ),
    DemoNetwork(
        ALLIANCE_SLUG,
        "East Midlands Alliance for Mental Health, Learning Disabilities and Autism",
        Network.Kind.ALLIANCE,
        "East Midlands",
        ALLIANCE_PURPOSE,
        short_name="East Midlands Alliance",
    ),
    _linked("neyh-mln", "North East, Yorkshire and Humberside Managed Learning Network",
            Network.Kind.LEARNING_NETWORK, "North East, Yorkshire and Humberside", "NEYH MLN"),
    _linked("nw-mln", "North West Managed Learning Network", Network.Kind.LEARNING_NETWORK,
            "North West", "NW MLN"),
    _linked("se-dementia-collaborative", "South East Dementia Collaborative",
            Network.Kind.COLLABORATIVE, "the South East", "SE Dementia Collaborative"),
    _linked("wm-dementia-collaborative", "West Midlands Dementia Collaborative",
            Network.Kind.COLLABORATIVE, "the West Midlands", "WM Dementia Collaborative"),
    _linked("ne-dementia-collaborative", "North East Dementia Collaborative",
            Network.Kind.COLLABORATIVE, "the North East", "NE Dementia Collaborative"),
)  # fmt: skip
LINKED_TO_MLN = tuple(n.slug for n in NETWORKS[2:])
# The NEYH and NW MLNs work on all ten key themes.
KEY_THEME_NETWORKS = ("neyh-mln", "nw-mln")

# --- Memberships ---------------------------------------------------------------------------

MLN_LAUNCH = date(2025, 1, 22)
LETTERS_SENT = date(2025, 2, 10)
ALLIANCE_JOINED = date(2022, 4, 1)

MLN_ROLES: dict[str, list[str]] = {
    "mln_chair_csip": [Role.CO_CHAIR],
    "mln_chair_member": [Role.CO_CHAIR, Role.MEMBER],
    "coordinator": [Role.COORDINATOR],
    "communications_lead": [Role.COMMUNICATIONS_LEAD],
    "knowledge_manager": [Role.KNOWLEDGE_MANAGER],
}
# Members whose confirmation letter has not gone out yet (joined after the first batch).
MLN_LETTER_PENDING = ("commissioner", "adult_social_care", "dementia_adviser")


@dataclass(frozen=True)
class DemoWorkstream:
    theme: str
    lead: str
    members: tuple[str, ...]
    description: str = ""


METHOD = (
    "The team gathers baseline data on services and planned changes, compares it with the "
    "commissioning checklist in *Everybody's Business*, notes the gaps and writes an "
    "improvement plan to share with the network."
)
# Same number of people per theme as the seed, and the same overlaps between themes.
MLN_WORKSTREAMS = (
    DemoWorkstream("Service User Engagement", "theme_lead", ("care_homes_lead",)),
    DemoWorkstream("Care Homes/Housing/Home care/Day services", "care_homes_lead",
                   ("social_work_manager", "occupational_therapist", "housing_manager")),
    DemoWorkstream("Specialist CMHT/Intermediate care", "cmht_lead",
                   ("occupational_therapist", "social_work_manager", "liaison_lead")),
    DemoWorkstream("Liaison/General Hospital", "liaison_lead", ("liaison_nurse",)),
    DemoWorkstream("In patient services", "inpatient_lead",
                   ("occupational_therapist", "liaison_lead", "member", "liaison_nurse",
                    "charge_nurse")),
)  # fmt: skip

# --- Alliance groups -----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoGroup:
    slug: str
    name: str
    kind: str
    purpose: str
    chair: str  # a person key
    posts: tuple[str, ...] = ()  # every provider's holder of these posts is a member
    extra: tuple[str, ...] = ()  # further members, by person key
    theme: str = ""
    cadence: str = ""
    cadence_note: str = ""
    visibility: str = Visibility.PUBLIC


def _chair(provider: str, post: str) -> str:
    return p.alliance_key(provider, post)


PN, COP, COLLAB, FORUM = (
    GroupKind.PROFESSIONAL_NETWORK, GroupKind.COMMUNITY_OF_PRACTICE, GroupKind.COLLABORATIVE,
    GroupKind.FORUM,
)  # fmt: skip
SAFETY, QI, WORKFORCE, COLLABS, VOICE = (
    "Safety", "Quality Improvement", "Workforce development",
    "Collaboratives and population health", "A stronger collective voice",
)  # fmt: skip
COLLAB_POSTS = ("strategy_director", "medical_director")

ALLIANCE_GROUPS = (
    DemoGroup("chief-executive-forum", "Chief Executive Forum", PN,
              "The six chief executives share approaches to finance, workforce pressures, "
              "performance and changes in their organisations.",
              _chair("RHA", "chief_executive"), ("chief_executive",),
              cadence=Cadence.FORTNIGHTLY),
    DemoGroup("medical-nurse-directors", "Medical and Nurse Director network", PN,
              "Medical and nursing directors sponsor the patient safety programme, review the "
              "restrictive practice reports and share regulatory and clinical learning.",
              _chair("NYA", "medical_director"), ("medical_director", "nurse_director"),
              theme=SAFETY),
    DemoGroup("strategy-finance-directors", "Strategy and Finance Director forum", PN,
              "Strategy and finance directors work on planning, cost comparisons, innovation "
              "and the funding of joint programmes.",
              _chair("RT5", "strategy_director"), ("strategy_director", "finance_director")),
    DemoGroup("hr-directors", "HR Director network", PN,
              "HR directors run the workforce dashboard and sponsor the support worker "
              "retention and therapy supervision programmes.",
              _chair("RHA", "hr_director"), ("hr_director",), theme=WORKFORCE,
              cadence_note="Meets about every three months"),
    DemoGroup("pcref-leads", "PCREF leads network", PN,
              "Leads for the Patient and Carer Race Equality Framework share learning and "
              "hear from pilot sites and the national leads.",
              _chair("RP1", "pcref_lead"), ("pcref_lead",), theme=QI,
              cadence=Cadence.BIMONTHLY),
    DemoGroup("sustainability", "Sustainability group", PN,
              "Green champions and sustainability leads share progress on green plans and "
              "support from the Green NHS team.",
              _chair("RP7", "sustainability_lead"), ("sustainability_lead",), theme=VOICE,
              cadence=Cadence.TWICE_YEARLY),
    DemoGroup("digital-leads", "Digital leads group", PN,
              "Digital and data leads share approaches to national mental health data on "
              "pricing, outcomes and equalities.",
              _chair("RXM", "digital_lead"), ("digital_lead",), theme=VOICE),
    DemoGroup("alliance-board", "Alliance Board", FORUM,
              "Sets the Alliance's strategic direction and receives updates from the "
              "collaboratives and the joint programmes.",
              _chair("RP1", "chief_executive"), ("chief_executive",),
              visibility=Visibility.NETWORK),
    DemoGroup("joint-chair-ceo", "Joint Chair and CEO group", FORUM,
              "Chairs and chief executives of the six providers review delivery and agree the "
              "Alliance's strategic themes and next phase.",
              _chair("NYA", "chair"), ("chair", "chief_executive"),
              cadence=Cadence.AS_NEEDED, visibility=Visibility.NETWORK),
    DemoGroup("restrictive-practice", "Restrictive practice", COP,
              "Providers share issues, learning and good practice on reducing restrictive "
              "practice, including restraint in high secure settings.",
              _chair("RHA", "restrictive_practice_lead"), ("restrictive_practice_lead",),
              extra=("member", "emahsn_safety"), theme=SAFETY),
    DemoGroup("sexual-safety", "Sexual safety", COP,
              "Providers share issues, learning and good practice on keeping patients and "
              "staff sexually safe.",
              _chair("RT5", "sexual_safety_lead"), ("sexual_safety_lead",),
              extra=("emahsn_safety",), theme=SAFETY),
    DemoGroup("suicide-self-harm", "Suicide and self-harm", COP,
              "Providers share issues, learning and good practice on preventing suicide and "
              "self-harm.",
              _chair("RP7", "suicide_prevention_lead"), ("suicide_prevention_lead",),
              extra=("emahsn_safety",), theme=SAFETY),
    DemoGroup("camhs", "CAMHS", COLLAB,
              "The regional collaborative for children and young people's mental health "
              "services: beds, waiting lists and the move to adult services.",
              _chair("RHA", "medical_director"), COLLAB_POSTS, theme=COLLABS),
    DemoGroup("adult-eating-disorders", "Adult Eating Disorders", COLLAB,
              "The regional collaborative for adult eating disorder services, aiming to "
              "prevent admissions through stepped-up care.",
              _chair("RT5", "medical_director"), COLLAB_POSTS, theme=COLLABS),
    DemoGroup("impact-forensics", "IMPACT forensics", COLLAB,
              "The adult secure services collaborative, bringing patients placed out of area "
              "back closer to home and reducing restrictive practice.",
              _chair("NYA", "strategy_director"), COLLAB_POSTS, theme=COLLABS),
    DemoGroup("perinatal", "Perinatal", COLLAB,
              "The regional collaborative for perinatal mental health services.",
              _chair("RP1", "medical_director"), COLLAB_POSTS, theme=COLLABS),
    DemoGroup("gambling-addictions", "Gambling addictions service", COLLAB,
              "A regional service for people harmed by gambling, led by Derbyshire.",
              _chair("RXM", "medical_director"), COLLAB_POSTS, theme=COLLABS),
    DemoGroup("veterans", "Veterans", COLLAB,
              "Integrated mental health services for veterans across the Midlands, led by "
              "Lincolnshire.",
              _chair("RP7", "strategy_director"), COLLAB_POSTS, theme=COLLABS),
)  # fmt: skip

# Alliance members who hold no provider post: the coordinator, the member login, the board
# reader and the patient safety programme manager from the AHSN (a partner).
ALLIANCE_SAFETY_PERSON = p.DemoPerson(
    "emahsn_safety", "Nikhil Birchgate", "Patient Safety Programme Manager", "emahsn"
)
ALLIANCE_EXTRA_MEMBERS: dict[str, list[str]] = {
    "coordinator": [Role.COORDINATOR],
    "member": [Role.MEMBER],
    "board_reader": [Role.BOARD_READER],
    "emahsn_safety": [Role.MEMBER],
}


def all_people() -> list[p.DemoPerson]:
    return [
        *p.MLN_PEOPLE,
        *p.LOGIN_PEOPLE,
        ALLIANCE_SAFETY_PERSON,
        *p.alliance_people(PROVIDERS),
    ]


ORGANISATIONS_BY_KEY = {o.key: o for o in ORGANISATIONS}
NHS_SECTORS = {Sector.NHS_TRUST, Sector.INDEPENDENT}


def person_email(person: p.DemoPerson) -> str:
    if person.email:
        return person.email
    local = person.full_name.lower().replace(" ", ".").replace("'", "")
    sector = ORGANISATIONS_BY_KEY[person.organisation].sector
    return f"{local}@example.nhs.uk" if sector in NHS_SECTORS else f"{local}@example.org"


# --- Loading -------------------------------------------------------------------------------


@dataclass
class Loaded:
    """What the loader made or found, by key, for the later steps."""

    organisations: dict[str, Organisation] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)
    networks: dict[str, Network] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


M = TypeVar("M", bound=Model)


def _ensure(model: type[M], lookup: dict[str, Any], fields: dict[str, Any]) -> M:
    """The record matching ``lookup``, made (and validated) if missing; never changed."""
    found = model._default_manager.filter(**lookup).first()
    if found is not None:
        return found
    obj = model(**lookup, **fields)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def demo_load() -> Loaded:
    """Load the demo data set; records that already exist are left as they are."""
    loaded = Loaded()
    _load_organisations(loaded)
    _load_frameworks(loaded)
    _load_networks(loaded)
    _load_people(loaded)
    _load_users(loaded)
    _load_mln(loaded, loaded.networks[MLN_SLUG])
    _load_alliance(loaded, loaded.networks[ALLIANCE_SLUG])
    # The Alliance's dashboards and the national A&E example (kmatrix/indicators/demo.py).
    indicators_demo_load()
    # The MLN's checklist, assessments, gaps and plans (kmatrix/demo/improvement.py).
    improvement_demo_load()
    # The library, with real files, and the NEYH and NW MLNs' shared items (library/demo.py).
    library_demo_load()
    # The Board paper's programmes, funding and meetings (kmatrix/programmes, kmatrix/meetings).
    programmes_demo_load()
    meetings_demo_load()
    # The Alliance's Therapy Supervision service (kmatrix/supervision/demo.py).
    supervision_demo_load()
    # The Alliance's June 2023 common Board paper, drafted from them (kmatrix/boardpapers/demo.py).
    boardpapers_demo_load()
    # The one search indexes everything above: resources, people, groups, plans, updates,
    # gaps, meetings, decisions and programmes (kmatrix/library/search).
    search_index.rebuild()
    return loaded


def _load_organisations(loaded: Loaded) -> None:
    for spec in ORGANISATIONS:
        loaded.organisations[spec.key] = _find_organisation(spec) or services.organisation_save(
            name=spec.name,
            ods_code=spec.ods_code,
            sector=spec.sector,
            region=spec.region,
            description=spec.description,
        )


def _find_organisation(spec: DemoOrganisation) -> Organisation | None:
    # An ODS code identifies an organisation; without one, its name has to do.
    if spec.ods_code:
        return Organisation.objects.filter(ods_code=spec.ods_code).first()
    return Organisation.objects.filter(name=spec.name, ods_code="").first()


def _load_frameworks(loaded: Loaded) -> None:
    for spec in FRAMEWORKS:
        about = {"name": spec.name, "description": spec.description}
        framework = _ensure(ThemeFramework, {"slug": spec.slug}, about)
        for position, name in enumerate(spec.themes, start=1):
            loaded.themes[name] = _ensure(
                Theme,
                {"framework": framework, "name": name},
                {"slug": slugify(name), "position": position},
            )


def _load_networks(loaded: Loaded) -> None:
    for spec in NETWORKS:
        fields = {k: v for k, v in vars(spec).items() if k != "slug"}
        loaded.networks[spec.slug] = _ensure(Network, {"slug": spec.slug}, fields)
    mln = loaded.networks[MLN_SLUG]
    # Adding an existing link is a no-op, so this stays idempotent.
    mln.linked_networks.add(*(loaded.networks[slug] for slug in LINKED_TO_MLN))
    deferred = [t for t in KEY_THEMES if t not in MLN_ACTIVE_THEMES]
    _adopt(loaded, mln, active=MLN_ACTIVE_THEMES, deferred=deferred)
    for slug in KEY_THEME_NETWORKS:
        _adopt(loaded, loaded.networks[slug], active=KEY_THEMES)
    _adopt(loaded, loaded.networks[ALLIANCE_SLUG], active=STRATEGIC_THEMES)


def _adopt(
    loaded: Loaded, network: Network, *, active: Sequence[str], deferred: Sequence[str] = ()
) -> None:
    wanted = [(loaded.themes[n].pk, AdoptedTheme.Status.ACTIVE.value) for n in active]
    wanted += [(loaded.themes[n].pk, AdoptedTheme.Status.DEFERRED.value) for n in deferred]
    have = list(network.adopted_themes.order_by("position").values_list("theme_id", "status"))
    if have != wanted:
        services.themes_adopt(network=network, adoptions=wanted)


def _load_people(loaded: Loaded) -> None:
    for spec in all_people():
        loaded.people[spec.key] = _ensure(
            Person,
            {"email": person_email(spec)},
            {
                "full_name": spec.full_name,
                "job_title": spec.job_title,
                "organisation": loaded.organisations[spec.organisation],
                "visibility": spec.visibility,
            },
        )


def _load_users(loaded: Loaded) -> None:
    for login in p.LOGINS:
        user = User.objects.filter(email=login.email).first() or _make_user(login)
        loaded.users[login.role] = user
        if not EmailAddress.objects.filter(user=user, email=login.email).exists():
            EmailAddress.objects.create(user=user, email=login.email, verified=True, primary=True)
        person = loaded.people.get(login.person_key or "")
        if person is not None and person.user_id is None:
            person.user = user
            person.save(update_fields=["user"])
    # The carers' support worker asked to be seen only by the network coordinator.
    loaded.people["carers_worker"].restricted_to.add(loaded.users["coordinator"])


def _make_user(login: p.DemoLogin) -> User:
    if login.superuser:
        return User.objects.create_superuser(email=login.email, password=p.DEMO_PASSWORD)
    return User.objects.create_user(email=login.email, password=p.DEMO_PASSWORD)


def _link(loaded: Loaded, network: Network, keys: Sequence[str], *, is_member: bool) -> None:
    for key in keys:
        organisation = loaded.organisations[key]
        if not NetworkOrganisation.objects.filter(
            network=network, organisation=organisation
        ).exists():
            services.network_organisation_add(
                network=network, organisation=organisation, is_member=is_member
            )


def _join(
    loaded: Loaded,
    network: Network,
    key: str,
    roles: Sequence[str],
    *,
    joined_on: date,
    letter_sent_on: date | None,
) -> None:
    person = loaded.people[key]
    if Membership.objects.filter(person=person, network=network).exists():
        return
    assert person.organisation is not None  # every demo person has an employer
    services.membership_save(
        person=person,
        network=network,
        organisation=person.organisation,
        roles=roles,
        joined_on=joined_on,
        line_manager_agreed_on=joined_on - timedelta(days=14),
        letter_sent_on=letter_sent_on,
        committed_days_per_month=Decimal("1.0"),
    )


def _load_mln(loaded: Loaded, mln: Network) -> None:
    _link(loaded, mln, MLN_TRUSTS + COUNCILS + VOLUNTARY, is_member=True)
    _link(loaded, mln, ("csip",), is_member=False)
    leads = {w.lead for w in MLN_WORKSTREAMS}
    for spec in p.MLN_PEOPLE:
        roles = MLN_ROLES.get(spec.key) or (
            [Role.MEMBER, Role.THEME_LEAD] if spec.key in leads else [Role.MEMBER]
        )
        pending = spec.key in MLN_LETTER_PENDING
        _join(
            loaded,
            mln,
            spec.key,
            roles,
            joined_on=MLN_LAUNCH + timedelta(days=56 if pending else 0),
            letter_sent_on=None if pending else LETTERS_SENT,
        )
    for ws in MLN_WORKSTREAMS:
        if Workstream.objects.filter(network=mln, name=ws.theme).exists():
            continue
        services.workstream_save(
            network=mln,
            theme=loaded.themes[ws.theme],
            name=ws.theme,
            description=ws.description or METHOD,
            visibility=Visibility.NETWORK,
            leads=[loaded.people[ws.lead]],
            members=[loaded.people[k] for k in ws.members],
        )


def _load_alliance(loaded: Loaded, alliance: Network) -> None:
    _link(loaded, alliance, PROVIDERS, is_member=True)
    _link(loaded, alliance, ALLIANCE_PARTNERS, is_member=False)
    dates = {"joined_on": ALLIANCE_JOINED, "letter_sent_on": ALLIANCE_JOINED + timedelta(days=14)}
    for spec in p.alliance_people(PROVIDERS):
        _join(loaded, alliance, spec.key, [Role.MEMBER], **dates)
    for key, roles in ALLIANCE_EXTRA_MEMBERS.items():
        _join(loaded, alliance, key, roles, **dates)
    for group in ALLIANCE_GROUPS:
        if not Group.objects.filter(network=alliance, slug=group.slug).exists():
            _add_group(loaded, alliance, group)


def _post_holder(provider: str, post: str) -> str:
    return p.ALLIANCE_POSTS_HELD.get((provider, post)) or p.alliance_key(provider, post)


def _add_group(loaded: Loaded, alliance: Network, spec: DemoGroup) -> None:
    keys = [spec.chair]
    keys += [_post_holder(prov, post) for post in spec.posts for prov in PROVIDERS]
    keys += list(spec.extra)
    members = [loaded.people[k] for k in dict.fromkeys(keys)]  # in order, without repeats
    services.group_save(
        network=alliance,
        kind=spec.kind,
        name=spec.name,
        slug=spec.slug,
        purpose=spec.purpose,
        theme=loaded.themes[spec.theme] if spec.theme else None,
        chair=loaded.people[spec.chair],
        cadence=spec.cadence,
        cadence_note=spec.cadence_note,
        visibility=spec.visibility,
        members=members,
    )


@transaction.atomic
def demo_reset() -> None:
    """Delete the demo's records, keeping anything that other records still depend on."""
    improvement_demo_reset()
    meetings_demo_reset()
    programmes_demo_reset()
    supervision_demo_reset()
    indicators_demo_reset()
    library_demo_reset()
    Network.objects.filter(slug__in=[n.slug for n in NETWORKS]).delete()
    Person.objects.filter(email__in=[person_email(s) for s in all_people()]).delete()
    User.objects.filter(email__in=[login.email for login in p.LOGINS]).delete()
    in_use = AdoptedTheme.objects.values("theme__framework_id")
    ThemeFramework.objects.filter(slug__in=[f.slug for f in FRAMEWORKS]).exclude(
        pk__in=in_use
    ).exclude(pk__in=Workstream.objects.values("theme__framework_id")).delete()
    coded = Q(ods_code__in=[o.ods_code for o in ORGANISATIONS if o.ods_code])
    named = Q(ods_code="", name__in=[o.name for o in ORGANISATIONS if not o.ods_code])
    Organisation.objects.filter(coded | named).exclude(
        pk__in=Membership.objects.values("organisation_id")
    ).delete()
