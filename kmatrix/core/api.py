"""Access for API routes: the access helper's answers as JSON errors.

ninja hands Django's PermissionDenied to Django, which would answer with the HTML 403 page,
so API routes fetch records through ``api_get`` instead of calling ``get_for`` directly.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
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
