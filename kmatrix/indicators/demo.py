"""The indicators of the demo: the Alliance's dashboards and a national A&E example.

- **Workforce** (theme "Workforce development"): the sickness absence rate of the five NHS
  trusts is real, NHS Digital's monthly files for April 2024 to March 2025 imported as
  published; twelve months, so the MDC preset honestly shows too few points for limits.
  Turnover, vacancy, time to hire, agency use and supervision are illustrative.
- **Restrictive practice** (theme "Safety"): restraint, seclusion and long-term segregation
  per 1,000 occupied bed days, April 2020 to March 2023, so that the review page can set
  March 2023 beside the review two years earlier. Illustrative.
- **IMPACT collaborative** (theme "Collaboratives and population health"): out-of-area
  placements as a count and a share, restraint and seclusion, repeat access assessments.
  Illustrative series that end at the figures in the Alliance's Board paper (43 people, 8%,
  6%), reported for the collaborative by its lead provider, St Andrew's Healthcare.
- **National A&E benchmarking**: NHS England's A&E attendances for 274 providers over 36
  months (April 2016 to March 2019), on a public network of its own.

Every series goes in through ``services.datapoints_import``, the path users take, so the
stored SPC results are made as an import makes them. The loader is idempotent: indicators are
found by network and code and never changed, and a file is imported only while its data is
missing, so a second run writes nothing (not even an import batch). The real files are copied
from the shared data folder into ``fixtures/`` (see its README for their source and licence).
"""

from __future__ import annotations

import csv
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from django.db import transaction

from kmatrix.core.access import Visibility
from kmatrix.indicators import periods
from kmatrix.indicators.models import DataPoint, Direction, ImportBatch, Indicator, Target, Unit
from kmatrix.indicators.services import datapoints_import
from kmatrix.networks import services as directory
from kmatrix.networks.models import (
    Membership,
    Network,
    NetworkOrganisation,
    Organisation,
    Theme,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SICKNESS_FILES = sorted(FIXTURES.glob("nhs_sickness_absence_*.csv"))
AE_FILE = FIXTURES / "ae_attendances.csv"

ALLIANCE_SLUG = "em-alliance"
STRATEGIC_THEMES_SLUG = "em-alliance-strategic-themes"
WORKFORCE, SAFETY, COLLABORATIVES = (
    "Workforce development", "Safety", "Collaboratives and population health",
)  # fmt: skip
PROVIDERS = ("RXM", "RT5", "RP7", "RP1", "RHA", "NYA")
IMPACT_LEAD = "NYA"

PERCENT, RATE, COUNT, DAYS = Unit.PERCENT, Unit.RATE_PER_1000_OBD, Unit.COUNT, Unit.DAYS
UP, DOWN, NEITHER = Direction.INCREASE, Direction.DECREASE, Direction.NEUTRAL

ILLUSTRATIVE = (
    "**Illustrative figures, not real data.** The Alliance's own figures are not public; "
    "these show how the dashboard reads."
)
SICKNESS_SOURCE = (
    "NHS Digital, NHS Sickness Absence Rates (monthly official statistics), "
    "Open Government Licence v3"
)
AE_SOURCE = (
    "NHS England, A&E Attendances and Emergency Admissions (Open Government Licence v3), "
    "as published in the NHS-R Community's NHSRdatasets package (CC0)"
)


@dataclass(frozen=True)
class DemoIndicator:
    code: str
    name: str
    unit: str
    direction: str
    definition: str
    theme: str = ""
    numerator: str = ""
    denominator: str = ""
    source: str = "Illustrative"
    is_illustrative: bool = True
    target: tuple[date, float] | None = None
    visibility: str = Visibility.NETWORK


Ind = DemoIndicator
SICKNESS = Ind(
    "sickness-rate", "Sickness absence rate", PERCENT, DOWN,
    "FTE days lost to sickness absence as a percentage of FTE days available, per month, as "
    "NHS Digital publishes it for each NHS trust. St Andrew's Healthcare is not an NHS trust "
    "and is not in NHS Digital's files.\n\nTwelve months are loaded (April 2024 to March "
    "2025). Making Data Count needs 13 points or more for limits, so the charts show the "
    "mean only until more months arrive.",
    WORKFORCE, "FTE days lost to sickness absence", "FTE days available", SICKNESS_SOURCE,
    is_illustrative=False,
)  # fmt: skip
WORKFORCE_SET = (
    SICKNESS,
    Ind("turnover-rate", "Staff turnover rate", PERCENT, DOWN,
      "Leavers in the last twelve months as a percentage of average staff in post. "
      + ILLUSTRATIVE, WORKFORCE, "Leavers in the last 12 months (headcount)",
      "Average staff in post over the 12 months (headcount)"),
    Ind("vacancy-rate", "Vacancy rate", PERCENT, DOWN,
      "Vacant posts as a percentage of the funded establishment. " + ILLUSTRATIVE, WORKFORCE,
      "Vacant posts (FTE)", "Funded establishment (FTE)"),
    Ind("time-to-hire", "Time to hire", DAYS, DOWN,
      "Average days from a vacancy's approval to the new starter's unconditional offer. "
      + ILLUSTRATIVE, WORKFORCE, target=(date(2022, 4, 1), 50.0)),
    Ind("agency-use", "Agency staff share of pay bill", PERCENT, DOWN,
      "Spending on agency staff as a percentage of the total pay bill. " + ILLUSTRATIVE,
      WORKFORCE, "Agency staff spend (£)", "Total pay bill (£)",
      target=(date(2023, 4, 1), 3.7)),
    Ind("supervision", "Clinical supervision", PERCENT, UP,
      "Clinical staff who had supervision in the month as a percentage of those who should "
      "have. " + ILLUSTRATIVE, WORKFORCE, "Clinical staff supervised in the month",
      "Clinical staff due supervision", target=(date(2022, 4, 1), 85.0)),
)  # fmt: skip
BED_DAYS = "Occupied bed days in the month"
RESTRICTIVE_SET = (
    Ind("restraint-rate", "Restraint", RATE, DOWN,
      "Physical restraint incidents per 1,000 occupied bed days, for the comparative "
      "restrictive practice review. " + ILLUSTRATIVE, SAFETY, "Restraint incidents", BED_DAYS),
    Ind("seclusion-rate", "Seclusion", RATE, DOWN,
      "Episodes of seclusion per 1,000 occupied bed days. " + ILLUSTRATIVE, SAFETY,
      "Seclusion episodes", BED_DAYS),
    Ind("long-term-segregation-rate", "Long-term segregation", RATE, DOWN,
      "Episodes of long-term segregation per 1,000 occupied bed days. " + ILLUSTRATIVE,
      SAFETY, "Long-term segregation episodes", BED_DAYS),
)  # fmt: skip
IMPACT_NOTE = (
    " Reported for the whole IMPACT collaborative (East Midlands adult secure services) by its "
    "lead provider, St Andrew's Healthcare. "
)
IMPACT_SET = (
    Ind("impact-out-of-area-placements", "IMPACT: adult secure patients placed out of area",
      COUNT, DOWN, "East Midlands adult secure patients cared for outside the region at the "
      "month's end." + IMPACT_NOTE + ILLUSTRATIVE, COLLABORATIVES),
    Ind("impact-out-of-area-share", "IMPACT: share of adult secure patients placed out of area",
      PERCENT, DOWN, "Out-of-area placements as a percentage of all East Midlands adult "
      "secure patients." + IMPACT_NOTE + ILLUSTRATIVE, COLLABORATIVES,
      "Patients placed out of area", "East Midlands adult secure patients"),
    Ind("impact-restraint-seclusion-rate", "IMPACT: restraint and seclusion", RATE, DOWN,
      "Restraint and seclusion incidents per 1,000 occupied bed days in adult secure "
      "services." + IMPACT_NOTE + ILLUSTRATIVE, COLLABORATIVES,
      "Restraint and seclusion incidents", BED_DAYS),
    Ind("impact-repeat-access-assessments",
      "IMPACT: referred patients with more than one access assessment", PERCENT, DOWN,
      "Patients referred in the month who had more than one access assessment, as a "
      "percentage of patients referred." + IMPACT_NOTE + ILLUSTRATIVE, COLLABORATIVES,
      "Referred patients with more than one access assessment", "Patients referred"),
)  # fmt: skip

# --- The national A&E example --------------------------------------------------------------

AE_SLUG = "national-ae-benchmarking"
AE_NETWORK_NAME = "National A&E benchmarking (NHS England data)"
AE_ORGANISATION_NOTE = (
    "Name not given: NHS England's A&E file identifies providers by ODS code only, so the "
    "code stands for the name. Added for the national A&E benchmarking example."
)
AE_PURPOSE = """\
A worked example of national benchmarking with real, public data: NHS England's monthly A&E
attendances, four-hour breaches and emergency admissions for 274 providers, April 2016 to
March 2019, with an SPC chart for every provider.

The file identifies providers by ODS code only, so each provider is listed under its code.
Figures are as published; a provider's series has gaps where it reported no attendances.
"""
AE_WITHIN_4H = "Attendances seen within four hours (attendances less four-hour breaches)"
AE_SET = (
    Ind("ae-4hr-performance", "A&E four-hour performance (all types)", PERCENT, UP,
      "Percentage of A&E attendances, all department types, admitted, transferred or "
      "discharged within four hours of arrival.", "", AE_WITHIN_4H + ", all types",
      "A&E attendances, all types", AE_SOURCE, is_illustrative=False,
      target=(date(2016, 4, 1), 95.0), visibility=Visibility.PUBLIC),
    Ind("ae-4hr-performance-type-1", "A&E four-hour performance (type 1 departments)", PERCENT,
      UP, "The same for type 1 (major, consultant-led, 24-hour) departments only.", "",
      AE_WITHIN_4H + ", type 1", "A&E attendances, type 1", AE_SOURCE, is_illustrative=False,
      target=(date(2016, 4, 1), 95.0), visibility=Visibility.PUBLIC),
    Ind("ae-attendances", "A&E attendances (all types)", COUNT, NEITHER,
      "Attendances at A&E departments of all types in the month.", source=AE_SOURCE,
      is_illustrative=False, visibility=Visibility.PUBLIC),
    Ind("ae-emergency-admissions", "Emergency admissions via A&E", COUNT, NEITHER,
      "Emergency admissions through A&E departments of all types in the month.",
      source=AE_SOURCE, is_illustrative=False, visibility=Visibility.PUBLIC),
)  # fmt: skip


# --- Loading -------------------------------------------------------------------------------


@transaction.atomic
def indicators_demo_load() -> dict[str, int]:
    """Load the demo's indicators and data; returns the data points each part imported."""
    alliance = Network.objects.get(slug=ALLIANCE_SLUG)
    themes = {t.name: t for t in Theme.objects.filter(framework__slug=STRATEGIC_THEMES_SLUG)}
    made = _indicators_ensure(alliance, (*WORKFORCE_SET, *RESTRICTIVE_SET, *IMPACT_SET), themes)
    loaded = {"sickness": _sickness_load(made[SICKNESS.code])}
    loaded["alliance illustrative"] = _import_if_missing(
        alliance,
        [made[i.code] for i in (*WORKFORCE_SET[1:], *RESTRICTIVE_SET, *IMPACT_SET)],
        "alliance-illustrative.csv",
        _alliance_rows,
    )
    totals = _ae_totals()
    ae = _ae_network(sorted({org for org, _period in totals}))
    ae_made = _indicators_ensure(ae, AE_SET, {})
    loaded["national A&E"] = _import_if_missing(
        ae, list(ae_made.values()), "ae-attendances-long.csv", lambda: _ae_rows(totals)
    )
    return loaded


def _indicators_ensure(
    network: Network, specs: Sequence[DemoIndicator], themes: dict[str, Theme]
) -> dict[str, Indicator]:
    found = {i.code: i for i in Indicator.objects.filter(network=network)}
    for spec in specs:
        if spec.code not in found:
            found[spec.code] = _indicator_make(network, spec, themes)
    return found


def _indicator_make(network: Network, spec: DemoIndicator, themes: dict[str, Theme]) -> Indicator:
    indicator = Indicator(
        network=network,
        code=spec.code,
        name=spec.name,
        definition=spec.definition,
        unit=spec.unit,
        numerator_definition=spec.numerator,
        denominator_definition=spec.denominator,
        direction=spec.direction,
        source=spec.source,
        theme=themes.get(spec.theme),
        is_illustrative=spec.is_illustrative,
        visibility=spec.visibility,
    )
    indicator.full_clean()
    indicator.save()
    if spec.target is not None:
        applies_from, value = spec.target
        Target.objects.create(indicator=indicator, value=value, applies_from=applies_from)
    return indicator


def _sickness_load(indicator: Indicator) -> int:
    """Each month's file as NHS Digital publishes it, unless that month is already in."""
    have = set(DataPoint.objects.filter(indicator=indicator).values_list("period", flat=True))
    made = 0
    for path in SICKNESS_FILES:
        month = periods.parse(path.stem.rsplit("_", 1)[1])
        if month in have:
            continue
        batch = datapoints_import(
            network=indicator.network,
            source=path,
            filename=path.name,
            file_format="nhs-sickness",
            indicator_code=indicator.code,
        )
        made += _checked(batch).created
    return made


Row = tuple[str, str, str, str, str, str]  # indicator_code, org_code, period, value, num, den


def _import_if_missing(
    network: Network,
    indicators: Sequence[Indicator],
    filename: str,
    rows: Callable[[], Iterable[Row]],
) -> int:
    """Import ``rows`` as a long CSV unless the indicators already have data."""
    if DataPoint.objects.filter(indicator__in=indicators).exists():
        return 0
    with tempfile.TemporaryDirectory(prefix="kmatrix-demo-") as folder:
        path = Path(folder) / filename
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["indicator_code", "org_code", "period", "value", "numerator",
                             "denominator"])  # fmt: skip
            writer.writerows(rows())
        batch = datapoints_import(
            network=network, source=path, filename=filename, file_format="long"
        )
    return _checked(batch).created


def _checked(batch: ImportBatch) -> ImportBatch:
    # The demo's own files must import cleanly; a failure here is a bug to see at once.
    if batch.status != ImportBatch.Status.DONE:
        raise RuntimeError(f"The demo import {batch.filename} failed: {batch.errors}")
    return batch


# --- Illustrative series for the Alliance --------------------------------------------------


def _months(first: date, count: int) -> list[date]:
    return [periods.add(first, "monthly", i) for i in range(count)]


def _fraction_rows(code: str, org: str, months: Sequence[date], nums: Iterable[float],
                   dens: Iterable[float]) -> list[Row]:  # fmt: skip
    """Rows whose value the import works out from the numerator and denominator."""
    return [
        (code, org, month.isoformat(), "", f"{num:g}", f"{den:g}")
        for month, num, den in zip(months, nums, dens, strict=True)
    ]


def _value_rows(code: str, org: str, months: Sequence[date], values: Iterable[float]) -> list[Row]:
    return [
        (code, org, month.isoformat(), f"{value:g}", "", "")
        for month, value in zip(months, values, strict=True)
    ]


def _alliance_rows() -> list[Row]:
    # One fixed seed: the same illustrative figures on every machine and every run.
    rng = np.random.default_rng(2023)
    return [*_workforce_rows(rng), *_restrictive_rows(rng), *_impact_rows(rng)]


# Providers' sizes and starting levels, loosely in proportion to the real trusts.
STAFF = {"RXM": 3100, "RT5": 5800, "RP7": 2700, "RP1": 5200, "RHA": 9400, "NYA": 4100}
WORKFORCE_START = date(2022, 4, 1)
WORKFORCE_MONTHS = 36
# code -> starting level per provider, overall change by the end, and step changes
# (provider, month index, change) that give the charts special causes to show.
WORKFORCE_SHAPES: dict[str, tuple[dict[str, float], float, tuple[tuple[str, int, float], ...]]] = {
    "turnover-rate": (
        {"RXM": 11.5, "RT5": 13.0, "RP7": 10.2, "RP1": 12.1, "RHA": 12.8, "NYA": 16.5},
        -1.6, (("NYA", 20, -2.5),)),
    "vacancy-rate": (
        {"RXM": 9.5, "RT5": 11.0, "RP7": 8.2, "RP1": 9.8, "RHA": 12.4, "NYA": 14.0},
        -1.2, (("RHA", 20, -2.8),)),
    "time-to-hire": (
        {"RXM": 52, "RT5": 61, "RP7": 47, "RP1": 55, "RHA": 68, "NYA": 44},
        -3.0, (("RT5", 24, -11.0),)),
    "agency-use": (
        {"RXM": 4.8, "RT5": 6.5, "RP7": 3.9, "RP1": 7.2, "RHA": 5.6, "NYA": 2.8},
        -0.8, (("RP1", 18, -2.6),)),
    "supervision": (
        {"RXM": 84, "RT5": 79, "RP7": 88, "RP1": 82, "RHA": 76, "NYA": 81},
        2.0, (("NYA", 12, 7.0),)),
}  # fmt: skip
WORKFORCE_NOISE = {
    "turnover-rate": 0.25, "vacancy-rate": 0.45, "time-to-hire": 3.5, "agency-use": 0.35,
    "supervision": 1.8,
}  # fmt: skip


def _level(code: str, org: str, rng: np.random.Generator) -> np.ndarray:
    starts, drift, steps = WORKFORCE_SHAPES[code]
    months = np.arange(WORKFORCE_MONTHS)
    level = starts[org] + drift * months / (WORKFORCE_MONTHS - 1)
    for who, at, change in steps:
        if who == org:
            level = level + np.where(months >= at, change, 0.0)
    return level + rng.normal(0.0, WORKFORCE_NOISE[code], WORKFORCE_MONTHS)


def _workforce_rows(rng: np.random.Generator) -> list[Row]:
    months = _months(WORKFORCE_START, WORKFORCE_MONTHS)
    rows: list[Row] = []
    for org in PROVIDERS:
        staff = STAFF[org] * rng.normal(1.0, 0.01, WORKFORCE_MONTHS).cumprod() ** 0.3
        heads = np.round(staff)
        rows += _fraction_rows(
            "turnover-rate",
            org,
            months,
            np.round(_level("turnover-rate", org, rng) / 100 * heads),
            heads,
        )
        posts = np.round(staff * 1.1, 1)
        vacant = np.round(_level("vacancy-rate", org, rng) / 100 * posts, 1)
        rows += _fraction_rows("vacancy-rate", org, months, vacant, posts)
        rows += _value_rows(
            "time-to-hire", org, months, np.round(_level("time-to-hire", org, rng), 1)
        )
        pay = np.round(staff * 3_650)
        rows += _fraction_rows(
            "agency-use", org, months, np.round(_level("agency-use", org, rng) / 100 * pay), pay
        )
        due = np.round(staff * 0.55)
        share = np.clip(_level("supervision", org, rng), 0, 100)
        rows += _fraction_rows("supervision", org, months, np.round(share / 100 * due), due)
    return rows


RESTRICTIVE_START = date(2020, 4, 1)  # March 2021 and March 2023: the two reviews
RESTRICTIVE_MONTHS = 36
BEDS_OCCUPIED = {"RXM": 7300, "RT5": 9800, "RP7": 6100, "RP1": 8700, "RHA": 24500, "NYA": 19800}
# code -> starting rate per 1,000 occupied bed days per provider, and the share left by the end
RESTRICTIVE_SHAPES: dict[str, tuple[dict[str, float], float]] = {
    "restraint-rate": (
        {"RXM": 16, "RT5": 19, "RP7": 12, "RP1": 21, "RHA": 24, "NYA": 32}, 0.72),
    "seclusion-rate": (
        {"RXM": 3.2, "RT5": 4.1, "RP7": 2.4, "RP1": 4.6, "RHA": 5.8, "NYA": 7.5}, 0.75),
    "long-term-segregation-rate": (
        {"RXM": 0.4, "RT5": 0.6, "RP7": 0.3, "RP1": 0.7, "RHA": 1.9, "NYA": 2.6}, 0.8),
}  # fmt: skip


def _restrictive_rows(rng: np.random.Generator) -> list[Row]:
    months = _months(RESTRICTIVE_START, RESTRICTIVE_MONTHS)
    progress = np.arange(RESTRICTIVE_MONTHS) / (RESTRICTIVE_MONTHS - 1)
    rows: list[Row] = []
    for org in PROVIDERS:
        beds = np.round(BEDS_OCCUPIED[org] * rng.normal(1.0, 0.02, RESTRICTIVE_MONTHS))
        for code, (starts, left) in RESTRICTIVE_SHAPES.items():
            rate = starts[org] * (1 - (1 - left) * progress)
            incidents = rng.poisson(rate * beds / 1000)
            rows += _fraction_rows(code, org, months, incidents, beds)
    return rows


IMPACT_START = date(2020, 10, 1)  # the collaborative's start
IMPACT_MONTHS = 30  # to March 2023, the latest figures in the June 2023 Board paper
# The Board paper: "at an all-time low of 43 individuals or 8%"; "only 6% of referred
# patients have had more than one access assessment"; "a 20% reduction in restraints and
# seclusions". The series end exactly there.
IMPACT_LATEST_PLACED, IMPACT_LATEST_PATIENTS = 43, 537
IMPACT_LATEST_REPEATS, IMPACT_LATEST_REFERRALS = 3, 50
IMPACT_BED_DAYS = 16_000


def _impact_rows(rng: np.random.Generator) -> list[Row]:
    months = _months(IMPACT_START, IMPACT_MONTHS)
    progress = np.arange(IMPACT_MONTHS) / (IMPACT_MONTHS - 1)
    placed = np.round(96 - (96 - IMPACT_LATEST_PLACED) * progress**0.8
                      + rng.normal(0, 2.0, IMPACT_MONTHS))  # fmt: skip
    placed[-1] = IMPACT_LATEST_PLACED
    patients = np.round(540 + rng.normal(0, 5, IMPACT_MONTHS))
    patients[-1] = IMPACT_LATEST_PATIENTS
    beds = np.round(IMPACT_BED_DAYS * rng.normal(1.0, 0.02, IMPACT_MONTHS))
    # 20% fewer restraints and seclusions by the end than at the start.
    incidents = rng.poisson(9.0 * (1 - 0.2 * progress) * beds / 1000)
    referrals = rng.integers(42, 62, IMPACT_MONTHS)
    referrals[-1] = IMPACT_LATEST_REFERRALS
    repeats = np.round(referrals * np.clip(0.18 - 0.12 * progress + rng.normal(0, 0.02,
                       IMPACT_MONTHS), 0, 1))  # fmt: skip
    repeats[-1] = IMPACT_LATEST_REPEATS
    return [
        *_value_rows("impact-out-of-area-placements", IMPACT_LEAD, months, placed),
        *_fraction_rows("impact-out-of-area-share", IMPACT_LEAD, months, placed, patients),
        *_fraction_rows("impact-restraint-seclusion-rate", IMPACT_LEAD, months, incidents, beds),
        *_fraction_rows("impact-repeat-access-assessments", IMPACT_LEAD, months, repeats,
                        referrals),
    ]  # fmt: skip


# --- The national A&E example --------------------------------------------------------------

# (org_code, period) -> attendances, breaches, admissions of all types; attendances and
# breaches of type 1 departments
AeTotals = dict[tuple[str, str], list[int]]


def _ae_totals() -> AeTotals:
    totals: AeTotals = defaultdict(lambda: [0, 0, 0, 0, 0])
    with AE_FILE.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            counts = totals[(row["org_code"], row["period"])]
            attendances, breaches = int(row["attendances"]), int(row["breaches"])
            counts[0] += attendances
            counts[1] += breaches
            counts[2] += int(row["admissions"])
            if row["type"] == "1":
                counts[3] += attendances
                counts[4] += breaches
    return dict(totals)


def _ae_rows(totals: AeTotals) -> list[Row]:
    rows: list[Row] = []
    for (org, period), (attendances, breaches, admissions, type1, type1_breaches) in sorted(
        totals.items()
    ):
        within = attendances - breaches
        rows.append(("ae-4hr-performance", org, period, "", str(within), str(attendances)))
        if type1:
            within1 = str(type1 - type1_breaches)
            rows.append(("ae-4hr-performance-type-1", org, period, "", within1, str(type1)))
        rows.append(("ae-attendances", org, period, str(attendances), "", ""))
        rows.append(("ae-emergency-admissions", org, period, str(admissions), "", ""))
    return rows


def _ae_network(codes: Sequence[str]) -> Network:
    """The public A&E network, with every provider in the file as a member (made if new)."""
    network = Network.objects.filter(slug=AE_SLUG).first()
    if network is None:
        network = Network(
            slug=AE_SLUG,
            name=AE_NETWORK_NAME,
            short_name="National A&E",
            kind=Network.Kind.OTHER,
            region="England",
            purpose=AE_PURPOSE,
            visibility=Visibility.PUBLIC,
        )
        network.full_clean()
        network.save()
    known = {o.ods_code: o for o in Organisation.objects.filter(ods_code__in=codes)}
    linked = set(
        NetworkOrganisation.objects.filter(network=network).values_list(
            "organisation__ods_code", flat=True
        )
    )
    for code in codes:
        organisation = known.get(code) or directory.organisation_save(
            name=code,
            ods_code=code,
            # NHS trusts' codes start with R; the others are independent and other providers
            # of A&E services (walk-in centres, urgent treatment centres).
            sector=Organisation.Sector.NHS_TRUST if code.startswith("R") else "other",
            region="England",
            description=AE_ORGANISATION_NOTE,
        )
        if code not in linked:
            directory.network_organisation_add(network=network, organisation=organisation)
    return network


@transaction.atomic
def indicators_demo_reset() -> None:
    """Delete the A&E example and the providers made for it that nothing else uses. (The
    Alliance's indicators go with the Alliance.)"""
    Network.objects.filter(slug=AE_SLUG).delete()
    Organisation.objects.filter(description=AE_ORGANISATION_NOTE).exclude(
        pk__in=Membership.objects.values("organisation_id")
    ).exclude(pk__in=NetworkOrganisation.objects.values("organisation_id")).delete()
