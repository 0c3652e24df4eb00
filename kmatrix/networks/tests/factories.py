from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from kmatrix.core.models import User
from kmatrix.networks import models as m


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "correct-horse-battery")
        if create:
            self.save(update_fields=["password"])


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = m.Organisation

    name = factory.Sequence(lambda n: f"Test Healthcare NHS Trust {n}")
    ods_code = factory.Sequence(lambda n: f"T{n:02d}")
    sector = m.Organisation.Sector.NHS_TRUST


class NetworkFactory(DjangoModelFactory):
    class Meta:
        model = m.Network

    name = factory.Sequence(lambda n: f"Test Network {n}")
    slug = factory.Sequence(lambda n: f"test-network-{n}")
    purpose = "Improving services together."
    region = "East Midlands"
    visibility = "network"


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = m.Person

    full_name = factory.Sequence(lambda n: f"Person {n}")
    job_title = "Clinical lead"
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    visibility = "network"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = m.Membership
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    network = factory.SubFactory(NetworkFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    committed_days_per_month = Decimal("1.0")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ["member"]:
            m.MembershipRole.objects.create(membership=self, role=role)


class ThemeFrameworkFactory(DjangoModelFactory):
    class Meta:
        model = m.ThemeFramework

    name = factory.Sequence(lambda n: f"Framework {n}")
    slug = factory.Sequence(lambda n: f"framework-{n}")


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = m.Theme

    framework = factory.SubFactory(ThemeFrameworkFactory)
    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = m.Group

    network = factory.SubFactory(NetworkFactory)
    kind = m.Group.Kind.COMMUNITY_OF_PRACTICE
    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")
