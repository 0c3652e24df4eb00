"""The API at /api/v1: the same access rules as the pages (core/access.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, django_auth

from kmatrix.core.services import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = api_token_authenticate(token)
        if found is None:
            # A wrong token is an error, not a quiet fall-back to anonymous access.
            raise AuthenticationError()
        request.user = found.user
        return found.user


class Anonymous:
    """Lets unauthenticated requests through; they see public records only."""

    def __call__(self, request: HttpRequest) -> Any:
        return True


api = NinjaAPI(
    title="Knowledge Matrix API",
    version="1",
    description="Networks, organisations, people, themes, workstreams and groups. "
    "Authenticate with a personal API token (Authorization: Bearer km_...) made on "
    "your account page. Without one you see public records only.",
    # Signed-in browser sessions (django_auth checks CSRF on unsafe methods) also work.
    auth=[TokenAuth(), django_auth, Anonymous()],
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "The request is not valid.", "errors": exc.errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Not signed in or token not valid."}, status=401)


api.add_router("/", "kmatrix.networks.api.router")
api.add_router("/", "kmatrix.indicators.api.router")
api.add_router("/", "kmatrix.improvement.api_assessments.router")
api.add_router("/", "kmatrix.improvement.api_plans.router")
api.add_router("/", "kmatrix.improvement.api_work.router")
api.add_router("/", "kmatrix.library.api.router")
api.add_router("/", "kmatrix.programmes.api.router")
api.add_router("/", "kmatrix.meetings.api.router")
api.add_router("/", "kmatrix.supervision.api.router")
api.add_router("/", "kmatrix.boardpapers.api.router")
