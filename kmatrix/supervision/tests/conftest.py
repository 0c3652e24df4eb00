"""A supervision service on the `world` fixture, with its own named users.

project_manager  runs the service (a member of the network from RT5)
provider_lead    leads for RXM: sees RXM staff's bookings
supervisor       an external supervisor, active, every check valid
hr_director      in the sponsor group (the HR Directors), in the network for RXM
rt5_staff        a member of the network from RT5, the other member provider

The world's member, theme lead and coordinator are in the network for RXM, a member provider,
so they are staff who may book; the board reader and the other member are not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from kmatrix.networks import models as m
from kmatrix.networks.tests import factories as f
from kmatrix.supervision import services, slots
from kmatrix.supervision.choices import CheckKind, CheckStatus, SupervisorStatus
from kmatrix.supervision.models import SupervisionService, Supervisor
from kmatrix.supervision.times import LONDON

FAR = date(2099, 12, 31)
SUPERVISION_USERS = ("project_manager", "provider_lead", "supervisor", "hr_director", "rt5_staff")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth keeps its rate-limit counters in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def clear_checks(supervisor: Supervisor, *, expires: date = FAR, user: Any = None) -> None:
    """Record every check valid (the expiring ones until ``expires``)."""
    for kind in CheckKind.values:
        services.vetting_check_save(
            supervisor=supervisor,
            kind=kind,
            user=user,
            status=CheckStatus.VALID,
            reference="123456789012" if kind == CheckKind.DBS else "REF-1",
            checked_on=date(2024, 1, 10),
            expires_on=expires if kind in ("registration", "dbs", "training") else None,
        )


def make_supervisor(service: SupervisionService, person: m.Person, **fields: Any) -> Supervisor:
    values: dict[str, Any] = {
        "kind": "external",
        "profession": "clinical_psychologist",
        "rate": Decimal("75.00"),
        "languages": "English",
    }
    values.update(fields)
    modalities = values.pop("modalities", ["cbt"])
    return services.supervisor_save(service=service, person=person, modalities=modalities, **values)


def activate(supervisor: Supervisor, expires: date = FAR) -> Supervisor:
    clear_checks(supervisor, expires=expires)
    supervisor.refresh_from_db()
    return services.supervisor_status_set(supervisor=supervisor, status=SupervisorStatus.ACTIVE)


def at(days: int, hour: int = 10, minute: int = 0) -> datetime:
    """``days`` from today at ``hour``:``minute`` London time."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@dataclass
class Supervision:
    world: Any
    service: SupervisionService
    supervisor: Supervisor
    hr_group: m.Group
    users: dict[str, Any] = field(default_factory=dict)
    people: dict[str, m.Person] = field(default_factory=dict)

    def client(self, name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(self.users[name])
        return client

    @property
    def base(self) -> str:
        return f"/networks/{self.world.network.slug}/supervision/"

    def slot(
        self, days: int = 7, hour: int = 10, supervisor: Supervisor | None = None, **more: Any
    ):
        fields: dict[str, Any] = {"duration_minutes": 60, "mode": "virtual", "capacity": 1}
        fields.update(more)
        return slots.slot_create(
            supervisor=supervisor or self.supervisor, starts_at=at(days, hour), **fields
        )


def _person(world: Any, name: str, org: m.Organisation, *, network: bool = True) -> m.Person:
    user = f.UserFactory(email=f"{name}@example.org")
    person = f.PersonFactory(
        full_name=name.replace("_", " ").title(),
        email=f"{name}@example.org",
        organisation=org,
        user=user,
    )
    if network:
        f.MembershipFactory(person=person, network=world.network, organisation=org)
    return person


@pytest.fixture
def sv(world) -> Supervision:
    return make_supervision(world)


def make_supervision(world: Any) -> Supervision:
    for org in (world.org, world.other_org):
        m.NetworkOrganisation.objects.create(network=world.network, organisation=org)
    people = {
        "project_manager": _person(world, "project_manager", world.other_org),
        "provider_lead": _person(world, "provider_lead", world.org),
        "supervisor": _person(world, "supervisor", world.other_org, network=False),
        "hr_director": _person(world, "hr_director", world.org),
        "rt5_staff": _person(world, "rt5_staff", world.other_org),
    }
    people["supervisor"].organisation = None
    people["supervisor"].save()
    hr_group = f.GroupFactory(network=world.network, name="HR Director network", slug="hr")
    hr_group.members.add(people["hr_director"])
    service = services.service_save(
        network=world.network,
        name="Therapy supervision",
        contact_email="supervision@example.org",
        sponsor_group=hr_group,
    )
    services.service_role_add(
        service=service, person=people["project_manager"], role="project_manager"
    )
    services.service_role_add(
        service=service,
        person=people["provider_lead"],
        role="provider_lead",
        organisation=world.org,
    )
    supervisor = activate(make_supervisor(service, people["supervisor"], modalities=["cbt", "dbt"]))
    users = dict(world.users)
    users.update({name: person.user for name, person in people.items()})
    return Supervision(world, service, supervisor, hr_group, users, {**world.people, **people})


def ics_of(message: Any) -> str:
    """The unfolded text of an email's calendar attachment."""
    part = next(
        a
        for a in message.attachments
        if getattr(a, "get_content_type", lambda: "")() == "text/calendar"
    )
    return str(part.get_payload(decode=True).decode()).replace("\r\n ", "")


@pytest.fixture
def mails(django_capture_on_commit_callbacks):
    """Run the mail a test's writes queue for after commit, and give the outbox."""
    from django.core import mail

    class Outbox:
        def __enter__(self):
            self._capture = django_capture_on_commit_callbacks(execute=True)
            self._capture.__enter__()
            return mail.outbox

        def __exit__(self, *exc):
            return self._capture.__exit__(*exc)

    return Outbox()
