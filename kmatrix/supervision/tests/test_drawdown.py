"""Payments against the funding programme's awards: a paid statement draws down the award of
its financial year, exactly; due and approved ones are committed; a payment beyond the award is
refused and a run that takes the year past it is warned about."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kmatrix.core.access import viewer_for
from kmatrix.core.tests.helpers import api_call
from kmatrix.networks.tests.html import text
from kmatrix.programmes.models import FundingDrawdown
from kmatrix.programmes.queries import programme_awards, programmes_of
from kmatrix.programmes.tests.factories import award, programme
from kmatrix.supervision import payments
from kmatrix.supervision.drawdown import drawdown_for
from kmatrix.supervision.forms import ServiceForm
from kmatrix.supervision.models import Statement
from kmatrix.supervision.tests.test_payments import february, run  # noqa: F401 - fixtures

# Each test has February 2027's sessions (test_payments.py's fixture) to pay.
pytestmark = pytest.mark.usefixtures("february")
PAID_ON = date(2026, 11, 30)
TOTAL = Decimal("240.50")  # February 2027: two sessions at £75.00 and one at £90.50


@pytest.fixture
def funded(sv):
    """The service's funding programme, with an award for 2026/27 (February 2027's year), one
    for 2021/22 and a bid for 2027/28 (a bid pays nothing)."""
    prog = programme(sv.world.network, "therapy-supervision", name="Therapy Supervision")
    old = award(prog, "150000", first_year=2021)
    this = award(prog, "250.00", first_year=2026)
    award(prog, "999", first_year=2027, status="bid")
    sv.service.programme = prog
    sv.service.save()
    return {"programme": prog, "old": old, "this": this}


def _pm(sv):
    return viewer_for(sv.users["project_manager"])


def _row(sv, year=2026):
    return drawdown_for(_pm(sv), sv.service).row_for(year)


def _approved(sv):
    made, _ = run(sv)
    statement = made.statements.get()
    payments.statement_status_set(statement=statement, status="approved", user=None)
    return statement


def test_a_paid_statement_draws_down_the_award_of_its_year_exactly(sv, funded):
    statement = _approved(sv)
    row = _row(sv)
    assert row.award.award_id == funded["this"].pk
    assert (row.amount, row.drawn, row.approved, row.due) == (
        Decimal("250.00"),
        Decimal("0.00"),
        TOTAL,
        Decimal("0.00"),
    )
    assert row.remaining == Decimal("9.50")
    payments.statement_status_set(
        statement=statement, status="paid", user=sv.users["project_manager"], paid_on=PAID_ON
    )
    drawn = FundingDrawdown.objects.get()
    assert (drawn.award_id, drawn.amount, drawn.drawn_on, drawn.reference, drawn.source) == (
        funded["this"].pk,
        TOTAL,
        PAID_ON,
        statement.number,
        "supervision",
    )
    row = _row(sv)
    assert (row.drawn, row.committed, row.remaining) == (TOTAL, Decimal("0.00"), Decimal("9.50"))
    # The programme's own figures agree: the drawdown is the programme app's record.
    this = next(a for a in programme_awards(_pm(sv), funded["programme"].pk, 2026))
    assert this.remaining == Decimal("9.50")


def test_a_payment_beyond_the_award_is_refused_and_the_run_is_warned(sv, funded):
    funded["this"].amount = Decimal("200.00")
    funded["this"].save()
    statement = _approved(sv)
    assert _row(sv).remaining == Decimal("-40.50")
    page = sv.client("project_manager").get(sv.base + f"payments/{statement.run_id}/")
    assert "More than the 2026/27 award" in text(page)
    assert "£40.50 more than the award of £200.00" in text(page)
    with pytest.raises(ValidationError, match="Only £200 is left"):
        payments.statement_status_set(
            statement=statement, status="paid", user=None, paid_on=PAID_ON
        )
    assert Statement.objects.get(pk=statement.pk).status == "approved"
    assert not FundingDrawdown.objects.exists()
    response = sv.client("project_manager").post(
        sv.base + f"statements/{statement.pk}/status/",
        {"status": "paid", "paid_on": PAID_ON.isoformat()},
        follow=True,
    )
    assert "Only £200 is left" in text(response)
    assert Statement.objects.get(pk=statement.pk).status == "approved"


def test_the_page_sets_out_each_award_and_the_years_no_award_covers(sv, funded):
    statement = _approved(sv)
    funded["this"].first_year = 2025  # now no award covers February 2027's year
    funded["this"].save()
    rows = drawdown_for(_pm(sv), sv.service).rows
    assert [(r.label, r.amount, r.committed) for r in rows] == [
        ("2021/22", Decimal("150000.00"), Decimal("0.00")),
        ("2025/26", Decimal("250.00"), Decimal("0.00")),
        ("2026/27", None, TOTAL),
    ]
    payments.statement_status_set(statement=statement, status="paid", user=None, paid_on=PAID_ON)
    assert not FundingDrawdown.objects.exists()  # nothing to draw it from
    page = text(sv.client("project_manager").get(sv.base + "payments/drawdown/"))
    assert "2021/22 £150,000.00" in page
    assert "2026/27 No award £240.50" in page
    csv = sv.client("project_manager").get(sv.base + "payments/drawdown/?format=csv")
    assert "2026/27,,240.50,0.00,0.00,0.00," in b"".join(csv.streaming_content).decode()


def test_a_service_with_no_funding_programme_draws_nothing(sv):
    statement = _approved(sv)
    payments.statement_status_set(statement=statement, status="paid", user=None, paid_on=PAID_ON)
    assert not FundingDrawdown.objects.exists()
    page = text(sv.client("project_manager").get(sv.base + "payments/drawdown/"))
    assert "The service has no funding programme" in page


def test_a_programme_the_viewer_may_not_read_is_not_shown(sv, funded):
    funded["programme"].visibility = "restricted"
    funded["programme"].save()
    found = drawdown_for(_pm(sv), sv.service)
    assert (found.readable, found.rows) == (False, [])
    page = text(sv.client("project_manager").get(sv.base + "payments/drawdown/"))
    assert "not one you may see" in page
    assert "150,000" not in page
    # Paying still draws down: the payment is the service's to make.
    statement = _approved(sv)
    payments.statement_status_set(statement=statement, status="paid", user=None, paid_on=PAID_ON)
    assert FundingDrawdown.objects.get().amount == TOTAL


def test_the_api_gives_the_same_figures_to_project_managers_only(sv, funded):
    _approved(sv)
    address = "/api/v1/supervision/alliance/drawdown"
    body = api_call(sv.client("project_manager"), "get", address).json()
    this = next(r for r in body["rows"] if r["label"] == "2026/27")
    assert (this["amount"], this["drawn"], this["committed"], this["remaining"]) == (
        "250.00",
        "0.00",
        "240.50",
        "9.50",
    )
    assert this["over"] is False
    for who in ("supervisor", "member", "coordinator"):
        assert api_call(sv.client(who), "get", address).status_code == 403
    assert api_call(sv.client("outsider"), "get", address).status_code == 404


def test_only_the_networks_programmes_the_editor_may_read_are_offered(sv, funded):
    elsewhere = programme(sv.world.other_network, "elsewhere", name="Elsewhere")
    secret = programme(sv.world.network, "secret", name="Secret", visibility="restricted")
    network = sv.world.network
    choices = programmes_of(viewer_for(sv.users["coordinator"]), network)
    for refused in (elsewhere, secret):
        form = ServiceForm(
            {"name": "Therapy supervision", "programme": refused.pk},
            instance=sv.service,
            network_id=network.pk,
            programmes=choices,
        )
        assert not form.is_valid()
        assert "not one of the available choices" in form.errors["programme"][0]
