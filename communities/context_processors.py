"""Navigation state: what this person's roles allow, and their badges.

Cached per member (`communities.navcache`): a page costs one cache round trip and no query while nothing
in the bar changed; the services that change it invalidate it.
"""

from django.utils.functional import SimpleLazyObject

from . import hooks, navcache
from .policy import policy_for
from .selectors import notification_unread_count

ANONYMOUS = {"is_member": False, "is_moderator": False, "is_manager": False, "unread_count": 0, "queue_count": 0}


def nav(request):
    return {"nav": SimpleLazyObject(lambda: _nav(request.user))}


def _nav(user) -> dict:
    if not user.is_authenticated:
        return dict(ANONYMOUS)
    return navcache.nav_get(user.pk, lambda: nav_compute(user))


def nav_compute(user) -> dict:
    """The bar from the database: roles through the policy, then each app's badges."""
    policy = policy_for(user)
    state = {
        "is_member": True,
        "is_manager": policy.is_manager,
        "is_moderator": policy.is_moderator,
        "unread_count": notification_unread_count(user),
        "queue_count": 0,
    }
    for badges in hooks.nav_badges:  # moderation: the queue count for moderators; messaging: unread messages
        state.update(badges(policy=policy))
    return state
