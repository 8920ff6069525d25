"""Navigation state: what this person's roles allow, and their badges. Computed once per request."""

from django.utils.functional import SimpleLazyObject


def nav(request):
    return {"nav": SimpleLazyObject(lambda: _nav(request.user))}


def _nav(user) -> dict:
    if not user.is_authenticated:
        return {"is_member": False, "is_moderator": False, "is_manager": False, "unread_count": 0, "queue_count": 0}
    from communities.selectors import notification_unread_count
    from microgroups.permissions import is_manager
    from moderation.selectors import moderator_queue_count, user_is_moderator

    moderator = user_is_moderator(user)
    return {
        "is_member": True,
        "is_manager": is_manager(user),
        "is_moderator": moderator,
        "unread_count": notification_unread_count(user),
        "queue_count": moderator_queue_count(user) if moderator else 0,
    }
