"""Writes for personal access tokens: create (the raw token is returned once), revoke, record use."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import AccessToken, Scope

TOKEN_PREFIX = "pct_"  # noqa: S105 - a public marker that tells a token apart, not a secret
MAX_TOKENS = 20  # live tokens per member: enough for every integration, few enough to review
USE_RECORD_SECONDS = 60  # last use is written at most once a minute per token


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor, name: str, scopes: list[str], expires_in_days: int | None) -> tuple[AccessToken, str]:
    """A new token for `actor`; returns the row and the raw token, which is never stored nor shown again."""
    if not getattr(actor, "is_authenticated", False) or actor.is_suspended:
        raise PermissionDenied("Suspended accounts cannot create tokens.")
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = "Give the token a name, e.g. the script that uses it."
    if not scopes or any(s not in Scope.values for s in scopes):
        errors["scopes"] = "Pick at least one scope."
    if expires_in_days is not None and not 1 <= expires_in_days <= 366:
        errors["expires_in_days"] = "Choose between 1 and 366 days, or no expiry."
    live = AccessToken.objects.select_for_update().filter(member=actor, revoked_at__isnull=True)
    if live.count() >= MAX_TOKENS:
        errors["name"] = f"You have {MAX_TOKENS} tokens: revoke one first."
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    token = AccessToken.objects.create(member=actor, name=name[:80], scopes=sorted(set(scopes)),
                                       token_hash=token_digest(raw), prefix=raw[:10], expires_at=expires)
    return token, raw


@transaction.atomic
def token_revoke(*, actor, token: AccessToken) -> None:
    if token.member_id != actor.pk:
        raise PermissionDenied("Not your token.")
    AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def token_record_use(token: AccessToken) -> None:
    """Last use, coarse: a busy script must not turn every read into a write."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= USE_RECORD_SECONDS:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
