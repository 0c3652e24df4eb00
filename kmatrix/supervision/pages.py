"""What the supervision views share: the service and the viewer's roles in it, breadcrumbs,
a service's errors shown on a form, and pagination."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.forms import BaseForm
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


def apply_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service function's ValidationError on the fields it names, or above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def paginate(request: HttpRequest, items: Any, size: int) -> tuple[Page[Any], dict[str, Any]]:
    page = Paginator(items, size).get_page(request.GET.get("page"))
    query = request.GET.copy()

    def href(number: int) -> str:
        query["page"] = str(number)
        return "?" + query.urlencode()

    return page, {
        "previous": {"href": href(page.previous_page_number())} if page.has_previous() else None,
        "next": {"href": href(page.next_page_number())} if page.has_next() else None,
    }


def param(request: HttpRequest, name: str) -> str:
    return request.GET.get(name, "").replace("\x00", "").strip()[:200]


def int_param(request: HttpRequest, name: str) -> int | None:
    raw = param(request, name)
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def today() -> Any:
    return timezone.localdate()
