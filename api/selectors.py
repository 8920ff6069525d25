"""Reads for personal access tokens."""

from django.utils import timezone

from .models import AccessToken
from .services import TOKEN_PREFIX, token_digest


def token_list(*, member) -> list[AccessToken]:
    return list(AccessToken.objects.filter(member=member, revoked_at__isnull=True).order_by("-created_at", "-pk"))


def token_for(raw: str) -> AccessToken | None:
    """The usable token `raw` names, with its member (one query), or None. A suspended, deactivated or
    deleted member's tokens are refused here, on every request: suspension takes effect at once."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = (AccessToken.objects.select_related("member").filter(token_hash=token_digest(raw),
                                                                   revoked_at__isnull=True).first())
    if token is None or (token.expires_at and token.expires_at <= timezone.now()):
        return None
    member = token.member
    if not member.is_active or member.deleted_at or member.is_suspended:
        return None
    return token
