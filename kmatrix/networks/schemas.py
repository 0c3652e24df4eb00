"""Request and response bodies of the directory API (kmatrix/networks/api.py).

Nested people arrive already filtered by visibility (the views prefetch them through
``core.access.visible``); the resolvers here only shape what they are given.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from kmatrix.core.access import Visibility, viewer_for
from kmatrix.networks.models import (
    Cadence,
    Group,
    Network,
    NetworkOrganisation,
    Organisation,
    Person,
    Role,
    Workstream,
)
from kmatrix.networks.queries import can_see_contact

# Optional text and choice fields may be cleared with "" (the models store blanks, not nulls).
Blank = Literal[""]


class StrictInput(Schema):
    """A request body: unknown fields are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


def _without_defaults(schema: dict[str, Any]) -> None:
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


class PatchInput(StrictInput):
    """Only the fields you send change."""

    # The defaults are never applied (views read the fields that were set), so don't show them.
    model_config = ConfigDict(extra="forbid", json_schema_extra=_without_defaults)


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | list[dict[str, Any]] | None = Field(
        None,
        description="Field errors: {field: [messages]} from the record's rules, or a list "
        "of {loc, msg, type} when the body does not match the schema.",
    )


# Organisations


class OrganisationBrief(Schema):
    id: int
    name: str
    ods_code: str


class OrganisationOut(Schema):
    id: int
    name: str
    ods_code: str
    sector: str
    region: str
    website: str
    description: str


class OrganisationDetail(OrganisationOut):
    networks: list[str] = Field(description="Slugs of the networks you can see it belongs to")

    @staticmethod
    def resolve_networks(obj: Organisation) -> list[str]:
        return [link.network.slug for link in obj.network_links.all()]


class OrganisationIn(StrictInput):
    name: str
    ods_code: str = Field("", description="For example RXM; leave out if it has none")
    sector: Organisation.Sector
    region: str = ""
    website: str = ""
    description: str = ""
    network: str | None = Field(
        None, description="Slug of a network you coordinate for it to join, as a partner"
    )


class OrganisationPatch(PatchInput):
    name: str = ""
    ods_code: str = ""
    sector: Organisation.Sector = Organisation.Sector.OTHER
    region: str = ""
    website: str = ""
    description: str = ""


# People


class PersonBrief(Schema):
    id: int
    full_name: str
    job_title: str


class PersonOut(Schema):
    id: int
    full_name: str
    job_title: str
    organisation: OrganisationBrief | None
    visibility: str
    contact_visibility: str
    email: str | None = Field(description="Only when its contact_visibility lets you see it")
    phone: str | None = Field(description="Only when its contact_visibility lets you see it")

    @staticmethod
    def resolve_email(obj: Person, context: dict[str, Any]) -> str | None:
        return obj.email if _shows_contact(obj, context) else None

    @staticmethod
    def resolve_phone(obj: Person, context: dict[str, Any]) -> str | None:
        return obj.phone if _shows_contact(obj, context) else None


def _shows_contact(person: Person, context: dict[str, Any]) -> bool:
    # The views prefetch memberships, so this asks no question of the database.
    viewer = viewer_for(context["request"].user)
    return can_see_contact(viewer, person, [m.network_id for m in person.memberships.all()])


class PersonIn(StrictInput):
    full_name: str
    job_title: str = ""
    organisation: int | None = Field(None, description="Employer: an organisation id")
    email: str = ""
    phone: str = ""
    visibility: Visibility = Visibility.NETWORK
    contact_visibility: Visibility = Visibility.NETWORK
    network: str | None = Field(
        None,
        description="Slug of a network you coordinate; the person joins it as a member "
        "from their organisation. Required unless you are an administrator.",
    )


class PersonPatch(PatchInput):
    full_name: str = ""
    job_title: str = ""
    organisation: int | None = None
    email: str = ""
    phone: str = ""
    visibility: Visibility = Visibility.NETWORK
    contact_visibility: Visibility = Visibility.NETWORK


# Memberships


class MembershipOut(Schema):
    id: int
    network: str
    person: PersonBrief
    organisation: OrganisationBrief
    roles: list[str]
    committed_days_per_month: float
    joined_on: date | None
    left_on: date | None
    line_manager_agreed_on: date | None
    letter_sent_on: date | None

    @staticmethod
    def resolve_network(obj: Any) -> str:
        return str(obj.network.slug)

    @staticmethod
    def resolve_roles(obj: Any) -> list[str]:
        return sorted(obj.role_values)


class MembershipIn(StrictInput):
    person: int = Field(description="Person id")
    organisation: int = Field(description="Id of the organisation they represent")
    roles: list[Role] = Field(default_factory=lambda: [Role.MEMBER])
    committed_days_per_month: Decimal = Field(Decimal("1.0"), description="0 to 23, in tenths")
    joined_on: date | None = None
    left_on: date | None = None
    line_manager_agreed_on: date | None = None
    letter_sent_on: date | None = None


# Themes


class ThemeOut(Schema):
    slug: str
    name: str
    position: int
    description: str


class FrameworkOut(Schema):
    slug: str
    name: str
    description: str


class FrameworkDetail(FrameworkOut):
    themes: list[ThemeOut]

    @staticmethod
    def resolve_themes(obj: Any) -> list[Any]:
        return list(obj.themes.all())


class ThemeBrief(Schema):
    slug: str
    name: str
    framework: str

    @staticmethod
    def resolve_framework(obj: Any) -> str:
        return str(obj.framework.slug)


class AdoptedThemeOut(Schema):
    theme: ThemeBrief
    status: str
    position: int


# Networks


class NetworkOut(Schema):
    id: int
    slug: str
    name: str
    short_name: str
    kind: str
    region: str
    cadence: str
    cadence_note: str
    visibility: str


class NetworkOrganisationOut(Schema):
    organisation: OrganisationBrief
    is_member: bool = Field(description="A formal member rather than a partner")
    joined_on: date | None


class NetworkDetail(NetworkOut):
    purpose: str
    adopted_themes: list[AdoptedThemeOut] = Field(description="In the network's order")
    linked_networks: list[str] = Field(description="Slugs of linked networks you can see")
    organisations: list[NetworkOrganisationOut]

    @staticmethod
    def resolve_adopted_themes(obj: Network) -> list[Any]:
        return list(obj.adopted_themes.all())

    @staticmethod
    def resolve_linked_networks(obj: Network) -> list[str]:
        return [n.slug for n in obj.linked_networks.all()]

    @staticmethod
    def resolve_organisations(obj: Network) -> list[NetworkOrganisation]:
        return list(obj.organisation_links.all())


class NetworkPatch(PatchInput):
    purpose: str = ""
    region: str = ""
    cadence: Cadence | Blank = ""
    cadence_note: str = ""
    visibility: Visibility = Visibility.NETWORK


# Workstreams and groups


class WorkstreamOut(Schema):
    id: int
    network: str
    name: str
    description: str
    theme: ThemeBrief
    visibility: str
    leads: list[PersonBrief]
    members: list[PersonBrief] = Field(description="People in it other than its leads")

    @staticmethod
    def resolve_network(obj: Workstream) -> str:
        return obj.network.slug

    @staticmethod
    def resolve_leads(obj: Workstream) -> list[Person]:
        return [m.person for m in obj.members.all() if m.is_lead]

    @staticmethod
    def resolve_members(obj: Workstream) -> list[Person]:
        return [m.person for m in obj.members.all() if not m.is_lead]


class GroupOut(Schema):
    id: int
    network: str
    slug: str
    name: str
    kind: str
    purpose: str
    theme: ThemeBrief | None
    chair: PersonBrief | None
    cadence: str
    cadence_note: str
    visibility: str
    members: list[PersonBrief]

    @staticmethod
    def resolve_network(obj: Group) -> str:
        return obj.network.slug

    @staticmethod
    def resolve_members(obj: Group) -> list[Person]:
        return list(obj.members.all())
