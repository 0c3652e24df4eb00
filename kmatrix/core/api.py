"""Access for API routes: the access helper's answers as JSON errors.

ninja hands Django's PermissionDenied to Django, which would answer with the HTML 403 page,
so API routes fetch records through ``api_get`` instead of calling ``get_for`` directly.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Status
from ninja.errors import AuthenticationError, HttpError

from kmatrix.core.access import Viewer, get_for, viewer_for

M = TypeVar("M", bound=models.Model)


def api_viewer(request: HttpRequest) -> Viewer:
    return viewer_for(request.user)


def api_signed_in(request: HttpRequest) -> Viewer:
    """The caller's Viewer; a 401 when the route needs a token or session and has none."""
    viewer = api_viewer(request)
    if not viewer.is_authenticated:
        raise AuthenticationError()
    return viewer


def api_get(viewer: Viewer, queryset: QuerySet[M], *, write: bool = False, **lookup: Any) -> M:
    """``get_for`` with its 404 and 403 as JSON errors."""
    try:
        return get_for(viewer, queryset, write=write, **lookup)
    except Http404 as exc:
        raise HttpError(404, str(exc)) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None


def api_invalid(exc: ValidationError) -> Status[dict[str, Any]]:
    """A service's ValidationError as a 422 with the messages by field."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    detail = " ".join(message for messages in errors.values() for message in messages)
    return Status(422, {"detail": detail, "errors": errors})


def api_field_error(field: str, message: str) -> Status[dict[str, Any]]:
    return Status(422, {"detail": message, "errors": {field: [message]}})


class FieldProblem(Exception):
    """A request naming something that does not exist (an unknown id or slug), raised while
    reading the body and answered as ``api_field_error(field, message)``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message
