from django.apps import AppConfig
from django.core.signals import request_finished

from communities import hooks


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self):
        # Imported here, not at the top: they need the models, not yet loaded when this module is.
        from . import presenters  # noqa: F401  (registers how queue events become frames)
        from .permissions import ContentChecks, ModerationRules
        from .rules import flush_after_request
        from .selectors import ReviewWait, nav_badges, upheld_actions_since

        # Moderation's rules join the core policy, and its rule check runs before content is saved.
        hooks.moderation_rules.fill(ModerationRules())
        hooks.content_checking.fill(ContentChecks())
        hooks.review_wait.fill(ReviewWait())
        hooks.nav_badges.register(nav_badges)
        hooks.upheld_actions.register(upheld_actions_since)
        hooks.policy_caches.extend(a for a in ("_moderator_scopes",) if a not in hooks.policy_caches)

        # Blocked rule hits wait for the posting transaction to end (see rules._block); the end of a
        # request is a safe moment to write them.
        request_finished.connect(flush_after_request, dispatch_uid="moderation.blocked_hits_flush")
