"""Fictional people, and made-up names of places and groups, for the demo and the generator.

Nobody here is real. The seed documents name real people; none of those names is used, and
the tests check that none creeps in. Surnames are made from nature words and English
place-name endings (Thistlecombe, Wrenthorpe) so that they read as plainly invented.
"""

from __future__ import annotations

from dataclasses import dataclass

from kmatrix.core.access import Visibility

FIRST_NAMES: tuple[str, ...] = (
    "Abigail", "Adaeze", "Aled", "Amara", "Amir", "Anjali", "Arthur", "Astrid", "Ayesha",
    "Beatrice", "Bethan", "Caleb", "Callum", "Carys", "Chidi", "Chloe", "Ciaran", "Clara",
    "Damilola", "Daniel", "Deepa", "Declan", "Dominic", "Eilidh", "Eleanor", "Elliot", "Esme",
    "Ewan", "Farah", "Fatima", "Felix", "Femi", "Fiona", "Freya", "Gareth", "Georgia", "Gwen",
    "Hamza", "Hannah", "Harvey", "Hazel", "Helena", "Idris", "Imogen", "Imran", "Isla", "Ivor",
    "Jasmine", "Jasper", "Joanna", "Joseph", "Jude", "Kai", "Kavita", "Keira", "Kwame", "Layla",
    "Leon", "Lowri", "Lucia", "Magnus", "Maisie", "Malcolm", "Marian", "Matthew", "Maya", "Mei",
    "Morgan", "Nathan", "Niamh", "Nikhil", "Nina", "Oluwaseun", "Olivia", "Omar", "Orla", "Owen",
    "Petra", "Philippa", "Pradeep", "Priya", "Quentin", "Rachel", "Rafael", "Ravi", "Rhiannon",
    "Rosalind", "Rory", "Ruth", "Samuel", "Saoirse", "Selin", "Shona", "Simran", "Siobhan",
    "Stefan", "Tamsin", "Theo", "Tobias", "Ursula", "Vikram", "Wesley", "Yasmin", "Yusuf", "Zara",
    "Zainab",
)  # fmt: skip

SURNAME_STEMS: tuple[str, ...] = (
    "Alder", "Ash", "Birch", "Bracken", "Bramble", "Briar", "Cloud", "Elder", "Fern", "Frost",
    "Hawk", "Hazel", "Heather", "Holly", "Juniper", "Kestrel", "Lark", "Linden", "Maple",
    "March", "Moss", "Nettle", "Oak", "Otter", "Pebble", "Quill", "Raven", "Reed", "Rowan",
    "Sorrel", "Starling", "Thistle", "Willow", "Wren", "Yarrow",
)  # fmt: skip

SURNAME_ENDINGS: tuple[str, ...] = (
    "bank", "by", "combe", "dale", "field", "ford", "gate", "hurst", "mere", "more", "stone",
    "thorpe", "wick", "wood",
)  # fmt: skip

SURNAMES: tuple[str, ...] = tuple(stem + end for stem in SURNAME_STEMS for end in SURNAME_ENDINGS)

JOB_TITLES: tuple[str, ...] = (
    "Approved Mental Health Professional", "Carers' Support Worker", "Charge Nurse",
    "Clinical Lead", "Clinical Psychologist", "Commissioning Manager",
    "Community Mental Health Nurse", "Consultant Nurse", "Consultant Psychiatrist",
    "Data Analyst", "Dementia Adviser", "Director of Nursing", "Director of Strategy",
    "General Practitioner", "Head of Quality Improvement", "Housing Support Officer",
    "Improvement Adviser", "Lived Experience Practitioner", "Medical Director", "Modern Matron",
    "Occupational Therapist", "Peer Support Worker", "Pharmacist", "Physiotherapist",
    "Practice Development Nurse", "Project Manager", "Public Health Specialist",
    "Service Manager", "Social Worker", "Speech and Language Therapist", "Team Manager",
    "Training Lead", "Volunteer Coordinator", "Ward Manager",
)  # fmt: skip

# Made-up places, topics and groups for the scale generator.
REGIONS = (
    "North East and Yorkshire", "North West", "Midlands", "East of England", "London",
    "South East", "South West",
)  # fmt: skip
PLACE_STARTS = (
    "Ash", "Bram", "Cold", "Dun", "Elm", "Fair", "Glen", "High", "Kings", "Long", "Mill",
    "Nether", "Red", "Stan", "Thorn", "Wal", "Wester", "Wood",
)  # fmt: skip
PLACE_ENDS = (
    "bury", "by", "caster", "combe", "field", "ford", "ham", "ley", "minster", "mouth",
    "stead", "thorpe", "ton", "well", "wick",
)  # fmt: skip
NETWORK_TOPICS = (
    "Older People's Mental Health", "Dementia", "Perinatal Mental Health", "Eating Disorders",
    "Children and Young People's Mental Health", "Forensic Mental Health",
    "Learning Disability and Autism", "Suicide Prevention", "Community Mental Health",
    "Mental Health Crisis Care", "Addictions", "Veterans' Mental Health",
)  # fmt: skip
FRAMEWORK_TOPICS = (
    "Mental health improvement", "Dementia care", "Older people's services",
    "Perinatal mental health", "Learning disability and autism", "Children and young people",
    "Community mental health", "Crisis and acute care",
)  # fmt: skip
THEME_NAMES = (
    "Safety", "Quality improvement", "Workforce", "Commissioning", "Digital and data",
    "Carers and families", "Service user engagement", "Health inequalities", "Primary care",
    "Inpatient services", "Community services", "Crisis care", "Housing and care homes",
    "Physical health", "Prevention", "Research and innovation", "Sustainability",
    "Transitions", "Medicines optimisation", "Restrictive practice", "Suicide prevention",
    "Culture and diversity", "Co-production", "Outcomes and measurement",
)  # fmt: skip
GROUP_NAMES: dict[str, tuple[str, ...]] = {  # by Group.Kind value
    "forum": ("Chief Executive Forum", "Board", "Clinical Reference Group"),
    "professional_network": (
        "Medical Director network", "Nurse Director network", "HR Director network",
        "Finance Director forum", "Digital leads group", "Pharmacy leads network",
        "Allied health professions network",
    ),
    "community_of_practice": (
        "Restrictive practice", "Sexual safety", "Suicide and self-harm", "Co-production",
        "Quality improvement", "Physical health",
    ),
    "collaborative": ("CAMHS", "Adult eating disorders", "Forensic services", "Perinatal"),
    "working_group": ("Workforce dashboard", "Data and outcomes", "Carers' voices"),
}  # fmt: skip

# People named in the seed documents, and therefore never used for anyone here.
SEED_NAMES: tuple[str, ...] = (
    "Nadine", "Schofield", "Janet", "Greenfield", "Sharon", "Aiken", "Cashmore", "Bindu",
    "Parmar", "Jackie", "Collins", "Hughes", "O'Brien", "Patrick", "Russell", "Sanjith",
    "Kamath", "Duggan", "Husnara", "Malik", "Jacqui", "Dyer", "Graeme", "Jones", "Alan",
    "Green", "Jane", "Sarah", "Kate", "Bev", "Andrea", "Sean",
)  # fmt: skip


@dataclass(frozen=True)
class DemoPerson:
    """A fictional person in the demo; ``organisation`` is a key from seed.ORGANISATIONS."""

    key: str
    full_name: str
    job_title: str
    organisation: str
    visibility: str = Visibility.NETWORK
    email: str = ""  # left blank, the email is made from the name and employer


# The Managed Learning Network: its officers and the people in its five workstreams.
# The workstreams mirror the seed's numbers and overlaps of people per theme.
MLN_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("mln_chair_csip", "Rosalind Fernsby",
               "Older People's Mental Health Lead", "csip", Visibility.PUBLIC),
    DemoPerson("mln_chair_member", "Tobias Wrenthorpe",
               "Consultant Old Age Psychiatrist", "RHA", Visibility.PUBLIC),
    DemoPerson("coordinator", "Priya Larkmore",
               "Network Coordinator", "RHA", email="coordinator@example.org"),
    DemoPerson("communications_lead", "Callum Reedwood", "Communications Lead", "csip"),
    DemoPerson("knowledge_manager", "Esme Quillfield", "Knowledge Management Officer", "csip"),
    DemoPerson("theme_lead", "Imogen Hazelby",
               "Engagement and Involvement Manager", "ageuk-notts", email="theme.lead@example.org"),
    DemoPerson("care_homes_lead", "Ruth Bramblecombe",
               "Commissioning Manager, Care Homes", "nottinghamshire-cc"),
    DemoPerson("social_work_manager", "Joseph Marchbank",
               "Social Work Team Manager", "derbyshire-cc"),
    DemoPerson("occupational_therapist", "Anjali Sorrelby", "Occupational Therapist", "RT5"),
    DemoPerson("housing_manager", "Gareth Kestrelford",
               "Housing with Care Manager", "lincolnshire-cc"),
    DemoPerson("cmht_lead", "Helena Ashcombe", "Community Mental Health Team Manager", "RP7"),
    DemoPerson("liaison_lead", "Matthew Yarrowdale", "Liaison Psychiatry Nurse Consultant", "RP1"),
    DemoPerson("liaison_nurse", "Siobhan Willowmere", "Acute Hospital Liaison Nurse", "RHA"),
    DemoPerson("inpatient_lead", "Declan Rowanford",
               "Modern Matron, Older People's Inpatient Services", "RXM"),
    DemoPerson("member", "Olivia Starlingwood",
               "Consultant Nurse, Older People's Mental Health", "RXM",
               email="member@example.org"),
    DemoPerson("charge_nurse", "Kwame Mossgate", "Charge Nurse", "RP7", Visibility.ORGANISATION),
    DemoPerson("carers_worker", "Beatrice Pebblemere",
               "Carers' Support Worker", "ageuk-derby", Visibility.RESTRICTED),
    DemoPerson("commissioner", "Samuel Elderfield",
               "Commissioning Manager, Older Adults", "leicestershire-cc"),
    DemoPerson("dementia_adviser", "Fatima Heatherstone", "Dementia Adviser", "ageuk-derby"),
    DemoPerson("adult_social_care", "Owen Thistlewick",
               "Adult Social Care Practitioner", "northamptonshire-cc"),
)  # fmt: skip

# People with a demo login who are not already above.
LOGIN_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("administrator", "Aled Quillstone",
               "Knowledge Matrix System Administrator", "nhse", email="admin@example.org"),
    DemoPerson("board_reader", "Philippa Lindenhurst",
               "Non-executive Director", "RT5", email="board.reader@example.org"),
    DemoPerson("supervision_pm", "Tamsin Alderwick",
               "Therapy Supervision Project Manager", "NYA", email="project.manager@example.org"),
)  # fmt: skip

# Posts each Alliance provider fills; the professional networks are made of these people.
ALLIANCE_POSTS: tuple[tuple[str, str], ...] = (
    ("chief_executive", "Chief Executive"),
    ("chair", "Chair"),
    ("medical_director", "Medical Director"),
    ("nurse_director", "Director of Nursing"),
    ("strategy_director", "Director of Strategy"),
    ("finance_director", "Director of Finance"),
    ("hr_director", "Director of People and HR"),
    ("pcref_lead", "Patient and Carer Race Equality Framework Lead"),
    ("sustainability_lead", "Head of Sustainability"),
    ("digital_lead", "Chief Digital Information Officer"),
    ("restrictive_practice_lead", "Reducing Restrictive Practice Lead"),
    ("sexual_safety_lead", "Sexual Safety Lead"),
    ("suicide_prevention_lead", "Suicide Prevention Lead"),
)

# Posts already filled by someone above rather than by a made-up name.
ALLIANCE_POSTS_HELD: dict[tuple[str, str], str] = {
    ("RXM", "restrictive_practice_lead"): "member",
}


def alliance_key(provider: str, post: str) -> str:
    return f"{provider.lower()}_{post}"


def alliance_people(providers: tuple[str, ...]) -> list[DemoPerson]:
    """One fictional person per provider and post, with names picked by a fixed stride.

    The strides are coprime with the list lengths, so the names are distinct and the same on
    every run; names already used by the MLN's people are skipped.
    """
    taken = {p.full_name for p in MLN_PEOPLE + LOGIN_PEOPLE}
    people = []
    i = 0
    for post, title in ALLIANCE_POSTS:
        for provider in providers:
            if (provider, post) in ALLIANCE_POSTS_HELD:
                continue
            name = _free_name(i, taken)
            taken.add(name)
            i += 1
            people.append(DemoPerson(alliance_key(provider, post), name, title, provider))
    return people


def _free_name(i: int, taken: set[str]) -> str:
    while True:
        first = FIRST_NAMES[(i * 7 + 3) % len(FIRST_NAMES)]
        name = f"{first} {SURNAMES[(i * 37 + 11) % len(SURNAMES)]}"
        if name not in taken:
            return name
        i += 1


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    person_key: str | None
    can_do: str
    superuser: bool = False


DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for anyone trying the demo

LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("administrator", "admin@example.org", "administrator",
              "Everything, including the Django admin at /admin/", superuser=True),
    DemoLogin("coordinator", "coordinator@example.org", "coordinator",
              "Runs both demo networks: members, invitations, themes, workstreams, groups"),
    DemoLogin("theme lead", "theme.lead@example.org", "theme_lead",
              "Leads the MLN's Service User Engagement workstream; reads the MLN"),
    DemoLogin("member", "member@example.org", "member",
              "Reads the MLN and the Alliance (member from Derbyshire Healthcare)"),
    DemoLogin("board reader", "board.reader@example.org", "board_reader",
              "Reads the Alliance's Board-level records only"),
    DemoLogin("outsider", "outsider@example.org", None,
              "Signed in with no memberships: sees public pages only"),
    DemoLogin("project manager", "project.manager@example.org", "supervision_pm",
              "Runs the Alliance's Therapy Supervision: vetting, bookings, payments"),
    DemoLogin("supervisor", "supervisor@example.org", None,
              "An external therapy supervisor: their sessions, bookings and payments"),
    DemoLogin("HR director", "hr.director@example.org", "rha_hr_director",
              "Chairs the HR Director network: supervision need against provision"),
)  # fmt: skip
