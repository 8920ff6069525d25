"""Request hooks owned by the communities app."""

from django.utils.functional import empty

from .services.accounts import member_touch_active


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
