"""Need per provider and profession against sessions booked and delivered."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from kmatrix.supervision import bookings, services, slots
from kmatrix.supervision.models import SessionNeed, may_enter_need
from kmatrix.supervision.queries import need_page
from kmatrix.supervision.times import LONDON

YEAR = 2027  # April 2027 to March 2028


def _session(sv, when):
    return slots.slot_create(
        supervisor=sv.supervisor,
        starts_at=when,
        duration_minutes=60,
        mode="virtual",
        capacity=4,
        now=datetime(2027, 1, 1, tzinfo=LONDON),
    )


def _book(sv, slot, name, profession, outcome=""):
    person = sv.people[name]
    booking = bookings.booking_create(
        slot_id=slot.pk,
        person=person,
        organisation=person.organisation,
        profession=profession,
        now=slot.starts_at - timedelta(days=1),
    )
    if outcome:
        bookings.attendance_record(booking=booking, attendance=outcome, now=slot.ends_at)
    return booking


def test_need_is_set_by_profession_and_a_blank_removes_it(sv):
    saved = services.need_save(
        service=sv.service,
        organisation=sv.world.org,
        financial_year=YEAR,
        needs={"counsellor": 12, "mental_health_nurse": 30},
        user=None,
    )
    assert sorted(n.sessions_needed for n in saved) == [12, 30]
    services.need_save(
        service=sv.service,
        organisation=sv.world.org,
        financial_year=YEAR,
        needs={"counsellor": None},
        user=None,
    )
    assert list(SessionNeed.objects.values_list("profession", flat=True)) == ["mental_health_nurse"]


def test_need_for_an_unknown_profession_or_another_network_is_refused(sv):
    with pytest.raises(ValidationError, match="Unknown profession"):
        services.need_save(
            service=sv.service,
            organisation=sv.world.org,
            financial_year=YEAR,
            needs={"wizard": 3},
            user=None,
        )
    from kmatrix.networks.tests import factories as f

    outsider = f.OrganisationFactory()
    with pytest.raises(ValidationError, match="member provider"):
        services.need_save(
            service=sv.service,
            organisation=outsider,
            financial_year=YEAR,
            needs={"counsellor": 3},
            user=None,
        )


def test_the_page_sets_need_against_booked_and_delivered_in_the_year(sv):
    services.need_save(
        service=sv.service,
        organisation=sv.world.org,
        financial_year=YEAR,
        needs={"counsellor": 10},
        user=None,
    )
    in_year = _session(sv, datetime(2027, 4, 6, 10, tzinfo=LONDON))
    _book(sv, in_year, "member", "counsellor", "attended")
    _book(sv, in_year, "theme_lead", "counsellor", "no_show")
    _book(sv, in_year, "rt5_staff", "mental_health_nurse")
    before = _session(sv, datetime(2027, 3, 30, 10, tzinfo=LONDON))  # the year before
    _book(sv, before, "member", "counsellor", "attended")
    page = need_page(sv.service, YEAR)
    rows = {(r.organisation.ods_code, r.profession): r for r in page.rows}
    rxm = rows[("RXM", "counsellor")]
    assert (rxm.needed, rxm.booked, rxm.delivered, rxm.gap) == (10, 2, 1, 8)
    rt5 = rows[("RT5", "mental_health_nurse")]
    assert (rt5.needed, rt5.booked, rt5.delivered, rt5.gap) == (None, 1, 0, None)
    totals = {p["organisation"].ods_code: p for p in page.providers}
    assert (totals["RXM"]["needed"], totals["RXM"]["booked"]) == (10, 2)
    header, table = page.table()
    assert header[3:] == ["Sessions needed", "Booked", "Delivered", "Still to find"]
    assert ["Derbyshire Test Trust", "RXM", "Counsellor", 10, 2, 1, 8] in table


def test_hr_directors_enter_their_own_providers_need_and_project_managers_any(sv):
    from kmatrix.core.access import viewer_for

    hr = viewer_for(sv.users["hr_director"])
    pm = viewer_for(sv.users["project_manager"])
    member = viewer_for(sv.users["member"])
    assert may_enter_need(hr, sv.service, sv.world.org.pk)
    assert not may_enter_need(hr, sv.service, sv.world.other_org.pk)
    assert may_enter_need(pm, sv.service, sv.world.other_org.pk)
    assert not may_enter_need(member, sv.service, sv.world.org.pk)


def test_the_need_page_draws_a_chart_with_its_table_beside_it(sv):
    services.need_save(
        service=sv.service,
        organisation=sv.world.org,
        financial_year=2026,
        needs={"counsellor": 10},
        user=None,
    )
    response = sv.client("hr_director").get(sv.base + "need/?year=2026")
    html = response.content.decode()
    assert 'data-km-chart data-spec-id="need-spec"' in html
    assert "Sessions per provider, 2026/27" in html
    spec = sv.client("hr_director").get(sv.base + "need/?year=2026&format=json").json()
    values = spec["datasets"]["need"]
    assert {
        "provider": "RXM",
        "measure": "Needed",
        "sessions": 10,
        "name": "Derbyshire Test Trust",
    } in values


def test_illustrative_need_is_labelled_on_the_page(sv):
    [row] = services.need_save(
        service=sv.service,
        organisation=sv.world.org,
        financial_year=2026,
        needs={"counsellor": 10},
        user=None,
    )
    html = sv.client("project_manager").get(sv.base + "need/?year=2026").content.decode()
    assert "Illustrative figures" not in html
    row.is_illustrative = True
    row.save()
    html = sv.client("project_manager").get(sv.base + "need/?year=2026").content.decode()
    assert "Illustrative figures" in html


def test_a_bad_year_or_provider_is_not_found(sv):
    client = sv.client("project_manager")
    assert client.get(sv.base + "need/?year=abc").status_code == 200  # the current year
    assert client.get(sv.base + "need/edit/?organisation=99999").status_code == 404
    assert (
        client.get(sv.base + f"need/edit/?organisation={sv.world.org.pk}&year=1900").status_code
        == 404
    )


def test_a_negative_need_is_a_form_error(sv):
    response = sv.client("project_manager").post(
        sv.base + f"need/edit/?organisation={sv.world.org.pk}&year={YEAR}", {"counsellor": "-4"}
    )
    assert response.status_code == 400
    assert "greater than or equal to 0" in response.content.decode()
    assert not SessionNeed.objects.exists()
