from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from kmatrix.core.models import ApiToken, User, hash_token

M = TypeVar("M", bound=models.Model)


def validated_save(obj: M, **fields: Any) -> M:
    """Set ``fields`` on ``obj``, validate it (``full_clean``) and save it: the step every
    service function ends with."""
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Make a token; returns the record and the raw token, which is never stored."""
    raw = ApiToken.generate()
    token = ApiToken(
        user=user, name=name, prefix=raw[:10], token_hash=hash_token(raw), expires_at=expires_at
    )
    token.full_clean()
    token.save()
    return token, raw


def api_token_revoke(*, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


def api_token_authenticate(raw: str) -> ApiToken | None:
    if not raw.startswith("km_") or len(raw) > 100:
        return None
    token = (
        ApiToken.objects.active().select_related("user").filter(token_hash=hash_token(raw)).first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Recording every use would write on every request; once a minute is enough to audit.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
