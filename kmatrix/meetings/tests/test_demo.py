"""The demo's meetings are the Board paper's (seed 003): its dates, places, discussions and
decisions, and nothing it does not give."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from kmatrix.core.models import User
from kmatrix.demo import people
from kmatrix.demo.tests.test_demo import demo  # noqa: F401 - the class-scoped demo fixture
from kmatrix.meetings import services
from kmatrix.meetings.models import Action, Meeting
from kmatrix.networks.tests.html import text

pytestmark = pytest.mark.django_db


def meeting(group, day):
    return Meeting.objects.get(network__slug="em-alliance", group__slug=group, date=day)


@pytest.mark.usefixtures("demo")
class TestTheDemoMeetings:
    def test_the_papers_meetings_are_there_with_their_dates_and_places(self):
        found = {
            (m.group.slug if m.group else m.programme.slug, m.date, m.date_precision, m.location)
            for m in Meeting.objects.filter(network__slug="em-alliance").select_related(
                "group", "programme"
            )
        }
        assert {
            ("alliance-board", date(2023, 4, 1), "month", ""),
            ("joint-chair-ceo", date(2023, 5, 3), "day", "Leicester"),
            ("joint-chair-ceo", date(2023, 6, 9), "day", "St Andrew's Healthcare, Northampton"),
            ("hr-directors", date(2023, 2, 1), "month", ""),
            ("hr-directors", date(2023, 5, 1), "month", ""),
            ("medical-nurse-directors", date(2023, 4, 1), "month", ""),
            ("strategy-finance-directors", date(2023, 1, 1), "month", ""),
            ("strategy-finance-directors", date(2023, 3, 1), "month", ""),
            ("patient-safety", date(2023, 3, 1), "month", "Nottingham"),
            ("digital-leads", date(2023, 2, 1), "month", ""),
            ("sustainability", date(2023, 3, 1), "month", ""),
        } <= found
        # The paper gives no meeting a time, so none has one.
        assert not Meeting.objects.filter(start_time__isnull=False).exists()

    def test_the_9_june_decisions_lead_to_their_actions(self):
        june = meeting("joint-chair-ceo", date(2023, 6, 9))
        decisions = list(june.decisions.order_by("number"))
        assert [d.number for d in decisions] == [1, 2]
        assert decisions[0].text.startswith(
            "Ask the Strategy Director group to work up a draft model"
        )
        assert {link.theme.name for link in decisions[0].links.all()} == {
            "Quality Improvement",
            "Safety",
            "Workforce development",
        }
        action = decisions[0].actions.get()
        assert (action.owner_group.slug, action.status, action.owner) == (
            "strategy-finance-directors",
            "open",
            None,
        )
        assert decisions[1].actions.get().owner_group.slug == "joint-chair-ceo"

    def test_the_3_may_actions_carry_to_9_june_with_their_results(self):
        may = meeting("joint-chair-ceo", date(2023, 5, 3))
        assert may.decisions.count() == 4
        done = Action.objects.get(
            meeting=may, title__startswith="Restructure the common Board paper"
        )
        assert (done.status, done.closed_on) == ("done", date(2023, 6, 15))
        assert "structured under the six strategic themes" in done.result
        client = Client()
        client.force_login(User.objects.get(email="coordinator@example.org"))
        page = text(client.get(meeting("joint-chair-ceo", date(2023, 6, 9)).get_absolute_url()))
        assert "Matters arising" in page
        assert "Update the Alliance Framework for review at the 9 June meeting" in page

    def test_attendees_are_the_demos_fictional_people_and_say_so(self):
        june = meeting("joint-chair-ceo", date(2023, 6, 9))
        assert june.attendance.count() == 12  # the six chairs and six chief executives
        assert "Illustrative" in june.attendance_note
        banned = {name.lower() for name in people.SEED_NAMES}
        names = {part.lower() for a in june.attendance.all() for part in a.person.full_name.split()}
        assert names.isdisjoint(banned)
        assert not Meeting.objects.filter(agenda__presenter__isnull=False).exists()

    def test_the_chair_and_ceo_group_feed_has_its_two_meetings_as_all_day_events(self):
        coordinator = User.objects.get(email="coordinator@example.org")
        group = meeting("joint-chair-ceo", date(2023, 6, 9)).group
        token = services.calendar_token(coordinator)
        body = Client().get(f"/calendar/{token}/groups/{group.pk}.ics").content.decode()
        assert "DTSTART;VALUE=DATE:20230503" in body
        assert "DTSTART;VALUE=DATE:20230609" in body

    def test_board_level_meetings_stay_with_the_network(self):
        assert meeting("alliance-board", date(2023, 4, 1)).visibility == "network"
        assert meeting("hr-directors", date(2023, 5, 1)).visibility == "public"

    def test_the_restrictive_practice_reports_are_papers_from_the_library(self):
        from kmatrix.core.access import ANONYMOUS
        from kmatrix.meetings import queries

        found = meeting("medical-nurse-directors", date(2023, 4, 1))
        item = found.agenda.get(title="The restrictive practice reports")
        assert sorted(r.title for r in item.resources.all()) == [
            "Restrictive practice review: Derbyshire Healthcare's own report",
            "Restrictive practice review: the Alliance-wide summary",
        ]
        assert not Meeting.objects.exclude(pk=found.pk).filter(agenda__resources__isnull=False)
        page = queries.meeting_page(ANONYMOUS, found)
        shown = {r.title for i in page.agenda for r in i.shown_resources}
        assert "Restrictive practice review: Derbyshire Healthcare's own report" not in shown
