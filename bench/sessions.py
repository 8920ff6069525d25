"""Signed-in load without a login form: sessions are created the way Django's `login()` stores them,
with a CSRF secret sent both as the cookie and the X-CSRFToken header (what the page's JS does)."""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.middleware.csrf import _get_new_csrf_string
from django.utils.module_loading import import_string


def session_for(user) -> dict:
    """Headers for requests as this member: Cookie (session + csrftoken) and X-CSRFToken."""
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    csrf = _get_new_csrf_string()
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf,
    }


def form_headers(session: dict) -> dict:
    return {**session, "Content-Type": "application/x-www-form-urlencoded"}
