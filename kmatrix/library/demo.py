"""The demo library: resources for the East Midlands MLN and the Alliance, and items the NEYH
and NW MLNs share with their partner, the East Midlands MLN.

Every resource but one is illustrative (made up for the demo, with files the loader writes:
real PDF, DOCX and PPTX with real text) and says so on its page. The exception is the
service development guide the MLN works from, named in the seed document; we hold no copy
of it, so it has no file and no link. One phrase, "sundowning comfort trolley", appears only
inside a slide deck, so that finding it shows search reading the text inside files.

Resources are found by network and title and never changed, so loading twice writes nothing.
Writes go through the library's services (as an administrator would make them), and the
files' text is read by the same function the background task runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from io import BytesIO

from django.db import transaction

from kmatrix.core.access import Viewer, Visibility
from kmatrix.core.models import User
from kmatrix.library import files_demo, services
from kmatrix.library.models import Resource
from kmatrix.networks.models import Network, Organisation, Theme

Kind = Resource.Kind
DECK_PHRASE = "sundowning comfort trolley"
NET, PUB, ORG, RES = (
    Visibility.NETWORK, Visibility.PUBLIC, Visibility.ORGANISATION, Visibility.RESTRICTED,
)  # fmt: skip
WRITERS: dict[str, Callable[[str, Sequence[files_demo.Section]], bytes]] = {
    "pdf": files_demo.pdf_bytes,
    "docx": files_demo.docx_bytes,
    "pptx": files_demo.pptx_bytes,
}


@dataclass(frozen=True)
class DemoFile:
    filename: str
    sections: tuple[files_demo.Section, ...]


@dataclass(frozen=True)
class DemoResource:
    network: str
    kind: str
    title: str
    summary: str
    themes: tuple[str, ...]
    body: str = ""
    visibility: str = NET
    status: str = Resource.Status.PUBLISHED
    organisation: str = ""  # ODS code or name
    author: str = "coordinator@example.org"
    shared: bool = True
    files: tuple[DemoFile, ...] = field(default_factory=tuple)
    illustrative: bool = True
    licence: str = ""


SLIDES = DemoFile(
    "dementia-in-the-general-hospital.pptx",
    (
        ("Why this matters", ("Older people with dementia stay longer in hospital than others",
                              "Unfamiliar wards and routines add to distress")),
        ("Late-afternoon distress", ("Recognise restlessness as the light fades",
                                     "Reduce noise, offer a drink and company")),
        ("What one ward tried", (f"A {DECK_PHRASE}: music, photographs, textures and a "
                                 "hand massage kit, wheeled to the bedside at four o'clock",
                                 "Staff on the late shift take turns to run it")),
        ("Next steps", ("Share the ward's checklist with the liaison team",
                        "Feed back at the next network meeting")),
    ),
)  # fmt: skip

RESOURCES: tuple[DemoResource, ...] = (
    DemoResource(
        "em-mln", Kind.NATIONAL_POLICY,
        "Everybody's Business. Integrated mental health services for older adults: a service "
        "development guide",
        "The service development guide (SDG) that the MLN was launched to put into practice "
        "across the region. Its key themes frame the network's workstreams, and teams compare "
        "their baseline data with the commissioning checklist it contains.",
        ("Commissioning",), visibility=PUB, organisation="Care Services Improvement Partnership",
        illustrative=False,
    ),
    DemoResource(
        "em-mln", Kind.TRAINING_SLIDES,
        "Dementia awareness in the general hospital: training slides",
        "Slides for a one-hour session for ward staff on supporting older people with "
        "dementia during a hospital stay, with one ward's idea for the late afternoon.",
        ("Liaison/General Hospital", "In patient services"), organisation="RXM",
        files=(SLIDES,),
    ),
    DemoResource(
        "em-mln", Kind.POSITIVE_PRACTICE,
        "A memory café planned with the people who use it",
        "Service users and carers chose the venue, the time and the activities of a monthly "
        "memory café, and now run its feedback sessions.",
        ("Service User Engagement",), visibility=PUB, organisation="Age UK Derby and Derbyshire",
        body="**What changed:** attendance doubled in six months once carers chose the time.\n\n"
        "- A carer co-chairs the planning group\n- Feedback goes to the theme's workstream",
        files=(DemoFile("memory-cafe-planned-with-service-users.docx", (
            ("How it started", ("Three carers asked for a café at a time they could manage.",)),
            ("What we did", ("Service users voted on the activities: reminiscence, singing "
                             "and chair exercise.", "Volunteers from the carers' group greet "
                             "people at the door.")),
            ("What we learnt", ("Ask people before you book a room.",)),
        )),),
    ),
    DemoResource(
        "em-mln", Kind.TEMPLATE,
        "Baseline of care home liaison: data collection template",
        "The table each team fills in to record its care home liaison provision before "
        "comparing it with the commissioning checklist.",
        ("Care Homes/Housing/Home care/Day services",),
        files=(DemoFile("care-home-liaison-baseline.pdf", (
            ("Provision", ("Number of care homes with a named liaison nurse.",
                           "Visits a month, and who makes them.")),
            ("Gaps", ("Note each checklist item the locality cannot yet meet.",)),
        )),),
    ),
    DemoResource(
        "em-mln", Kind.BRIGHT_IDEA,
        "A carers' feedback loop for the intermediate care team",
        "A short card left after each visit so that carers can say what helped.",
        ("Specialist CMHT/Intermediate care",), status=Resource.Status.IN_REVIEW,
        author="theme.lead@example.org",
    ),
    DemoResource(
        "em-alliance", Kind.POSITIVE_PRACTICE,
        "Keeping clinical support workers in their first year",
        "What the providers learnt from the support worker retention programme: buddying, "
        "protected induction time and a conversation at twelve weeks.",
        ("Workforce development",), visibility=PUB,
        files=(DemoFile("support-worker-retention.docx", (
            ("Buddying", ("Each new support worker is paired with an experienced colleague.",)),
            ("The twelve-week conversation", ("A structured check-in before people decide "
                                              "whether to stay.",)),
        )),),
    ),
    DemoResource(
        "em-alliance", Kind.REPORT,
        "Restrictive practice review: the Alliance-wide summary",
        "The comparative review's findings across the six providers, for the Medical and "
        "Nurse Director network.",
        ("Safety",),
        files=(DemoFile("restrictive-practice-alliance-summary.pdf", (
            ("Findings", ("Use of restraint fell where wards held daily safety huddles.",)),
            ("Recommendations", ("Share huddle scripts between providers.",)),
        )),),
    ),
    DemoResource(
        "em-alliance", Kind.REPORT,
        "Restrictive practice review: Derbyshire Healthcare's own report",
        "The provider's confidential report from the comparative review.",
        ("Safety",), visibility=ORG, organisation="RXM",
    ),
    DemoResource(
        "em-alliance", Kind.REPORT,
        "Restrictive practice review: notes on individual incidents",
        "Working notes on individual incidents, for the review team only.",
        ("Safety",), visibility=RES,
    ),
    DemoResource(
        "neyh-mln", Kind.POSITIVE_PRACTICE,
        "Intermediate care in-reach to care homes",
        "An intermediate care team visits care homes weekly so that residents in crisis are "
        "supported where they live.",
        ("Specialist CMHT/Intermediate care", "Care Homes/Housing/Home care/Day services"),
        files=(DemoFile("intermediate-care-in-reach.pptx", (
            ("The model", ("A weekly round with each care home's manager",
                           "Same-day advice by telephone")),
            ("Results", ("Fewer admissions from the homes taking part",)),
        )),),
    ),
    DemoResource(
        "neyh-mln", Kind.REPORT,
        "Workstream budget notes",
        "Internal notes on the NEYH MLN's workstream budgets, not shared with partners.",
        ("Commissioning",), shared=False,
    ),
    DemoResource(
        "nw-mln", Kind.POSITIVE_PRACTICE,
        "A memory assessment pathway run from primary care",
        "GP practices run first memory assessments with support from the specialist team, "
        "shortening the wait for a diagnosis.",
        ("Primary Care",),
        files=(DemoFile("primary-care-memory-pathway.pdf", (
            ("The pathway", ("The practice nurse runs the first assessment.",
                             "The specialist team reviews each result within a week.")),
        )),),
    ),
    DemoResource(
        "nw-mln", Kind.TOOL,
        "Health promotion walking groups: a toolkit",
        "How to start a walking group for older people with memory problems and their carers.",
        ("Health Promotion",),
    ),
)  # fmt: skip


def _admin(user: User) -> Viewer:
    # The loader acts as an administrator would, through the same services as the pages.
    return Viewer(user_id=user.pk, is_admin=True)


def _organisation(key: str) -> Organisation | None:
    if not key:
        return None
    return Organisation.objects.filter(ods_code=key).first() or Organisation.objects.get(name=key)


@transaction.atomic
def library_demo_load() -> int:
    """Load the demo's resources and files; returns how many resources it made."""
    made = 0
    for spec in RESOURCES:
        network = Network.objects.filter(slug=spec.network).first()
        if network is None or Resource.objects.filter(network=network, title=spec.title).exists():
            continue
        _load(spec, network)
        made += 1
    return made


def _load(spec: DemoResource, network: Network) -> Resource:
    author = User.objects.get(email=spec.author)
    viewer = _admin(author)
    themes = list(Theme.objects.filter(name__in=spec.themes, adoptions__network=network))
    resource = services.resource_save(
        viewer=viewer,
        user=author,
        network=network,
        themes=themes,
        kind=spec.kind,
        title=spec.title,
        summary=spec.summary,
        body=spec.body,
        organisation=_organisation(spec.organisation),
        visibility=spec.visibility,
        shared_with_partners=spec.shared,
        licence=spec.licence,
    )
    # Not a form field: only the loader marks a resource as illustrative.
    resource.is_illustrative = spec.illustrative
    resource.save(update_fields=["is_illustrative"])
    for demo_file in spec.files:
        kind = demo_file.filename.rsplit(".", 1)[-1]
        data = WRITERS[kind](spec.title, demo_file.sections)
        version = services.file_upload(
            viewer=viewer, resource=resource, upload=BytesIO(data),
            filename=demo_file.filename, size=len(data), user=author,
        )  # fmt: skip
        services.file_text_store(version_id=version.pk)
    if spec.status == Resource.Status.PUBLISHED:
        services.resource_publish(viewer=viewer, resource=resource)
    elif spec.status == Resource.Status.IN_REVIEW:
        services.resource_submit(viewer=viewer, resource=resource)
    return resource


def library_demo_reset() -> None:
    """The demo's resources go with their networks; their stored files go with them here."""
    for resource in Resource.objects.filter(title__in=[r.title for r in RESOURCES]):
        for attached in resource.files.all():
            for version in attached.versions.all():
                version.stored.delete(save=False)
        resource.delete()
