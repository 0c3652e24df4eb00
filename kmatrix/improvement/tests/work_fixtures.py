"""Records for the dashboard, "my work", time and reminder tests, on top of the `world` fixture."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from kmatrix.improvement import models as im
from kmatrix.improvement import work

_counter = {"n": 0}


def published_at(months_ago: int, today: date | None = None) -> datetime:
    today = today or timezone.localdate()
    month = work.add_months(work.month_start(today), -months_ago)
    return timezone.make_aware(datetime(month.year, month.month, 2, 9, 0))


def plan(world: Any, **fields: Any) -> im.ImprovementPlan:
    """A plan of the world's workstream, network-visible and published unless told otherwise."""
    _counter["n"] += 1
    team = fields.pop("team", [])
    months_ago = fields.pop("months_ago", 3)
    today = fields.pop("today", None)
    values: dict[str, Any] = {
        "network": world.network,
        "theme": world.theme,
        "workstream": world.workstream,
        "title": f"Plan {_counter['n']:03d}",
        "aim": "Fewer restraints.",
        "status": im.ImprovementPlan.Status.PUBLISHED,
        "rag": im.Rag.GREEN,
        "visibility": "network",
        "lead": world.people["member"],
    }
    values.update(fields)
    if values["status"] in im.ImprovementPlan.ACTIVE and "published_at" not in values:
        values["published_at"] = published_at(months_ago, today)
    created = im.ImprovementPlan.objects.create(**values)
    if team:
        created.team.set(team)
    return created


def update(
    plan: im.ImprovementPlan, period: date, *, submitted: bool = False, due_on: date | None = None
) -> im.ProgressUpdate:
    return im.ProgressUpdate.objects.create(
        plan=plan,
        period=period,
        due_on=due_on or work.add_months(period, 1) + timedelta(days=9),
        status="submitted" if submitted else "draft",
        rag=im.Rag.AMBER if submitted else "",
        progress="Going well.",
        submitted_at=timezone.now() if submitted else None,
    )


def gap(world: Any, *, visibility: str = "network", code: str = "1.1") -> im.Gap:
    """An open gap of the world's theme, found by an assessment of the world's organisation."""
    checklist, _ = im.Checklist.objects.get_or_create(
        network=world.network, slug="checklist", version="1", defaults={"name": "Checklist"}
    )
    section, _ = im.ChecklistSection.objects.get_or_create(
        checklist=checklist, title="Safety", defaults={"theme": world.theme}
    )
    item = im.ChecklistItem.objects.create(
        checklist=checklist, section=section, code=code, question=f"Question {code}?"
    )
    assessment = im.Assessment.objects.create(
        network=world.network,
        checklist=checklist,
        organisation=world.org,
        assessed_on=date(2025, 1, 15),
        visibility=visibility,
    )
    return im.Gap.objects.create(
        network=world.network,
        item=item,
        theme=world.theme,
        organisation=world.org,
        rating=im.Rating.NOT_MET,
        opened_by=assessment,
        assessment=assessment,
    )


# --- Checklists, assessments, measures ----------------------------------------------------

CHECKLIST_YAML = """\
checklist:
  name: Test checklist
  slug: test-checklist
  version: "{version}"
sections:
  - title: Safety
    theme: safety
    items:
      - {{code: "1.1", question: "Is there a seclusion policy?"}}
      - {{code: "1.2", question: "Are restraints recorded?"}}
  - title: Other
    items:
      - {{code: "2.1", question: "Is there a carers' group?"}}
"""


def checklist(world: Any, version: str = "1") -> im.Checklist:
    from kmatrix.improvement import checklists

    return checklists.checklist_import(
        network=world.network,
        data=CHECKLIST_YAML.format(version=version).encode(),
        file_format="yaml",
    )


def locality(world: Any, name: str = "Derbyshire") -> im.Locality:
    from kmatrix.networks.models import NetworkOrganisation

    NetworkOrganisation.objects.get_or_create(network=world.network, organisation=world.org)
    found = im.Locality.objects.create(network=world.network, name=name, slug=name.lower())
    found.organisations.set([world.org])
    return found


def assessed(
    world: Any,
    ratings: dict[str, str],
    *,
    place: im.Locality | None = None,
    on: date = date(2025, 1, 15),
    version: str = "1",
    complete: bool = True,
    visibility: str = "network",
) -> im.Assessment:
    """An assessment of ``place`` (by default the world's organisation) rated by item code."""
    from kmatrix.improvement import assessments
    from kmatrix.networks.models import NetworkOrganisation

    NetworkOrganisation.objects.get_or_create(network=world.network, organisation=world.org)
    found = im.Checklist.objects.filter(network=world.network, version=version).first()
    found = found or checklist(world, version)
    assessment = assessments.assessment_start(
        checklist=found,
        assessed_on=on,
        locality=place,
        organisation=None if place else world.org,
        user=world.users["member"],
        visibility=visibility,
    )
    items = {i.code: i.pk for i in found.items.all()}
    assessments.ratings_save(
        assessment=assessment,
        ratings=[assessments.RatingInput(items[code], rating) for code, rating in ratings.items()],
    )
    if complete:
        assessments.assessment_complete(assessment=assessment)
    return assessment


ALL_MET = {"1.1": "met", "1.2": "met", "2.1": "met"}


def indicator(world: Any, code: str = "restraint") -> Any:
    from kmatrix.indicators.models import Indicator
    from kmatrix.networks.models import NetworkOrganisation

    NetworkOrganisation.objects.get_or_create(network=world.network, organisation=world.org)
    return Indicator.objects.create(
        network=world.network, code=code, name="Restraint", unit="count", direction="decrease"
    )
