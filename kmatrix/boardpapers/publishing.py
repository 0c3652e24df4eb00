"""Publishing a paper: it goes by email, with its PDF, to the board readers of the member
organisations it is for, and each is recorded with the time it was sent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from kmatrix.boardpapers.document import paper_document
from kmatrix.boardpapers.exports import paper_pdf
from kmatrix.boardpapers.models import BoardPaper, PaperDistribution, Status
from kmatrix.boardpapers.services import version_save
from kmatrix.networks.models import Membership, NetworkOrganisation, Person, Role


@dataclass(frozen=True)
class Recipient:
    person: Person
    email: str
    organisation: str


def recipients(paper: BoardPaper) -> list[Recipient]:
    """Board readers of the paper's network on behalf of the member organisations it is for
    (the one named as its audience, or all of them), with an email address."""
    members = NetworkOrganisation.objects.filter(network_id=paper.network_id, is_member=True)
    if paper.audience_organisation_id:
        members = members.filter(organisation_id=paper.audience_organisation_id)
    seats = (
        Membership.objects.active()
        .filter(
            network_id=paper.network_id,
            roles__role=Role.BOARD_READER,
            organisation_id__in=members.values("organisation_id"),
        )
        .select_related("person__user", "organisation")
        .order_by("organisation__name", "person__full_name")
        .distinct()
    )
    found = []
    for seat in seats:
        person = seat.person
        email = person.email or (person.user.email if person.user else "")
        if email:
            found.append(Recipient(person, email, seat.organisation.name))
    return found


def _message(paper: BoardPaper, recipient: Recipient, pdf: bytes, filename: str) -> EmailMessage:
    link = settings.SITE_URL + paper.get_absolute_url()
    body = (
        f"Dear {recipient.person.full_name},\n\n"
        f"The {paper.network.name} has published its paper \u201c{paper.title}\u201d for "
        f"{paper.audience_label.lower()}, covering {paper.period_from:%-d %B %Y} to "
        f"{paper.period_to:%-d %B %Y}. It is attached as a PDF and can be read at {link}\n\n"
        f"{paper.author}\n"
    )
    message = EmailMessage(
        subject=f"{paper.network.short_name or paper.network.name}: {paper.title}",
        body=body,
        to=[recipient.email],
    )
    message.attach(filename, pdf, "application/pdf")
    return message


def paper_publish(*, paper: BoardPaper, user: Any) -> list[PaperDistribution]:
    """Publish an approved paper: email it with its PDF to every recipient, then record who it
    went to and when. If sending fails, nothing is recorded and the paper stays approved."""
    if paper.status != Status.APPROVED:
        raise ValidationError("Only an approved paper can be published.")
    found = recipients(paper)
    doc = paper_document(paper)
    doc.status = Status.PUBLISHED  # the attached PDF is the published paper
    pdf, filename = paper_pdf(doc), doc.filename("pdf")
    with get_connection() as connection:
        connection.send_messages([_message(paper, r, pdf, filename) for r in found])
    return _published(paper, found, user)


@transaction.atomic
def _published(paper: BoardPaper, found: list[Recipient], user: Any) -> list[PaperDistribution]:
    paper = BoardPaper.objects.select_for_update().get(pk=paper.pk)
    if paper.status != Status.APPROVED:
        raise ValidationError("The paper was changed while it was being sent: it is not approved.")
    now = timezone.now()
    paper.status, paper.published_at = Status.PUBLISHED, now
    paper.save(update_fields=["status", "published_at"])
    sent = PaperDistribution.objects.bulk_create(
        [
            PaperDistribution(
                paper=paper,
                person=r.person,
                name=r.person.full_name,
                email=r.email,
                organisation=r.organisation,
                sent_at=now,
                sent_by=user,
            )
            for r in found
        ]
    )
    note = f"Published and sent to {len(sent)} board reader" + ("" if len(sent) == 1 else "s")
    version_save(paper=paper, note=note, user=user, changed=[])
    return sent
