"""Writes for the library: resources and their moderation, files and versions, review
reminders, and the search index (which any app may ask to refresh its records)."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import date, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from kmatrix.core.access import Viewer, Visibility
from kmatrix.library import files as checks
from kmatrix.library import queries
from kmatrix.library.models import FileVersion, Resource, ResourceFile
from kmatrix.networks.models import Network, Person, Theme

logger = logging.getLogger(__name__)
Status = Resource.Status
REVIEW_AFTER = timedelta(days=365)
RESOURCE_FIELDS = (
    "kind", "title", "summary", "body", "organisation", "contact", "resource_date", "link",
    "licence", "visibility", "shared_with_partners", "review_on",
)  # fmt: skip


# --- The search index: any app's records ------------------------------------------------


def search_index_update(*, kind: str, ids: Collection[int]) -> None:
    """Re-index these records of one kind (their source re-reads them) in the background,
    once the current transaction commits. Other apps call this from their services."""
    chosen = sorted({int(i) for i in ids})
    if not chosen:
        return
    from kmatrix.library.tasks import search_index_refresh

    transaction.on_commit(lambda: _enqueue(search_index_refresh, kind, chosen))


def search_index_catch_up_enqueue() -> None:
    """Queue a catch-up of records changed without the library being told (the directory)."""
    from kmatrix.library.tasks import search_index_catch_up

    _enqueue(search_index_catch_up)


def _enqueue(task: Any, *args: Any) -> None:
    try:
        task.enqueue(*args)
    except Exception:
        # The index catches up from history later; a failed queue must not fail the save.
        logger.exception("Could not queue %s", getattr(task, "name", task))


# --- Resources ------------------------------------------------------------------------------


def _can_add(viewer: Viewer, network: Network) -> bool:
    return viewer.is_admin or network.pk in viewer.reads_networks


@transaction.atomic
def resource_save(
    *,
    viewer: Viewer,
    user: Any,
    network: Network,
    resource: Resource | None = None,
    themes: Sequence[Theme] = (),
    restricted_to: Sequence[Any] = (),
    **fields: Any,
) -> Resource:
    """Make or change a resource. New ones start as drafts by ``user``."""
    if resource is None:
        if not _can_add(viewer, network):
            raise PermissionDenied("Only the network's members add resources to it.")
        resource = Resource(network=network, created_by=user, status=Status.DRAFT)
    unknown = set(fields) - set(RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown resource fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(resource, name, value)
    adopted = set(network.adopted_themes.values_list("theme_id", flat=True))
    if any(theme.pk not in adopted for theme in themes):
        raise ValidationError({"themes": "Choose themes the network has adopted."})
    if resource.review_on is None:
        resource.review_on = timezone.localdate() + REVIEW_AFTER
    resource.full_clean()
    resource.save()
    resource.themes.set(themes)
    if resource.visibility == Visibility.RESTRICTED:
        # Its author always stays among the people a restricted resource names.
        author = [resource.created_by] if resource.created_by else []
        resource.restricted_to.set([*restricted_to, *author])
    else:
        resource.restricted_to.clear()
    search_index_update(kind="resource", ids=[resource.pk])
    return resource


def _moderate(viewer: Viewer, resource: Resource) -> None:
    if not resource.moderated_by(viewer):
        raise PermissionDenied("Only the network's knowledge managers and coordinators do this.")


def _move(resource: Resource, *, to: str, allowed: Sequence[str], note: str = "") -> Resource:
    if resource.status not in allowed:
        raise ValidationError(
            f"A resource that is {resource.get_status_display().lower()} cannot do that."
        )
    resource.status = to
    resource.moderation_note = note
    now = timezone.now()
    if to == Status.IN_REVIEW:
        resource.submitted_at = now
    if to == Status.PUBLISHED:
        resource.published_at = now
    resource.full_clean()
    resource.save()
    search_index_update(kind="resource", ids=[resource.pk])
    return resource


@transaction.atomic
def resource_submit(*, viewer: Viewer, resource: Resource) -> Resource:
    """Send a draft to the network's moderators (its author or a moderator may)."""
    if not (resource.managed_by(viewer) or viewer.is_admin):
        raise PermissionDenied("Only its author or a moderator submits a resource.")
    moved = _move(resource, to=Status.IN_REVIEW, allowed=[Status.DRAFT])
    _tell_moderators(moved)
    return moved


@transaction.atomic
def resource_publish(*, viewer: Viewer, resource: Resource) -> Resource:
    _moderate(viewer, resource)
    return _move(resource, to=Status.PUBLISHED, allowed=[Status.DRAFT, Status.IN_REVIEW])


@transaction.atomic
def resource_return(*, viewer: Viewer, resource: Resource, note: str) -> Resource:
    """Send a resource in review back to its author as a draft, saying what to change."""
    _moderate(viewer, resource)
    if not note.strip():
        raise ValidationError({"note": "Say what the author should change."})
    moved = _move(resource, to=Status.DRAFT, allowed=[Status.IN_REVIEW], note=note.strip())
    _tell_author(moved, f"“{moved.title}” needs changes before it is published:\n\n{note}")
    return moved


@transaction.atomic
def resource_withdraw(*, viewer: Viewer, resource: Resource) -> Resource:
    """Take a published resource back to draft: nobody but its people read it then."""
    _moderate(viewer, resource)
    return _move(resource, to=Status.DRAFT, allowed=[Status.PUBLISHED])


@transaction.atomic
def resource_confirm_current(*, viewer: Viewer, resource: Resource) -> Resource:
    """ "Still current": the next review is a year from today."""
    if not resource.managed_by(viewer) and not viewer.is_admin:
        raise PermissionDenied("Only its author or a moderator confirms a resource.")
    resource.review_on = timezone.localdate() + REVIEW_AFTER
    resource.review_reminded_on = None
    resource.save(update_fields=["review_on", "review_reminded_on", "updated_at"])
    return resource


def _tell_moderators(resource: Resource) -> None:
    moderators = Person.objects.filter(
        memberships__network=resource.network,
        memberships__roles__role__in=("coordinator", "knowledge_manager"),
        user__isnull=False,
    ).exclude(email="")
    emails = sorted(set(moderators.values_list("email", flat=True)))
    if emails:
        link = settings.SITE_URL + resource.get_absolute_url()
        _mail(
            f"For review: {resource.title}", f"A resource waits for your review:\n\n{link}", emails
        )


def _tell_author(resource: Resource, text: str) -> None:
    if resource.created_by and resource.created_by.email:
        link = settings.SITE_URL + resource.get_absolute_url()
        _mail(f"Library: {resource.title}", f"{text}\n\n{link}", [resource.created_by.email])


def _mail(subject: str, body: str, to: list[str]) -> None:
    transaction.on_commit(lambda: send_mail(subject, body, None, to, fail_silently=True))


# --- Files ----------------------------------------------------------------------------------


@transaction.atomic
def file_upload(
    *,
    viewer: Viewer,
    resource: Resource,
    upload: IO[bytes],
    filename: str,
    size: int | None,
    user: Any,
    attached: ResourceFile | None = None,
    title: str = "",
) -> FileVersion:
    """Keep an upload as a new file, or as the next version of ``attached``; its text is read
    in the background. A ``ValidationError`` says what is wrong with a refused file."""
    if not resource.managed_by(viewer) and not viewer.is_admin:
        raise PermissionDenied("Only its author or a moderator adds files to a resource.")
    checked = checks.file_check(upload, filename, size)
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255] or "file"
    if attached is None:
        attached = ResourceFile.objects.create(resource=resource, title=title.strip() or name)
    number = (
        attached.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    version = FileVersion(
        file=attached,
        number=number,
        filename=name,
        file_type=checked.file_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        extraction=(
            FileVersion.Extraction.NOT_TEXT
            if checked.file_type in checks.IMAGE_TYPES
            else FileVersion.Extraction.QUEUED
        ),
    )
    upload.seek(0)
    version.stored.save(name, ContentFile(upload.read()), save=False)
    version.full_clean()
    version.save()
    if version.extraction == FileVersion.Extraction.QUEUED:
        from kmatrix.library.tasks import file_text_read

        transaction.on_commit(lambda: _enqueue(file_text_read, version.pk))
    search_index_update(kind="resource", ids=[resource.pk])
    return version


def file_text_store(*, version_id: int) -> FileVersion:
    """Read a stored version's text (the background task's work) and re-index its resource."""
    version = FileVersion.objects.select_related("file").get(pk=version_id)
    FileVersion.objects.filter(pk=version_id).update(extraction=FileVersion.Extraction.RUNNING)
    with version.stored.open("rb") as stored:
        data = stored.read()
    try:
        text = checks.text_extract(data, version.file_type).strip()
        status: str = FileVersion.Extraction.DONE if text else FileVersion.Extraction.NO_TEXT
        message = (
            f"{len(text):,} characters of text read."
            if text
            else "No text found: it may be a scanned image. Its title and summary are searched."
        )
    except checks.UnreadableFile as problem:
        text, status, message = "", problem.status, problem.message
    version.text, version.extraction, version.extraction_message = text, status, message[:500]
    version.extracted_at = timezone.now()
    version.save(update_fields=["text", "extraction", "extraction_message", "extracted_at"])
    search_index_update(kind="resource", ids=[version.file.resource_id])
    return version


# --- "Still current?" reminders ----------------------------------------------------------


def resources_review_remind(*, today: date | None = None) -> int:
    """Email the contact (or else the author) of each resource past its review date; each
    resource is reminded once per review date. Returns how many were reminded."""
    day = today or timezone.localdate()
    reminded = 0
    for resource in queries.review_due(day).iterator(chunk_size=500):
        to = _review_recipient(resource)
        if to:
            link = settings.SITE_URL + resource.get_absolute_url()
            send_mail(
                f"Still current? {resource.title}",
                f"“{resource.title}” in the {resource.network.name} library was due for "
                f"review on {resource.review_on:%d %B %Y}.\n\nIf it is still current, open it "
                f"and choose “Still current”; if not, update it or ask a moderator to "
                f"withdraw it:\n\n{link}",
                None,
                [to],
                fail_silently=True,
            )
            reminded += 1
        Resource.objects.filter(pk=resource.pk).update(review_reminded_on=day)
    return reminded


def _review_recipient(resource: Resource) -> str:
    if resource.contact and resource.contact.email:
        return resource.contact.email
    return resource.created_by.email if resource.created_by else ""
