"""The demo's meetings: those the Alliance's common Board paper of June 2023 (seed 003) reports,
with what they discussed and decided, in the paper's words or close to them.

The paper gives most meetings a month only ("the HR Director network met in February and May
2023"), so those are recorded to the month; only the joint Chair and CEO meetings (3 May in
Leicester, 9 June at St Andrew's in Northampton) and the PCREF group's 5 May meeting have a
day. No meeting has a time: the paper gives none, so none is invented, and the two with a day
appear in calendars as all-day events. Presenters are named by role, as the paper names them;
attendance lists the group's members (the demo's fictional people) and says it is
illustrative. The actions are those the decisions set, owned by the group the paper names; an
action's result is recorded only where the paper shows it (the June paper is itself
structured under the six strategic themes). The Medical and Nurse Director network's item on
the restrictive practice reports has as its papers the two reports of that review the library
demo holds (the Alliance-wide summary, and Derbyshire Healthcare's own report, which only its
organisation's members and coordinators may read).

Loading is idempotent: a meeting is found by network, group (or programme), title and date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from kmatrix.core.access import Viewer, Visibility
from kmatrix.library.queries import CatalogueFilters, catalogue
from kmatrix.meetings import services
from kmatrix.meetings.models import (
    ActionStatus,
    AttendanceStatus,
    DatePrecision,
    Meeting,
    MeetingStatus,
)
from kmatrix.networks.models import Group, Network, Theme
from kmatrix.programmes.queries import programmes_of

ALLIANCE_SLUG = "em-alliance"
STRATEGIC_THEMES_SLUG = "em-alliance-strategic-themes"
ILLUSTRATIVE_ATTENDANCE = (
    "Illustrative: the Board paper does not say who attended, so the group's members (the "
    "demo's fictional people) are shown as present."
)
ADMIN = Viewer(is_admin=True)
DAY, MONTH = DatePrecision.DAY, DatePrecision.MONTH


@dataclass(frozen=True)
class DemoItem:
    title: str
    notes: str = ""
    presenter: str = ""  # a role, as the paper names presenters
    programme: str = ""  # a programme slug
    library: tuple[str, ...] = ()  # titles of the papers the library demo holds


@dataclass(frozen=True)
class DemoAction:
    title: str
    owner_group: str  # a group slug: the paper names groups, not people
    status: str = ActionStatus.OPEN
    due_on: date | None = None
    closed_on: date | None = None
    result: str = ""


@dataclass(frozen=True)
class DemoDecision:
    text: str
    themes: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    actions: tuple[DemoAction, ...] = ()


@dataclass(frozen=True)
class DemoMeeting:
    group: str  # a group slug, or "" for a programme's event
    title: str
    date: date
    precision: str
    agenda: tuple[DemoItem, ...]
    minutes: str = ""
    location: str = ""
    decisions: tuple[DemoDecision, ...] = ()
    programme: str = ""


It, D, A = DemoItem, DemoDecision, DemoAction
PS, CSW, TS, GAMBLING, ROLE = (
    "patient-safety",
    "csw-retention",
    "therapy-supervision",
    "gambling-addictions-service",
    "mental-health-innovation-role",
)
JOINT = "joint-chair-ceo"

MAY_3_MINUTES = """\
The first part of the agenda was a stocktake of key areas of the Alliance's delivery in the
last year. An Alliance Framework has been developed which summarises the professional networks,
formal collaboratives, key programmes of work and the role of the Alliance Board in setting
the strategic direction. The group reviewed progress with the quality improvement support from
the Alliance to St Andrew's, the East Midlands Mental Health Patient Safety programme, the new
regional Gambling addictions service and the Clinical Support Worker retention case study. It
reviewed a new draft common Board paper summarising the Alliance's activities in 2023.

The second part looked forwards. The group reviewed progress under the six strategic themes
and heard feedback from senior external partners and regulators, who were asked to reflect on
the Alliance's progress and contribution and suggest future priorities. The feedback was very
positive, more about the wider Alliance work than the formal specialised service
collaboratives. There was strong support for working together and demonstrable value added
through the case studies and professional networks. The progress made would be a springboard
for the future: a culture of trust has been developed and will enable a bolder phase two.
"""

JUNE_9_MINUTES = """\
A face-to-face meeting of the Alliance Chairs and Chief Executives at the St Andrew's site in
Northampton. The group reviewed the strategic themes and used a model of "why, what and how"
to focus them, and discussed giving future priority to these draft strategic themes:

- Quality improvement
- Safety
- Workforce development
- Population health and inequalities

It discussed delivery methods to implement actions linked to the draft themes: collaboration;
sharing learning; population health; joint programmes; strong collective voice; innovation;
effective use of resources. It discussed underpinning values, including being respectful and
supportive, and possible principles: subsidiarity (taking decisions as locally as possible),
collaboration by consent, and not acting to the detriment of others in the Alliance. The
workshop considered where the Alliance should be in three years' time and identified some
"wicked collective issues" for it to tackle.
"""

MEETINGS: tuple[DemoMeeting, ...] = (
    DemoMeeting(
        "pcref-leads",
        "PCREF leads network",
        date(2022, 12, 1),
        MONTH,
        (
            It(
                "Experience of a pilot PCREF site and its priority areas",
                presenter="The PCREF lead from Birmingham and Solihull",
            ),
        ),
    ),
    DemoMeeting(
        "strategy-finance-directors",
        "Joint session of Strategy and Finance Directors",
        date(2023, 1, 1),
        MONTH,
        (
            It("Planning"),
            It("Learning Disability Pathway panels and the cost of different models"),
            It("The CAMHS cost comparison work"),
            It(
                "Lived Experience in Collaboratives",
                presenter="The national lead for Lived Experience in Collaboratives",
            ),
            It("Funding of the Patient Safety programme", programme=PS),
        ),
    ),
    DemoMeeting(
        "hr-directors",
        "HR Director network",
        date(2023, 2, 1),
        MONTH,
        (It("Plans to manage industrial action"), It("The BMA rate card"), It("Derogations")),
    ),
    DemoMeeting(
        "pcref-leads",
        "PCREF leads network",
        date(2023, 2, 1),
        MONTH,
        (
            It(
                "Governance for a PCREF programme, leadership, and integrating PCREF with other "
                "Trust priorities",
                presenter="The PCREF lead from Essex",
            ),
        ),
    ),
    DemoMeeting(
        "digital-leads",
        "Alliance data workshop",
        date(2023, 2, 1),
        MONTH,
        (
            It(
                "Planned national developments in mental health data on pricing, outcomes and "
                "equalities",
                "Held in response to a request from the national mental health data team. The "
                "national leads invited comment and participation in future pilots.",
                presenter="The national leads for each area of work",
            ),
        ),
        decisions=(
            D(
                "The digital leads group will meet again in the summer to share approaches "
                "and innovations on data between providers."
            ),
        ),
    ),
    DemoMeeting(
        "strategy-finance-directors",
        "Strategy Director forum",
        date(2023, 3, 1),
        MONTH,
        (
            It(
                "A rewards-based app that monitors mood changes amongst children and young people",
                "It could be used as an additional tool to monitor people while they wait for "
                "assessment or treatment.",
                presenter="A company developing the app",
            ),
            It("The new Op Courage programme: update"),
            It(
                "A region-wide Innovation exchange event run by the AHSN",
                "Focusing on markers of deterioration for people on waiting lists.",
            ),
            It("The embedded Alliance Mental Health Innovation role", programme=ROLE),
            It("The national Provider Collaborative Innovator programme"),
        ),
    ),
    DemoMeeting(
        "",
        "Patient Safety learning event",
        date(2023, 3, 1),
        MONTH,
        (
            It(
                "Keynote",
                presenter="The Chief Executive of the Mental Health Network at the "
                "NHS Confederation",
            ),
            It("Identifying and addressing closed cultures", "The morning session."),
            It(
                "Table sessions",
                "- Suicide prevention\n- Patients on Leave\n- Service user involvement\n"
                "- Shearwater: Ligature Assessment\n- Co-production\n- Reducing restrictive "
                "practice\n- Sexual safety\n- Aintree Project",
            ),
        ),
        location="Nottingham",
        programme=PS,
    ),
    DemoMeeting(
        "sustainability",
        "Alliance Sustainability Group",
        date(2023, 3, 1),
        MONTH,
        (
            It("Progress and successes across the Alliance"),
            It(
                "The Green NHS team",
                presenter="Regional and national leads from the Green NHS team",
            ),
            It("Green plan guidance, and examples of plans from elsewhere in the country"),
            It(
                "Support resources and a series of development events",
                "The national Green NHS leads invited Alliance members to the events.",
            ),
        ),
        minutes="The group of green champions and sustainability leads from the Alliance "
        "providers met for the first time.",
        decisions=(D("Meet again later in the year to share progress."),),
    ),
    DemoMeeting(
        "alliance-board",
        "Alliance Board",
        date(2023, 4, 1),
        MONTH,
        (
            It(
                "Formal updates from the Specialised service collaboratives covering the East "
                "Midlands"
            ),
            It(
                "Progress with the new Gambling Addictions service for the East Midlands",
                presenter="The service's lead clinician and lead manager",
                programme=GAMBLING,
            ),
            It("The Collaborative review: update"),
            It("The Patient Safety programme: update", programme=PS),
            It("The review of restrictive practice across the Alliance"),
            It("Key workforce funding programmes"),
            It(
                "Opportunities through the national Provider Collaborative Innovator status",
                "Discussed.",
            ),
            It("Preparation for the joint Chair and CEO meeting in May", "Discussed."),
        ),
    ),
    DemoMeeting(
        "medical-nurse-directors",
        "Medical and Nurse Director network",
        date(2023, 4, 1),
        MONTH,
        (
            It(
                "Draft programme of work for 2023/24 for the AHSN Patient Safety programme",
                "Received and reviewed.",
                programme=PS,
            ),
            It(
                "An initiative to research the different approaches to mechanical restraint, "
                "particularly in high secure settings"
            ),
            It("Recent CQC experiences"),
            It("Digital innovation"),
            It(
                "The restrictive practice reports",
                library=(
                    "Restrictive practice review: the Alliance-wide summary",
                    "Restrictive practice review: Derbyshire Healthcare's own report",
                ),
            ),
            It(
                "The new Op Courage programme, including service coverage and referral routes",
                "A presentation.",
            ),
        ),
    ),
    DemoMeeting(
        JOINT,
        "Joint Chair and CEO meeting",
        date(2023, 5, 3),
        DAY,
        (
            It(
                "Stocktake of the Alliance's delivery in the last year",
                "The Alliance Framework; quality improvement support to St Andrew's; the Patient "
                "Safety programme; the Gambling addictions service; the Clinical Support Worker "
                "retention case study.",
                programme=PS,
            ),
            It("The draft common Board paper summarising the Alliance's activities in 2023"),
            It(
                "Looking forward: progress under the six strategic themes",
                "With feedback from senior external partners and regulators.",
            ),
        ),
        minutes=MAY_3_MINUTES,
        location="Leicester",
        decisions=(
            D(
                "Update the Alliance Framework and review it again at the 9 June meeting.",
                actions=(
                    A(
                        "Update the Alliance Framework for review at the 9 June meeting",
                        JOINT,
                        due_on=date(2023, 6, 9),
                    ),
                ),
            ),
            D(
                "Restructure the common Board paper in line with the strategic drivers used by the "
                "Alliance, and support provider Boards to engage with the purpose, vision and "
                "priorities of the Alliance.",
                actions=(
                    A(
                        "Restructure the common Board paper in line with the Alliance's "
                        "strategic drivers",
                        JOINT,
                        ActionStatus.DONE,
                        closed_on=date(2023, 6, 15),
                        result="The common Board paper of June 2023 is structured under the "
                        "six strategic themes.",
                    ),
                ),
            ),
            D(
                "Develop wider joint ownership of the Alliance and bring the wider provider Boards "
                "into the discussions on direction setting."
            ),
            D(
                "Meet again for a facilitated session in June to begin to develop a draft proposal "
                "for a Phase Two of the Alliance, to be tested with provider Boards: building on "
                "what has been achieved, setting a clearer strategic direction through a "
                "collective process and bringing a wider group of Board members into the "
                "discussions.",
                actions=(
                    A(
                        "Hold a facilitated session in June to begin the draft proposal for "
                        "Phase Two",
                        JOINT,
                        ActionStatus.DONE,
                        closed_on=date(2023, 6, 9),
                        result="Held face to face at St Andrew's in Northampton on 9 June 2023.",
                    ),
                ),
            ),
        ),
    ),
    DemoMeeting(
        "pcref-leads",
        "PCREF leads network",
        date(2023, 5, 5),
        DAY,
        (
            It(
                "Changes to the PCREF after the national consultation closed, and the expected "
                "next steps",
                presenter="The national PCREF leads",
            ),
        ),
    ),
    DemoMeeting(
        "hr-directors",
        "HR Director network",
        date(2023, 5, 1),
        MONTH,
        (
            It(
                "Next steps with the Clinical Support Worker programme",
                "Including the proposal for an Equality and Diversity review of the Clinical "
                "Support Worker workforce, retention and development, which the HR Directors had "
                "agreed to review at this meeting.",
                programme=CSW,
            ),
            It("Therapy Supervision", programme=TS),
            It("New roles"),
            It("The CAMHS workforce programme"),
            It("The Collaborative Innovator work"),
        ),
    ),
    DemoMeeting(
        "strategy-finance-directors",
        "Strategy Director forum",
        date(2023, 5, 1),
        MONTH,
        (
            It(
                "The new East Midlands ICB CEO forum",
                "Discussions are under way to bring it together with the Alliance CEO group.",
                presenter="The director lead for the ICB chief executives",
            ),
        ),
    ),
    DemoMeeting(
        JOINT,
        "Joint Chair and CEO meeting",
        date(2023, 6, 9),
        DAY,
        (
            It("The strategic themes: why, what and how"),
            It("Delivery methods for the draft strategic themes"),
            It("Underpinning values and principles"),
            It(
                "Where the Alliance should be in three years' time, and its wicked collective "
                "issues"
            ),
        ),
        minutes=JUNE_9_MINUTES,
        location="St Andrew's Healthcare, Northampton",
        decisions=(
            D(
                "Ask the Strategy Director group to work up a draft model (the draft strategic "
                "themes, delivery methods, values and principles) to play back to the Chair and "
                "CEO group before sharing it with Boards for comment.",
                themes=("Quality Improvement", "Safety", "Workforce development"),
                actions=(
                    A(
                        "Work up a draft model of the strategic themes, delivery methods, "
                        "values and principles to play back to the Chair and CEO group",
                        "strategy-finance-directors",
                    ),
                ),
            ),
            D(
                "Consider any amendments to the governance of the Alliance at a later date, once "
                "its strategic direction is agreed.",
                actions=(
                    A(
                        "Consider amendments to the governance of the Alliance once its "
                        "strategic direction is agreed",
                        JOINT,
                    ),
                ),
            ),
        ),
    ),
)


@transaction.atomic
def meetings_demo_load() -> int:
    """Load the meetings that are missing; returns how many were made."""
    alliance = Network.objects.get(slug=ALLIANCE_SLUG)
    groups = {g.slug: g for g in Group.objects.filter(network=alliance)}
    programmes = {p.slug: p for p in programmes_of(ADMIN, alliance)}
    themes = {t.name: t for t in Theme.objects.filter(framework__slug=STRATEGIC_THEMES_SLUG)}
    made = 0
    for spec in MEETINGS:
        group = groups.get(spec.group)
        existing = Meeting.objects.filter(
            network=alliance, group=group, title=spec.title, date=spec.date
        )
        if not existing.exists():
            _meeting_make(alliance, spec, group, groups, programmes, themes)
            made += 1
    return made


def _meeting_make(
    network: Network,
    spec: DemoMeeting,
    group: Group | None,
    groups: dict[str, Group],
    programmes: dict[str, Any],
    themes: dict[str, Theme],
) -> Meeting:
    meeting = services.meeting_save(
        network=network,
        group=group,
        programme=programmes.get(spec.programme),
        title=spec.title,
        date=spec.date,
        date_precision=spec.precision,
        location=spec.location,
        status=MeetingStatus.HELD,
        minutes=spec.minutes,
        # A group's meeting is seen as its group is; the learning event, like its programme.
        visibility=group.visibility if group else Visibility.PUBLIC,
    )
    for item in spec.agenda:
        services.agenda_item_save(
            meeting=meeting,
            title=item.title,
            notes=item.notes,
            presenter_note=item.presenter,
            programme=programmes.get(item.programme),
            resources=_library_papers(network, item.library),
        )
    if group is not None:
        people = [(p, AttendanceStatus.PRESENT, "") for p in group.members.order_by("full_name")]
        services.attendance_set(meeting=meeting, records=people, note=ILLUSTRATIVE_ATTENDANCE)
    for decision_spec in spec.decisions:
        links: list[Any] = [themes[t] for t in decision_spec.themes]
        links += [programmes[p] for p in decision_spec.programmes]
        decision = services.decision_save(meeting=meeting, text=decision_spec.text, links=links)
        for action in decision_spec.actions:
            services.action_save(
                meeting=meeting,
                decision=decision,
                title=action.title,
                owner_group=groups[action.owner_group],
                status=action.status,
                due_on=action.due_on,
                closed_on=action.closed_on,
                result=action.result,
            )
    return meeting


def _library_papers(network: Network, titles: tuple[str, ...]) -> list[Any]:
    """The library's resources with these titles (none when the library demo is not loaded)."""
    if not titles:
        return []
    found = catalogue(ADMIN, CatalogueFilters(network=network.pk)).filter(title__in=titles)
    return sorted(found, key=lambda r: titles.index(r.title))


@transaction.atomic
def meetings_demo_reset() -> None:
    """Delete the demo's meetings (their agendas, decisions and actions go with them)."""
    for spec in MEETINGS:
        Meeting.objects.filter(
            network__slug=ALLIANCE_SLUG, title=spec.title, date=spec.date
        ).delete()
