"""The demo's programmes and funding: the seven programmes of the Alliance's common Board paper
of June 2023 (seed 003), with its figures exactly.

Where the paper gives no figure, date, funder or lead, the field stays empty: the Gambling
addictions service's "just under £1 million" is kept as stated, not as a number; the
innovation role's funding from the AHSN has no amount; only the Therapy Supervision awards
name their financial years; "over two years" is a term without years. Each programme's update
is the paper's account of it, dated with the paper (15 June 2023). Links to indicators point
at the Alliance's dashboard measures the programme works on (kmatrix/indicators/demo.py).

Loading is idempotent: a programme is found by network and slug and, if there, left alone.
Writes go through services.py, as the pages' do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from kmatrix.core.access import Viewer, Visibility
from kmatrix.indicators.queries import indicators_for
from kmatrix.networks.models import Group, Network, Organisation, Theme
from kmatrix.programmes import services
from kmatrix.programmes.models import (
    AwardStatus,
    DatePrecision,
    MilestoneStatus,
    Programme,
    ProgrammeStatus,
)

ALLIANCE_SLUG = "em-alliance"
STRATEGIC_THEMES_SLUG = "em-alliance-strategic-themes"
PROVIDERS = ("RXM", "RT5", "RP7", "RP1", "RHA", "NYA")
PAPER = "Common Board paper, June 2023"
PAPER_DATE = date(2023, 6, 15)
# Partners without an ODS code in the demo are found by name.
AHSN = "East Midlands Academic Health Science Network"
HEE = "Health Education England"

SECURED = AwardStatus.SECURED
ACHIEVED, PLANNED, DELAYED = (
    MilestoneStatus.ACHIEVED,
    MilestoneStatus.PLANNED,
    MilestoneStatus.DELAYED,
)
DAY, MONTH, YEAR = DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR


@dataclass(frozen=True)
class DemoAllocation:
    purpose: str
    amount: Decimal
    organisation: str = ""  # an ODS code or a name; empty for an element kept for a purpose
    notes: str = ""


@dataclass(frozen=True)
class DemoAward:
    amount: Decimal | None
    status: str = SECURED
    funder: str = ""  # an ODS code or a name
    funder_note: str = ""
    amount_note: str = ""
    first_year: int | None = None
    term_years: int | None = None
    notes: str = ""
    allocations: tuple[DemoAllocation, ...] = ()
    each_provider: DemoAllocation | None = None  # the same sum to each member provider


@dataclass(frozen=True)
class DemoMilestone:
    title: str
    status: str
    on: date | None = None
    precision: str = DAY
    when_note: str = ""


@dataclass(frozen=True)
class DemoProgramme:
    slug: str
    name: str
    theme: str
    status: str
    summary: str
    description: str
    update: str
    awards: tuple[DemoAward, ...]
    milestones: tuple[DemoMilestone, ...] = ()
    sponsor: str = ""  # a group slug
    lead_organisation: str = ""
    partners: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()  # indicator codes


M = DemoMilestone
PROGRAMMES: tuple[DemoProgramme, ...] = (
    DemoProgramme(
        "patient-safety",
        "East Midlands Mental Health Patient Safety programme",
        "Safety",
        ProgrammeStatus.ACTIVE,
        "Three communities of practice sharing learning on restrictive practice, sexual safety, "
        "and suicide and self-harm, delivered with the East Midlands AHSN.",
        "Delivered in partnership with the East Midlands Academic Health Science Network (AHSN) "
        "and sponsored by the Alliance Medical and Nurse Directors; a medical director from St "
        "Andrew's Healthcare chairs its Programme Board.\n\nThe providers share issues, learning "
        "and best practice through three communities of practice:\n\n- Restrictive practice\n"
        "- Sexual safety\n- Suicide and self-harm",
        "National funding for the programme ends in 2023. The Alliance has secured regional "
        "funding of £400,000 to continue it in the East Midlands for the next two years. The "
        "three communities of practice will continue, and the restrictive practice element "
        "will be expanded to cover chemical and mechanical restraint in high secure settings. "
        "A draft work programme for 2023/24 was presented to the joint meeting of the Alliance "
        "Medical and Nurse Directors in April.\n\nThe programme has gained excellent traction, "
        "with a strong exchange of best practice and learning. The Alliance was asked to "
        "present to the national AHSN group on how it has gained such senior engagement.",
        (
            DemoAward(
                Decimal("400000"),
                funder_note="Regional funding",
                term_years=2,
                notes="To continue the programme in the East Midlands for the next two years, "
                "after national funding ends in 2023.",
            ),
        ),
        (
            M("Learning event in Northampton", ACHIEVED, date(2022, 1, 1), YEAR),
            M("Learning event in Nottingham", ACHIEVED, date(2023, 3, 1), MONTH),
            M("Draft work programme for 2023/24 presented to the Medical and Nurse Directors",
              ACHIEVED, date(2023, 4, 1), MONTH),
            M("National funding for the programme ends", PLANNED, date(2023, 1, 1), YEAR),
            M("Restrictive practice work expanded to chemical and mechanical restraint in high "
              "secure settings", PLANNED),
        ),
        sponsor="medical-nurse-directors",
        partners=(AHSN,),
        indicators=("restraint-rate", "seclusion-rate", "long-term-segregation-rate"),
    ),
    DemoProgramme(
        "csw-retention",
        "Clinical Support Worker retention programme",
        "Workforce development",
        ProgrammeStatus.ACTIVE,
        "Improving the retention, development and recruitment of Clinical Support Workers.",
        "Funded by Health Education England and sponsored by the HR Director network. Its core "
        "is a personal development programme for Clinical Support Workers (CSWs), Developing "
        "Healthcare Talent, run in cohorts from across the Alliance with individual development "
        "sessions and networking groups, and a programme for CSW line managers.",
        "Over one hundred CSWs have been through the Developing Healthcare Talent programme; "
        "eight cohorts have completed it and a further six will take place in the spring and "
        "summer of 2023. Two cohorts of the CSW line manager programme are fully subscribed: "
        "the first has begun and the second begins at Easter.\n\nEach provider received "
        "£133,000 to employ a CSW lead and develop CSW skills training locally; the HR "
        "Directors agreed it was better to expand local skills training than take an Alliance "
        "wide approach. Leads from Northamptonshire Healthcare presented a proposal to use the "
        "£300,000 recruitment element, and an external partner will now be identified to "
        "support it. The approach has been shared with the West Midlands, and the case study "
        "with the Alliance Board and the King's Fund. The HR Directors will be asked to agree "
        "the use of the remaining funds.",
        (
            DemoAward(
                Decimal("1355640"),
                funder=HEE,
                term_years=2,
                notes="Over two years, to improve the retention, development and recruitment "
                "of Clinical Support Workers.",
                each_provider=DemoAllocation(
                    "CSW lead and local CSW skills training", Decimal("133000")
                ),
                allocations=(
                    DemoAllocation(
                        "Recruitment element",
                        Decimal("300000"),
                        notes="Leads from Northamptonshire Healthcare presented a proposal to "
                        "use it; an external partner will be identified to support it.",
                    ),
                ),
            ),
        ),
        (
            M("Eight cohorts of Developing Healthcare Talent completed", ACHIEVED),
            M("A further six cohorts of Developing Healthcare Talent", PLANNED,
              when_note="Spring and summer 2023"),
            M("Second cohort of the CSW line manager programme begins", PLANNED,
              when_note="Easter 2023"),
            M("HR Directors review a proposal for an Equality and Diversity review of the CSW "
              "workforce, retention and development", PLANNED, date(2023, 5, 1), MONTH),
        ),
        sponsor="hr-directors",
        partners=(HEE,),
        indicators=("turnover-rate", "vacancy-rate"),
    ),
    DemoProgramme(
        "therapy-supervision",
        "Therapy Supervision programme",
        "Workforce development",
        ProgrammeStatus.ACTIVE,
        "A regional approach to expanding Therapy Supervision, with a shared booking system.",
        "Led by St Andrew's, managed by a project group of Therapy leads and sponsored by the "
        "HR Director network. Most of the funding directly supports an expansion in Therapy "
        "Supervision. The programme was paused in 2021/22 while Alliance members focused on "
        "the Covid pandemic and recovery.",
        "Through St Andrew's, the Alliance has worked with Booking Lab on a booking system for "
        "the programme across the East Midlands. The programme lead presented an update to the "
        "HR Director forum; a part-time project manager will be recruited to manage vetting, "
        "booking and payment. A gap analysis with each provider has identified where "
        "supervision is needed. The HR Directors nominated leads to promote supervision "
        "opportunities and to write to former staff who may wish to retire and return to "
        "supervise; a second communication will seek external supervisors. Much of the "
        "supervision is expected to take place virtually. Launch sessions have taken place "
        "with Lincolnshire, Leicestershire, St Andrew's and Derbyshire.",
        (
            DemoAward(Decimal("150000"), first_year=2021),
            DemoAward(Decimal("177000"), first_year=2022),
            DemoAward(
                Decimal("177000"),
                first_year=2023,
                notes="The Alliance will receive a further £177,000 in 2023/24.",
            ),
        ),
        (
            M("Booking system developed with Booking Lab", ACHIEVED),
            M("Gap analysis of need with each provider", ACHIEVED),
            M("Launch sessions with Lincolnshire, Leicestershire, St Andrew's and Derbyshire",
              ACHIEVED),
            M("Part-time project manager recruited for vetting, booking and payment", PLANNED),
        ),
        sponsor="hr-directors",
        lead_organisation="NYA",
        indicators=("supervision",),
    ),
    DemoProgramme(
        "mental-health-act-training",
        "Mental Health Act training materials",
        "Workforce development",
        ProgrammeStatus.ACTIVE,
        "Training materials linked to the new Mental Health Act, led by Leicestershire.",
        "Leicestershire Partnership are taking a lead in developing the material, drawing on "
        "their experience and skills in developing e-learning packages.",
        "Progress on new e-learning material was paused in winter 2022/23 as the new Mental "
        "Health Act was further delayed. The HR Directors discussed using the funds on the "
        "existing Mental Health Act with a focus on cultural competences, which could also be "
        "pre-work for the new Act, and the CEO group supported this. An updated draft "
        "specification will be shared with the Nurse Director group for comment.",
        (DemoAward(Decimal("66000")),),
        (
            M("New e-learning material paused while the new Act was delayed", DELAYED,
              when_note="Winter 2022/23"),
            M("Updated draft specification shared with the Nurse Director group", PLANNED),
        ),
        lead_organisation="RT5",
    ),
    DemoProgramme(
        "open-dialogue",
        "Open Dialogue pilot",
        "Innovation",
        ProgrammeStatus.PLANNED,
        "An Open Dialogue pilot on two wards at Lincolnshire Partnership.",
        "The pilot takes place in Lincolnshire Partnership, with the learning shared across "
        "the Alliance.",
        "The Alliance secured £100,000 to run an Open Dialogue pilot on two wards. The lead "
        "role has been advertised and the project will commence in spring 2023.",
        (DemoAward(Decimal("100000")),),
        (
            M("Lead role advertised", ACHIEVED),
            M("Project commences", PLANNED, when_note="Spring 2023"),
        ),
        lead_organisation="RP7",
    ),
    DemoProgramme(
        "gambling-addictions-service",
        "Gambling addictions service for the East Midlands",
        "Collaboratives and population health",
        ProgrammeStatus.ACTIVE,
        "A regional service for people harmed by gambling, led by Derbyshire Healthcare.",
        "Derbyshire Healthcare are taking a lead role in developing the regional service. The "
        "Alliance providers have taken part in an operational planning group and a clinical "
        "reference group.",
        "The service has begun advertising and appointing staff, and a soft launch took place "
        "in May 2023. Its lead clinician and lead manager presented progress to the Alliance "
        "Board in April 2023.",
        (
            DemoAward(
                None,
                amount_note="just under £1 million",
                notes="The Board paper gives the amount only as “just under £1million”, so no "
                "exact figure is recorded.",
            ),
        ),
        (
            M("Operational planning group and clinical reference group with the providers",
              ACHIEVED),
            M("Staff advertised for and appointed", PLANNED),
            M("Soft launch of the service", ACHIEVED, date(2023, 5, 1), MONTH),
        ),
        lead_organisation="RXM",
    ),
    DemoProgramme(
        "mental-health-innovation-role",
        "Embedded Mental Health Innovation role",
        "Innovation",
        ProgrammeStatus.PLANNED,
        "An embedded Mental Health Innovation role, its salary funded by the AHSN for two years.",
        "The Alliance has agreed to receive funding from the East Midlands AHSN to cover the "
        "salary of an embedded Mental Health Innovation role for two years.",
        "Recruitment has taken place through the spring, with the intention to have the "
        "postholder in place by the end of June.",
        (
            DemoAward(
                None,
                funder=AHSN,
                term_years=2,
                amount_note="the role's salary for two years (no figure given)",
            ),
        ),
        (
            M("Recruitment", ACHIEVED, when_note="Spring 2023"),
            M("Postholder in place", PLANNED, date(2023, 6, 30), DAY),
        ),
        partners=(AHSN,),
    ),
)  # fmt: skip

ADMIN = Viewer(is_admin=True)


def _organisation(ref: str) -> Organisation:
    """An organisation by its ODS code, or by its name when it has none."""
    return Organisation.objects.filter(ods_code=ref).first() or Organisation.objects.get(name=ref)


@transaction.atomic
def programmes_demo_load() -> int:
    """Load the programmes that are missing; returns how many were made."""
    alliance = Network.objects.get(slug=ALLIANCE_SLUG)
    themes = {t.name: t for t in Theme.objects.filter(framework__slug=STRATEGIC_THEMES_SLUG)}
    made = 0
    for spec in PROGRAMMES:
        if not Programme.objects.filter(network=alliance, slug=spec.slug).exists():
            _programme_make(alliance, spec, themes)
            made += 1
    return made


def _programme_make(network: Network, spec: DemoProgramme, themes: dict[str, Theme]) -> Programme:
    programme = services.programme_save(
        network=network,
        slug=spec.slug,
        name=spec.name,
        theme=themes[spec.theme],
        status=spec.status,
        summary=spec.summary,
        description=spec.description,
        sponsor=Group.objects.get(network=network, slug=spec.sponsor) if spec.sponsor else None,
        lead_organisation=_organisation(spec.lead_organisation) if spec.lead_organisation else None,
        partners=[_organisation(p) for p in spec.partners],
        visibility=Visibility.PUBLIC,
    )
    for award in spec.awards:
        _award_make(programme, award)
    for position, milestone in enumerate(spec.milestones, start=1):
        services.milestone_save(
            programme=programme,
            title=milestone.title,
            status=milestone.status,
            on=milestone.on,
            precision=milestone.precision,
            when_note=milestone.when_note,
            position=position,
        )
    services.update_add(programme=programme, on=PAPER_DATE, text=spec.update, source=PAPER)
    for indicator in indicators_for(ADMIN, network).filter(code__in=spec.indicators):
        services.link_add(programme=programme, indicator=indicator)
    return programme


def _award_make(programme: Programme, spec: DemoAward) -> None:
    award = services.award_save(
        programme=programme,
        funder=_organisation(spec.funder) if spec.funder else None,
        funder_note=spec.funder_note,
        amount=spec.amount,
        amount_note=spec.amount_note,
        first_year=spec.first_year,
        last_year=None,
        term_years=spec.term_years,
        status=spec.status,
        notes=spec.notes,
    )
    shares = list(spec.allocations)
    if spec.each_provider is not None:
        each = spec.each_provider
        shares = [DemoAllocation(each.purpose, each.amount, code) for code in PROVIDERS] + shares
    for share in shares:
        services.allocation_save(
            award=award,
            organisation=_organisation(share.organisation) if share.organisation else None,
            purpose=share.purpose,
            amount=share.amount,
            notes=share.notes,
        )


@transaction.atomic
def programmes_demo_reset() -> None:
    """Delete the demo's programmes (their awards, milestones and updates go with them)."""
    Programme.objects.filter(
        network__slug=ALLIANCE_SLUG, slug__in=[p.slug for p in PROGRAMMES]
    ).delete()
