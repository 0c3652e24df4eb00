"""What the supervision views share: the service and the viewer's roles in it, breadcrumbs
and today's date. Forms' errors and paging come from kmatrix.core (forms, pages)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from kmatrix.core.access import Viewer, viewer_for
from kmatrix.supervision import queries
from kmatrix.supervision.models import SupervisionService
from kmatrix.supervision.queries import Roles
from kmatrix.supervision.times import london


@dataclass(frozen=True)
class Context:
    viewer: Viewer
    service: SupervisionService
    roles: Roles

    @property
    def base(self) -> str:
        return reverse("supervision:home", args=[self.service.network.slug])

    def crumbs(self, *more: tuple[str, str]) -> list[dict[str, str]]:
        network = self.service.network
        pairs = [
            ("My networks", "/networks/"),
            (network.name, network.get_absolute_url()),
            (self.service.name, self.base),
            *more,
        ]
        return [{"text": text, "href": href} for text, href in pairs]

    def page(self, **more: Any) -> dict[str, Any]:
        return {
            "service": self.service,
            "roles": self.roles,
            "base": self.base,
            "local": london,
            **more,
        }

    def require_manager(self) -> None:
        if not self.roles.project_manager:
            raise PermissionDenied("Only the service's project managers do this.")


def context(request: HttpRequest, slug: str) -> Context:
    viewer = viewer_for(request.user)
    service = queries.service_for(viewer, slug)
    return Context(viewer, service, queries.roles_for(viewer, service))


def today() -> Any:
    return timezone.localdate()
