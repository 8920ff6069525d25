"""Who is calling: a personal access token (Authorization: Bearer), or the session cookie with CSRF.

A token request runs as the token's member (`request.user`), with the token in `request.auth`; its
scopes bound what it may do. A session has every scope its member has on the pages.
"""

from django.core.exceptions import PermissionDenied
from ninja.security import HttpBearer, SessionAuth

from .models import AccessToken, Scope
from .selectors import token_for
from .services import token_record_use


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        found = token_for(token)
        if found is None:
            return None
        token_record_use(found)
        request.user = found.member
        return found


class SessionCookieAuth(SessionAuth):
    """The signed-in browser on this site; unsafe methods need the CSRF token (X-CSRFToken)."""

    def __call__(self, request):
        if request.headers.get("Authorization"):
            return None  # a refused token never falls back to a cookie the same client may carry
        return super().__call__(request)


AUTH = [TokenAuth(), SessionCookieAuth()]


def require_scope(request, scope: str) -> None:
    """A token without `scope` is refused (403: the member is known, the key lacks the right)."""
    if isinstance(request.auth, AccessToken) and scope not in request.auth.scopes:
        raise PermissionDenied(f"This token lacks the '{scope}' scope.")


READ, WRITE, MODERATE, METRICS = Scope.READ, Scope.WRITE, Scope.MODERATE, Scope.METRICS
