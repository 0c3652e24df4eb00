"""Reads for the directory pages: named, joined once, filtered through the access helper."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from kmatrix.core.access import Viewer, Visibility, visible
from kmatrix.core.search import SearchDocument
from kmatrix.networks.models import (
    AdoptedTheme,
    Group,
    Membership,
    Network,
    NetworkOrganisation,
    Organisation,
    Person,
    Role,
    Workstream,
    WorkstreamMember,
)


def can_see_contact(
    viewer: Viewer, person: Person, network_ids: Iterable[int] | None = None
) -> bool:
    """Whether the viewer may see a person's email and phone, per their contact visibility.

    ``network_ids`` are the person's networks when the caller has them to hand (the
    directory prefetches them), saving a query per person.
    """
    if viewer.is_admin or (viewer.person_id is not None and viewer.person_id == person.pk):
        return True
    level = person.contact_visibility
    if level == Visibility.PUBLIC:
        return True
    if not viewer.is_authenticated:
        return False
    if network_ids is None:
        network_ids = person.memberships.values_list("network_id", flat=True)
    networks = set(network_ids)
    if level == Visibility.NETWORK:
        return bool(networks & viewer.reads_networks)
    if networks & viewer.coordinated_networks:
        return True
    if level == Visibility.ORGANISATION:
        return person.organisation_id is not None and any(
            org == person.organisation_id for _net, org in viewer.memberships
        )
    return False  # restricted: the person, their coordinators and administrators


def visible_people(viewer: Viewer) -> QuerySet[Person]:
    return visible(viewer, Person.objects.all())


def people_directory(
    viewer: Viewer,
    *,
    q: str = "",
    network: Network | None = None,
    organisation_id: int | None = None,
) -> QuerySet[Person]:
    people = visible_people(viewer).select_related("organisation")
    if q:
        people = people.filter(
            Q(full_name__icontains=q)
            | Q(job_title__icontains=q)
            | Q(organisation__name__icontains=q)
        )
    if network is not None:
        people = people.filter(
            pk__in=Membership.objects.filter(network=network).values("person_id")
        )
    if organisation_id is not None:
        people = people.filter(organisation_id=organisation_id)
    return people.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.only("id", "person_id", "network_id"))
    ).order_by("full_name", "pk")


@dataclass
class DirectoryRow:
    person: Person
    show_contact: bool


def directory_rows(viewer: Viewer, people: Iterable[Person]) -> list[DirectoryRow]:
    return [
        DirectoryRow(p, can_see_contact(viewer, p, [m.network_id for m in p.memberships.all()]))
        for p in people
    ]


@dataclass
class NetworkHome:
    network: Network
    co_chairs: list[Membership]
    coordinators: list[Membership]
    adopted: list[AdoptedTheme]
    workstreams_by_theme: dict[int, list[Workstream]]
    groups: list[Group]
    organisations: list[NetworkOrganisation]
    linked: list[Network]
    member_count: int


def network_home(viewer: Viewer, network: Network) -> NetworkHome:
    people = visible_people(viewer)
    officers = list(
        Membership.objects.filter(network=network, person__in=people)
        .filter(roles__role__in=[Role.CO_CHAIR, Role.COORDINATOR])
        .select_related("person", "organisation")
        .prefetch_related("roles")
        .distinct()
    )
    leads = Prefetch(
        "members",
        queryset=WorkstreamMember.objects.filter(is_lead=True, person__in=people).select_related(
            "person"
        ),
        to_attr="visible_leads",
    )
    workstreams = (
        visible(viewer, network.workstreams.all())
        .prefetch_related(leads)
        .annotate(people_count=Count("members"))
    )
    by_theme: dict[int, list[Workstream]] = {}
    for ws in workstreams:
        by_theme.setdefault(ws.theme_id, []).append(ws)
    return NetworkHome(
        network=network,
        co_chairs=[m for m in officers if Role.CO_CHAIR in m.role_values],
        coordinators=[m for m in officers if Role.COORDINATOR in m.role_values],
        adopted=list(network.adopted_themes.select_related("theme")),
        workstreams_by_theme=by_theme,
        groups=list(visible(viewer, network.groups.all()).select_related("chair", "theme")),
        organisations=list(network.organisation_links.select_related("organisation")),
        linked=list(visible(viewer, network.linked_networks.all())),
        member_count=Membership.objects.active().filter(network=network).count(),
    )


def my_networks(viewer: Viewer) -> tuple[list[Network], list[Network]]:
    """The viewer's own networks, and the other networks they can see."""
    networks = list(
        visible(viewer, Network.objects.all()).annotate(
            members=Count("memberships", filter=Q(memberships__left_on__isnull=True))
        )
    )
    own_ids = viewer.reads_networks | viewer.board_networks
    return [n for n in networks if n.pk in own_ids], [n for n in networks if n.pk not in own_ids]


def organisation_list(*, q: str = "", sector: str = "") -> QuerySet[Organisation]:
    orgs = Organisation.objects.annotate(network_count=Count("network_links"))
    if q:
        orgs = orgs.filter(Q(name__icontains=q) | Q(ods_code__iexact=q))
    if sector:
        orgs = orgs.filter(sector=sector)
    return orgs.order_by("name", "pk")


def organisation_networks(viewer: Viewer, organisation: Organisation) -> list[NetworkOrganisation]:
    return list(
        organisation.network_links.filter(network__in=visible(viewer, Network.objects.all()))
        .select_related("network")
        .order_by("network__name")
    )


def members_of(viewer: Viewer, network: Network) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(network=network, person__in=visible_people(viewer))
        .select_related("person", "organisation")
        .prefetch_related("roles")
        .order_by("person__full_name")
    )


def workstream_people(viewer: Viewer, workstream: Workstream) -> list[WorkstreamMember]:
    return list(
        workstream.members.filter(person__in=visible_people(viewer)).select_related(
            "person", "person__organisation"
        )
    )


def group_members(viewer: Viewer, group: Group) -> list[Person]:
    return list(
        group.members.filter(pk__in=visible_people(viewer).values("pk")).select_related(
            "organisation"
        )
    )


# --- The one search (kmatrix/library/search): the directory's documents ------------------
# Contact details have their own visibility, so they are never indexed.


def person_search_records() -> QuerySet[Person]:
    return Person.objects.all()


def person_search_documents(ids: Collection[int] | None = None) -> Iterator[SearchDocument]:
    people = Person.objects.select_related("organisation").order_by("pk")
    if ids is not None:
        people = people.filter(pk__in=ids)
    for person in people.iterator(chunk_size=2000):
        employer = person.organisation.name if person.organisation else ""
        yield SearchDocument(
            kind="person",
            id=person.pk,
            title=person.full_name,
            body=" ".join(part for part in (person.job_title, employer) if part),
            url=person.get_absolute_url(),
            organisation_id=person.organisation_id,
        )


def group_search_records() -> QuerySet[Group]:
    return Group.objects.all()


def group_search_documents(ids: Collection[int] | None = None) -> Iterator[SearchDocument]:
    groups = Group.objects.select_related("network").order_by("pk")
    if ids is not None:
        groups = groups.filter(pk__in=ids)
    for group in groups.iterator(chunk_size=2000):
        yield SearchDocument(
            kind="group",
            id=group.pk,
            title=group.name,
            body=f"{group.get_kind_display()} of {group.network.name}. {group.purpose}",
            url=group.get_absolute_url(),
            network_id=group.network_id,
            theme_ids=(group.theme_id,) if group.theme_id else (),
        )
