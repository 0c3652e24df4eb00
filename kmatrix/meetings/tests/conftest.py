"""Meetings for the tests, on top of the shared ``world`` fixture (kmatrix/conftest.py).

The world's group, "Restrictive practice", meets fortnightly and is chaired by the theme lead;
the member and the coordinator are its members.

- ``may``: 3 May 2023, 10:00 to 12:00 in Leicester, network-level. Two agenda items (the member
  presents one), the member present and the coordinator with apologies. Decision 1 is about
  the Safety theme and the Patient Safety programme; from it, action A (the member's, due
  9 June, open) and action B (the group's, done on 1 June). Action C, the coordinator's, is in
  progress and comes from no decision.
- ``june``: 9 June 2023, the group's next meeting; A and C carry to it, B does not.
- ``april``: a meeting known only to the month (April 2023).
- ``secret``: a restricted meeting naming the theme lead, with an action the member owns.
- ``elsewhere``: another network's meeting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import pytest

from kmatrix.meetings import services
from kmatrix.meetings.models import Action, Decision, Meeting
from kmatrix.programmes.models import Programme
from kmatrix.programmes.tests.factories import programme


@dataclass
class Minuted:
    may: Meeting
    june: Meeting
    april: Meeting
    secret: Meeting
    elsewhere: Meeting
    decision: Decision
    a: Action
    b: Action
    c: Action
    secret_action: Action
    safety: Programme


@pytest.fixture
def minuted(world) -> Minuted:
    group = world.group
    group.cadence, group.chair = "fortnightly", world.people["theme_lead"]
    group.save()
    group.members.add(world.people["member"], world.people["coordinator"])
    safety = programme(world.network, "patient-safety", name="Patient Safety", theme=world.theme)
    may = services.meeting_save(
        group=group,
        title="Restrictive practice",
        date=date(2023, 5, 3),
        start_time=time(10),
        end_time=time(12),
        location="Leicester",
    )
    services.agenda_item_save(
        meeting=may, title="Restraint in high secure settings", presenter=world.people["member"]
    )
    services.agenda_item_save(
        meeting=may,
        title="Funding",
        notes="Regional funding secured.",
        programme=safety,
        papers=[("Draft work programme", "https://example.org/paper.pdf")],
    )
    services.attendance_set(
        meeting=may,
        records=[
            (world.people["member"], "present", ""),
            (world.people["coordinator"], "apologies", ""),
        ],
    )
    decision = services.decision_save(
        meeting=may, text="Expand the work to mechanical restraint.", links=[world.theme, safety]
    )
    a = services.action_save(
        meeting=may,
        decision=decision,
        title="Draft the expanded work programme",
        owner=world.people["member"],
        due_on=date(2023, 6, 9),
    )
    b = services.action_save(
        meeting=may,
        decision=decision,
        title="Book the learning event",
        owner_group=group,
        status="done",
        closed_on=date(2023, 6, 1),
        result="Booked for March.",
    )
    c = services.action_save(
        meeting=may,
        title="Share the review",
        owner=world.people["coordinator"],
        status="in_progress",
    )
    june = services.meeting_save(
        group=group,
        title="Restrictive practice",
        date=date(2023, 6, 9),
        start_time=time(10),
        end_time=time(12),
    )
    april = services.meeting_save(
        group=group, title="Restrictive practice", date=date(2023, 4, 1), date_precision="month"
    )
    secret = services.meeting_save(
        group=group,
        title="Confidential case review",
        date=date(2023, 5, 20),
        visibility="restricted",
    )
    secret.restricted_to.add(world.users["theme_lead"])
    secret_action = services.action_save(
        meeting=secret,
        title="Review the case notes",
        owner=world.people["member"],
        due_on=date(2023, 6, 1),
    )
    from kmatrix.networks.tests import factories as f

    other_group = f.GroupFactory(network=world.other_network, name="Elsewhere", slug="elsewhere")
    elsewhere = services.meeting_save(group=other_group, title="Elsewhere", date=date(2023, 5, 4))
    return Minuted(may, june, april, secret, elsewhere, decision, a, b, c, secret_action, safety)
