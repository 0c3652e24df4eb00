"""The reader a paper is drafted for: a ``Viewer`` that stands for its audience.

A Board paper goes to the Boards of the network's member organisations, so it is drafted as
what every board reader may read once the paper is published to them: the network's public and
network-level records. A paper for one member's Board (``audience_organisation``) may also hold
that organisation's own organisation-level records. Restricted records name the people who may
read them, and a Board is not one of them, so they never appear in any paper.

The audience is not an account. Its Viewer carries user id 0, which names no user (primary keys
start at 1), so the access helper's test for restricted records (is this user named?) never
matches, and it has no directory entry, coordinator role or board seat of its own. Every drafter
reads through ``core.access`` with this Viewer; nothing here copies the access rules.
"""

from __future__ import annotations

from kmatrix.core.access import Viewer

AUDIENCE_USER_ID = 0


def audience_viewer(network_id: int, organisation_id: int | None = None) -> Viewer:
    memberships = frozenset({(network_id, organisation_id)}) if organisation_id else frozenset()
    return Viewer(
        user_id=AUDIENCE_USER_ID,
        member_networks=frozenset({network_id}),
        memberships=memberships,
    )
