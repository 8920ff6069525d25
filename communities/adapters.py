"""allauth customised through its adapter (never forked): where members land, which names are free, and
how failed logins are limited.

Failed logins (allauth's `login_failed` action, `ACCOUNT_RATE_LIMITS`) count twice: per **account**,
whichever address tries it and whether it is named by username or by email (the key is the account's
id; a login naming no account is keyed on its text), and per **address** (`common.net.client_ip`: an
IPv4 address or an IPv6 /64) with a higher ceiling, since a household, an office or a carrier's NAT
share one. A spent budget refuses before the password is checked, with the 429 page and a
`Retry-After` saying when the oldest counted failure leaves the window; a successful login takes back
the attempt it was counted as (allauth's rollback), so people who type their password right never
spend anything, and another account on a busy address still gets in.
"""

import math
import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal import ratelimit as allauth_ratelimit
from django import forms
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from common.net import client_ip
from petcommunity.ratelimit import limited_response

LOGIN_FAILED = {"app": "allauth.account", "action": "login_failed"}

RESERVED_PREFIXES = ("deleted-",)  # account_delete renames accounts to deleted-<id>


class AccountAdapter(DefaultAccountAdapter):
    def get_signup_redirect_url(self, request):
        # New members land on onboarding: pets, region and interests drive pod suggestions.
        return reverse("communities:onboarding")

    def get_login_redirect_url(self, request):
        # A member who verified their email after signing up (or left onboarding half-way) finishes it
        # first; an explicit ?next= still wins, as allauth gives it precedence over this.
        if request.user.onboarded_at is None:
            return reverse("communities:onboarding")
        return super().get_login_redirect_url(request)

    def clean_username(self, username, shallow=False):
        if username.lower().startswith(RESERVED_PREFIXES):
            raise forms.ValidationError("Usernames starting with “deleted-” are reserved.")
        return super().clean_username(username, shallow=shallow)

    # --- Failed logins: per account and per address ------------------------------------------------

    def get_client_ip(self, request):
        """The address every limit of the project uses (IPv6 grouped per /64)."""
        return client_ip(request)

    def _get_login_attempts_cache_key(self, request, **credentials):
        """The per-account key: the account's id when the login names one (by username or by email),
        so switching between the two spends the same budget; else the login text itself. Also used by
        allauth to clear the failures after a password reset."""
        login = (credentials.get("email") or credentials.get("username") or "").strip().lower()
        users = get_user_model().objects
        account = None
        if "@" in login:
            account = (EmailAddress.objects.filter(email__iexact=login).values_list("user_id", flat=True).first()
                       or users.filter(email__iexact=login).values_list("pk", flat=True).first())
        if account is None and credentials.get("username"):
            account = users.filter(username__iexact=credentials["username"].strip()).values_list(
                "pk", flat=True).first()
        return f"account:{account}" if account is not None else f"login:{login}"

    def pre_authenticate(self, request, **credentials):
        """Refuse with 429 + Retry-After while the account's or the address's failure budget is spent;
        otherwise count this attempt (taken back again if the password is right)."""
        key = self._get_login_attempts_cache_key(request, **credentials)
        if allauth_ratelimit.consume(request, key=key, dry_run=True, **LOGIN_FAILED):
            self._login_failed_rl_usage = allauth_ratelimit.consume(request, key=key, **LOGIN_FAILED)
            if self._login_failed_rl_usage:
                return
        raise ImmediateHttpResponse(limited_response(request, _login_retry_after(request, key)))


def _login_retry_after(request, key: str) -> int:
    """Seconds until every spent login_failed window has room again: when the oldest failure that
    fills it leaves it (allauth keeps each window's failure times, newest first)."""
    now, wait = time.time(), 1
    for rate in allauth_ratelimit.get_rates(**LOGIN_FAILED):
        history = cache.get(allauth_ratelimit.get_cache_key(request, rate=rate, key=key, **LOGIN_FAILED)) or []
        live = [t for t in history if t > now - rate.duration]
        if len(live) >= rate.amount:
            wait = max(wait, math.ceil(live[rate.amount - 1] + rate.duration - now))
    return wait
