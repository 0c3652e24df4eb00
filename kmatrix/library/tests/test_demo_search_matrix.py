"""The demo, as the issue's 'done when' reads it: an East Midlands MLN member sees the NEYH and
NW MLNs' shared plans through the Knowledge Matrix and finds them and the other apps' records in
the one search; an outsider finds nothing restricted."""

from __future__ import annotations

import pytest

from kmatrix.core.access import ANONYMOUS, viewer_for
from kmatrix.core.models import User
from kmatrix.demo.improvement import PARTNER_PLANS
from kmatrix.demo.seed import KEY_THEMES_SLUG
from kmatrix.demo.tests.test_demo import demo  # noqa: F401 - the class-scoped demo fixture
from kmatrix.library import matrix as grid
from kmatrix.library.models import SearchEntry
from kmatrix.library.search import Filters, search
from kmatrix.meetings.models import Decision, Meeting
from kmatrix.programmes.models import Programme

SHARED = [p for p in PARTNER_PLANS if p.shared]
UNSHARED = [p for p in PARTNER_PLANS if not p.shared]


def _viewer(email):
    return viewer_for(User.objects.get(email=email))


@pytest.mark.usefixtures("demo")
@pytest.mark.django_db
class TestTheDemoSearchAndMatrix:
    def test_the_demo_indexes_every_kind(self):
        kinds = set(SearchEntry.objects.values_list("kind", flat=True))
        assert {"resource", "person", "group", "plan", "update", "gap"} <= kinds
        assert {"meeting", "decision", "programme"} <= kinds

    def test_an_mln_member_sees_the_partners_shared_plans_in_the_matrix(self):
        member = _viewer("member@example.org")
        matrix = grid.knowledge_matrix(member, framework_slug=KEY_THEMES_SLUG)
        rows = {r.network.slug: r for r in matrix.rows}
        for network in ("neyh-mln", "nw-mln"):
            assert rows[network].is_partner
        counted = {
            (row.network.slug, cell.theme.name): cell.counts["plans"]
            for row in matrix.rows
            for cell in row.cells
            if cell.counts["plans"]
        }
        for plan in SHARED:
            assert counted[(plan.network, plan.theme)] == 1
        for plan in UNSHARED:
            assert (plan.network, plan.theme) not in counted

    def test_an_mln_member_finds_a_partners_shared_plan_and_not_an_unshared_one(self):
        member = _viewer("member@example.org")
        found = search(member, f'"{SHARED[0].title}"', Filters(kind="plan"))
        assert found.total == 1
        assert search(member, f'"{UNSHARED[0].title}"', Filters(kind="plan")).total == 0

    @pytest.mark.parametrize("who", ["anonymous", "outsider@example.org"])
    def test_an_outsider_finds_no_plan_update_or_gap_and_only_public_meetings(self, who):
        viewer = ANONYMOUS if who == "anonymous" else _viewer(who)
        words = ("care", "plan", "older", "people", "meeting", "agreed", "funding")
        for kind in ("plan", "update", "gap"):
            for word in words:
                results = search(viewer, word, Filters(kind=kind))
                assert results.total == 0, (who, kind, word)
        models = {"meeting": Meeting, "decision": Decision, "programme": Programme}
        for kind, model in models.items():
            for word in words:
                for hit in search(viewer, word, Filters(kind=kind)).hits:
                    record = model.objects.get(pk=hit.object_id)
                    meeting = record.meeting if kind == "decision" else record
                    assert meeting.visibility == "public", (who, kind, word)
        # The partner plans are network-wide: no count of them reaches an outsider either.
        matrix = grid.knowledge_matrix(viewer, framework_slug=KEY_THEMES_SLUG)
        assert not any(c.counts["plans"] for r in matrix.rows for c in r.cells)
