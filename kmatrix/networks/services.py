"""Writes to the directory that touch more than one record, send mail or check rules."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kmatrix.core.models import hash_token
from kmatrix.networks.models import (
    AdoptedTheme,
    Group,
    Invitation,
    Membership,
    MembershipRole,
    Network,
    NetworkOrganisation,
    Organisation,
    Person,
    Role,
    Workstream,
    WorkstreamMember,
)

INVITATION_DAYS = 14


def _save(obj: Any, **fields: Any) -> Any:
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def organisation_save(*, organisation: Organisation | None = None, **fields: Any) -> Organisation:
    """Create or update an organisation; a duplicate ODS code is a field error."""
    org = organisation or Organisation()
    if "ods_code" in fields:
        fields["ods_code"] = (fields["ods_code"] or "").strip().upper()
    return _save(org, **fields)


@transaction.atomic
def network_organisation_add(
    *,
    network: Network,
    organisation: Organisation,
    is_member: bool = True,
    joined_on: date | None = None,
) -> NetworkOrganisation:
    if NetworkOrganisation.objects.filter(network=network, organisation=organisation).exists():
        raise ValidationError({"organisation": f"{organisation} is already in {network}."})
    return _save(
        NetworkOrganisation(network=network, organisation=organisation),
        is_member=is_member,
        joined_on=joined_on,
    )


@transaction.atomic
def membership_save(
    *,
    membership: Membership | None = None,
    person: Person,
    network: Network,
    organisation: Organisation,
    roles: Iterable[str],
    **fields: Any,
) -> Membership:
    """Create or update a membership and its roles; a person joins a network once."""
    roles = sorted(set(roles)) or [Role.MEMBER.value]
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError({"roles": f"Unknown role: {', '.join(sorted(unknown))}."})
    duplicate = Membership.objects.filter(person=person, network=network)
    if membership is not None:
        duplicate = duplicate.exclude(pk=membership.pk)
    if duplicate.exists():
        raise ValidationError({"person": f"{person} is already a member of {network}."})
    obj = _save(
        membership or Membership(),
        person=person,
        network=network,
        organisation=organisation,
        **fields,
    )
    obj.roles.exclude(role__in=roles).delete()
    have = set(obj.roles.values_list("role", flat=True))
    MembershipRole.objects.bulk_create(
        [MembershipRole(membership=obj, role=r) for r in roles if r not in have]
    )
    if not NetworkOrganisation.objects.filter(network=network, organisation=organisation).exists():
        NetworkOrganisation.objects.create(
            network=network, organisation=organisation, is_member=False
        )
    return obj


@transaction.atomic
def workstream_save(
    *,
    workstream: Workstream | None = None,
    leads: Iterable[Person] = (),
    members: Iterable[Person] = (),
    **fields: Any,
) -> Workstream:
    obj: Workstream = _save(workstream or Workstream(), **fields)
    lead_ids = {p.pk for p in leads}
    member_ids = {p.pk for p in members} - lead_ids
    obj.members.exclude(person_id__in=lead_ids | member_ids).delete()
    for person_id in lead_ids | member_ids:
        WorkstreamMember.objects.update_or_create(
            workstream=obj, person_id=person_id, defaults={"is_lead": person_id in lead_ids}
        )
    return obj


@transaction.atomic
def group_save(
    *, group: Group | None = None, members: Iterable[Person] | None = None, **fields: Any
) -> Group:
    obj: Group = _save(group or Group(), **fields)
    if members is not None:
        obj.members.set(list(members))
    return obj


@transaction.atomic
def themes_adopt(*, network: Network, adoptions: list[tuple[int, str]]) -> list[AdoptedTheme]:
    """Set the network's themes: (theme id, status) in the network's order."""
    keep = []
    for position, (theme_id, status) in enumerate(adoptions, start=1):
        adopted, _ = AdoptedTheme.objects.update_or_create(
            network=network, theme_id=theme_id, defaults={"status": status, "position": position}
        )
        keep.append(adopted)
    in_use = set(network.workstreams.values_list("theme_id", flat=True))
    dropped = network.adopted_themes.exclude(pk__in=[a.pk for a in keep])
    if dropped.filter(theme_id__in=in_use).exists():
        raise ValidationError("A theme with a workstream cannot be dropped; defer it instead.")
    dropped.delete()
    return keep


def _invitation_link(raw: str) -> str:
    from django.conf import settings

    return settings.SITE_URL + reverse("networks:invitation_accept", args=[raw])


@transaction.atomic
def invitation_send(
    *,
    network: Network,
    organisation: Organisation,
    email: str,
    full_name: str,
    role: str,
    invited_by: Any,
) -> Invitation:
    """Invite someone to a network and email them a link. Existing members cannot be invited."""
    email = email.strip().lower()
    if Membership.objects.filter(network=network, person__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {network}."})
    pending = Invitation.objects.filter(
        network=network,
        email__iexact=email,
        accepted_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if pending.exists():
        raise ValidationError({"email": f"{email} already has an invitation waiting."})
    raw = secrets.token_urlsafe(32)
    invitation = _save(
        Invitation(token_hash=hash_token(raw)),
        network=network,
        organisation=organisation,
        email=email,
        full_name=full_name,
        role=role,
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    inviter = getattr(invited_by, "email", "A network coordinator")
    body = (
        f"Dear {full_name},\n\n{inviter} has invited you to join {network.name} "
        f"on Knowledge Matrix, representing {organisation.name}.\n\n"
        f"Accept the invitation within {INVITATION_DAYS} days:\n{_invitation_link(raw)}\n"
    )
    transaction.on_commit(
        lambda: EmailMessage(f"Invitation to join {network.name}", body, to=[email]).send()
    )
    return invitation


def invitation_find(raw: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("network", "organisation")
        .filter(token_hash=hash_token(raw), accepted_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: Any | None, password: str | None) -> Any:
    """Accept an invitation: make the account if needed, the directory entry and the membership."""
    User = get_user_model()
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError("An account with this email exists: sign in to accept.")
        user = User.objects.create_user(email=invitation.email, password=password)
    EmailAddress.objects.update_or_create(
        user=user, email=invitation.email, defaults={"verified": True, "primary": True}
    )
    person = Person.objects.filter(user=user).first() or (
        Person.objects.filter(email__iexact=invitation.email, user__isnull=True).first()
    )
    if person is None:
        person = _save(
            Person(),
            full_name=invitation.full_name,
            email=invitation.email,
            organisation=invitation.organisation,
        )
    if person.user_id is None:
        person.user = user
        person.save(update_fields=["user"])
    membership_save(
        person=person,
        network=invitation.network,
        organisation=invitation.organisation,
        roles=[invitation.role],
        joined_on=timezone.localdate(),
        committed_days_per_month=Decimal("1.0"),
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


def letter_context(membership: Membership) -> dict[str, str]:
    def day(value: date | None) -> str:
        return value.strftime("%-d %B %Y") if value else "(not recorded)"

    network = membership.network
    return {
        "person_name": membership.person.full_name,
        "network_name": network.name,
        "organisation_name": membership.organisation.name,
        "committed_days": f"{membership.committed_days_per_month.normalize():f}",
        "joined_on": day(membership.joined_on),
        "line_manager_agreed_on": day(membership.line_manager_agreed_on),
        "signatory": network.letter_signatory or f"Co-chairs, {network.name}",
        "today": day(timezone.localdate()),
    }
