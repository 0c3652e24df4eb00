"""The one place that decides who may see and change what.

Every record people see carries a visibility (public, network, organisation, restricted).
A model takes part by declaring ``access_scope``: how to find the networks and organisation a
record belongs to, and who may change it. Views, lists, search, exports and the API all call
``visible()``, ``get_for()`` or ``can_manage()`` here; nothing else filters by visibility.

``core`` imports no other app, so what a user is a member of is loaded by the function named
in ``settings.KMATRIX_VIEWER_LOADER`` (the networks app provides it) and cached on the user for
the rest of the request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.module_loading import import_string


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public: anyone, without signing in"
    NETWORK = "network", "Network: members of the network"
    ORGANISATION = "organisation", "Organisation: members from the record's organisation"
    RESTRICTED = "restricted", "Restricted: named people only"


@dataclass(frozen=True)
class Viewer:
    """What one user is, as far as access is concerned."""

    user_id: int | None = None
    person_id: int | None = None
    is_admin: bool = False
    # Networks whose network-level content the user reads (any role but board reader alone).
    member_networks: frozenset[int] = frozenset()
    coordinated_networks: frozenset[int] = frozenset()
    board_networks: frozenset[int] = frozenset()
    # (network id, organisation id) pairs of the user's active memberships.
    memberships: frozenset[tuple[int, int]] = frozenset()
    led_workstreams: frozenset[int] = frozenset()
    chaired_groups: frozenset[int] = frozenset()
    # (network id, role) for every role held in an active membership, e.g. (3, "theme_lead").
    network_roles: frozenset[tuple[int, str]] = frozenset()
    # Networks with a sharing agreement (a link) with one the user reads, and not read by
    # them: records whose Scope says they are ``shared`` cross from these to the user.
    partner_networks: frozenset[int] = frozenset()

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def reads_networks(self) -> frozenset[int]:
        return self.member_networks | self.coordinated_networks

    def organisations_in(self, network_id: int) -> set[int]:
        return {org for net, org in self.memberships if net == network_id}

    def coordinates(self, network_id: int | None) -> bool:
        return self.is_admin or network_id in self.coordinated_networks

    def holds(self, network_id: int | None, *roles: str) -> bool:
        """Whether the viewer holds any of ``roles`` in the network."""
        return any((network_id, role) in self.network_roles for role in roles)


ANONYMOUS = Viewer()


def viewer_for(user: Any) -> Viewer:
    """The Viewer for a user (or AnonymousUser), loaded once and kept on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_kmatrix_viewer", None)
    if cached is None:
        loader: Callable[[Any], Viewer] = import_string(settings.KMATRIX_VIEWER_LOADER)
        cached = loader(user)
        user._kmatrix_viewer = cached
    return cached


def forget_viewer(user: Any) -> None:
    """Drop the cached Viewer after the user's memberships change within one request."""
    if hasattr(user, "_kmatrix_viewer"):
        del user._kmatrix_viewer


def by_field(path: str) -> Callable[[frozenset[int]], Q]:
    """Scope helper: records whose ``path`` (a network or organisation id) is in a set."""

    def q(ids: frozenset[int]) -> Q:
        return Q(**{f"{path}__in": ids})

    return q


def _nothing(ids: frozenset[int]) -> Q:
    return Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    """How a model's records relate to networks and organisations.

    ``in_networks(ids)`` selects records that belong to any of those networks;
    ``in_organisation(network_id, org_ids)`` selects records of one network that belong to one
    of those organisations. ``always_visible`` marks directory facts that anyone may read
    (an organisation's name and ODS code are public data).

    ``condition`` is what a record needs before anyone reads it by visibility (for example
    ``Q(status="published")``), or a function of the viewer giving it (a plan not yet
    published is read by its authors and reviewers only); ``additional`` (the record's own
    people) and administrators read the others. ``shared(ids)`` opts a model into partner
    networks: it selects the records of those networks that cross to members of their
    partners; only records with ``network`` visibility cross (public ones are read by
    everyone already).
    ``visibility_field=None`` marks private records with no visibility levels (a booking, a
    payment): besides administrators, only ``additional`` says who reads them.
    """

    in_networks: Callable[[frozenset[int]], Q] = _nothing
    in_organisation: Callable[[int, frozenset[int]], Q] | None = None
    restricted_field: str | None = "restricted_to"
    visibility_field: str | None = "visibility"
    always_visible: bool = False
    additional: Callable[[Viewer], Q] | None = field(default=None)
    condition: Q | Callable[[Viewer], Q] | None = None
    shared: Callable[[frozenset[int]], Q] | None = None


class Governed(Protocol):
    access_scope: ClassVar[Scope]
    pk: Any

    def managed_by(self, viewer: Viewer) -> bool: ...


M = TypeVar("M", bound=models.Model)


def _scope(model: type[models.Model]) -> Scope:
    scope = getattr(model, "access_scope", None)
    if not isinstance(scope, Scope):
        raise TypeError(f"{model.__name__} declares no access_scope")
    return scope


def visible_q(viewer: Viewer, model: type[models.Model]) -> Q:
    """The filter selecting the records of ``model`` that ``viewer`` may read."""
    scope = _scope(model)
    if scope.always_visible or viewer.is_admin:
        return Q()
    vis = scope.visibility_field
    if vis is None:
        if viewer.is_authenticated and scope.additional is not None:
            return scope.additional(viewer)
        return Q(pk__in=[])
    q = Q(**{vis: Visibility.PUBLIC})
    condition = scope.condition(viewer) if callable(scope.condition) else scope.condition
    if not viewer.is_authenticated:
        return q if condition is None else q & condition
    readable = viewer.reads_networks
    if readable:
        q |= Q(**{vis: Visibility.NETWORK}) & scope.in_networks(readable)
    if scope.shared is not None and viewer.partner_networks:
        q |= Q(**{vis: Visibility.NETWORK}) & scope.shared(viewer.partner_networks)
    q |= _organisation_q(viewer, scope)
    if scope.restricted_field:
        through = model._meta.get_field(scope.restricted_field).remote_field.through  # type: ignore[union-attr]
        own_field = next(
            f.name for f in through._meta.get_fields() if getattr(f, "related_model", None) is model
        )
        named = through.objects.filter(**{f"{_user_fk(through, model)}_id": viewer.user_id})
        q |= Q(**{vis: Visibility.RESTRICTED, "pk__in": named.values(f"{own_field}_id")})
    if condition is not None:
        q &= condition
    if scope.additional is not None:
        q |= scope.additional(viewer)
    return q


def _user_fk(through: type[models.Model], model: type[models.Model]) -> str:
    user_model = settings.AUTH_USER_MODEL.lower()
    for f in through._meta.get_fields():
        related = getattr(f, "related_model", None)
        if related is not None and related is not model and related._meta.label_lower == user_model:
            return f.name
    raise TypeError(f"{through.__name__} has no user field")


def _organisation_q(viewer: Viewer, scope: Scope) -> Q:
    vis = scope.visibility_field
    assert vis is not None  # private records never reach the visibility levels
    q = Q(pk__in=[])
    # Coordinators see organisation-level records of the networks they run, including those
    # of records that have no organisation of their own (workstreams, groups).
    if viewer.coordinated_networks:
        q |= Q(**{vis: Visibility.ORGANISATION}) & scope.in_networks(viewer.coordinated_networks)
    if scope.in_organisation is None:
        return q
    by_network: dict[int, set[int]] = {}
    for network_id, org_id in viewer.memberships:
        by_network.setdefault(network_id, set()).add(org_id)
    for network_id, org_ids in sorted(by_network.items()):
        q |= Q(**{vis: Visibility.ORGANISATION}) & scope.in_organisation(
            network_id, frozenset(org_ids)
        )
    return q


def visible(viewer: Viewer, queryset: QuerySet[M]) -> QuerySet[M]:
    """Narrow a queryset to what ``viewer`` may read."""
    return queryset.filter(visible_q(viewer, queryset.model))


def can_view(viewer: Viewer, obj: models.Model) -> bool:
    model = type(obj)
    return visible(viewer, model._default_manager.filter(pk=obj.pk)).exists()


def can_manage(viewer: Viewer, obj: Any) -> bool:
    """Whether ``viewer`` may change ``obj``. Administrators may change anything."""
    if viewer.is_admin:
        return True
    if not viewer.is_authenticated:
        return False
    return bool(obj.managed_by(viewer))


def get_for(viewer: Viewer, queryset: QuerySet[M], *, write: bool = False, **lookup: Any) -> M:
    """Fetch one record the viewer may read, or 404; with ``write``, 403 unless they manage it.

    A record the viewer may not read is a 404, never a 403, so its existence is not revealed.
    """
    try:
        obj = visible(viewer, queryset).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("No such record, or you do not have access to it.") from None
    if write and not can_manage(viewer, obj):
        raise PermissionDenied("You do not have permission to change this.")
    return obj
