"""Reads for the Board paper pages, each through the access helper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from kmatrix.boardpapers.models import (
    BoardPaper,
    PaperAppendix,
    PaperSection,
    PaperVersion,
    SectionRevision,
)
from kmatrix.core.access import Viewer, can_view, get_for, visible
from kmatrix.library import queries as library_queries
from kmatrix.library.models import Resource
from kmatrix.networks.models import Network


def network_for(viewer: Viewer, slug: str) -> Network:
    """A network whose papers the viewer may look for: one they may read, or one they sit on
    the Board for (board readers do not read the network's own pages)."""
    network = Network.objects.filter(slug=slug).first()
    if network is None or not (can_view(viewer, network) or network.pk in viewer.board_networks):
        raise Http404("No such network, or you do not have access to it.")
    return network


def papers_of(viewer: Viewer, network: Network) -> QuerySet[BoardPaper]:
    return visible(viewer, BoardPaper.objects.filter(network=network)).select_related(
        "audience_organisation"
    )


def papers_mine(viewer: Viewer) -> QuerySet[BoardPaper]:
    return visible(viewer, BoardPaper.objects.all()).select_related(
        "network", "audience_organisation"
    )


def paper_for(viewer: Viewer, slug: str, pk: int, *, write: bool = False) -> BoardPaper:
    papers = BoardPaper.objects.select_related("network", "audience_organisation")
    return get_for(viewer, papers, write=write, pk=pk, network__slug=slug)


def reviews(viewer: Viewer, paper: BoardPaper) -> bool:
    """Whether the viewer works on the paper before it goes out: its coordinators, its named
    reviewers and administrators."""
    if viewer.is_admin or viewer.coordinates(paper.network_id):
        return True
    return viewer.user_id is not None and paper.reviewers.filter(pk=viewer.user_id).exists()


def section_for(paper: BoardPaper, pk: int) -> PaperSection:
    section = paper.sections.filter(pk=pk, in_paper=True).first()
    if section is None:
        raise Http404("No such section in this paper.")
    return section


@dataclass
class VersionView:
    version: PaperVersion
    sections: list[SectionRevision]


def version_of(paper: BoardPaper, number: int) -> VersionView:
    """The paper as it was at one saved version: each of its sections' latest revision then."""
    version = paper.versions.filter(number=number).select_related("created_by").first()
    if version is None:
        raise Http404("No such version of this paper.")
    revisions = SectionRevision.objects.filter(
        section_id__in=version.section_ids, version__lte=number
    ).order_by("section_id", "-version")
    latest: dict[int, SectionRevision] = {}
    for revision in revisions:
        latest.setdefault(revision.section_id, revision)
    order = {pk: i for i, pk in enumerate(version.section_ids)}
    sections = sorted(latest.values(), key=lambda r: order[r.section_id])
    return VersionView(version, sections)


def versions_of(paper: BoardPaper) -> QuerySet[PaperVersion]:
    return paper.versions.select_related("created_by")


def paper_appendices(viewer: Viewer, paper: BoardPaper) -> list[Resource]:
    """The library resources chosen as the paper's appendices, in their order, that the
    viewer may open (one they may not is left out, as it is from search and lists)."""
    chosen = PaperAppendix.objects.filter(paper=paper)
    position = chosen.filter(resource=OuterRef("pk")).values("position")
    readable = library_queries.resource_readable(viewer).filter(pk__in=chosen.values("resource"))
    return list(readable.annotate(position=Subquery(position)).order_by("position"))


def paper_page(paper: BoardPaper) -> dict[str, Any]:
    """What the paper's page shows besides its sections, in a fixed number of queries."""
    return {
        "comments": list(paper.comments.select_related("author", "section")),
        "distributions": list(paper.distributions.all()),
        "run": paper.draft_runs.first(),
        "reviewers": list(paper.reviewers.order_by("email")),
        "joint_groups": list(paper.joint_groups.order_by("name")),
    }
