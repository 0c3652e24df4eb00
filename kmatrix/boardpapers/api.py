"""The Board papers API: read papers as the pages show them, through the same access rules.

A paper you may not read is a 404 (drafts are read by the network's coordinators and the
paper's reviewers; published papers by the board readers and members it was published to).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from kmatrix.boardpapers.models import BoardPaper
from kmatrix.boardpapers.queries import papers_mine
from kmatrix.boardpapers.schemas import PaperDetail, PaperOut
from kmatrix.core.api import api_get as _get
from kmatrix.core.api import api_viewer as _viewer
from kmatrix.networks.schemas import ErrorOut

router = Router(tags=["board papers"])
ERRORS = frozenset({401, 403, 404})


@router.get("/board-papers", response={200: list[PaperOut], ERRORS: ErrorOut})
@paginate(PageNumberPagination, page_size=50)
def paper_list(request: HttpRequest, network: str = "") -> QuerySet[BoardPaper]:
    """The Board papers you may read, newest period first; ``network`` narrows to one slug."""
    papers = papers_mine(_viewer(request))
    return papers.filter(network__slug=network) if network else papers


@router.get("/board-papers/{pk}", response={200: PaperDetail, ERRORS: ErrorOut})
def paper_detail(request: HttpRequest, pk: int) -> BoardPaper:
    """A paper with its sections in order: Markdown, entries, figures and sources."""
    return _get(_viewer(request), BoardPaper.objects.select_related("network"), pk=pk)
