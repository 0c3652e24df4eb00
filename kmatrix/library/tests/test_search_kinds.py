"""The one search across the other apps' records: improvement plans, progress updates and
gaps, meetings, decisions and programmes. Each kind is found by who may read it, through its
model's access_scope; a draft, a restricted record or one of a network the viewer may not read
is never a hit, a snippet, a total or a facet count; the services keep the index current."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from kmatrix.core.access import ANONYMOUS, viewer_for
from kmatrix.improvement import services as improvement_services
from kmatrix.improvement.tests import work_fixtures as wf
from kmatrix.library.models import SearchEntry
from kmatrix.library.search import Filters, search
from kmatrix.library.search import index as search_index
from kmatrix.meetings import services as meeting_services
from kmatrix.programmes.tests.factories import programme

WORDS = {  # what each record is the only one to say
    "plan": "zircon",
    "draft plan": "quokka",
    "restricted plan": "basalt",
    "update": "marmoset",
    "draft update": "pangolin",
    "update of a draft": "ocelot",
    "gap": "Fenestration",
    "restricted gap": "Tessellation",
    "meeting": "harpsichord",
    "restricted meeting": "theremin",
    "decision": "glockenspiel",
    "programme": "Wayfinding",
    "restricted programme": "Lodestar",
}


@pytest.fixture(params=["record by record", "readable records worked out once"])
def both_ways(request, monkeypatch):
    """Both of SQLite's ways of applying the access rules (see search._rows)."""
    import kmatrix.library.search as module

    if request.param != "record by record":
        monkeypatch.setattr(module, "PER_RECORD_UP_TO", 0)
    return request.param


@pytest.fixture
def records(world):
    w = WORDS
    net, lead = world.network, world.people["theme_lead"]
    plan = wf.plan(
        world,
        title="Safer wards",
        aim=f"Fewer restraints, by the {w['plan']} method.",
        lead=lead,
        published_at=timezone.make_aware(datetime(2025, 1, 2, 9)),
    )
    draft = wf.plan(world, title=f"Calmer nights {w['draft plan']}", status="draft", lead=None)
    wf.plan(world, title=f"Incident {w['restricted plan']}", visibility="restricted", lead=None)
    update = wf.update(plan, date(2025, 3, 1), submitted=True)
    update.progress = f"The {w['update']} audit went well."
    update.save()
    draft_update = wf.update(plan, date(2025, 4, 1))
    draft_update.progress = f"Half written: {w['draft update']}."
    draft_update.save()
    of_draft = wf.update(draft, date(2025, 3, 1), submitted=True)
    of_draft.progress = f"On a plan not yet published: {w['update of a draft']}."
    of_draft.save()
    gap = wf.gap(world, code="1.1")
    gap.item.question = f"Is there {w['gap']} on the ward?"
    gap.item.save()
    hidden_gap = wf.gap(world, code="1.2", visibility="restricted")
    hidden_gap.item.question = f"Is there {w['restricted gap']} on the ward?"
    hidden_gap.item.save()
    meeting = meeting_services.meeting_save(
        network=net,
        title="Network day",
        minutes=f"We heard a {w['meeting']}.",
        date=date(2025, 5, 3),
        start_time=time(10),
        end_time=time(12),
        visibility="network",
    )
    meeting_services.decision_save(meeting=meeting, text=f"Buy a {w['decision']}.")
    meeting_services.meeting_save(
        network=net,
        title="Review panel",
        minutes=f"We heard a {w['restricted meeting']}.",
        date=date(2025, 5, 4),
        start_time=time(10),
        end_time=time(12),
        visibility="restricted",
    )
    programme(net, "wayfinding", name=f"{w['programme']} programme", theme=world.theme)
    programme(net, "lodestar", name=f"{w['restricted programme']}", visibility="restricted")
    search_index.rebuild()
    return {"plan": plan, "draft": draft, "update": update, "meeting": meeting, "gap": gap}


def _viewer(world, name):
    return ANONYMOUS if name == "anonymous" else viewer_for(world.users[name])


def _found(world, name, word, **filters):
    return search(_viewer(world, name), word, Filters(**filters))


@pytest.mark.parametrize(
    ("kind", "word"),
    [
        ("plan", "plan"),
        ("update", "update"),
        ("gap", "gap"),
        ("meeting", "meeting"),
        ("decision", "decision"),
        ("programme", "programme"),
    ],
)
def test_a_member_finds_each_kind_with_its_facets(world, records, both_ways, kind, word):
    results = _found(world, "member", WORDS[word])
    assert results.total == 1, [h.title for h in results.hits]
    hit = results.hits[0]
    assert hit.kind == kind
    assert hit.network_id == world.network.pk
    assert hit.url
    facets = {name: {o.value: o.count for o in options} for name, options in results.facets.items()}
    assert facets["kind"] == {kind: 1}
    assert facets["network"] == {str(world.network.pk): 1}
    if kind in ("plan", "update", "gap", "programme"):
        assert facets["theme"] == {str(world.theme.pk): 1}
    assert len(facets["year"]) == (0 if kind == "programme" else 1)  # it has no dates yet
    # The type facet chooses the kind; another kind finds nothing.
    assert _found(world, "member", WORDS[word], kind=kind).total == 1
    other = "resource" if kind != "resource" else "plan"
    assert _found(world, "member", WORDS[word], kind=other).total == 0


def test_facets_of_plans_count_theme_network_organisation_and_year(world, records):
    plan = records["plan"]
    plan.organisation = world.org
    plan.save()
    search_index.documents_write("plan", [plan.pk])
    results = _found(world, "member", WORDS["plan"], theme=world.theme.pk)
    assert results.total == 1
    assert {o.label: o.count for o in results.facets["organisation"]} == {world.org.name: 1}
    assert {o.value for o in results.facets["year"]} == {str(plan.published_at.year)}
    assert _found(world, "member", WORDS["plan"], year=1999).total == 0
    assert _found(world, "member", WORDS["plan"], network=world.other_network.pk).total == 0


HIDDEN_FROM_MEMBERS = ("draft plan", "restricted plan", "draft update", "update of a draft")


@pytest.mark.parametrize("name", ["anonymous", "outsider", "board_reader", "other_member"])
def test_an_outsider_finds_nothing_restricted_by_any_kind(world, records, both_ways, name):
    for key, word in WORDS.items():
        results = _found(world, name, word)
        assert results.total == 0, (name, key, [str(h.title) for h in results.hits])
        assert results.hits == []
        assert not any(o.count for options in results.facets.values() for o in options)


@pytest.mark.parametrize(
    "key", [*HIDDEN_FROM_MEMBERS, "restricted gap", "restricted meeting", "restricted programme"]
)
def test_a_member_does_not_find_drafts_or_restricted_records(world, records, both_ways, key):
    results = _found(world, "member", WORDS[key])
    assert results.total == 0, (key, [str(h.title) for h in results.hits])
    assert not any(o.count for options in results.facets.values() for o in options)


def test_a_draft_plan_is_found_by_its_lead_and_its_reviewers_only(world, records, both_ways):
    word = WORDS["draft plan"]
    assert _found(world, "member", word).total == 0
    assert _found(world, "coordinator", word, kind="plan").total == 1  # reviews its plans
    assert _found(world, "theme_lead", word, kind="plan").total == 1  # leads its workstream
    assert _found(world, "administrator", word, kind="plan").total == 1
    assert _found(world, "theme_lead", WORDS["update of a draft"]).total == 1
    records["draft"].lead = world.people["member"]
    records["draft"].save()
    assert _found(world, "member", word, kind="plan").total == 1  # now its lead


def test_a_plan_lead_finds_their_draft_update(world, records):
    word = WORDS["draft update"]
    assert _found(world, "theme_lead", word).total == 1  # the plan's lead
    assert _found(world, "coordinator", word).total == 0


def test_meetings_and_programmes_of_a_network_one_may_not_read_are_not_found(world, records):
    world.network.visibility = "network"
    world.network.save()
    for key in ("meeting", "decision", "programme"):
        assert _found(world, "member", WORDS[key]).total == 1
    records["meeting"].visibility = "public"
    records["meeting"].save()
    assert _found(world, "anonymous", WORDS["meeting"]).total == 0  # its page would not open


def test_the_services_keep_the_index_current(world, records, django_capture_on_commit_callbacks):
    plan, member = records["plan"], world.users["member"]
    with django_capture_on_commit_callbacks(execute=True):
        improvement_services.plan_save(plan=plan, version=plan.version, title="Safer mica wards")
    assert _found(world, "member", "mica", kind="plan").total == 1
    # The plan's updates carry its title, and follow it.
    assert _found(world, "member", "mica", kind="update").total == 1
    with django_capture_on_commit_callbacks(execute=True):
        improvement_services.update_save(
            plan=plan,
            period=date(2025, 3, 1),
            update=records["update"],
            version=records["update"].version,
            user=member,
            progress="Now about a narwhal.",
            rag="green",
            today=date(2025, 4, 20),
        )
    assert _found(world, "member", "narwhal").total == 1
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_save(meeting=records["meeting"], minutes="We saw a kestrel.")
    assert _found(world, "member", "kestrel").total == 1
    assert SearchEntry.objects.filter(kind="decision", title__contains="kestrel").count() == 0


def test_a_new_gap_is_indexed_when_its_assessment_completes(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        wf.assessed(world, {"1.1": "not_met", "1.2": "met", "2.1": "met"})
    assert SearchEntry.objects.filter(kind="gap").count() == 1
    assert _found(world, "member", "gap", kind="gap").total == 1
