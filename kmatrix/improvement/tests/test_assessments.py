"""Assessments: rating items of one checklist version, the gap register they keep, the
comparison of two assessments of a place, and the heatmap."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from kmatrix.core.access import viewer_for
from kmatrix.core.tests.helpers import api_call
from kmatrix.improvement import assessments
from kmatrix.improvement import models as im
from kmatrix.improvement.tests import work_fixtures as wf

pytestmark = pytest.mark.django_db
GAPPY = {"1.1": "not_met", "1.2": "partly_met", "2.1": "met"}


def _gaps(**kw):
    return {
        (g.item.code, g.status, g.rating)
        for g in im.Gap.objects.filter(**kw).select_related("item")
    }


def test_completing_an_assessment_opens_a_gap_for_each_item_partly_or_not_met(world):
    assessment = wf.assessed(world, GAPPY)
    assert _gaps() == {("1.1", "open", "not_met"), ("1.2", "open", "partly_met")}
    gap = im.Gap.objects.get(item__code="1.1")
    assert (gap.theme, gap.organisation, gap.opened_by) == (world.theme, world.org, assessment)


def test_a_reassessment_closes_moves_and_opens_gaps(world):
    wf.assessed(world, GAPPY, on=date(2025, 1, 1))
    later = wf.assessed(
        world, {"1.1": "partly_met", "1.2": "met", "2.1": "not_met"}, on=date(2026, 1, 1)
    )
    assert _gaps() == {
        ("1.1", "open", "partly_met"),
        ("1.2", "closed", "partly_met"),
        ("2.1", "open", "not_met"),
    }
    assert im.Gap.objects.get(item__code="1.2").closed_by == later


def test_completing_an_older_assessment_afterwards_leaves_the_register_alone(world):
    wf.assessed(world, wf.ALL_MET, on=date(2026, 1, 1))
    wf.assessed(world, GAPPY, on=date(2024, 1, 1))
    assert _gaps() == set()


def test_a_new_checklist_version_carries_the_gap_over_by_code(world):
    wf.assessed(world, GAPPY, on=date(2025, 1, 1))
    wf.checklist(world, "2")
    wf.assessed(
        world, {"1.1": "not_met", "1.2": "met", "2.1": "met"}, on=date(2026, 1, 1), version="2"
    )
    gap = im.Gap.objects.get(item__code="1.1")
    assert gap.item.checklist.version == "2"
    assert im.Gap.objects.count() == 2  # one per place and code, never a second one


def test_an_item_of_another_checklist_version_is_refused_and_nothing_saved(world):
    assessment = wf.assessed(world, {}, complete=False)
    other = wf.checklist(world, "2").items.get(code="1.1")
    own = assessment.checklist.items.get(code="1.2")
    given = [assessments.RatingInput(own.pk, "met"), assessments.RatingInput(other.pk, "met")]
    with pytest.raises(ValidationError) as caught:
        assessments.ratings_save(assessment=assessment, ratings=given)
    assert "one checklist version only" in str(caught.value)
    assert not assessment.ratings.exclude(rating="").exists()


def test_the_api_refuses_items_of_two_versions_with_a_422(world):
    assessment = wf.assessed(world, {}, complete=False)
    other = wf.checklist(world, "2").items.get(code="1.1")
    response = api_call(
        world.client("member"),
        "put",
        f"/api/v1/assessments/{assessment.pk}/ratings",
        {"ratings": [{"item_id": other.pk, "rating": "met"}]},
    )
    assert response.status_code == 422
    assert "item" in response.json()["errors"]


def test_an_unknown_rating_is_refused(world):
    assessment = wf.assessed(world, {}, complete=False)
    item = assessment.checklist.items.first()
    with pytest.raises(ValidationError):
        assessments.ratings_save(
            assessment=assessment, ratings=[assessments.RatingInput(item.pk, "brilliant")]
        )


def test_an_assessment_is_completed_only_once_every_item_is_rated(world):
    assessment = wf.assessed(world, {"1.1": "met"}, complete=False)
    with pytest.raises(ValidationError, match=r"still to rate: 1\.2, 2\.1"):
        assessments.assessment_complete(assessment=assessment)
    response = world.client("member").post(
        f"/networks/alliance/assessments/{assessment.pk}/complete/", follow=True
    )
    assert "Rate every item" in response.content.decode()


def test_rating_on_the_page_saves_and_keeps_what_was_typed(world):
    assessment = wf.assessed(world, {}, complete=False)
    items = {i.code: i.pk for i in assessment.checklist.items.all()}
    data = {f"rating_{items['1.1']}": "partly_met", f"evidence_{items['1.1']}": "The audit"}
    response = world.client("member").post(f"/networks/alliance/assessments/{assessment.pk}/", data)
    assert response.status_code == 302
    row = assessment.ratings.get(item_id=items["1.1"])
    assert (row.rating, row.evidence) == ("partly_met", "The audit")
    bad = world.client("member").post(
        f"/networks/alliance/assessments/{assessment.pk}/",
        {f"rating_{items['1.1']}": "brilliant", f"evidence_{items['1.2']}": "Kept"},
    )
    assert bad.status_code == 400
    assert "Kept" in bad.content.decode()


def test_a_new_assessment_names_one_place(world):
    checklist = wf.checklist(world)
    place = wf.locality(world)
    client = world.client("member")
    both = client.post(
        "/networks/alliance/assessments/new/",
        {
            "checklist": checklist.pk,
            "locality": place.pk,
            "organisation": world.org.pk,
            "assessed_on": "2025-01-01",
            "visibility": "network",
        },
    )
    assert both.status_code == 400
    assert "one of them" in both.content.decode()
    future = client.post(
        "/networks/alliance/assessments/new/",
        {
            "checklist": checklist.pk,
            "locality": place.pk,
            "assessed_on": "2999-01-01",
            "visibility": "network",
        },
    )
    assert "not a future date" in future.content.decode()
    good = client.post(
        "/networks/alliance/assessments/new/",
        {
            "checklist": checklist.pk,
            "locality": place.pk,
            "assessed_on": "2025-01-01",
            "visibility": "network",
        },
    )
    assert good.status_code == 302
    assert im.Assessment.objects.get().ratings.count() == 3


def test_the_comparison_shows_what_closed_opened_and_moved(world):
    earlier = wf.assessed(world, GAPPY, on=date(2025, 1, 1))
    later = wf.assessed(
        world, {"1.1": "partly_met", "1.2": "met", "2.1": "not_met"}, on=date(2026, 1, 1)
    )
    result = assessments.compare(later, earlier)  # either order
    assert [c.code for c in result.closed] == ["1.2"]
    assert [c.code for c in result.opened] == ["2.1"]
    assert [c.code for c in result.moved] == ["1.1"]
    page = world.client("member").get(f"/networks/alliance/assessments/{later.pk}/compare/")
    html = page.content.decode()
    assert "<strong>1</strong> gap(s) closed" in html
    api = world.client("member").get(f"/api/v1/assessments/{later.pk}/compare").json()
    assert (api["closed"], api["opened"], api["moved"]) == (1, 1, 1)


def test_the_heatmap_counts_open_gaps_per_locality_and_section(world):
    place = wf.locality(world)
    wf.locality(world, "Lincolnshire")
    wf.assessed(world, GAPPY, place=place)
    checklist = im.Checklist.objects.get()
    board = assessments.heatmap(
        viewer_for(world.users["member"]), checklist, im.Locality.objects.order_by("name")
    )
    (_derby, cells), (_lincs, other) = board.rows
    assert [(c.gaps, c.items) for c in cells] == [(2, 2), (0, 1)]
    assert [c.gaps for c in other] == [None, None]  # not assessed
    assert cells[0].level == 4
    html = world.client("member").get("/networks/alliance/heatmap/").content.decode()
    assert "2 of 2" in html
    assert "Not assessed" in html


def test_gaps_of_a_restricted_assessment_are_hidden_from_others(world):
    wf.assessed(world, GAPPY, visibility="restricted")
    assert world.client("member").get("/api/v1/networks/alliance/gaps").json()["count"] == 0
    assert world.client("administrator").get("/api/v1/networks/alliance/gaps").json()["count"] == 2


def test_the_gap_register_filters_and_downloads(world):
    place = wf.locality(world)
    wf.assessed(world, GAPPY, place=place)
    client = world.client("member")
    html = client.get(
        f"/networks/alliance/gaps/?locality={place.pk}&rating=not_met"
    ).content.decode()
    assert "Is there a seclusion policy?" in html
    assert "Are restraints recorded?" not in html
    csv = b"".join(client.get("/networks/alliance/gaps/?format=csv").streaming_content).decode()
    assert "1.1,Is there a seclusion policy?" in csv
    assert client.get("/networks/alliance/gaps/?format=pdf").status_code == 404
    odd = client.get("/networks/alliance/gaps/?theme=abc&locality=99999999999&status=x&page=zz")
    assert odd.status_code == 200
