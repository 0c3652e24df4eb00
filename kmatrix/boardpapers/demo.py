"""The demo's Board paper: the Alliance's common Board paper of June 2023 (seed 003).

It covers January to June 2023 and is drafted from the demo records through the services, as a
coordinator drafting it would: the six members, the six strategic themes with their indicators
and groups, the professional networks and the joint Chair and CEO group. The recommendations
(a to d) and the titles of appendices 1 to 3 are the seed paper's, entered as the coordinator
would enter them. The paper is left in review, with the demo member as a reviewer.

Idempotent: a paper with this title for the Alliance is left as it is.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from kmatrix.boardpapers import services
from kmatrix.boardpapers.models import BoardPaper, Status
from kmatrix.core.models import User
from kmatrix.networks.models import Network

ALLIANCE_SLUG = "em-alliance"
TITLE = "Common Board paper: June 2023"
PERIOD = (date(2023, 1, 1), date(2023, 6, 30))
PAPER_DATE = date(2023, 6, 15)  # the seed paper's date
JOINT_GROUP = "joint-chair-ceo"
COORDINATOR, REVIEWER = "coordinator@example.org", "member@example.org"

# Seed 003, word for word.
RECOMMENDATIONS_INTRO = "Provider Boards are asked to:"
RECOMMENDATIONS = (
    "note the progress made by the Alliance with collaborative work under the six strategic themes",
    "note the success in attracting discretionary funding to support the delivery of the "
    "strategic themes",
    "note the areas of focus for the professional networks, CEO group and Alliance Board",
    "review the summaries of the joint Chair and CEO meetings held in May and June.",
)
APPENDICES = (
    "Regional restrictive practice report May 2023",
    "Clinical Support Worker case study",
    "Alliance framework slides",
)


@transaction.atomic
def boardpapers_demo_load() -> BoardPaper | None:
    network = Network.objects.filter(slug=ALLIANCE_SLUG).first()
    coordinator = User.objects.filter(email=COORDINATOR).select_related("person").first()
    if network is None or coordinator is None:
        return None
    found = BoardPaper.objects.filter(network=network, title=TITLE).first()
    if found is not None:
        return found
    paper = services.paper_create(
        network=network,
        title=TITLE,
        period_from=PERIOD[0],
        period_to=PERIOD[1],
        author=coordinator.person.full_name,
        paper_date=PAPER_DATE,
        reviewers=User.objects.filter(email=REVIEWER),
        joint_groups=network.groups.filter(slug=JOINT_GROUP),
        user=coordinator,
    )
    services.paper_draft(paper=paper, user=coordinator)
    _entered(paper, "recommendations", RECOMMENDATIONS_INTRO, RECOMMENDATIONS, coordinator)
    _entered(paper, "appendices", "", APPENDICES, coordinator)
    services.paper_status_set(paper=paper, status=Status.IN_REVIEW, user=coordinator)
    return paper


def _entered(paper: BoardPaper, key: str, intro: str, items: tuple[str, ...], user: User) -> None:
    section = paper.sections.get(key=key)
    services.section_save(
        section=section,
        title=section.title,
        body=intro,
        items=items,
        expected_revision=section.revision,
        user=user,
    )
