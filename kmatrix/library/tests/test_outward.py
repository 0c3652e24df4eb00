"""The Knowledge Matrix, the feed and the exports: counts and rows of what the asker reads,
the page's queries pinned as the data grows."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from kmatrix.core.access import viewer_for
from kmatrix.library.matrix import knowledge_matrix
from kmatrix.library.related import similar_practice
from kmatrix.library.tests import factories as lf


def _cell(matrix, network, theme):
    row = next(r for r in matrix.rows if r.network == network)
    return next(c for c in row.cells if c.theme == theme)


def test_the_matrix_counts_practice_and_documents_and_partners_items(library):
    world = library.world
    lf.resource(world.network, "A report on falls", kind="report", themes=(world.theme,))
    lf.resource(world.other_network, "Partner's practice", themes=(world.theme,))
    from kmatrix.networks.models import AdoptedTheme

    AdoptedTheme.objects.create(network=world.other_network, theme=world.theme, position=1)
    member = knowledge_matrix(viewer_for(world.users["member"]))
    cell = _cell(member, world.network, world.theme)
    # public and network practice, and the report (the organisation one has no theme)
    assert cell.counts == {"plans": 0, "practice": 2, "documents": 1}
    assert "network=" in cell.href
    assert f"theme={world.theme.pk}" in cell.href
    partner_row = next(r for r in member.rows if r.network == world.other_network)
    assert partner_row.is_partner
    assert _cell(member, world.other_network, world.theme).counts["practice"] == 1
    outsider = knowledge_matrix(viewer_for(world.users["outsider"]))
    assert _cell(outsider, world.network, world.theme).counts == {
        "plans": 0,
        "practice": 1,
        "documents": 0,
    }
    assert all(not r.is_partner for r in outsider.rows)


def test_the_matrix_filters_by_year_and_region(library):
    world = library.world
    member = viewer_for(world.users["member"])
    assert knowledge_matrix(member, year=1999).largest == 0
    assert knowledge_matrix(member, region="Nowhere").rows == []
    page = library.world.client("member").get("/matrix/", {"year": "x", "framework": "<b>"})
    assert page.status_code == 200


def test_the_feed_lists_new_positive_practice_the_reader_may_read(library):
    anonymous = Client().get("/library/positive-practice.atom").content.decode()
    assert "Memory café in the public library" in anonymous
    assert "Delirium checklist" not in anonymous
    member = library.world.client("member").get("/library/positive-practice.atom")
    assert "Delirium checklist for wards" in member.content.decode()
    assert member["Content-Type"].startswith("application/atom+xml")


@pytest.mark.parametrize("name", ["anonymous", "outsider", "member"])
def test_the_exports_hold_the_catalogue_rows_the_reader_may_read(library, name):
    client = library.world.client(name)
    csv_text = b"".join(client.get("/library/export.csv").streaming_content).decode()
    rows = json.loads(b"".join(client.get("/library/export.json").streaming_content))
    titles = {r["title"] for r in rows["resources"]}
    assert ("Delirium checklist for wards" in titles) == (name == "member")
    assert ("Delirium checklist for wards" in csv_text) == (name == "member")
    assert "Incident notes" not in csv_text
    assert "Memory café in the public library" in titles


def test_a_formula_in_a_title_is_neutralised_in_the_csv(library):
    lf.resource(library.world.network, "=HYPERLINK(1)", visibility="public")
    text = b"".join(Client().get("/library/export.csv").streaming_content).decode()
    assert "'=HYPERLINK(1)" in text


def test_similar_practice_comes_from_other_networks(library):
    world = library.world
    mine = lf.resource(world.network, "Delirium screening on admission", visibility="public")
    lf.resource(world.other_network, "Screening for delirium in A&E", visibility="public")
    lf.resource(world.network, "Delirium screening leaflet", visibility="public")
    found = [s.title for s in similar_practice(viewer_for(world.users["outsider"]), mine)]
    assert found == ["Screening for delirium in A&E"]


def _grow(library, count):
    for i in range(count):
        lf.resource(library.world.network, f"Falls item {i}", themes=(library.world.theme,))


@pytest.mark.parametrize(
    ("address", "queries"),
    [("/library/", 17), ("/matrix/", 15), ("/search/?q=falls", 14), ("/library/{pk}/", 15)],
)
def test_pages_ask_the_same_number_of_queries_with_more_data(
    library, django_assert_num_queries, address, queries
):
    from django.core.cache import cache

    # The search page checks the directory's history once a minute; not in these requests.
    cache.set("library:search-catch-up", True)
    client = library.world.client("member")
    url = address.format(pk=library["network"].pk)
    _grow(library, 2)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    _grow(library, 20)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
