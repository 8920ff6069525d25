"""Abuse limits: fixed-window counters in the Django cache, per member and per IP address.

Each action (`post`, `comment`, `react`, `report`, `invite`, `ws`) has three rates in
`settings.RATE_LIMITS`: one for established members, a stricter one for newcomers, and one per IP
address (higher: several people may share a NAT). A hit counts against the member's and the
address's window at once; `cache.add` + `cache.incr` are atomic in Redis, so concurrent requests
never both see "one left". Fixed windows are cheap and exact to test; a burst may reach twice a rate
across a window boundary, which is fine for abuse limits (they stop floods, not people).

Sign-up, login and password reset are limited by allauth (`ACCOUNT_RATE_LIMITS`); `handler429`
below gives its refusals the same page and a `Retry-After` header.

When the cache is unreachable the limiter lets the request through: an outage must not turn into
"nobody may post" (see README, "Security and reliability").
"""

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from allauth.account import app_settings
from allauth.core.internal.ratelimit import parse_rates
from channels.db import database_sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone

from common.net import client_ip

logger = logging.getLogger(__name__)

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _now() -> float:
    """The limiter's clock (tests patch this one function to cross window boundaries)."""
    return time.time()


@dataclass(frozen=True)
class Rate:
    amount: int
    seconds: int

    @classmethod
    def parse(cls, spec: str) -> "Rate":
        """`"10/10m"` → 10 per 600 seconds; the unit may carry a count (`30s`, `10m`, `2h`, `1d`)."""
        amount, period = spec.split("/")
        count = period[:-1] or "1"
        return cls(int(amount), int(count) * UNITS[period[-1]])


class RateLimited(Exception):
    def __init__(self, action: str, retry_after: int):
        super().__init__(f"{action}: try again in {retry_after}s")
        self.action, self.retry_after = action, retry_after


# Predicates `fn(user) -> bool` saying a young account has already earned standing (the pods app adds
# "past the newcomer rung in some pod" at start-up): infrastructure knows no domain app.
established_by: list[Callable[[Any], bool]] = []


def is_newcomer(user) -> bool:
    """Newer than RATE_LIMIT_NEWCOMER_DAYS and without standing from any `established_by` predicate."""
    joined = getattr(user, "date_joined", None)
    if joined is None or timezone.now() - joined >= timedelta(days=settings.RATE_LIMIT_NEWCOMER_DAYS):
        return False
    return not any(check(user) for check in established_by)


def _count(key: str, rate: Rate, now: float) -> tuple[int, int]:
    """Count one hit in the window holding `now`; returns (hits so far, seconds until the window ends)."""
    window = int(now // rate.seconds)
    full_key = f"rl:{key}:{rate.seconds}:{window}"
    cache.add(full_key, 0, timeout=rate.seconds + 1)
    try:
        hits = cache.incr(full_key)
    except ValueError:  # expired between add and incr: this hit opens a fresh window
        cache.set(full_key, 1, timeout=rate.seconds + 1)
        hits = 1
    return hits, max(math.ceil((window + 1) * rate.seconds - now), 1)


def _rates_for(action: str, user) -> list[tuple[str, Rate]]:
    config = settings.RATE_LIMITS[action]
    rates = [("ip", Rate.parse(config["ip"]))]
    if getattr(user, "is_authenticated", False):
        tier = "newcomer" if is_newcomer(user) else "member"
        rates.append((f"user:{user.pk}", Rate.parse(config[tier])))
    return rates


def hit(action: str, *, user, ip: str) -> None:
    """Count one `action` by `user` from `ip`; raises RateLimited when either window is spent."""
    if not settings.RATE_LIMITS_ENABLED:
        return
    now, retry_after = _now(), 0
    for who, rate in _rates_for(action, user):
        ident = f"ip:{ip}" if who == "ip" else who
        try:
            hits, left = _count(f"{action}:{ident}", rate, now)
        except Exception:  # noqa: BLE001 - cache down: let the member through (logged, not hidden)
            logger.warning("rate limit %s not checked: cache unavailable", action, exc_info=True)
            return
        if hits > rate.amount:
            retry_after = max(retry_after, left)
    if retry_after:
        raise RateLimited(action, retry_after)


async def ahit(action: str, *, user, ip: str) -> None:
    """`hit` for consumers (the cache and the newcomer check are synchronous)."""
    await database_sync_to_async(hit)(action, user=user, ip=ip)


def limited_response(request, retry_after: int) -> HttpResponse:
    """429 with Retry-After: JSON for JSON clients, a small notice for htmx, else the friendly page."""
    minutes = max(1, math.ceil(retry_after / 60))
    context = {"retry_after": retry_after, "retry_minutes": minutes}
    if "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"error": "rate_limited", "retry_after": retry_after}, status=429)
    elif request.headers.get("HX-Request"):
        response = HttpResponse(render_to_string("includes/rate_limited.html", context, request=request), status=429)
        response["HX-Reswap"] = "beforebegin"  # a notice next to what was clicked, nothing replaced
    else:
        response = HttpResponse(render_to_string("429.html", context, request=request), status=429)
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    """Counts POSTs to the views named in RATE_LIMITED_VIEWS (url name → action) before they run."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or not request.user.is_authenticated:
            return None  # anonymous POSTs are refused by login_required (or limited by allauth)
        match = request.resolver_match
        action = settings.RATE_LIMITED_VIEWS.get(match.view_name if match else "")
        if action is None:
            return None
        try:
            hit(action, user=request.user, ip=client_ip(request))
        except RateLimited as exc:
            logger.info("rate limited: %s by member %s", action, request.user.pk)
            return limited_response(request, exc.retry_after)
        return None


# allauth url name → its rate-limit action, for Retry-After on allauth's own refusals.
ALLAUTH_ACTIONS = {
    "account_login": "login", "account_signup": "signup", "account_reset_password": "reset_password",
    "account_reset_password_from_key": "reset_password_from_key", "account_email": "manage_email",
    "account_change_password": "change_password", "account_set_password": "change_password",
    "account_confirm_email": "confirm_email", "account_email_verification_sent": "confirm_email",
    "account_reauthenticate": "reauthenticate",
}


def handler429(request) -> HttpResponse:
    """allauth's refusals (it calls ROOT_URLCONF.handler429). allauth does not say which of an action's
    rates was spent, so Retry-After is the longest of them: an upper bound, never too early."""
    match = request.resolver_match
    action = ALLAUTH_ACTIONS.get(match.url_name if match else "", "")
    rates = parse_rates(app_settings.RATE_LIMITS.get(action))
    retry_after = int(max((rate.duration for rate in rates), default=60))
    return limited_response(request, retry_after)
