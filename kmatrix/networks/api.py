"""The directory API: networks, organisations, people, memberships, themes, workstreams, groups.

Every response goes through core/access.py: lists through ``visible()``, single records through
``get_for()``, and nested people through querysets narrowed by ``visible()`` so that a record
the caller may not read never shows up, not even as a count. Writes go through services.py
where it has a function for them; errors come back as JSON (see docs/api.md).
"""

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from kmatrix.core.access import Viewer, visible
from kmatrix.core.api import api_get as _get
from kmatrix.core.api import api_signed_in as _signed_in
from kmatrix.core.api import api_viewer as _viewer
from kmatrix.networks import queries, services
from kmatrix.networks.models import (
    AdoptedTheme,
    Group,
    Membership,
    Network,
    NetworkOrganisation,
    Organisation,
    Person,
    Role,
    ThemeFramework,
    Workstream,
    WorkstreamMember,
)
from kmatrix.networks.queries import visible_people
from kmatrix.networks.schemas import (
    ErrorOut,
    FrameworkDetail,
    FrameworkOut,
    GroupOut,
    MembershipIn,
    MembershipOut,
    NetworkDetail,
    NetworkOut,
    NetworkPatch,
    OrganisationDetail,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    PersonIn,
    PersonOut,
    PersonPatch,
    WorkstreamOut,
)

router = Router()

PAGE_SIZE = 50
ERRORS = frozenset({400, 401, 403, 404, 422})
Invalid = Status[dict[str, Any]]
M = TypeVar("M", bound=models.Model)


# Access


# The models' conditional unique constraints report only their own name, as a non-field
# error; say which field is taken instead.
_DUPLICATES = {
    "organisation_ods_code_unique": (
        "ods_code",
        "An organisation with this ODS code is already in the directory.",
    ),
    "person_email_unique": ("email", "Someone in the directory already has this email address."),
}
_DUPLICATE_MESSAGES = {
    str(constraint.get_violation_error_message()): _DUPLICATES[constraint.name]
    for model in (Organisation, Person)
    for constraint in model._meta.constraints
    if constraint.name in _DUPLICATES
}


def _invalid(exc: DjangoValidationError) -> Invalid:
    given = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    errors: dict[str, list[str]] = {}
    for field, messages in given.items():
        for message in messages:
            key, text = _DUPLICATE_MESSAGES.get(message, (field, message))
            errors.setdefault(key, []).append(text)
    detail = " ".join(message for messages in errors.values() for message in messages)
    return Status(422, {"detail": detail, "errors": errors})


def _field_error(field: str, message: str) -> Invalid:
    return Status(422, {"detail": message, "errors": {field: [message]}})


@transaction.atomic
def _save(obj: M, fields: Mapping[str, Any]) -> M:
    # Network and Person have no service function of their own yet; this is services._save.
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


# Querysets with what each response nests, narrowed for the viewer


def _networks(viewer: Viewer) -> QuerySet[Network]:
    return visible(viewer, Network.objects.all())


def _network_detail(viewer: Viewer, networks: QuerySet[Network] | None = None) -> QuerySet[Network]:
    """Networks (by default those the viewer may see) with what NetworkDetail nests."""
    themes = AdoptedTheme.objects.select_related("theme__framework").order_by(
        "position", "theme__name"
    )
    links = NetworkOrganisation.objects.select_related("organisation")
    return (_networks(viewer) if networks is None else networks).prefetch_related(
        Prefetch("adopted_themes", queryset=themes),
        Prefetch("linked_networks", queryset=_networks(viewer)),
        Prefetch("organisation_links", queryset=links),
    )


def _organisation_detail(viewer: Viewer) -> QuerySet[Organisation]:
    links = NetworkOrganisation.objects.filter(
        network__in=_networks(viewer).values("pk")
    ).select_related("network")
    return visible(viewer, Organisation.objects.all()).prefetch_related(
        Prefetch("network_links", queryset=links)
    )


def _organisation_lookup(ref: str) -> dict[str, Any]:
    return {"pk": int(ref)} if ref.isdigit() else {"ods_code": ref.strip().upper()}


def _person_detail(viewer: Viewer) -> QuerySet[Person]:
    # Memberships are prefetched for PersonOut's contact rule (queries.can_see_contact).
    return queries.people_directory(viewer)


def _person_out(viewer: Viewer, person: Person) -> Person:
    # After a write the person may be out of the viewer's sight; answer with what was saved.
    return _person_detail(viewer).filter(pk=person.pk).first() or person


def _memberships(viewer: Viewer) -> QuerySet[Membership]:
    return (
        visible(viewer, Membership.objects.all())
        .filter(person__in=visible_people(viewer).values("pk"))
        .select_related("network", "person", "organisation")
        .prefetch_related("roles")
    )


def _workstreams(viewer: Viewer) -> QuerySet[Workstream]:
    members = WorkstreamMember.objects.filter(
        person__in=visible_people(viewer).values("pk")
    ).select_related("person")
    return (
        visible(viewer, Workstream.objects.all())
        .select_related("network", "theme__framework")
        .prefetch_related(Prefetch("members", queryset=members))
    )


def _groups(viewer: Viewer) -> QuerySet[Group]:
    return (
        visible(viewer, Group.objects.all())
        .select_related("network", "theme__framework")
        .prefetch_related(
            Prefetch("chair", queryset=visible_people(viewer)),
            Prefetch("members", queryset=visible_people(viewer)),
        )
    )


# Networks


@router.get("/networks", response=list[NetworkOut], tags=["networks"])
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def network_list(request: HttpRequest) -> QuerySet[Network]:
    return _networks(_viewer(request)).order_by("name", "pk")


@router.get("/networks/{slug}", response={200: NetworkDetail, ERRORS: ErrorOut}, tags=["networks"])
def network_detail(request: HttpRequest, slug: str) -> Network:
    """A network with its adopted themes in order, linked networks and organisations."""
    viewer = _viewer(request)
    return _get(viewer, _network_detail(viewer), slug=slug)


@router.patch(
    "/networks/{slug}", response={200: NetworkDetail, ERRORS: ErrorOut}, tags=["networks"]
)
def network_update(request: HttpRequest, slug: str, payload: NetworkPatch) -> Network | Invalid:
    """Change a network's description. Its coordinators and administrators only."""
    viewer = _signed_in(request)
    network = _get(viewer, Network.objects.all(), write=True, slug=slug)
    try:
        _save(network, payload.model_dump(exclude_unset=True))
    except DjangoValidationError as exc:
        return _invalid(exc)
    # Answer even if the change hid the network from its coordinator (say, made restricted).
    return _network_detail(viewer, Network.objects.filter(pk=network.pk)).get()


# Organisations


@router.get("/organisations", response=list[OrganisationOut], tags=["organisations"])
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def organisation_list(
    request: HttpRequest, sector: Organisation.Sector | None = None, q: str | None = None
) -> QuerySet[Organisation]:
    """Organisations, optionally of one ``sector``; ``q`` matches part of the name or the
    whole ODS code."""
    found = queries.organisation_list(q=(q or "").strip(), sector=sector or "")
    return visible(_viewer(request), found)


@router.get(
    "/organisations/{ref}",
    response={200: OrganisationDetail, ERRORS: ErrorOut},
    tags=["organisations"],
)
def organisation_detail(request: HttpRequest, ref: str) -> Organisation:
    """One organisation, by id (digits) or ODS code."""
    viewer = _viewer(request)
    return _get(viewer, _organisation_detail(viewer), **_organisation_lookup(ref))


@router.post(
    "/organisations",
    response={201: OrganisationDetail, ERRORS: ErrorOut},
    tags=["organisations"],
)
def organisation_create(request: HttpRequest, payload: OrganisationIn) -> Status[Any]:
    """Add an organisation. Administrators and network coordinators.

    With ``network`` (one you coordinate) it joins that network as a partner.
    """
    viewer = _signed_in(request)
    if not (viewer.is_admin or viewer.coordinated_networks):
        raise HttpError(403, "Only administrators and network coordinators add organisations.")
    fields = payload.model_dump(exclude={"network"})
    network = None
    if payload.network is not None:
        network = _get(viewer, Network.objects.all(), write=True, slug=payload.network)
    try:
        with transaction.atomic():
            organisation = services.organisation_save(**fields)
            if network is not None:
                services.network_organisation_add(
                    network=network, organisation=organisation, is_member=False
                )
    except DjangoValidationError as exc:
        return _invalid(exc)
    return Status(201, _get(viewer, _organisation_detail(viewer), pk=organisation.pk))


@router.patch(
    "/organisations/{ref}",
    response={200: OrganisationDetail, ERRORS: ErrorOut},
    tags=["organisations"],
)
def organisation_update(
    request: HttpRequest, ref: str, payload: OrganisationPatch
) -> Organisation | Invalid:
    """Change an organisation: coordinators of a network it is in, and administrators."""
    viewer = _signed_in(request)
    organisation = _get(viewer, Organisation.objects.all(), write=True, **_organisation_lookup(ref))
    try:
        services.organisation_save(
            organisation=organisation, **payload.model_dump(exclude_unset=True)
        )
    except DjangoValidationError as exc:
        return _invalid(exc)
    return _get(viewer, _organisation_detail(viewer), pk=organisation.pk)


# People


@router.get("/people", response=list[PersonOut], tags=["people"])
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def person_list(
    request: HttpRequest,
    q: str | None = None,
    network: str | None = None,
    organisation: int | None = None,
) -> QuerySet[Person]:
    """People you can see. ``q`` matches part of the name, job title or employer's name;
    ``network`` (slug) narrows to its members, ``organisation`` (id) to its staff.
    A network you cannot see is a 404."""
    viewer = _viewer(request)
    found = None if network is None else _get(viewer, Network.objects.all(), slug=network)
    return queries.people_directory(
        viewer, q=(q or "").strip(), network=found, organisation_id=organisation
    )


@router.get("/people/{person_id}", response={200: PersonOut, ERRORS: ErrorOut}, tags=["people"])
def person_detail(request: HttpRequest, person_id: int) -> Person:
    viewer = _viewer(request)
    return _get(viewer, _person_detail(viewer), pk=person_id)


@router.post("/people", response={201: PersonOut, ERRORS: ErrorOut}, tags=["people"])
def person_create(request: HttpRequest, payload: PersonIn) -> Status[Any]:
    """Add someone to the directory. Administrators, and coordinators for their network:
    with ``network`` the person joins it as a member from their ``organisation``."""
    viewer = _signed_in(request)
    network = None
    if payload.network is not None:
        network = _get(viewer, Network.objects.all(), write=True, slug=payload.network)
    elif not viewer.is_admin:
        if not viewer.coordinated_networks:
            raise HttpError(403, "Only administrators and network coordinators add people.")
        return _field_error("network", "Give the network (one you coordinate) they join.")
    if network is not None and payload.organisation is None:
        return _field_error("organisation", "Give the organisation they represent.")
    fields = payload.model_dump(exclude={"network", "organisation"})
    try:
        with transaction.atomic():
            person = _save(Person(organisation_id=payload.organisation), fields)
            if network is not None and person.organisation is not None:
                services.membership_save(
                    person=person,
                    network=network,
                    organisation=person.organisation,
                    roles=[Role.MEMBER],
                )
    except DjangoValidationError as exc:
        return _invalid(exc)
    return Status(201, _person_out(viewer, person))


@router.patch("/people/{person_id}", response={200: PersonOut, ERRORS: ErrorOut}, tags=["people"])
def person_update(request: HttpRequest, person_id: int, payload: PersonPatch) -> Person | Invalid:
    """Change a directory entry: the person themself, coordinators of a network they are in,
    and administrators."""
    viewer = _signed_in(request)
    person = _get(viewer, Person.objects.all(), write=True, pk=person_id)
    fields = payload.model_dump(exclude_unset=True)
    if "organisation" in fields:
        fields["organisation_id"] = fields.pop("organisation")
    try:
        _save(person, fields)
    except DjangoValidationError as exc:
        return _invalid(exc)
    return _person_out(viewer, person)


# Memberships


@router.get(
    "/networks/{slug}/memberships",
    response={200: list[MembershipOut], ERRORS: ErrorOut},
    tags=["memberships"],
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def membership_list(request: HttpRequest, slug: str) -> QuerySet[Membership]:
    """A network's memberships, with roles and commitment. Its members and coordinators."""
    viewer = _viewer(request)
    network = _get(viewer, Network.objects.all(), slug=slug)
    if not (viewer.is_admin or network.pk in viewer.reads_networks):
        raise HttpError(403, "Only the network's members and coordinators see its memberships.")
    return _memberships(viewer).filter(network=network).order_by("person__full_name", "pk")


@router.post(
    "/networks/{slug}/memberships",
    response={201: MembershipOut, ERRORS: ErrorOut},
    tags=["memberships"],
)
def membership_create(request: HttpRequest, slug: str, payload: MembershipIn) -> Status[Any]:
    """Add someone you can see to a network you coordinate. A person joins a network once."""
    viewer = _signed_in(request)
    network = _get(viewer, Network.objects.all(), write=True, slug=slug)
    person = visible_people(viewer).filter(pk=payload.person).first()
    if person is None:
        return _field_error("person", "No such person, or you cannot see them.")
    organisation = Organisation.objects.filter(pk=payload.organisation).first()
    if organisation is None:
        return _field_error("organisation", "No such organisation.")
    fields = payload.model_dump(exclude={"person", "organisation", "roles"})
    try:
        membership = services.membership_save(
            person=person,
            network=network,
            organisation=organisation,
            roles=[role.value for role in payload.roles],
            **fields,
        )
    except DjangoValidationError as exc:
        return _invalid(exc)
    return Status(201, _memberships(viewer).get(pk=membership.pk))


# Themes


@router.get("/themes/frameworks", response=list[FrameworkOut], tags=["themes"])
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def framework_list(request: HttpRequest) -> QuerySet[ThemeFramework]:
    return visible(_viewer(request), ThemeFramework.objects.all()).order_by("name", "pk")


@router.get(
    "/themes/frameworks/{slug}",
    response={200: FrameworkDetail, ERRORS: ErrorOut},
    tags=["themes"],
)
def framework_detail(request: HttpRequest, slug: str) -> ThemeFramework:
    """A theme framework with its themes in order."""
    frameworks = ThemeFramework.objects.prefetch_related("themes")
    return _get(_viewer(request), frameworks, slug=slug)


# Workstreams


@router.get(
    "/networks/{slug}/workstreams",
    response={200: list[WorkstreamOut], ERRORS: ErrorOut},
    tags=["workstreams"],
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def workstream_list(request: HttpRequest, slug: str) -> QuerySet[Workstream]:
    viewer = _viewer(request)
    network = _get(viewer, Network.objects.all(), slug=slug)
    return _workstreams(viewer).filter(network=network).order_by("name", "pk")


@router.get(
    "/workstreams/{workstream_id}",
    response={200: WorkstreamOut, ERRORS: ErrorOut},
    tags=["workstreams"],
)
def workstream_detail(request: HttpRequest, workstream_id: int) -> Workstream:
    """A workstream with the leads and members you can see."""
    viewer = _viewer(request)
    return _get(viewer, _workstreams(viewer), pk=workstream_id)


# Groups


@router.get(
    "/networks/{slug}/groups",
    response={200: list[GroupOut], ERRORS: ErrorOut},
    tags=["groups"],
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def group_list(request: HttpRequest, slug: str) -> QuerySet[Group]:
    """A network's professional networks, communities of practice and other groups."""
    viewer = _viewer(request)
    network = _get(viewer, Network.objects.all(), slug=slug)
    return _groups(viewer).filter(network=network).order_by("kind", "name", "pk")


@router.get("/groups/{group_id}", response={200: GroupOut, ERRORS: ErrorOut}, tags=["groups"])
def group_detail(request: HttpRequest, group_id: int) -> Group:
    """A group with its chair and the members you can see."""
    viewer = _viewer(request)
    return _get(viewer, _groups(viewer), pk=group_id)
