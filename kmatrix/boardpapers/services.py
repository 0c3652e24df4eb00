"""Writes to Board papers: making one, drafting it from the records, edits (with conflicts),
choosing between an edit and a new draft, review, comments and saved versions.

Every saved change to a paper's text is a new version (``PaperVersion``) with a revision of each
section it changed (``SectionRevision``), so any version can be read and compared later.
Publishing, which sends the paper to the board readers, is in ``publishing.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kmatrix.boardpapers import registry
from kmatrix.boardpapers.audience import audience_viewer
from kmatrix.boardpapers.drafting import DraftContext, Period, SectionDraft
from kmatrix.boardpapers.models import (
    TRANSITIONS,
    BoardPaper,
    Origin,
    PaperAppendix,
    PaperComment,
    PaperSection,
    PaperVersion,
    SectionRevision,
    Status,
)
from kmatrix.library.models import Resource
from kmatrix.networks.models import Group, Network, Organisation

MAX_BODY = 100_000  # characters of Markdown in one section
MAX_ITEMS = 100

Progress = Callable[[int, int, str], None]  # (sections done, sections, what is being drafted)


class EditConflict(Exception):
    """Someone else saved the section since the editor opened it; nothing was saved."""

    def __init__(self, section: PaperSection) -> None:
        super().__init__(f"{section.title} was changed by someone else while you edited it.")
        self.section = section


def _full_clean_save(obj: Any) -> Any:
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def paper_create(
    *,
    network: Network,
    title: str,
    period_from: date,
    period_to: date,
    author: str,
    paper_date: date,
    audience_organisation: Organisation | None = None,
    reviewers: Iterable[Any] = (),
    joint_groups: Iterable[Group] = (),
    appendices: Iterable[Resource] = (),
    user: Any | None = None,
) -> BoardPaper:
    paper = _full_clean_save(
        BoardPaper(
            network=network,
            title=title,
            period_from=period_from,
            period_to=period_to,
            author=author,
            paper_date=paper_date,
            audience_organisation=audience_organisation,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
    )
    paper.reviewers.set(list(reviewers))
    paper.joint_groups.set(list(joint_groups))
    _appendices_set(paper, appendices)
    return paper


def _appendices_set(paper: BoardPaper, resources: Iterable[Resource]) -> None:
    """The paper's appendices from the library: these resources, numbered in this order."""
    paper.appendices.all().delete()
    PaperAppendix.objects.bulk_create(
        PaperAppendix(paper=paper, resource=resource, position=position)
        for position, resource in enumerate(dict.fromkeys(resources), start=1)
    )


@transaction.atomic
def paper_update(
    *,
    paper: BoardPaper,
    reviewers: Iterable[Any] | None = None,
    joint_groups: Iterable[Group] | None = None,
    appendices: Iterable[Resource] | None = None,
    **fields: Any,
) -> BoardPaper:
    """Change a paper's details; the period and audience only while it can still be edited."""
    if not paper.editable and fields.keys() & {"period_from", "period_to", "audience_organisation"}:
        raise ValidationError(
            "A paper that is approved or published keeps its period and audience."
        )
    for name, value in fields.items():
        setattr(paper, name, value)
    paper.full_clean()
    # Only the details: the version number moves on under a lock in version_save.
    paper.save(update_fields=[*fields, "visibility"])
    if reviewers is not None:
        paper.reviewers.set(list(reviewers))
    if joint_groups is not None:
        paper.joint_groups.set(list(joint_groups))
    if appendices is not None:
        _appendices_set(paper, appendices)
    return paper


# --- Drafting ------------------------------------------------------------------------------


def draft_context(
    paper: BoardPaper, progress: Callable[[str], None] = lambda label: None
) -> DraftContext:
    return DraftContext(
        network=paper.network,
        period=Period(paper.period_from, paper.period_to),
        audience=audience_viewer(paper.network_id, paper.audience_organisation_id),
        joint_group_ids=frozenset(paper.joint_groups.values_list("pk", flat=True)),
        appendix_ids=tuple(paper.appendices.values_list("resource_id", flat=True)),
        progress=progress,
    )


def sections_draft(ctx: DraftContext, progress: Progress | None = None) -> list[SectionDraft]:
    """Every section drafted from the records, in paper order, reporting progress as it goes."""
    planned = registry.sections_planned(ctx)
    done = [0]

    def started(key: str, title: str) -> None:
        if progress is not None:
            progress(done[0], len(planned), title)
        done[0] += 1

    def step(label: str) -> None:
        if progress is not None:
            progress(max(done[0] - 1, 0), len(planned), label)

    ctx.progress = step
    drafts = list(registry.draft_sections(ctx, started))
    if progress is not None:
        progress(len(planned), len(planned), "Done")
    return drafts


@dataclass
class DraftOutcome:
    replaced: list[str] = field(default_factory=list)  # sections drafted afresh
    waiting: list[str] = field(default_factory=list)  # edited sections with a new draft beside
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def paper_draft(
    *, paper: BoardPaper, user: Any | None = None, progress: Progress | None = None
) -> DraftOutcome:
    """Draft the paper from the records. Sections nobody has edited take the new draft; an
    edited section keeps its text and gets the new draft beside it to choose from."""
    if not paper.editable:
        raise ValidationError("Only a draft or a paper in review can be drafted again.")
    # The reading is long and needs no lock; the writing is one short transaction.
    drafts = sections_draft(draft_context(paper), progress)
    return _drafts_apply(paper, drafts, user)


@transaction.atomic
def _drafts_apply(paper: BoardPaper, drafts: Sequence[SectionDraft], user: Any) -> DraftOutcome:
    paper = BoardPaper.objects.select_for_update().get(pk=paper.pk)
    now = timezone.now()
    existing = {s.key: s for s in paper.sections.select_for_update()}
    outcome = DraftOutcome()
    changed: list[PaperSection] = []
    wanted = {d.key for d in drafts}
    for position, draft in enumerate(drafts):
        section = existing.get(draft.key) or PaperSection(paper=paper, key=draft.key)
        section.position = position
        if section.pk is None or section.origin == Origin.DRAFTED or not section.in_paper:
            if section.pk is None or section.fingerprint != draft.fingerprint():
                _content_set(section, draft)
                section.revision += 1 if section.pk else 0
                changed.append(section)
                outcome.replaced.append(draft.title)
            else:
                outcome.unchanged.append(draft.title)
            section.origin, section.pending, section.in_paper = Origin.DRAFTED, None, True
            section.drafted_at = now
        elif section.fingerprint != draft.fingerprint():
            section.pending = {**draft.content(), "drafted_at": now.isoformat()}
            outcome.waiting.append(section.title)
        else:
            outcome.unchanged.append(section.title)
        section.save()
    for key, section in existing.items():
        if key in wanted or not section.in_paper:
            continue
        if section.origin == Origin.DRAFTED:
            section.in_paper = False
            outcome.removed.append(section.title)
        else:
            section.pending = {"removed": True, "drafted_at": now.isoformat()}
            outcome.waiting.append(section.title)
        section.save()
    version_save(paper=paper, note="Drafted from the records", user=user, changed=changed)
    return outcome


def _content_set(section: PaperSection, draft: SectionDraft | dict[str, Any]) -> None:
    content = draft.content() if isinstance(draft, SectionDraft) else draft
    section.title = content["title"]
    section.kind = getattr(draft, "kind", section.kind)
    section.body = content["body"]
    section.items = content["items"]
    section.figures = content["figures"]
    section.sources = content["sources"]
    section.fingerprint = content["fingerprint"]


# --- Versions ------------------------------------------------------------------------------


def version_save(
    *, paper: BoardPaper, note: str, user: Any | None, changed: Sequence[PaperSection]
) -> PaperVersion:
    """Record a new version of the paper with a revision of each changed section. Call it
    inside the transaction that made the change, with the paper locked."""
    paper.version += 1
    paper.save(update_fields=["version"])
    SectionRevision.objects.bulk_create(
        [
            SectionRevision(
                section=s,
                version=paper.version,
                title=s.title,
                body=s.body,
                items=s.items,
                figures=s.figures,
                sources=s.sources,
                origin=s.origin,
            )
            for s in changed
        ]
    )
    in_paper = paper.sections.filter(in_paper=True).order_by("position", "pk")
    return PaperVersion.objects.create(
        paper=paper,
        number=paper.version,
        note=note[:300],
        status=paper.status,
        section_ids=list(in_paper.values_list("pk", flat=True)),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


# --- Editing -------------------------------------------------------------------------------


def _locked(section: PaperSection) -> tuple[BoardPaper, PaperSection]:
    paper = BoardPaper.objects.select_for_update().get(pk=section.paper_id)
    if not paper.editable:
        raise ValidationError("The paper is approved or published: return it to draft to edit it.")
    return paper, PaperSection.objects.select_for_update().get(pk=section.pk)


def _clean_items(items: Sequence[str]) -> list[str]:
    cleaned = [" ".join(item.split()) for item in items if item.strip()]
    if len(cleaned) > MAX_ITEMS:
        raise ValidationError({"items": f"A list holds at most {MAX_ITEMS} entries."})
    if any(len(item) > 1000 for item in cleaned):
        raise ValidationError({"items": "Each entry is at most 1,000 characters."})
    return cleaned


@transaction.atomic
def section_save(
    *,
    section: PaperSection,
    title: str,
    body: str,
    items: Sequence[str] = (),
    expected_revision: int,
    user: Any,
) -> PaperSection:
    """Save a person's edit. If the section was saved by someone else since ``expected_revision``
    (the revision the editor opened), nothing is saved and ``EditConflict`` says so."""
    paper, current = _locked(section)
    if current.revision != expected_revision:
        raise EditConflict(current)
    if not title.strip():
        raise ValidationError({"title": "Enter the section's title."})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": f"A section is at most {MAX_BODY:,} characters."})
    current.title = " ".join(title.split())[:200]
    current.body = body.replace("\r\n", "\n")
    current.items = _clean_items(items)
    current.origin = Origin.EDITED
    current.edited_by = user
    current.edited_at = timezone.now()
    current.revision += 1
    current.save()
    version_save(paper=paper, note=f"{current.title} edited", user=user, changed=[current])
    return current


@transaction.atomic
def section_choose(*, section: PaperSection, use_draft: bool, user: Any) -> PaperSection:
    """Settle a section with a new draft beside a person's edit: take the draft, or keep the
    edit (the draft is then not offered again until the records change)."""
    paper, current = _locked(section)
    pending = current.pending
    if not pending:
        raise ValidationError("There is no new draft of this section to choose.")
    current.pending = None
    if pending.get("removed"):
        current.in_paper = not use_draft
        current.save()
        note = f"{current.title} {'removed' if use_draft else 'kept'}"
        version_save(paper=paper, note=note, user=user, changed=[])
        return current
    if use_draft:
        _content_set(current, pending)
        current.origin = Origin.DRAFTED
        current.drafted_at = timezone.now()
        current.revision += 1
        current.save()
        note = f"{current.title}: the new draft from the records chosen"
        version_save(paper=paper, note=note, user=user, changed=[current])
    else:
        current.fingerprint = pending["fingerprint"]
        current.save()
    return current


# --- Review ----------------------------------------------------------------------------------


@transaction.atomic
def paper_status_set(*, paper: BoardPaper, status: str, user: Any) -> BoardPaper:
    """Move a paper on (draft -> in review -> approved) or back to draft; publishing is
    ``publishing.paper_publish``."""
    paper = BoardPaper.objects.select_for_update().get(pk=paper.pk)
    if status not in TRANSITIONS.get(paper.status, ()):
        current = Status(paper.status).label.lower()
        raise ValidationError(f"A paper that is {current} cannot be moved to that status.")
    paper.status = status
    paper.save(update_fields=["status"])
    version_save(paper=paper, note=f"Status: {Status(status).label}", user=user, changed=[])
    return paper


def comment_add(
    *, paper: BoardPaper, user: Any, body: str, section: PaperSection | None = None
) -> PaperComment:
    if section is not None and section.paper_id != paper.pk:
        raise ValidationError({"section": "That section is not in this paper."})
    if len(body) > 10_000:
        raise ValidationError({"body": "A comment is at most 10,000 characters."})
    return _full_clean_save(
        PaperComment(paper=paper, section=section, author=user, body=body.strip())
    )
