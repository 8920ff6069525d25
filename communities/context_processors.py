"""Navigation state: what this person's roles allow, and their badges. Computed once per request."""

from django.utils.functional import SimpleLazyObject

from . import hooks
from .policy import policy_for
from .selectors import notification_unread_count


def nav(request):
    return {"nav": SimpleLazyObject(lambda: _nav(request.user))}


def _nav(user) -> dict:
    if not user.is_authenticated:
        return {"is_member": False, "is_moderator": False, "is_manager": False, "unread_count": 0, "queue_count": 0}
    policy = policy_for(user)
    moderator = policy.is_moderator
    state = {
        "is_member": True,
        "is_manager": policy.is_manager,
        "is_moderator": moderator,
        "unread_count": notification_unread_count(user),
        "queue_count": 0,
    }
    for badges in hooks.nav_badges:  # moderation adds the queue count for moderators
        state.update(badges(policy=policy))
    return state
