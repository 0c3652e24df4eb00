"""Editing a paper's sections (with conflicts between reviewers), choosing between an edit and a
new draft, and the paper's saved versions: each one readable, any two comparable."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kmatrix.boardpapers import queries, services
from kmatrix.boardpapers.document import document_section, paper_document
from kmatrix.boardpapers.forms import SectionForm, section_initial
from kmatrix.boardpapers.models import BoardPaper, PaperSection, SectionRevision
from kmatrix.boardpapers.views import crumbs, reviewed
from kmatrix.core.forms import apply_errors


def _editable(
    request: HttpRequest, slug: str, pk: int, section_pk: int
) -> tuple[BoardPaper, PaperSection]:
    found = reviewed(request, slug, pk)
    return found, queries.section_for(found, section_pk)


def _paper_crumbs(paper: BoardPaper, last: str) -> list[dict[str, str]]:
    return crumbs(paper.network, (paper.title, paper.get_absolute_url()), (last, ""))


@login_required
def section_edit(request: HttpRequest, slug: str, pk: int, section_pk: int) -> HttpResponse:
    found, section = _editable(request, slug, pk, section_pk)
    if not found.editable:
        messages.error(request, "The paper is approved or published: return it to draft to edit.")
        return redirect(found)
    form = SectionForm(request.POST or None, section=section, initial=section_initial(section))
    conflict: PaperSection | None = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.section_save(
                section=section,
                title=data["title"],
                body=data["body"],
                items=form.item_list(),
                expected_revision=data["revision"],
                user=request.user,
            )
        except services.EditConflict as error:
            # Their text stays in the form; the revision moves on so that saving again, once
            # they have taken the other edit into account, is a deliberate choice.
            conflict = error.section
            form = SectionForm(
                {**request.POST.dict(), "revision": conflict.revision}, section=conflict
            )
            form.is_valid()
            status = 409
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{data['title']} saved.")
            return redirect(f"{found.get_absolute_url()}#section-{section.pk}")
    if form.errors and status == 200:
        status = 400
    context = {
        "paper": found,
        "section": section,
        "form": form,
        "conflict": conflict,
        "breadcrumbs": _paper_crumbs(found, f"Edit {section.title}"),
    }
    return render(request, "boardpapers/section_edit.html", context, status=status)


def _doc(section: PaperSection | SectionRevision) -> Any:
    key = section.section.key if isinstance(section, SectionRevision) else section.key
    kind = section.section.kind if isinstance(section, SectionRevision) else section.kind
    return document_section(
        key=key,
        title=section.title,
        kind=kind,
        body=section.body,
        items=section.items,
        figures=section.figures,
        sources=section.sources,
        pk=section.section_id if isinstance(section, SectionRevision) else section.pk,
    )


@login_required
def section_choose(request: HttpRequest, slug: str, pk: int, section_pk: int) -> HttpResponse:
    """An edited section beside the new draft from the records: keep the edit or take the draft."""
    found, section = _editable(request, slug, pk, section_pk)
    if not section.pending:
        messages.info(request, f"{section.title} has no new draft waiting.")
        return redirect(found)
    if request.method == "POST":
        choice = request.POST.get("choice")
        if choice in ("draft", "edit"):
            try:
                services.section_choose(
                    section=section, use_draft=choice == "draft", user=request.user
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                taken = "the new draft" if choice == "draft" else "your edit"
                messages.success(request, f"{section.title}: {taken} kept.")
            return redirect(f"{found.get_absolute_url()}#section-{section.pk}")
        messages.error(request, "Choose the edit or the new draft.")
    pending = section.pending
    draft = None
    if not pending.get("removed"):
        draft = document_section(
            key=section.key,
            title=pending["title"],
            kind=section.kind,
            body=pending["body"],
            items=pending["items"],
            figures=pending["figures"],
            sources=pending["sources"],
            pk=section.pk,
        )
    context = {
        "paper": found,
        "section": section,
        "edit": _doc(section),
        "draft": draft,
        "removed": bool(pending.get("removed")),
        "breadcrumbs": _paper_crumbs(found, f"New draft of {section.title}"),
    }
    return render(request, "boardpapers/section_choose.html", context)


# --- Versions --------------------------------------------------------------------------------


@login_required
def versions(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = reviewed(request, slug, pk)
    context = {
        "paper": found,
        "versions": queries.versions_of(found),
        "breadcrumbs": _paper_crumbs(found, "Versions"),
    }
    return render(request, "boardpapers/versions.html", context)


@login_required
def version(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    found = reviewed(request, slug, pk)
    view = queries.version_of(found, number)
    doc = paper_document(found, [])
    doc.sections = [_doc(revision) for revision in view.sections]
    context = {
        "paper": found,
        "view": view,
        "doc": doc,
        "breadcrumbs": _paper_crumbs(found, f"Version {number}"),
    }
    return render(request, "boardpapers/version.html", context)


@dataclass
class SectionChange:
    title: str
    lines: list[tuple[str, str]]  # ("added" | "removed" | "same", text)


def _text(revision: SectionRevision | None) -> list[str]:
    if revision is None:
        return []
    lines = [f"## {revision.title}", *revision.body.splitlines()]
    return lines + [f"- {item}" for item in revision.items]


def compare_versions(found: BoardPaper, first: int, second: int) -> list[SectionChange]:
    """Each section that differs between two versions, line by line."""
    older, newer = queries.version_of(found, first), queries.version_of(found, second)
    before = {r.section_id: r for r in older.sections}
    after = {r.section_id: r for r in newer.sections}
    order = list(dict.fromkeys([*newer.version.section_ids, *older.version.section_ids]))
    changes = []
    for section_id in order:
        old, new = before.get(section_id), after.get(section_id)
        if old is not None and new is not None and old.pk == new.pk:
            continue
        lines = []
        for line in difflib.ndiff(_text(old), _text(new)):
            code, text = line[:2], line[2:]
            if code in ("+ ", "- ", "  "):
                kind = {"+ ": "added", "- ": "removed", "  ": "same"}[code]
                lines.append((kind, text))
        shown = new or old
        if shown is not None and any(kind != "same" for kind, _line in lines):
            changes.append(SectionChange(shown.title, lines))
    return changes


@login_required
def compare(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = reviewed(request, slug, pk)
    numbers = list(queries.versions_of(found).values_list("number", flat=True))
    try:
        first = int(request.GET.get("from", ""))
        second = int(request.GET.get("to", ""))
    except ValueError:
        first, second = (numbers[1], numbers[0]) if len(numbers) > 1 else (0, 0)
    error = ""
    changes: list[SectionChange] = []
    if first not in numbers or second not in numbers:
        error = "Choose two saved versions of this paper."
    else:
        first, second = sorted((first, second))
        changes = compare_versions(found, first, second)
    context = {
        "paper": found,
        "numbers": numbers,
        "first": first,
        "second": second,
        "changes": changes,
        "error": error,
        "breadcrumbs": _paper_crumbs(found, "Compare versions"),
    }
    return render(request, "boardpapers/compare.html", context, status=400 if error else 200)
