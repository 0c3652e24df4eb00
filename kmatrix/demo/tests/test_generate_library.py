"""The generator's library step: resources with about 5 KB of text, themes from their
network's adopted ones, and the search index built over everything."""

from __future__ import annotations

import pytest
from django.db.models import Avg, Count
from django.db.models.functions import Length

from kmatrix.core.access import ANONYMOUS
from kmatrix.demo import generate, generate_library
from kmatrix.library.models import Resource, SearchEntry
from kmatrix.library.search import search
from kmatrix.networks.models import AdoptedTheme

pytestmark = pytest.mark.django_db


def test_small_scale_makes_resources_with_text_and_indexes_them():
    made = generate.generate(scale="small", seed=3, progress=False)
    total = generate_library.RESOURCES["small"]
    assert Resource.objects.count() == total
    average = Resource.objects.aggregate(n=Avg(Length("body")))["n"]
    assert 4_000 < average < 7_000
    adopted = set(AdoptedTheme.objects.values_list("network_id", "theme_id"))
    links = Resource.themes.through.objects.values_list("resource__network_id", "theme_id")
    assert set(links) <= adopted
    assert SearchEntry.objects.filter(kind="resource").count() == total
    assert SearchEntry.objects.filter(kind="person").count() == generate.SCALES["small"].people
    assert made["library"] == total + SearchEntry.objects.count()
    assert search(ANONYMOUS, "care").total > 0
    statuses = dict(Resource.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses["published"] > 0.8 * total


def test_a_seed_gives_the_same_library_and_reset_removes_it():
    generate.generate(scale="small", seed=5, progress=False)
    first = list(Resource.objects.order_by("pk").values_list("title", "kind", "visibility")[:50])
    generate.generate(scale="small", seed=5, reset=True, progress=False)
    again = list(Resource.objects.order_by("pk").values_list("title", "kind", "visibility")[:50])
    assert first == again
    generate.generated_reset()
    assert not Resource.objects.exists()
    assert not SearchEntry.objects.exists()
