"""A small cache-based limiter for the admin login (allauth's own limits cover the member login)."""

import time

from django.conf import settings
from django.core.cache import cache

from common.net import client_ip

ADMIN_LOGIN_MAX_FAILURES = getattr(settings, "ADMIN_LOGIN_MAX_FAILURES", 5)
ADMIN_LOGIN_WINDOW = getattr(settings, "ADMIN_LOGIN_WINDOW_SECONDS", 15 * 60)


def _key(request) -> str:
    return f"throttle:admin-login:{client_ip(request)}"


def admin_login_failed(request) -> None:
    """Count a failure in a fixed window that starts at the first failure (incr is atomic in Redis)."""
    key = _key(request)
    cache.add(f"{key}:since", time.time(), ADMIN_LOGIN_WINDOW)
    cache.add(key, 0, ADMIN_LOGIN_WINDOW)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, ADMIN_LOGIN_WINDOW)


def admin_login_blocked_for(request) -> int:
    """Seconds until this IP may try again (0: not blocked)."""
    key = _key(request)
    failures = cache.get(key) or 0
    if failures < ADMIN_LOGIN_MAX_FAILURES:
        return 0
    since = cache.get(f"{key}:since") or time.time()
    return max(int(since + ADMIN_LOGIN_WINDOW - time.time()), 1)
