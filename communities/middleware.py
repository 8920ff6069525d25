"""Request hooks owned by the communities app."""

import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.functional import empty

from .services.accounts import member_touch_active


class MemberTimezoneMiddleware:
    """Shows times in the member's chosen time zone. Only requests carrying a session cookie load the
    user here, and those pages load it anyway (navigation), so this adds no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            try:
                zone = zoneinfo.ZoneInfo(request.user.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = None
        if zone:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class LastActiveMiddleware:
    """Keeps `User.last_active_at` fresh for the directory's activity filter (one UPDATE per member per
    15 minutes at most; nothing for anonymous visitors)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        # Only when the request already loaded the user: this hook must not add session/user queries.
        if user is not None and getattr(user, "_wrapped", None) is not empty and user.is_authenticated:
            member_touch_active(member=user)
        return response
