"""Membership confirmation letters: from the network's template, as DOCX and PDF, and emailed."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from docx import Document

from kmatrix.networks import letters
from kmatrix.networks.tests.html import text

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def membership(world):
    membership = world.network.memberships.get(person=world.people["member"])
    membership.joined_on = date(2024, 4, 1)
    membership.line_manager_agreed_on = date(2024, 3, 15)
    membership.committed_days_per_month = Decimal("1.5")
    membership.save()
    return membership


def letter_url(membership, ending):
    return f"/networks/alliance/members/{membership.pk}/{ending}"


def docx_text(content):
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def test_the_docx_letter_opens_and_names_the_person(world, membership):
    response = world.client("coordinator").get(letter_url(membership, "letter.docx"))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="membership-letter-{membership.pk}.docx"'
    )
    body = docx_text(response.content)
    assert "East Midlands Test Alliance: confirmation of membership" in body
    assert "Dear Member," in body
    assert "on behalf of Derbyshire Test Trust" in body
    assert "1.5 day(s)" in body
    assert "from 1 April 2024" in body
    assert "agreed to your membership on 15 March 2024" in body


def test_the_pdf_letter_is_a_pdf(world, membership):
    response = world.client("coordinator").get(letter_url(membership, "letter.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_sending_the_letter_emails_both_files_and_records_the_date(world, membership, mailoutbox):
    client = world.client("coordinator")
    response = client.post(letter_url(membership, "letter/send/"))
    assert response.status_code == 302
    assert response["Location"] == "/networks/alliance/members/"
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["member@example.org"]
    assert email.subject == "Your membership of East Midlands Test Alliance"
    assert "Dear Member," in email.body
    names = [name for name, _content, _type in email.attachments]
    assert names == [
        f"membership-letter-{membership.pk}.docx",
        f"membership-letter-{membership.pk}.pdf",
    ]
    docx, pdf = email.attachments
    assert "Dear Member," in docx_text(docx[1])
    assert pdf[1].startswith(b"%PDF")
    membership.refresh_from_db()
    assert membership.letter_sent_on == timezone.localdate()
    assert f"Sent {timezone.localdate():%-d %B %Y}" in text(
        client.get("/networks/alliance/members/")
    )


def test_a_letter_to_someone_without_an_email_is_not_sent(world, membership, mailoutbox):
    world.people["member"].email = ""
    world.people["member"].save()
    client = world.client("coordinator")
    response = client.post(letter_url(membership, "letter/send/"))
    assert response.status_code == 302
    assert mailoutbox == []
    membership.refresh_from_db()
    assert membership.letter_sent_on is None
    assert "Member has no email address, so the letter was not sent." in text(
        client.get("/networks/alliance/members/")
    )


@pytest.mark.parametrize("ending", ["letter.txt", "letter.html", "letter.DOCX", "letter."])
def test_an_unknown_letter_format_is_a_404(world, membership, ending):
    assert world.client("coordinator").get(letter_url(membership, ending)).status_code == 404


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("member", 403),
        ("theme_lead", 403),
        ("outsider", 404),
        ("board_reader", 404),
        ("other_member", 404),
    ],
)
def test_only_coordinators_get_or_send_letters(world, membership, mailoutbox, name, status):
    client = world.client(name)
    assert client.get(letter_url(membership, "letter.docx")).status_code == status
    assert client.post(letter_url(membership, "letter/send/")).status_code == status
    assert mailoutbox == []
    membership.refresh_from_db()
    assert membership.letter_sent_on is None


def test_the_letter_follows_the_network_template(world, membership):
    world.network.letter_template = "Hello {person_name}, welcome to {network_name}. {signatory}"
    world.network.letter_signatory = "Dr A Chair"
    world.network.save()
    assert (
        letters.letter_text(membership)
        == "Hello Member, welcome to East Midlands Test Alliance. Dr A Chair"
    )


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Dear {person_nmae},", "Dear {person_nmae},"),  # a typo shows in the letter
        ("{person_name.upper}", "{person_name.upper}"),  # no attribute lookups
        ("{person_name.__class__.__mro__}", "{person_name.__class__.__mro__}"),
        ("{typo.attribute}", "{typo.attribute}"),  # was an AttributeError, a 500
        ("{person_name[x]}", "{person_name[x]}"),  # was a TypeError, a 500
        ("{person_name[0]}", "{person_name[0]}"),  # no index lookups
        ("{0} and {}", "{0} and {}"),
        ("Unclosed {person_name", "Unclosed {person_name"),
        ("{person_name:%%%}", "{person_name:%%%}"),
    ],
)
def test_a_broken_template_gives_a_letter_not_an_error(world, membership, template, expected):
    world.network.letter_template = template
    world.network.save()
    assert letters.letter_text(membership) == expected
    response = world.client("coordinator").get(letter_url(membership, "letter.docx"))
    assert response.status_code == 200
    assert expected in docx_text(response.content)
