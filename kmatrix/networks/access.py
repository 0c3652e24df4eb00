"""Loads what a user is a member of, for the access helper in core (core/access.py)."""

from __future__ import annotations

from typing import Any

from kmatrix.core.access import Viewer
from kmatrix.networks.models import (
    Group,
    Membership,
    MembershipRole,
    Person,
    Role,
    WorkstreamMember,
)


def load_viewer(user: Any) -> Viewer:
    person = Person.objects.filter(user=user).only("pk").first()
    is_admin = bool(user.is_superuser)
    if person is None:
        return Viewer(user_id=user.pk, is_admin=is_admin)
    # One row per membership and network linked to its network (the sharing agreements), so
    # that the partners come in the same query.
    rows = list(
        Membership.objects.active()
        .filter(person=person)
        .values_list("pk", "network_id", "organisation_id", "network__linked_networks")
    )
    memberships = list(dict.fromkeys(row[:3] for row in rows))
    linked: set[tuple[int, int]] = {(row[1], row[3]) for row in rows if row[3] is not None}  # type: ignore[misc]
    roles: dict[int, set[str]] = {}
    for membership_id, role in MembershipRole.objects.filter(
        membership_id__in=[m[0] for m in memberships]
    ).values_list("membership_id", "role"):
        roles.setdefault(membership_id, set()).add(role)
    member, coordinated, board = set(), set(), set()
    network_roles: set[tuple[int, str]] = set()
    for membership_id, network_id, _org in memberships:
        held = roles.get(membership_id, set())
        network_roles |= {(network_id, role) for role in held}
        if Role.COORDINATOR in held:
            coordinated.add(network_id)
        if held - {Role.BOARD_READER} or not held:
            member.add(network_id)
        if Role.BOARD_READER in held:
            board.add(network_id)
    led = WorkstreamMember.objects.filter(
        person=person, is_lead=True, workstream__network_id__in=member | coordinated
    ).values_list("workstream_id", flat=True)
    chaired = Group.objects.filter(chair=person).values_list("pk", flat=True)
    reads = member | coordinated
    return Viewer(
        user_id=user.pk,
        person_id=person.pk,
        is_admin=is_admin,
        member_networks=frozenset(member),
        coordinated_networks=frozenset(coordinated),
        board_networks=frozenset(board),
        # Board readers read what is published to them, not their colleagues' records.
        memberships=frozenset(
            (net, org) for _pk, net, org in memberships if net in member | coordinated
        ),
        led_workstreams=frozenset(led),
        chaired_groups=frozenset(chaired),
        network_roles=frozenset(network_roles),
        # A link between networks is their sharing agreement (set by administrators).
        partner_networks=frozenset(to for frm, to in linked if frm in reads) - reads,
    )
