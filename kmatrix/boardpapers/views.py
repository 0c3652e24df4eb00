"""Board paper pages: the lists, a paper with its sections, comments and exports, its details,
drafting from the records with its progress, and publishing. Editing sections and the saved
versions are in ``views_editing.py``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_POST

from kmatrix.boardpapers import exports, publishing, queries, services, tasks
from kmatrix.boardpapers.document import DocumentSection, paper_document
from kmatrix.boardpapers.forms import CommentForm, PaperForm
from kmatrix.boardpapers.models import TRANSITIONS, BoardPaper, DraftRun, Status
from kmatrix.core.access import can_manage, get_for, viewer_for
from kmatrix.core.forms import apply_errors
from kmatrix.core.history import history_for
from kmatrix.networks.models import Network


def crumbs(network: Network, *more: tuple[str, str]) -> list[dict[str, str]]:
    return [
        {"text": "Board papers", "href": reverse("boardpapers:mine")},
        {"text": network.name, "href": reverse("boardpapers:papers", args=[network.slug])},
        *({"text": text, "href": href} for text, href in more),
    ]


def coordinated(request: HttpRequest, slug: str, pk: int) -> BoardPaper:
    """A paper its network's coordinators (and administrators) manage: 404 if unseen, 403 if
    seen but not theirs to manage."""
    return queries.paper_for(viewer_for(request.user), slug, pk, write=True)


def reviewed(request: HttpRequest, slug: str, pk: int) -> BoardPaper:
    """A paper the viewer works on as its coordinator or a named reviewer."""
    viewer = viewer_for(request.user)
    paper = queries.paper_for(viewer, slug, pk)
    if not queries.reviews(viewer, paper):
        raise PermissionDenied("Only the paper's coordinators and reviewers work on it.")
    return paper


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    papers = queries.papers_mine(viewer_for(request.user))
    return render(request, "boardpapers/mine.html", {"papers": papers})


@login_required
def papers(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    network = queries.network_for(viewer, slug)
    context = {
        "network": network,
        "papers": queries.papers_of(viewer, network),
        "manages": can_manage(viewer, network),
        "breadcrumbs": [*crumbs(network)[:-1], {"text": network.name, "href": ""}],
    }
    return render(request, "boardpapers/papers.html", context)


@login_required
def paper_create(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_for(viewer_for(request.user), Network.objects.all(), write=True, slug=slug)
    person = getattr(request.user, "person", None)
    initial = {"title": "Common Board paper", "author": person.full_name if person else ""}
    form = PaperForm(request.POST or None, network=network, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            paper = services.paper_create(network=network, user=request.user, **form.details())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Paper made. Draft it from the records when you are ready.")
            return redirect(paper)
    return render(
        request,
        "boardpapers/form.html",
        {
            "form": form,
            "title": "New Board paper",
            "network": network,
            "breadcrumbs": crumbs(network, ("New paper", "")),
        },
        status=400 if form.errors else 200,
    )


@login_required
def paper_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    paper = coordinated(request, slug, pk)
    form = PaperForm(request.POST or None, instance=paper, network=paper.network)
    if request.method == "POST" and form.is_valid():
        details = form.details()
        if not paper.editable:
            for name in ("period_from", "period_to", "audience_organisation"):
                details.pop(name)
        try:
            services.paper_update(paper=paper, **details)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Paper details saved.")
            return redirect(paper)
    return render(
        request,
        "boardpapers/form.html",
        {
            "form": form,
            "title": f"Edit {paper.title}",
            "network": paper.network,
            "cancel": paper.get_absolute_url(),
            "history": history_for(paper),
            "breadcrumbs": crumbs(
                paper.network, (paper.title, paper.get_absolute_url()), ("Edit", "")
            ),
        },
        status=400 if form.errors else 200,
    )


def _page_sections(paper: BoardPaper) -> list[tuple[DocumentSection, Any]]:
    sections = list(
        paper.sections.filter(in_paper=True).select_related("edited_by").order_by("position")
    )
    doc = paper_document(paper, sections)
    return list(zip(doc.sections, sections, strict=True))


def _chart_src(paper: BoardPaper) -> Any:
    def src(section: DocumentSection, number: int, figure: dict[str, Any]) -> str:
        return reverse(
            "boardpapers:figure", args=[paper.network.slug, paper.pk, section.pk, number]
        )

    return src


def _icon_src(key: str) -> str:
    return static(f"indicators/icons/{key}.svg")


@login_required
def paper(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    found = queries.paper_for(viewer, slug, pk)
    works_on = queries.reviews(viewer, found)
    sections = _page_sections(found)
    context = {
        "paper": found,
        "network": found.network,
        "sections": sections,
        "manages": can_manage(viewer, found),
        "works_on": works_on,
        "can_edit": works_on and found.editable,
        "moves": [Status(s) for s in TRANSITIONS.get(found.status, ())],
        "waiting": [s for _doc, s in sections if s.pending],
        "comment_form": CommentForm(sections=[s for _d, s in sections]) if works_on else None,
        "chart_src": _chart_src(found),
        "icon_src": _icon_src,
        "breadcrumbs": crumbs(found.network, (found.title, "")),
        "appendices": queries.paper_appendices(viewer, found),
        **queries.paper_page(found),
    }
    return render(request, "boardpapers/paper.html", context)


@login_required
def figure(request: HttpRequest, slug: str, pk: int, section_pk: int, number: int) -> HttpResponse:
    """A chart of the paper as an SVG image (the page shows it with its data table)."""
    found = queries.paper_for(viewer_for(request.user), slug, pk)
    section = queries.section_for(found, section_pk)
    figures = section.figures or []
    if not 1 <= number <= len(figures) or figures[number - 1].get("kind") != "chart":
        raise Http404("No such chart in this section.")
    response = HttpResponse(exports.chart_image(figures[number - 1], "svg"), "image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def export(request: HttpRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404("Papers download as docx, pdf or html.")
    found = queries.paper_for(viewer_for(request.user), slug, pk)
    doc = paper_document(found)
    response = HttpResponse(exports.paper_export(doc, fmt), exports.CONTENT_TYPES[fmt])
    disposition = "inline" if fmt == "html" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{doc.filename(fmt)}"'
    return response


# --- Drafting ----------------------------------------------------------------------------


@login_required
@require_POST
def draft(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = coordinated(request, slug, pk)
    if not found.editable:
        messages.error(request, "Return the paper to draft before drafting it again.")
        return redirect(found)
    run = tasks.draft_enqueue(paper=found, user=request.user)
    return redirect("boardpapers:run", found.network.slug, found.pk, run.pk)


def _run_context(found: BoardPaper, run: DraftRun) -> dict[str, Any]:
    total = run.steps_total
    return {
        "paper": found,
        "run": run,
        "percent": min(run.steps_done * 100 // total, 100) if total else 0,
        "progress_url": reverse(
            "boardpapers:run_progress", args=[found.network.slug, found.pk, run.pk]
        ),
    }


def _run(request: HttpRequest, slug: str, pk: int, run_pk: int) -> tuple[BoardPaper, DraftRun]:
    found = reviewed(request, slug, pk)
    run = found.draft_runs.filter(pk=run_pk).first()
    if run is None:
        raise Http404("No such drafting of this paper.")
    return found, run


@login_required
def run(request: HttpRequest, slug: str, pk: int, run_pk: int) -> HttpResponse:
    found, drafting = _run(request, slug, pk, run_pk)
    context = {
        **_run_context(found, drafting),
        "breadcrumbs": crumbs(
            found.network, (found.title, found.get_absolute_url()), ("Drafting", "")
        ),
    }
    return render(request, "boardpapers/run.html", context)


@login_required
def run_progress(request: HttpRequest, slug: str, pk: int, run_pk: int) -> HttpResponse:
    """The run's progress, swapped in by htmx every second; 286 tells htmx to stop polling."""
    found, drafting = _run(request, slug, pk, run_pk)
    status = 200 if drafting.running else 286
    return render(
        request, "boardpapers/_run_status.html", _run_context(found, drafting), status=status
    )


# --- Review and publishing -------------------------------------------------------------------


@login_required
@require_POST
def status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = coordinated(request, slug, pk)
    try:
        services.paper_status_set(
            paper=found, status=request.POST.get("status", ""), user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        found.refresh_from_db(fields=["status"])
        messages.success(request, f"The paper is now {found.get_status_display().lower()}.")
    return redirect(found)


@login_required
@require_POST
def comment(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = reviewed(request, slug, pk)
    sections = list(found.sections.filter(in_paper=True))
    form = CommentForm(request.POST, sections=sections)
    if form.is_valid():
        try:
            services.comment_add(
                paper=found,
                user=request.user,
                body=form.cleaned_data["body"],
                section=form.chosen_section(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Comment added.")
            return redirect(found.get_absolute_url() + "#comments")
    return render(
        request,
        "boardpapers/comment.html",
        {
            "paper": found,
            "form": form,
            "breadcrumbs": crumbs(
                found.network, (found.title, found.get_absolute_url()), ("Comment", "")
            ),
        },
        status=400,
    )


@login_required
def publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = coordinated(request, slug, pk)
    recipients = publishing.recipients(found)
    if request.method == "POST":
        try:
            sent = publishing.paper_publish(paper=found, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Published. Sent to {len(sent)} board reader{'' if len(sent) == 1 else 's'}."
                if sent
                else "Published. No board reader of the member organisations has an email "
                "address, so nobody was emailed.",
            )
            return redirect(found.get_absolute_url() + "#sent")
    return render(
        request,
        "boardpapers/publish.html",
        {
            "paper": found,
            "recipients": recipients,
            "breadcrumbs": crumbs(
                found.network, (found.title, found.get_absolute_url()), ("Publish", "")
            ),
        },
    )
