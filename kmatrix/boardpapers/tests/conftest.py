"""Board paper fixtures on the shared ``world`` (kmatrix/conftest.py).

The network's members are RXM and RT5. Its themes are Safety, then Workforce. Records the
audience (every member's Board) may read: the Safety indicator "restraint" (RXM: 36 months
from April 2022 with a fall from April 2024, so a special cause in 2024-25; RT5: June 2024 to
March 2025 only, too few for SPC), the Safety community of practice, and a professional network.
Records it may not read, which must never appear in a paper: a restricted
indicator, a restricted group, an organisation-level group, and an organisation-level chair
(who may appear in a paper for RXM's Board only).

``reviewer`` is a member of the network named as a reviewer of ``paper``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from kmatrix.boardpapers import services
from kmatrix.boardpapers.models import BoardPaper
from kmatrix.indicators import periods, series
from kmatrix.indicators.models import DataPoint, Direction, Indicator, Unit
from kmatrix.networks import models as m
from kmatrix.networks.tests import factories as f

START = date(2022, 4, 1)
YEAR = (date(2024, 4, 1), date(2025, 3, 31))  # the latest year: stored results
EARLIER = (date(2023, 1, 1), date(2023, 12, 31))  # series go on past it: cut
SECRET_INDICATOR = "Confidential restraint review"
SECRET_GROUP = "Chief executives' private circle"
ORG_GROUP = "Derbyshire ward managers"
ORG_CHAIR = "Orla Organisationlevel"


@dataclass
class PaperWorld:
    world: Any
    paper: BoardPaper
    restraint: Indicator
    reviewer: Any
    workforce: m.Theme


def month(i: int) -> date:
    return periods.add(START, "monthly", i)


def _points(indicator: Indicator, org: m.Organisation, values: list[float], start: int = 0) -> None:
    DataPoint.objects.bulk_create(
        DataPoint(indicator=indicator, organisation=org, period=month(start + i), value=v)
        for i, v in enumerate(values)
    )


def restraint_values() -> list[float]:
    """36 months around 20, falling to around 12 from April 2024 (month 24)."""
    return [(20.0 if i < 24 else 12.0) + (i * 7 % 5) * 0.4 for i in range(36)]


@pytest.fixture
def paper_world(world: Any) -> PaperWorld:
    network = world.network
    for org in (world.org, world.other_org):
        m.NetworkOrganisation.objects.create(network=network, organisation=org, is_member=True)
    workforce = f.ThemeFactory(framework=world.framework, name="Workforce", slug="workforce")
    m.AdoptedTheme.objects.create(network=network, theme=workforce, position=2)
    restraint = Indicator.objects.create(
        network=network,
        code="restraint",
        name="Restraint",
        unit=Unit.RATE_PER_1000_OBD,
        direction=Direction.DECREASE,
        theme=world.theme,
        visibility="network",
    )
    _points(restraint, world.org, restraint_values())
    _points(restraint, world.other_org, [15.0 + i % 3 for i in range(10)], start=26)
    secret = Indicator.objects.create(
        network=network,
        code="secret",
        name=SECRET_INDICATOR,
        unit=Unit.COUNT,
        direction=Direction.DECREASE,
        theme=world.theme,
        visibility="restricted",
    )
    secret.restricted_to.add(world.users["coordinator"])
    _points(secret, world.org, [float(i) for i in range(36)])
    for indicator in (restraint, secret):
        series.series_refresh(indicator=indicator)
    f.GroupFactory(
        network=network,
        name="Safety practice",
        slug="safety-cop",
        kind="community_of_practice",
        theme=world.theme,
        visibility="network",
        purpose="Providers share learning on safety.",
    )
    hidden = f.GroupFactory(
        network=network,
        name=SECRET_GROUP,
        slug="secret",
        kind="professional_network",
        visibility="restricted",
    )
    hidden.restricted_to.add(world.users["coordinator"])
    f.GroupFactory(
        network=network,
        name=ORG_GROUP,
        slug="ward-managers",
        kind="community_of_practice",
        theme=world.theme,
        visibility="organisation",
    )
    chair = f.PersonFactory(full_name=ORG_CHAIR, organisation=world.org, visibility="organisation")
    f.MembershipFactory(person=chair, network=network, organisation=world.org, roles=["member"])
    f.GroupFactory(
        network=network,
        name="HR Directors",
        slug="hr",
        kind="professional_network",
        visibility="network",
        chair=chair,
        purpose="HR directors meet.",
    )
    reviewer = f.UserFactory(email="reviewer@example.org")
    person = f.PersonFactory(full_name="Rhea Reviewer", organisation=world.org, user=reviewer)
    f.MembershipFactory(person=person, network=network, organisation=world.org, roles=["member"])
    paper = services.paper_create(
        network=network,
        title="Common Board paper",
        period_from=YEAR[0],
        period_to=YEAR[1],
        author="Coordinator",
        paper_date=date(2025, 4, 15),
        reviewers=[reviewer],
        user=world.users["coordinator"],
    )
    return PaperWorld(world, paper, restraint, reviewer, workforce)


@pytest.fixture
def drafted(paper_world: PaperWorld) -> PaperWorld:
    services.paper_draft(paper=paper_world.paper, user=paper_world.world.users["coordinator"])
    return paper_world
