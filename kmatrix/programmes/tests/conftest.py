"""A small funded world for the programme tests, on top of the shared ``world`` fixture.

- ``safety``: a network programme under the world's theme (Safety), led by RXM, with
  £400,000 secured (regional funding, over two years) and a £50,000 bid;
- ``workforce``: a network programme under a second theme (Workforce), funded by the other
  organisation: £1,355,640 with allocations of £133,000 to each of two organisations and a
  £300,000 recruitment element, and three single-year awards (2021/22 to 2023/24);
- ``gambling``: a public programme with no theme and no exact amount ("just under £1 million");
- ``secret``: a restricted programme naming the theme lead; ``elsewhere``: another network's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from kmatrix.demo.tests.test_browser_journeys import browser, page  # noqa: F401 - for the journey
from kmatrix.networks import models as m
from kmatrix.networks.tests import factories as f
from kmatrix.programmes import services
from kmatrix.programmes.models import FundingAward, Programme
from kmatrix.programmes.tests.factories import award, programme


@dataclass
class Funded:
    safety: Programme
    workforce: Programme
    gambling: Programme
    secret: Programme
    elsewhere: Programme
    workforce_theme: m.Theme
    csw: FundingAward
    funder: m.Organisation


@pytest.fixture
def funded(world) -> Funded:
    for org in (world.org, world.other_org):
        m.NetworkOrganisation.objects.get_or_create(network=world.network, organisation=org)
    workforce_theme = f.ThemeFactory(framework=world.framework, name="Workforce", slug="workforce")
    m.AdoptedTheme.objects.create(network=world.network, theme=workforce_theme, position=2)
    funder = f.OrganisationFactory(name="Health Education England", ods_code="")
    safety = programme(
        world.network,
        "patient-safety",
        name="Patient Safety",
        theme=world.theme,
        lead_organisation=world.org,
        sponsor=world.group,
    )
    award(safety, "400000", funder_note="Regional funding", term_years=2)
    award(safety, "50000", status="bid")
    workforce = programme(world.network, "csw", name="CSW retention", theme=workforce_theme)
    csw = award(workforce, "1355640", funder=funder, term_years=2)
    for org in (world.org, world.other_org):
        services.allocation_save(
            award=csw, organisation=org, purpose="CSW lead", amount=Decimal("133000")
        )
    services.allocation_save(
        award=csw, organisation=None, purpose="Recruitment element", amount=Decimal("300000")
    )
    for year, amount in ((2021, "150000"), (2022, "177000"), (2023, "177000")):
        award(workforce, amount, first_year=year)
    gambling = programme(world.network, "gambling", name="Gambling service", visibility="public")
    award(gambling, None)
    secret = programme(
        world.network, "secret", name="Confidential bid", visibility="restricted", theme=world.theme
    )
    secret.restricted_to.add(world.users["theme_lead"])
    award(secret, "999")
    elsewhere = programme(world.other_network, "elsewhere", name="Elsewhere")
    award(elsewhere, "1")
    return Funded(safety, workforce, gambling, secret, elsewhere, workforce_theme, csw, funder)
